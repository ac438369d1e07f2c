#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the store tests.
#   test-postgres.sh start DIR PORT   creates (if needed) and starts a cluster in DIR, listening
#                                     only on 127.0.0.1:PORT (unix socket inside DIR), trust auth,
#                                     durability off for speed; prints its URL when ready
#   test-postgres.sh stop DIR         stops it (nothing to do if it is not running)
# As root, initdb/pg_ctl run as the `postgres` user (they refuse root) and DIR is given to it;
# DIR's parent folders must let that user in (mktemp -d under /tmp does).
set -euo pipefail

bin=${NADAJNIK_PG_BIN:-/usr/lib/postgresql/15/bin}

usage() {
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Prints a log's tail to stderr after a failure.
show_log() {
  echo "test-postgres: $1; last lines of $2:" >&2
  tail -n 30 "$2" >&2 2>/dev/null || true
}

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  usage
fi

case "$cmd" in
  start)
    port=${3:-}
    [[ "$port" =~ ^[0-9]+$ ]] || usage
    if [ ! -x "$bin/initdb" ]; then
      echo "test-postgres: no PostgreSQL 15 in $bin; run ./scripts/install-deps.sh test" >&2
      exit 1
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres:postgres "$dir"
    fi
    chmod 700 "$dir"
    data="$dir/data"
    if [ ! -f "$data/PG_VERSION" ]; then
      if ! as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C \
        >"$dir/initdb.log" 2>&1; then
        show_log "initdb failed" "$dir/initdb.log"
        exit 1
      fi
    fi
    if ! as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir'" \
      -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      -o "-c max_connections=200" start >/dev/null 2>&1; then
      show_log "the server did not start on 127.0.0.1:$port" "$dir/server.log"
      exit 1
    fi
    # pg_ctl -w waits for the postmaster; wait for TCP connections as well.
    for _ in $(seq 1 100); do
      if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then
        echo "postgresql://postgres@127.0.0.1:$port/postgres"
        exit 0
      fi
      sleep 0.1
    done
    show_log "the server does not accept connections on 127.0.0.1:$port" "$dir/server.log"
    exit 1
    ;;
  stop)
    data="$dir/data"
    if [ -f "$data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    usage
    ;;
esac
