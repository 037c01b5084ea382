#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL cluster for the tests.
#
#   scripts/postgres-cluster.sh start DIR   initialise DIR/data when missing,
#                                           start the server and print a
#                                           libpq key=value admin string
#   scripts/postgres-cluster.sh stop DIR    stop the server (no error when
#                                           it is not running)
#
# The server listens on a unix socket in DIR and, when USHER_PG_TCP_PORT
# is set, on 127.0.0.1 at that port too (port 5432 names the socket
# otherwise). It trusts local connections and keeps no data safe across a
# crash: it exists for tests alone. Run as root, it runs as the postgres user (or a dedicated
# unprivileged user when there is none), since PostgreSQL refuses root.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

[ $# -eq 2 ] || usage
action="$1"
dir="$2"
port="${USHER_PG_TCP_PORT:-5432}"
listen=""
[ -n "${USHER_PG_TCP_PORT:-}" ] && listen="127.0.0.1"

find_bindir() {
  local candidate
  if [ -n "${PG_BINDIR:-}" ]; then
    echo "$PG_BINDIR"
    return
  fi
  for candidate in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"
      return
    fi
  done
  if command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return
  fi
  echo "$0: cannot find pg_ctl; install postgresql or set PG_BINDIR" >&2
  exit 1
}

bindir="$(find_bindir)"

# The user the server runs as: the caller, or an unprivileged one for root.
server_user() {
  if [ "$(id -u)" -ne 0 ]; then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    if ! id usher-pg >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin usher-pg
    fi
    echo usher-pg
  fi
}

user="$(server_user)"

as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

start() {
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [ "$(id -u)" -eq 0 ]; then
    chown "$user" "$dir"
  fi
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_server_user "$bindir/initdb" -D "$dir/data" -U postgres -A trust \
      -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
  fi
  # Tests create and drop many databases; durability does not matter.
  if ! as_server_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
      -w -t 60 -o "-c listen_addresses='$listen' -c port=$port \
      -c unix_socket_directories='$dir' \
      -c max_connections=300 -c fsync=off -c synchronous_commit=off \
      -c full_page_writes=off" start >/dev/null; then
    cat "$dir/server.log" >&2 || true
    exit 1
  fi
  echo "host=$dir port=$port user=postgres dbname=postgres"
}

stop() {
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_server_user "$bindir/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop \
    >/dev/null
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
