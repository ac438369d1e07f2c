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

port=""
for candidate in $(seq 55432 55531); do
  if ! port_in_use "$candidate"; then
    port=$candidate
    break
  fi
done
if [ -z "$port" ]; then
  echo "run-tests: no free port in 55432-55531 for the test PostgreSQL" >&2
  exit 1
fi

pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/nadajnik-pg.XXXXXX")
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  "$here/test-postgres.sh" stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$pg_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

url=$("$here/test-postgres.sh" start "$pg_dir" "$port")
export NADAJNIK_TEST_POSTGRES_URL=$url
export NADAJNIK_TEST_REQUIRE_POSTGRES=1

status=0
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 600 "$@" || status=$?
exit "$status"
