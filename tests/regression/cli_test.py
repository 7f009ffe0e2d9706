#!/usr/bin/python3
"""The command line: every command answers --help (exit 0) documenting each of its flags, the top-level
--help lists the commands, --version prints the version, an unknown flag or a bad value exits 2 naming
the flag, --set repeats, --quiet silences a run, and PETSc options after the deck reach PETSc.

  cli_test.py BINARY SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

binary, src = sys.argv[1], sys.argv[2]
deck = os.path.join(src, "inputs/continuity/rotation_2d.yaml")
failures = []

# Each command with every flag its --help must document.
COMMANDS = {
    "run": ["DECK", "--set", "--quiet", "--restart"],
    "check": ["DECK", "--set"],
    "help": ["MODEL"],
    "sweep": ["DECK", "--out", "--set"],
    "sweep-collect": ["DIR"],
    "ot": ["--method", "--solver", "--bracket-gap", "--max-stored-pairs", "--eps", "--tol", "--max-iterations", "--snapshot", "--no-divergence", "--json", "--out"],
}

# Arguments that satisfy each command's required ones (so the unknown flag is the only error).
REQUIRED = {"run": [deck], "check": [deck], "help": [], "sweep": [deck, "--out", "/nonexistent"],
            "sweep-collect": ["/nonexistent"], "ot": ["a.h5", "b.h5"]}


def mf(*args):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=120)


def expect(ok, what, proc=None):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
        if proc is not None:
            print(f"     exit {proc.returncode}\n     stdout: {proc.stdout[-800:]}\n     stderr: {proc.stderr[-800:]}")


p = mf("--help")
expect(p.returncode == 0 and all(c in p.stdout for c in COMMANDS), "measureflow --help lists every command", p)
p = mf("-h")
expect(p.returncode == 0 and "run" in p.stdout, "measureflow -h is help too (not a PETSc option)", p)
p = mf("--version")
expect(p.returncode == 0 and p.stdout.startswith("measureflow ") and "(git " in p.stdout, "--version", p)
p = mf()
expect(p.returncode == 2 and "subcommand" in p.stderr.lower(), "no command: exit 2, says a command is needed", p)
p = mf("frobnicate")
expect(p.returncode == 2 and "frobnicate" in p.stderr, "unknown command: exit 2 naming it", p)

for command, flags in COMMANDS.items():
    p = mf(command, "--help")
    missing = [f for f in flags if f not in p.stdout]
    expect(p.returncode == 0 and not missing and "--help" in p.stdout,
           f"{command} --help: exit 0, documents {' '.join(flags)}" + (f" (missing {missing})" if missing else ""), p)
    p = mf(command, *REQUIRED[command], "--no-such-flag")
    expect(p.returncode == 2 and "--no-such-flag" in p.stderr and p.stdout == "",
           f"{command} --no-such-flag: exit 2 naming the flag, nothing on stdout", p)

# Bad values name the flag.
for args, flag in ((["ot", "a.h5", "b.h5", "--eps", "-1"], "--eps"), (["ot", "a.h5", "b.h5", "--method", "simplex"], "--method"),
                   (["ot", "a.h5", "b.h5", "--max-iterations", "many"], "--max-iterations"),
                   (["sweep", deck], "--out"), (["run", deck, "--restart"], "--restart")):
    p = mf(*args)
    expect(p.returncode == 2 and flag in p.stderr, f"{' '.join(args)}: exit 2 naming {flag}", p)

# --set repeats (both forms) and overrides in order; check prints the resolved deck.
p = mf("check", deck, "--set", "domain.cells=[8,8]", "--set=lagrangian.particles=123", "--set", "lagrangian.particles=321")
expect(p.returncode == 0 and "321" in p.stdout and "123" not in p.stdout and "8, 8" in p.stdout,
       "--set repeated: every override applied, the last one wins", p)
p = mf("check", deck, "--set", "domain.cells=[8,8,8,8]")
expect(p.returncode == 2 and "domain.cells" in p.stderr, "a bad --set value: exit 2 naming the deck key", p)

# PETSc options after the deck reach PETSc (-log_view prints its option table at the end).
p = mf("check", deck, "-ksp_type", "cg", "-log_view")
expect(p.returncode == 0 and "-ksp_type cg" in p.stdout and "-log_view" in p.stdout,
       "PETSc options after the deck pass through to PETSc (-log_view lists -ksp_type cg)", p)

# --quiet: a short run prints nothing on stdout; without it, progress lines.
work = tempfile.mkdtemp(prefix="mf_cli_")
try:
    small = ["--set", "domain.cells=[16,16]", "--set", "lagrangian.particles=200", "--set", "time.end=0.05",
             "--set", "output.every=0.05", "--set", "diagnostics.w2=none"]
    p = mf("run", deck, "--quiet", "--set", f"output.dir={work}/quiet", *small)
    expect(p.returncode == 0 and p.stdout.strip() == "" and os.path.exists(f"{work}/quiet/summary.json"),
           "run --quiet: completes, prints nothing", p)
    p = mf("run", deck, "--set", f"output.dir={work}/loud", *small)
    expect(p.returncode == 0 and p.stdout.strip() != "", "run without --quiet prints progress", p)
finally:
    shutil.rmtree(work, ignore_errors=True)

print("cli:", "FAILED" if failures else "ok")
sys.exit(1 if failures else 0)
