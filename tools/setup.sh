#!/usr/bin/env bash
# Installs raftsim's build and test dependencies from Debian packages.
# Idempotent: it asks dpkg first and calls apt-get only for what is missing,
# so a machine that already has everything returns in well under a second.
set -euo pipefail

packages=(
  g++ cmake ninja-build
  libboost-graph-dev libboost-program-options-dev
  nlohmann-json3-dev librapidcheck-dev libgtest-dev libgmock-dev
  graphviz
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
