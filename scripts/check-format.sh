#!/usr/bin/env bash
# Fail when a tracked C source or header differs from what clang-format
# makes of it with the repository's .clang-format. Exits 77 (skipped
# under ctest) when clang-format is not installed.
#
#   scripts/check-format.sh         check
#   scripts/check-format.sh --fix   rewrite the files in place
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null 2>&1; then
  echo "clang-format is not installed: run scripts/install-deps.sh" >&2
  exit 77
fi
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null ||
  find src tests bench -name '*.[ch]')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}"; then
  echo "error: the files above are not formatted; run scripts/check-format.sh --fix" >&2
  exit 1
fi
