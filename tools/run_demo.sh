#!/usr/bin/env bash
# Sets up dependencies, builds raftsim and runs the main job: the Raft failover demo (five nodes,
# two clients, the leader crashes), writing its result, history, trace and a rendered
# message-sequence diagram to out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build --parallel "$(nproc 2>/dev/null || echo 2)" --target raftsim
./build/tools/raftsim demo --out out/demo "$@"
