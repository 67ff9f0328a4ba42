#!/usr/bin/env bash
# The whole list of forbidden include directions (DESIGN.md, "Layers"), checked over the source
# tree. The build enforces the same rules between targets (tests/layering/); this lint also
# covers the directions inside a target (raft/core must not include raft/node, for example).
set -uo pipefail
root=${1:?usage: lint_layering.sh REPO_ROOT}
cd "$root" || exit 2

# Of raft/core, the units below it (tracker/, io/) may see the vocabulary (types.h) only.
core_beyond_types='raft/core/([^t]|t[^y])'

# folder | include prefixes it must not use (extended regex)
rules=(
  "raft/base|raft/(core|io|storage|node|quorum|tracker|memory)/|jobqueue/|sim/|tools/|tests/"
  "raft/quorum|raft/(core|io|storage|node|tracker|memory)/|jobqueue/|sim/|tools/|tests/"
  "raft/tracker|raft/(io|storage|node|memory)/|$core_beyond_types|jobqueue/|sim/|tools/|tests/"
  "raft/core|raft/(io|storage|node|memory)/|jobqueue/|sim/|tools/|tests/"
  "raft/io|raft/(storage|node|quorum|tracker)/|$core_beyond_types|jobqueue/|sim/|tools/|tests/"
  "raft/storage|raft/(node|memory)/|jobqueue/|sim/|tools/|tests/"
  "raft/memory|raft/(storage|node|quorum|tracker)/|$core_beyond_types|jobqueue/|sim/|tools/|tests/"
  "raft/node|raft/memory/|jobqueue/|sim/|tools/|tests/"
  "jobqueue|raft/(core|storage)/|sim/|tools/|tests/"
  "sim|tools/|tests/"
  "tools|tests/"
)

failed=0
checked=0
for rule in "${rules[@]}"; do
  folder=${rule%%|*}
  forbidden=${rule#*|}
  [ -d "$folder" ] || continue
  checked=$((checked + 1))
  hits=$(grep -rnE "#include \"($forbidden)" "$folder" --include='*.h' --include='*.cc')
  if [ -n "$hits" ]; then
    echo "layering violation: $folder/ must not include ($forbidden):"
    echo "$hits"
    failed=1
  fi
done
[ "$checked" -gt 0 ] || { echo "layering: no folder checked (wrong root?)"; exit 2; }
[ "$failed" -eq 0 ] && echo "layering: $checked folders checked, no forbidden include"
exit "$failed"
