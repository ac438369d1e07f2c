#!/usr/bin/env bash
# Installs the Debian 12 packages Nadajnik needs to build, run and test, and (profile test) the
# browser tests' npm packages in tests/e2e (`npm ci`, pinned by its package-lock.json).
# Idempotent: asks apt only for what is missing, npm only when the lock file changed.
# Usage: install-deps.sh [runtime|test]
set -euo pipefail

profile=${1:-test}
repo=$(cd "$(dirname "$0")/.." && pwd)

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libexpected-dev libsqlite3-dev libpq-dev libsodium-dev libcurl4-openssl-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libhowardhinnant-date-dev
  libkainjow-mustache-dev libgtest-dev libgmock-dev libbenchmark-dev tzdata fonts-dejavu-core
  libcairo2-dev libqpdf-dev libpugixml-dev
)
test_pkgs=(
  postgresql-15 clang-format-14 sqlite3 curl procps python3 python3-jsonschema python3-yaml
  zbar-tools poppler-utils
  chromium nodejs npm
)

wanted=("${build_pkgs[@]}")
if [ "$profile" = test ]; then
  wanted+=("${test_pkgs[@]}")
fi

missing=()
for p in "${wanted[@]}"; do
  # A Node.js from elsewhere (e.g. NodeSource's nodejs, which bundles npm and conflicts with
  # Debian's npm package) is fine as long as it runs.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#wanted[@]} packages present"
else
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The browser tests' npm packages (playwright-core only; it drives Debian's chromium, so its own
# browser download is skipped). `npm ci` reinstalls from scratch: run it only when
# package-lock.json differs from the one installed last, recorded in node_modules.
if [ "$profile" = test ]; then
  e2e="$repo/tests/e2e"
  stamp="$e2e/node_modules/.installed-package-lock.json"
  if [ -f "$stamp" ] && cmp -s "$e2e/package-lock.json" "$stamp"; then
    echo "install-deps: tests/e2e npm packages present"
  else
    echo "install-deps: npm ci in tests/e2e"
    (cd "$e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    cp "$e2e/package-lock.json" "$stamp"
  fi
fi
