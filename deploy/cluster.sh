#!/usr/bin/env bash
# The whole system on a 3-node NATS JetStream cluster on this machine, every stream with three
# replicas: nats-server ×3 (client ports 4222-4224), ingest (:8081), two extract workers
# sharing one durable consumer (:8101, :8102, health only), two timeline replicas each with its
# own durable consumer and sled (:8080 replica a, :8090 replica b). Pushes seeds/, then runs
# until Ctrl-C. Kill a node (see the pids printed) and watch the system carry on.
#
#   DONGTAI_EXTRACT_WORKERS=3 DONGTAI_TIMELINE_REPLICAS=1 deploy/cluster.sh   (other counts)
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/lib.sh
need_cargo
need_nats_server
command -v curl >/dev/null 2>&1 || need_debs curl

DATA=${DONGTAI_DATA_ROOT:-$PWD/data}/cluster
WORKERS=${DONGTAI_EXTRACT_WORKERS:-2}
REPLICAS=${DONGTAI_TIMELINE_REPLICAS:-2}
mkdir -p "$DATA/logs"
pids=()          # everything started here, stopped in reverse order on exit
service_pids=()  # the services: the script ends when one exits (a nats node may die and come back)
stop() {
  echo; echo "stopping…"
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped. Data kept in $DATA (logs in $DATA/logs)."
}
trap stop EXIT
trap 'exit 130' INT TERM

if [ -n "${DONGTAI_BIN_DIR:-}" ]; then
  BIN=$DONGTAI_BIN_DIR   # binaries built elsewhere (e.g. target/debug)
else
  echo "building (release)…"
  cargo build --release -q -p dongtai-ingest -p dongtai-extract -p dongtai-timeline
  BIN=target/release
fi

# The node configs keep their stores under data/cluster/node-N (relative to the repo root).
for i in 1 2 3; do
  nats-server -c "deploy/nats/cluster/node-$i.conf" -l "$DATA/logs/nats-$i.log" &
  pids+=($!)
  echo "nats node $i: pid $!"
done
for i in 1 2 3; do wait_http "http://127.0.0.1:$((8221 + i))/healthz?js-enabled-only=true" 30; done
# The streams can be created once the nodes have elected their meta leader.
for _ in $(seq 1 300); do
  curl -fsS http://127.0.0.1:8222/jsz 2>/dev/null | grep -q '"leader"' && break
  sleep 0.1
done

# Every service gets every node: the client moves to another when its node goes away.
export DONGTAI_NATS_URL=nats://127.0.0.1:4222,nats://127.0.0.1:4223,nats://127.0.0.1:4224
# Streams are created with three replicas, or changed to three if they exist with fewer.
export DONGTAI_STREAM_REPLICAS=3

start_service() { # NAME LOG ENV... -- ARGS...
  local name=$1 log=$2; shift 2
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  env "${envs[@]}" "$BIN/$name" "$@" 2>>"$log" &
  pids+=($!)
  service_pids+=($!)
}
wait_ready() { # URL
  wait_http "$1/readyz" 60
}

start_service dongtai-ingest "$DATA/logs/ingest.log" DONGTAI_HTTP_ADDR=127.0.0.1:8081 -- serve
wait_ready http://127.0.0.1:8081
for w in $(seq 1 "$WORKERS"); do
  start_service dongtai-extract "$DATA/logs/extract-$w.log" \
    DONGTAI_HTTP_ADDR=127.0.0.1:$((8100 + w)) -- serve
done
names=(a b c d e f g h)
timelines=()
for r in $(seq 1 "$REPLICAS"); do
  name=${names[$((r - 1))]}
  port=$((8070 + 10 * r))
  start_service dongtai-timeline "$DATA/logs/timeline-$name.log" \
    DONGTAI_HTTP_ADDR=127.0.0.1:$port DONGTAI_TIMELINE_REPLICA=$name \
    DONGTAI_DATA_DIR="$DATA/timeline-$name" -- serve
  timelines+=("http://127.0.0.1:$port")
done
for w in $(seq 1 "$WORKERS"); do wait_ready "http://127.0.0.1:$((8100 + w))"; done
for t in "${timelines[@]}"; do wait_ready "$t"; done

"$BIN/dongtai-ingest" push --server http://127.0.0.1:8081 seeds/
# Each replica consumes on its own: wait until its count is there and holds still for a moment.
for t in "${timelines[@]}"; do
  prev=-1 still=0
  for _ in $(seq 1 200); do
    n=$(curl -fsS "$t/v1/stats" | sed -n 's/.*"events":\([0-9]*\).*/\1/p')
    if [ "${n:-0}" -gt 0 ] && [ "$n" = "$prev" ]; then still=$((still + 1)); else still=0; fi
    [ "$still" -ge 5 ] && break
    prev=${n:-0}
    sleep 0.1
  done
  echo "timeline $t: ${n:-0} events"
done

cat <<TXT

dongtai runs on a 3-node cluster, streams R3 (logs in $DATA/logs).
  DONGTAI_NATS_URL=$DONGTAI_NATS_URL
  ingest http://127.0.0.1:8081   timelines ${timelines[*]}
Streams and their replicas:
$(curl -fsS 'http://127.0.0.1:8222/jsz?streams=true&config=true' | tr -d ' \n' | grep -o '"name":"DONGTAI_[A-Z_]*"\|"num_replicas":[0-9]*' | uniq | paste - - | sed 's/^/  /')
Kill a nats node (kill -9 <pid above>), push more, start it again with
  nats-server -c deploy/nats/cluster/node-N.conf -l $DATA/logs/nats-N.log
Ctrl-C stops everything.
TXT
wait -n "${service_pids[@]}" || true
echo "a service exited; see $DATA/logs" >&2
