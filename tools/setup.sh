#!/usr/bin/env bash
# Installs raftsim's build and test dependencies from Debian packages: everything that
# `bash tools/test.sh` and `bash tools/run_demo.sh` use on a bare Debian bookworm (debootstrap
# --variant=minbase: Essential packages and apt only). python3 is Debian's (the CLI tests parse
# JSON with it); graphviz gives `dot` for the diagrams. Everything else the scripts call (bash,
# coreutils, grep, sed, diffutils' cmp) is Essential in Debian. tools/bare_machine_check.sh
# proves the list is complete.
# Idempotent: it asks dpkg first and calls apt-get only for what is missing,
# so a machine that already has everything returns in well under a second.
set -euo pipefail

packages=(
  g++ cmake ninja-build
  libboost-graph-dev libboost-program-options-dev
  nlohmann-json3-dev librapidcheck-dev libgtest-dev libgmock-dev
  graphviz python3
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
