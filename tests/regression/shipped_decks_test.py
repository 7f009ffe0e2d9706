#!/usr/bin/python3
"""Every shipped deck (inputs/**/*.yaml) is valid and is run by the regression suite.

  shipped_decks_test.py BINARY SOURCE_DIR

1. `measureflow check DECK` exits 0 for each deck (a sweep deck: `measureflow sweep DECK --out TMP`,
   which validates every variant), so a deck users start from never holds a key its model ignores.
2. Each deck's path (inputs/...) appears in a tests/regression/*.cmake file (an `mf_regression(... DECK
   inputs/...)` entry or a test given the deck), so a new deck without a regression entry fails here.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile


def main():
    binary, source = sys.argv[1], sys.argv[2]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    decks = sorted(os.path.relpath(p, source) for p in glob.glob(os.path.join(source, "inputs", "**", "*.yaml"),
                                                                  recursive=True))
    cmake_text = ""
    for f in sorted(glob.glob(os.path.join(source, "tests", "regression", "*.cmake"))):
        with open(f) as fh:
            # Comments do not count as an entry.
            cmake_text += "\n".join(line.split("#", 1)[0] for line in fh) + "\n"
    failures = 0
    work = tempfile.mkdtemp(prefix=f"mf_shipped_decks_{os.getpid()}_")
    try:
        for deck in decks:
            path = os.path.join(source, deck)
            with open(path) as fh:
                is_sweep = re.search(r"^sweep:", fh.read(), re.M) is not None
            if is_sweep:
                cmd = [binary, "sweep", path, "--out", os.path.join(work, deck.replace("/", "_"))]
            else:
                cmd = [binary, "check", path]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=work)
            problems = []
            if proc.returncode != 0:
                problems.append(f"`{' '.join(cmd[1:2])}` exit status {proc.returncode}: "
                                f"{(proc.stderr + proc.stdout).strip()[:2000]}")
            if not re.search(r"(^|[\s\"'/])" + re.escape(deck) + r"($|[\s\"')])", cmake_text, re.M):
                problems.append("no regression entry in tests/regression/*.cmake names it")
            print(f"{'ok  ' if not problems else 'FAIL'} {deck}{': ' + '; '.join(problems) if problems else ''}")
            failures += 1 if problems else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not decks:
        print("FAIL: no decks found under inputs/")
        failures += 1
    print(f"{len(decks)} shipped decks, {failures} failing")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
