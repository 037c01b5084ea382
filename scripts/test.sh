#!/usr/bin/env bash
# Build Usher twice (plain, and with AddressSanitizer and UBSan) and run
# every test in both builds: the API tests once against SQLite and once
# against a throw-away PostgreSQL cluster, which is stopped and removed
# afterwards whatever the outcome. Installs missing packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/usher-pg.XXXXXX")"
cleanup() {
  scripts/postgres-cluster.sh stop "$pg_dir" || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
USHER_TEST_POSTGRES_ADMIN="$(scripts/postgres-cluster.sh start "$pg_dir")"
export USHER_TEST_POSTGRES_ADMIN

jobs="$(nproc)"
run_suite() {
  local dir="$1"; shift
  scripts/build.sh "$dir" -DUSHER_TEST_POSTGRES=ON "$@"
  (cd "$dir" && ctest --output-on-failure -j"$jobs")
}

run_suite build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-asan -DUSHER_SANITIZE=ON
echo "all tests passed"
