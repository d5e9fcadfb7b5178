#!/usr/bin/env bash
# Installs the Debian packages Rubric needs, only those missing. Uses sudo when not root.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config tao-pegtl-dev libfmt-dev libyaml-cpp-dev
  nlohmann-json3-dev libcli11-dev catch2 libpugixml-dev libbenchmark-dev libsimdjson-dev
  clang-14 libfuzzer-14-dev libclang-rt-14-dev clang-format clang-tidy graphviz
  python3 python3-yaml python3-cryptography python3-jwt libboost1.81-dev libssl-dev wrk curl
  python3-dev pybind11-dev python3-pytest python3-pandas python3-dask python3-distributed)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
run_as_root=()
if [ "$(id -u)" -ne 0 ]; then
  run_as_root=(sudo)
fi
"${run_as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run_as_root[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
