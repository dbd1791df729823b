#!/usr/bin/env bash
# Run every test of the workspace against real components: installs nats-server if missing;
# each integration test starts its own nats-server on a free port with JetStream in a temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/lib.sh
need_cargo
need_nats_server
# The timeline page is tested in headless Chromium; the font renders its Chinese in screenshots.
need_debs chromium fonts-wqy-zenhei
echo "nats-server $(nats-server --version)"
# The fault tests start the service binaries as real processes: build them first.
cargo build -p dongtai-ingest -p dongtai-extract -p dongtai-timeline
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
  cargo test --workspace --doc
else
  cargo test --workspace --no-fail-fast "$@"
fi
