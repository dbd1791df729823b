# Shared by up.sh and test.sh: install what is missing (Debian packages), quietly.
need_nats_server() {
  if ! command -v nats-server >/dev/null 2>&1; then
    echo "installing nats-server (apt-get)…" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nats-server >/dev/null
  fi
  command -v nats-server >/dev/null 2>&1 || { echo "nats-server is not installed and could not be installed" >&2; exit 1; }
}

need_cargo() {
  command -v cargo >/dev/null 2>&1 || { echo "cargo is missing: install Rust from https://rustup.rs" >&2; exit 1; }
}

# wait_http URL SECONDS: wait until URL answers 200.
wait_http() {
  local url=$1 secs=${2:-30} i=0
  while [ "$i" -lt $((secs * 10)) ]; do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.1; i=$((i + 1))
  done
  echo "timed out waiting for $url" >&2
  return 1
}

# need_debs PKG...: install the Debian packages that are missing.
need_debs() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]} (apt-get)…" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}
