#!/usr/bin/env bash
# Run the whole system on this machine: nats-server (unless DONGTAI_NATS_URL points at one),
# ingest, extract and timeline, then ingest seeds/ and serve queries until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/lib.sh
need_cargo
command -v curl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }

DATA=${DONGTAI_DATA_ROOT:-$PWD/data}
mkdir -p "$DATA/logs"
pids=()
stop() {
  echo; echo "stopping…"
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped. Data kept in $DATA (logs in $DATA/logs)."
}
trap stop EXIT
trap 'exit 130' INT TERM

echo "building (release)…"
# The commit goes into dongtai_build_info on /metrics (unknown outside a git checkout).
DONGTAI_GIT_SHA="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
export DONGTAI_GIT_SHA
cargo build --release -q -p dongtai-ingest -p dongtai-extract -p dongtai-timeline
BIN=target/release

if [ -z "${DONGTAI_NATS_URL:-}" ]; then
  need_nats_server
  nats-server -c deploy/nats/single.conf -js -sd "$DATA/nats" -l "$DATA/logs/nats.log" &
  pids+=($!)
  export DONGTAI_NATS_URL=nats://127.0.0.1:4222
  wait_http http://127.0.0.1:8222/healthz 20
fi

DONGTAI_HTTP_ADDR=127.0.0.1:8081 "$BIN/dongtai-ingest" serve 2>"$DATA/logs/ingest.log" &
pids+=($!)
DONGTAI_HTTP_ADDR=127.0.0.1:8082 "$BIN/dongtai-extract" serve 2>"$DATA/logs/extract.log" &
pids+=($!)
DONGTAI_HTTP_ADDR=127.0.0.1:8080 DONGTAI_DATA_DIR="$DATA/timeline" "$BIN/dongtai-timeline" serve 2>"$DATA/logs/timeline.log" &
pids+=($!)
wait_http http://127.0.0.1:8081/readyz 30
wait_http http://127.0.0.1:8082/readyz 30
wait_http http://127.0.0.1:8080/readyz 30

"$BIN/dongtai-ingest" push --server http://127.0.0.1:8081 seeds/
# Wait for the seed page's events to become queryable.
for _ in $(seq 1 100); do
  n=$(curl -fsS http://127.0.0.1:8080/v1/stats | sed -n 's/.*"events":\([0-9]*\).*/\1/p')
  [ "${n:-0}" -gt 0 ] && break
  sleep 0.1
done

cat <<TXT

dongtai is running (logs in $DATA/logs). Timeline: http://127.0.0.1:8080   Ingest: http://127.0.0.1:8081
Events stored: ${n:-0}. Try:
  curl '127.0.0.1:8080/v1/events?actor=曹立强'
  curl '127.0.0.1:8080/v1/events?target=乐高'
Ctrl-C stops everything.
TXT
wait -n "${pids[@]}" || true
echo "a service exited; see $DATA/logs" >&2
