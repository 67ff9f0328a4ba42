#!/usr/bin/env bash
# Sets up dependencies, builds raftsim and runs the main job: the flagship scenario
# (scenarios/lease-read-with-slow-leader-clock.json). Five Raft nodes serve lease reads while the
# leader's clock runs slow; a partition then makes the old leader serve stale reads, which the
# linearizability checker catches -- the scenario expects exactly that failure, so the run exits 0.
# It writes result.json, the trace, the history, a replayable timeline and the rendered
# message-sequence diagram of the failure to out/flagship/. Extra arguments go to `raftsim run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build --parallel "$(nproc 2>/dev/null || echo 2)" --target raftsim
./build/tools/raftsim run scenarios/lease-read-with-slow-leader-clock.json --out out/flagship \
  --check-determinism "$@"
