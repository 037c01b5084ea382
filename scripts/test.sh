#!/usr/bin/env bash
# Build Usher twice (plain, and with AddressSanitizer and UBSan) and run
# every test in both builds. Installs missing packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs="$(nproc)"
run_suite() {
  local dir="$1"; shift
  scripts/build.sh "$dir" "$@"
  (cd "$dir" && ctest --output-on-failure -j"$jobs")
}

run_suite build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-asan -DUSHER_SANITIZE=ON
echo "all tests passed"
