#!/usr/bin/env bash
# Runs every benchmark in BUILD_DIR/bench/ in turn, against SQLite and a throwaway PostgreSQL 15
# (scripts/test-postgres.sh), and prints their figures. `make bench` calls it.
#   ./scripts/run-bench.sh BUILD_DIR [ARGS...]   ARGS go to every benchmark (e.g. a smaller N)
# Each benchmark creates and drops its own databases on the server
# (NADAJNIK_BENCH_POSTGRES_URL names the server's maintenance database). The cluster runs with
# durability off (fsync, synchronous_commit, full_page_writes), as test-postgres.sh sets it up:
# PostgreSQL figures are an upper bound for a production server. The cluster is stopped and
# removed whatever happens. Exits non-zero if any benchmark failed.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [benchmark arguments...]" >&2
  exit 2
fi
build_dir=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
bench_dir="$build_dir/bench"

benches=()
if [ -d "$bench_dir" ]; then
  for f in "$bench_dir"/*; do
    if [ -f "$f" ] && [ -x "$f" ]; then
      benches+=("$f")
    fi
  done
fi
if [ ${#benches[@]} -eq 0 ]; then
  echo "run-bench: no benchmarks in $bench_dir; build with -DNADAJNIK_BENCH=ON first" >&2
  exit 1
fi

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

port=""
for candidate in $(seq 55532 55631); do
  if ! port_in_use "$candidate"; then
    port=$candidate
    break
  fi
done
if [ -z "$port" ]; then
  echo "run-bench: no free port in 55532-55631 for the benchmark PostgreSQL" >&2
  exit 1
fi

pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/nadajnik-bench-pg.XXXXXX")
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  "$here/test-postgres.sh" stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$pg_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

url=$("$here/test-postgres.sh" start "$pg_dir" "$port")
export NADAJNIK_BENCH_POSTGRES_URL=$url

echo "run-bench: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')),"\
  "$(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo), PostgreSQL at $url"

failed=()
for bench in "${benches[@]}"; do
  name=$(basename "$bench")
  echo
  echo "==== $name${*:+ $*} (load average $(cut -d' ' -f1-3 /proc/loadavg)) ===="
  start=$(date +%s.%N)
  status=0
  "$bench" "$@" || status=$?
  end=$(date +%s.%N)
  elapsed=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')
  if [ "$status" -eq 0 ]; then
    echo "==== $name: finished in ${elapsed} s ===="
  else
    echo "==== $name: FAILED (exit $status) after ${elapsed} s ===="
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "run-bench: failed: ${failed[*]}" >&2
  exit 1
fi
