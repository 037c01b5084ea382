#!/usr/bin/env bash
# Fail when C sources call a banned libc function. Each of these has a
# bounded or strict replacement in the project (snprintf, str_copy, the
# number parser, strtok_r-free splitting, timestamp_format).
set -euo pipefail
banned='sprintf|vsprintf|strcpy|strcat|strncpy|strncat|strtok|atoi|atol|atoll|gmtime|localtime|gets'
status=0
for dir in "$@"; do
  [ -d "$dir" ] || continue
  # A call is the name not preceded by an identifier character or "_".
  if grep -rnE --include='*.c' --include='*.h' \
      "(^|[^A-Za-z0-9_])($banned)[[:space:]]*\(" "$dir"; then
    status=1
  fi
done
if [ "$status" -ne 0 ]; then
  echo "error: banned C library calls found above" >&2
fi
exit "$status"
