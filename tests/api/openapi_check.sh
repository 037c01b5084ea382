#!/usr/bin/env bash
# Validate a running server's answers against Coder's OpenAPI description
# with an external checker. Coder's description is not part of this
# repository, so the check runs only when USHER_OPENAPI_CHECK names the
# checker script (which takes BASE_URL and reads CODER_EMAIL and
# CODER_PASSWORD); otherwise it is skipped. The checker needs Stoplight
# Prism: set PRISM, or the script installs it with npm into a cache
# directory.
set -euo pipefail

check="${USHER_OPENAPI_CHECK:-}"
if [ -z "$check" ]; then
  echo "USHER_OPENAPI_CHECK is not set; skipping the OpenAPI check"
  exit 77
fi
binary="${USHER_BINARY:?USHER_BINARY must name the usher binary}"
if [ -z "${PRISM:-}" ]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/usher/prism"
  if [ ! -x "$cache/node_modules/.bin/prism" ]; then
    npm install --prefix "$cache" --no-audit --no-fund \
      @stoplight/prism-cli@5.14.2 >/dev/null
  fi
  export PRISM="$cache/node_modules/.bin/prism"
fi

work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    wait "$pid" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$binary" server --http-address 127.0.0.1:0 --sqlite-path "$work/usher.db" \
  --rate-limit-disable-all 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 600); do
  grep -q 'msg="listening"' "$work/server.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.05
done
address="$(grep -o 'address=[0-9.]*:[0-9]*' "$work/server.log" | head -n1 | cut -d= -f2)"

CODER_EMAIL=admin@example.com CODER_PASSWORD=Correct-Horse-Battery-42 \
  bash "$check" "http://$address"
