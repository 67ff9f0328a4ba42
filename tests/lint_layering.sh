#!/usr/bin/env bash
# Fails if raft/ or jobqueue/ include anything from sim/ or tools/: the consensus code must build
# without the simulator (DESIGN.md, "Layers"). CMake enforces the link side: raft links nothing.
set -uo pipefail
root=${1:?usage: lint_layering.sh REPO_ROOT}
cd "$root" || exit 2
dirs=()
for d in raft jobqueue; do [ -d "$d" ] && dirs+=("$d"); done
hits=$(grep -rnE '#include "(sim|tools)/' "${dirs[@]}" --include='*.h' --include='*.cc')
if [ -n "$hits" ]; then
  echo "layering violation: raft/ and jobqueue/ must not include sim/ or tools/:"
  echo "$hits"
  exit 1
fi
echo "layering: ${dirs[*]} include nothing from sim/ or tools/"
