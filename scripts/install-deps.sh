#!/usr/bin/env bash
# Installs the Debian 12 packages Nadajnik needs to build, run and test.
# Idempotent: asks apt only for what is missing. Usage: install-deps.sh [runtime|test]
set -euo pipefail

profile=${1:-test}

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
)

wanted=("${build_pkgs[@]}")
if [ "$profile" = test ]; then
  wanted+=("${test_pkgs[@]}")
fi

missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#wanted[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
