#!/usr/bin/env python3
"""Fails (exit 1) on an include that breaks the layering: an upward include between areas or
between core/ layers, an include not rooted at the repository, or a cycle between files.
Usage: check_layers.py REPO   (ctest runs it as `layering`)."""
import os
import re
import sys
from collections import defaultdict

# Areas, bottom to top: each may include only itself and the areas before it.
AREAS = ['core', 'datasets', 'eval', 'search', 'export', 'cli']
# Extra areas and what they may include besides themselves.
EXTRA = {'bench': {'core', 'datasets'}, 'tests': set(AREAS) | {'bench'}}
# core/ layers and the layers each may include directly (the build links them the same way).
CORE = {
    'util': set(),
    'tensor': {'util'},
    'kernels': {'util', 'tensor'},
    'formats': {'util', 'tensor'},
    'model': {'util', 'tensor', 'formats'},
    'rope': {'util', 'tensor', 'model'},
    'tokenizer': {'util', 'tensor', 'formats'},
    'engine': {'util', 'tensor', 'kernels', 'formats', 'model', 'rope'},
}
GENERATED = {'longrope/version.h'}
INCLUDE = re.compile(r'\s*#\s*include\s+"([^"]+)"')


def sources(repo):
    out = []
    for top in AREAS + list(EXTRA):
        for d, _, files in os.walk(os.path.join(repo, top)):
            out += [os.path.relpath(os.path.join(d, f), repo) for f in files
                    if f.endswith(('.h', '.hpp', '.cpp', '.cc'))]
    return sorted(out)


def main(repo):
    src = sources(repo)
    known = set(src)
    problems, edges = [], defaultdict(set)
    for s in src:
        area = s.split('/')[0]
        for n, line in enumerate(open(os.path.join(repo, s), errors='replace'), 1):
            m = INCLUDE.match(line)
            if not m or m.group(1) in GENERATED:
                continue
            t = m.group(1)
            where = f'{s}:{n}: "{t}"'
            if t not in known:
                problems.append(f'{where}: not a path from the repository root')
                continue
            edges[s].add(t)
            tarea = t.split('/')[0]
            allowed = EXTRA.get(area, set(AREAS[:AREAS.index(area) + 1]) if area in AREAS else set())
            if tarea != area and tarea not in allowed:
                problems.append(f'{where}: {area} may not include {tarea}')
            if area == 'core' and tarea == 'core':
                la, lb = s.split('/')[1], t.split('/')[1]
                if la not in CORE or lb not in CORE:
                    problems.append(f'{where}: core/ files live in a layer folder {sorted(CORE)}')
                elif la != lb and lb not in CORE[la]:
                    problems.append(f'{where}: core/{la} may not include core/{lb}')
    # Cycles between files (a .h and its .cpp are one unit).
    unit = lambda p: os.path.splitext(p)[0]
    g = defaultdict(set)
    for a, bs in edges.items():
        for b in bs:
            if unit(a) != unit(b):
                g[unit(a)].add(unit(b))
    state, stack = {}, []

    def visit(u):
        state[u] = 1
        stack.append(u)
        for v in sorted(g[u]):
            if state.get(v) == 1:
                problems.append('include cycle: ' + ' -> '.join(stack[stack.index(v):] + [v]))
            elif v not in state:
                visit(v)
        stack.pop()
        state[u] = 2

    sys.setrecursionlimit(10000)
    for u in sorted(g):
        if u not in state:
            visit(u)
    for layer in CORE:
        if not os.path.isfile(os.path.join(repo, 'core', layer, 'CMakeLists.txt')):
            problems.append(f'core/{layer}: no CMakeLists.txt (each layer is its own library)')
    for p in problems:
        print(p)
    print(f'{"FAIL" if problems else "ok"}: {len(src)} files, {sum(map(len, edges.values()))} '
          f'includes, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else '.'))
