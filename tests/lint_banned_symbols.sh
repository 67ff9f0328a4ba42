#!/usr/bin/env bash
# Fails if simulated code (raft/, jobqueue/, sim/) uses anything that can make a run depend on
# more than its seed: <random> distributions, std::hash, wall clocks, unordered containers
# (iteration order), rand(). tools/ may read the wall clock to report wall_ms. (TigerBeetle's
# "tidy" does the same for its own bans.) A line can opt out with "lint: allow" and a reason.
set -uo pipefail
root=${1:?usage: lint_banned_symbols.sh REPO_ROOT}
cd "$root" || exit 2
pattern='std::random_device|std::mt19937|std::uniform_int_distribution|std::uniform_real_distribution|std::bernoulli_distribution|#include <random>|std::hash<|system_clock|steady_clock|high_resolution_clock|std::unordered_map|std::unordered_set|[^_a-z]s?rand\(|time\(nullptr\)|time\(NULL\)|gettimeofday|clock_gettime|std::thread|std::async'
dirs=()
for d in raft jobqueue sim; do [ -d "$d" ] && dirs+=("$d"); done
hits=$(grep -rnE "$pattern" "${dirs[@]}" --include='*.h' --include='*.cc' | grep -v 'lint: allow')
if [ -n "$hits" ]; then
  echo "banned nondeterministic symbols in simulated code (see DESIGN.md, Determinism rules):"
  echo "$hits"
  exit 1
fi
echo "lint: no banned symbols in ${dirs[*]}"
