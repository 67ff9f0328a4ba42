#!/usr/bin/env python3
"""Pre-screen: compiles every mutant of the list with the project's own compile command and
-fsyntax-only (front end only, -Werror on), to estimate how many will be stillborn before the
long run. Needs a configured build/ (ninja -t commands raftsim). Not a substitute for the build:
warnings that need the optimiser are not seen.
    nice -n 15 python3 tools/mutation/prescreen.py [REPO_ROOT]
"""
import json, os, re, shlex, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mutant import mutated_text
root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
cmds = subprocess.run(['ninja', '-C', root + '/build', '-t', 'commands', 'raftsim'], capture_output=True, text=True).stdout.splitlines()
by_file = {}
for c in cmds:
    m = re.search(r' -c (\S+\.cc)$', c)
    if m: by_file[os.path.relpath(m.group(1), root)] = c
ms = json.load(open(root + '/tools/mutation/mutants.json'))['mutants']
bad = 0
t0 = time.time()
for m in ms:
    cmd = by_file[m['file']]
    text = mutated_text(open(os.path.join(root, m['file'])).read(), m)
    args = shlex.split(cmd)[1:]  # drop ccache
    i = args.index('-c'); args = args[:i]
    args = [a for a in args if a not in ('-MD',)]
    # drop -MT x -MF y -o z
    out = []; skip = False
    for a in args:
        if skip: skip = False; continue
        if a in ('-MT', '-MF', '-o'): skip = True; continue
        out.append(a)
    r = subprocess.run(['nice', '-n', '15'] + out + ['-fsyntax-only', '-x', 'c++', '-', '-iquote', os.path.dirname(os.path.join(root, m['file']))], input=text, capture_output=True, text=True)
    if r.returncode != 0:
        bad += 1
        err = [l for l in r.stderr.splitlines() if 'error' in l][:1]
        print(m['id'], m['operator'], m['file'], m['line'], err, flush=True)
print('stillborn (syntax/-Werror front end):', bad, 'of', len(ms), 'in', round(time.time()-t0), 's', flush=True)
