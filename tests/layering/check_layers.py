#!/usr/bin/env python3
"""Checks that no file of src/ or include/ includes a header of a higher layer (src/layers.txt), nor a
header of a layer it is forbidden to include (`forbid` lines).

Usage: check_layers.py <repository root> | --self-test. Prints every upward include as
`file:line: <file layer> includes <header> (<header layer>)` and exits 1 if there is any; exits 1 as
well when a file or header has no layer (a new folder or a header neither listed nor named after a
source), so the table stays complete. Quoted includes only: system and third-party headers use <>.
"""
import pathlib
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def read_table(path):
    level, headers, files, forbidden = {}, {}, {}, set()
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].split()
        if not line:
            continue
        kind, rest = line[0], line[1:]
        if kind == "level" and len(rest) >= 2:
            for layer in rest[1:]:
                level[layer] = int(rest[0])
        elif kind == "header" and len(rest) == 2:
            headers[rest[0]] = rest[1]
        elif kind == "file" and len(rest) == 2:
            files[rest[0]] = rest[1]
        elif kind == "forbid" and len(rest) >= 2:
            forbidden.update((user, rest[0]) for user in rest[1:])
        else:
            sys.exit(f"{path}:{n}: cannot read '{raw.strip()}'")
    for name, layer in list(headers.items()) + list(files.items()):
        if layer not in level:
            sys.exit(f"{path}: '{name}' is given the unknown layer '{layer}'")
    for user, used in forbidden:
        if user not in level or used not in level:
            sys.exit(f"{path}: forbid names an unknown layer ('{used}' or '{user}')")
    return level, headers, files, forbidden


def check(root):
    level, headers, files, forbidden = read_table(root / "src" / "layers.txt")
    sources = [p for p in (root / "src").rglob("*") if p.suffix in (".cpp", ".hpp")]
    public = [p for p in (root / "include").rglob("*") if p.suffix == ".hpp"]
    by_stem = {}
    for p in sources:
        by_stem.setdefault(p.stem, set()).add(p.relative_to(root / "src").parts[0])
    problems = []

    def layer_of(path):
        rel = path.relative_to(root).as_posix()
        if rel in files:
            return files[rel]
        parts = path.relative_to(root).parts
        if parts[0] == "src":
            return parts[1] if parts[1] in level else None
        sub = parts[2:]  # include/measureflow/...
        if len(sub) > 1:
            return sub[0] if sub[0] in level else None
        if sub[0] in headers:
            return headers[sub[0]]
        owners = by_stem.get(path.stem, set())
        return next(iter(owners)) if len(owners) == 1 and next(iter(owners)) in level else None

    def resolve(including, name):
        for base in (root / "include", root / "src", including.parent):
            candidate = base / name
            if candidate.is_file():
                return candidate
        return None

    checked = 0
    for path in sorted(sources + public):
        mine = layer_of(path)
        rel = path.relative_to(root).as_posix()
        if mine is None:
            problems.append(f"{rel}: no layer (add its folder or header to src/layers.txt)")
            continue
        for n, text in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(text)
            if not m:
                continue
            target = resolve(path, m.group(1))
            if target is None:
                continue  # generated headers (version.hpp) and the like
            theirs = layer_of(target)
            if theirs is None:
                continue  # reported when the header itself is visited
            checked += 1
            if level[theirs] > level[mine]:
                problems.append(f"{rel}:{n}: {mine} (level {level[mine]}) includes {m.group(1)} "
                                f"({theirs}, level {level[theirs]})")
            elif (mine, theirs) in forbidden:
                problems.append(f"{rel}:{n}: {mine} includes {m.group(1)}: {mine} must not include {theirs} "
                                f"(src/layers.txt: forbid)")
    return problems, checked, len(sources) + len(public)


SELF_TEST_TABLE = """
level 0 core
level 1 grid
level 2 deck particles
level 3 measures
forbid deck measures
header errors.hpp core
"""


def self_test():
    """The checker on a small tree with one problem of each kind: it must find exactly those."""
    files = {
        "src/layers.txt": SELF_TEST_TABLE,
        "include/measureflow/errors.hpp": "",
        "include/measureflow/grid.hpp": '#include "measureflow/errors.hpp"\n',   # stem of src/grid/grid.cpp
        "include/measureflow/deck.hpp": "",
        "include/measureflow/orphan.hpp": "",                                     # no layer
        "src/grid/grid.cpp": '#include "measureflow/grid.hpp"\n#include "measureflow/deck.hpp"\n',  # upward
        "src/deck/deck.cpp": '#include "measureflow/deck.hpp"\n#include "measureflow/grid.hpp"\n',
        "src/measures/m.cpp": '#include "measureflow/deck.hpp"\n',             # forbidden
        "src/particles/p.cpp": '#include "local.hpp"\n#include <vector>\n',
        "src/particles/local.hpp": '#include "measureflow/errors.hpp"\n',
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        problems, checked, _ = check(root)
    expected = ["include/measureflow/orphan.hpp: no layer",
                "src/grid/grid.cpp:2: grid (level 1) includes measureflow/deck.hpp",
                "src/measures/m.cpp:1: measures includes measureflow/deck.hpp: measures must not include deck"]
    found = [e for e in expected if any(p.startswith(e) for p in problems)]
    for p in problems:
        print(p)
    if len(problems) != len(expected) or found != expected or checked != 8:
        print(f"self-test FAILED: expected {expected} ({checked} includes checked, expected 8)")
        return 1
    print(f"self-test passed: {len(problems)} planted problems found, {checked} includes checked")
    return 0


def quoted_in_docs(root):
    """docs/architecture.md quotes the level and forbid lines of the table; they must not drift apart."""
    doc = root / "docs" / "architecture.md"
    if not doc.is_file():
        return []
    quoted = {" ".join(line.split()) for line in doc.read_text().splitlines()}
    table = [" ".join(line.split("#", 1)[0].split()) for line in (root / "src" / "layers.txt").read_text().splitlines()]
    return [f"docs/architecture.md: does not quote '{line}' of src/layers.txt"
            for line in table if line.startswith(("level ", "forbid ")) and line not in quoted]


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--self-test":
        return self_test()
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    problems, checked, files = check(root)
    problems += quoted_in_docs(root)
    for p in problems:
        print(p)
    print(f"{checked} includes checked in {files} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
