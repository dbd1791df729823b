#!/usr/bin/env bash
# Start a 3-node NATS JetStream cluster on this machine (ports 4222-4224), make the streams
# replicated, and print the URL list the services take. Ctrl-C stops the cluster.
# Then, in other terminals: DONGTAI_NATS_URL=<printed list> target/release/dongtai-extract serve
# (start several extract workers: they share one durable consumer).
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/lib.sh
need_nats_server
mkdir -p data/cluster data/logs
pids=()
trap 'kill ${pids[*]} 2>/dev/null || true; wait' EXIT
for i in 1 2 3; do
  nats-server -c "deploy/nats/cluster/node-$i.conf" -l "data/logs/nats-$i.log" &
  pids+=($!)
done
for i in 1 2 3; do wait_http "http://127.0.0.1:$((8221 + i))/healthz?js-enabled-only=true" 30; done
echo "cluster up: DONGTAI_NATS_URL=nats://127.0.0.1:4222,nats://127.0.0.1:4223,nats://127.0.0.1:4224"
echo "streams are created by the first service to start; replicate them with:"
echo "  nats stream edit DONGTAI_ARTICLES --replicas 3   (and DONGTAI_EVENTS, DONGTAI_DEAD_ARTICLES)"
wait
