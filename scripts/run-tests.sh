#!/usr/bin/env bash
# Runs every ctest suite in BUILD_DIR against a throwaway PostgreSQL 15 (scripts/test-postgres.sh),
# so the store contract tests run on both backends. Extra arguments go to ctest, e.g.
#   ./scripts/run-tests.sh build/asan -R store.
# Exits with ctest's exit code; the cluster is stopped and removed whatever happens.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [ctest arguments...]" >&2
  exit 2
fi
build_dir=$1
shift
here=$(cd "$(dirname "$0")" && pwd)

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/nadajnik-pg.XXXXXX")
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  "$here/test-postgres.sh" stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$pg_dir" "$pg_dir.err" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Another run (a second checkout, a benchmark) may take a free port between our look and the
# server's bind: try the next free one a few times before giving up.
url=""
tries=0
for candidate in $(seq 55432 55531); do
  port_in_use "$candidate" && continue
  if url=$("$here/test-postgres.sh" start "$pg_dir" "$candidate" 2>"$pg_dir.err"); then
    break
  fi
  url=""
  "$here/test-postgres.sh" stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$pg_dir" && mkdir -p "$pg_dir"
  tries=$((tries + 1))
  [ "$tries" -ge 5 ] && break
done
if [ -z "$url" ]; then
  echo "run-tests: could not start the test PostgreSQL:" >&2
  cat "$pg_dir.err" >&2
  exit 1
fi
rm -f "$pg_dir.err"
export NADAJNIK_TEST_POSTGRES_URL=$url
export NADAJNIK_TEST_REQUIRE_POSTGRES=1

status=0
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 600 "$@" || status=$?
exit "$status"
