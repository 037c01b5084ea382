#!/usr/bin/env bash
# Build a RelWithDebInfo Usher with the benchmark tools into build-bench/
# and run every benchmark; the results go to bench/results/<date>.json and
# bench/results/<date>.md. See bench/README.md.
#
#   bench/run.sh            full run: 3 rounds, 10,000 and 1,000,000 users
#   bench/run.sh --quick    one short round on small databases (smoke run)
#
# Further options go to bench/run.py (--rounds N, --duration S, --keep,
# --no-wait, --output DIR). A full run waits, up to an hour, until no
# other process keeps the CPU busy.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build="${USHER_BENCH_BUILD:-build-bench}"
scripts/build.sh "$build" -DUSHER_TESTS=OFF -DUSHER_BENCH=ON
exec python3 -B bench/run.py --build "$build" "$@"
