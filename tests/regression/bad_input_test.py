#!/usr/bin/python3
"""Bad decks are rejected before any compute: exit status 2, a message naming the deck file, the key,
the bad value and what is allowed, printed once (rank 0) even on several ranks, and no output folder.

  bad_input_test.py BINARY SOURCE_DIR RANKS
"""
import os
import shutil
import subprocess
import sys
import tempfile

GOOD = """model: continuity
domain: {dim: 2, lower: [-1, -1], upper: [1, 1], cells: [16, 16], boundary: noflux}
initial: {type: gaussian, mean: [0.2, 0.0], cov: [[0.02, 0.0], [0.0, 0.02]]}
velocity: {type: linear, A: [[0, -1], [1, 0]], b: [0, 0]}
time: {end: 0.1, cfl: 0.4}
lagrangian: {enabled: true, particles: 100, seed: 1}
output: {dir: OUTDIR, every: 0.05}
"""

# A good dynamic_ot deck (3D space) for that model's own checks.
GOOD_DOT = """model: dynamic_ot
domain: {dim: 3, lower: [0, 0, 0], upper: [1, 1, 1], cells: [4, 4, 4], boundary: noflux}
initial: {type: bump, mean: [0.4, 0.4, 0.4], shape: [[0.04, 0, 0], [0, 0.04, 0], [0, 0, 0.04]], power: 2}
target: {type: bump, mean: [0.6, 0.5, 0.5], shape: [[0.04, 0, 0], [0, 0.04, 0], [0, 0, 0.04]], power: 2}
time: {cells: 2}
lagrangian: {enabled: true, particles: 100, seed: 1}
output: {dir: OUTDIR, every: 1}
"""

# A good flow_matching deck (particles only) for that model's own checks.
GOOD_FM = """model: flow_matching
domain: {dim: 2}
initial: {type: gaussian, mean: [0, 0], cov: [[1, 0], [0, 1]]}
target: {type: dataset, name: moons, samples: 100, seed: 7}
time: {steps: 4, integrator: rk4}
eulerian: {enabled: false}
lagrangian: {enabled: true, particles: 100, seed: 1}
output: {dir: OUTDIR, every: 0.5}
"""

# (name, transformation of the good deck, list of fragments the message must contain[, good deck])
CASES = [
    ("yaml_syntax", lambda d: d.replace("cells: [16, 16]", "cells: [16, 16"), ["YAML", ":"]),
    ("unknown_key", lambda d: d.replace("particles: 100", "particels: 100"),
     ["particels", "did you mean", "particles"]),
    ("wrong_type", lambda d: d.replace("end: 0.1", "end: soon"), ["time.end", "soon"]),
    ("out_of_range", lambda d: d.replace("cfl: 0.4", "cfl: 3.0"), ["time.cfl", "3"]),
    ("bad_enum", lambda d: d.replace("boundary: noflux", "boundary: reflecting"),
     ["domain.boundary", "reflecting", "periodic", "noflux"]),
    ("not_spd", lambda d: d.replace("cov: [[0.02, 0.0], [0.0, 0.02]]", "cov: [[0.02, 0.05], [0.05, 0.02]]"),
     ["initial.cov", "positive definite"]),
    ("shape_vs_dim", lambda d: d.replace("mean: [0.2, 0.0]", "mean: [0.2]"), ["initial.mean", "2"]),
    ("missing_required", lambda d: d.replace("time: {end: 0.1, cfl: 0.4}", "time: {cfl: 0.4}"), ["time.end"]),
    ("missing_file", lambda d: d.replace("initial: {type: gaussian, mean: [0.2, 0.0], cov: [[0.02, 0.0], [0.0, 0.02]]}",
                                         "initial: {type: file, path: no_such_file.h5}"),
     ["initial.path", "no_such_file.h5"]),
    ("unknown_model", lambda d: d.replace("model: continuity", "model: continuum"), ["continuum", "continuity"]),
    ("dot_bad_coupling", lambda d: d.replace("seed: 1}", "seed: 1, coupling: sinkhorn}"),
     ["lagrangian.coupling", "sinkhorn", "auto", "exact", "entropic"], GOOD_DOT),
    # The Hungarian's O(n³) limit, also when lagrangian.particles is left at its default (10 000).
    ("dot_exact_too_many", lambda d: d.replace("particles: 100, seed: 1}", "seed: 1, coupling: exact}"),
     ["lagrangian.coupling", "2000", "entropic"], GOOD_DOT),
    ("dot_time_end", lambda d: d.replace("time: {cells: 2}", "time: {cells: 2, end: 1.0}"),
     ["time.end", "time.cells"], GOOD_DOT),
    ("fm_bad_integrator", lambda d: d.replace("integrator: rk4", "integrator: rk5"),
     ["time.integrator", "rk5", "euler", "heun", "rk4"], GOOD_FM),
    ("fm_time_end", lambda d: d.replace("time: {steps: 4", "time: {end: 1.0, steps: 4"), ["time.end", "time.steps"], GOOD_FM),
    ("fm_grid_for_diracs", lambda d: d.replace("eulerian: {enabled: false}", "eulerian: {enabled: true}").replace(
        "domain: {dim: 2}", "domain: {dim: 2, lower: [-3, -3], upper: [3, 3], cells: [8, 8], boundary: noflux}"),
     ["eulerian.enabled", "gaussian", "mixture"], GOOD_FM),
    ("fm_bad_dataset", lambda d: d.replace("name: moons", "name: spirals"),
     ["target.name", "spirals", "eight_gaussians", "moons", "checkerboard", "rings"], GOOD_FM),
    ("fm_ot_without_learning", lambda d: d.replace("eulerian: {enabled: false}", "eulerian: {enabled: false}\ncoupling: minibatch_ot"),
     ["coupling", "minibatch_ot", "learned"], GOOD_FM),
]


def main():
    binary, _source, ranks = sys.argv[1], sys.argv[2], int(sys.argv[3])
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    failures = 0
    work = tempfile.mkdtemp(prefix="mf_bad_input_")
    try:
        for case in CASES:
            name, change, fragments = case[:3]
            good = case[3] if len(case) > 3 else GOOD
            outdir = os.path.join(work, "out_" + name)
            deck = os.path.join(work, name + ".yaml")
            with open(deck, "w") as f:
                f.write(change(good.replace("OUTDIR", outdir)))
            proc = subprocess.run(["mpirun", "--oversubscribe", "-n", str(ranks), binary, "run", deck],
                                  env=env, capture_output=True, text=True, timeout=120)
            text = proc.stderr + proc.stdout
            problems = []
            if proc.returncode != 2:
                problems.append(f"exit status {proc.returncode}, expected 2")
            if os.path.basename(deck) not in text:
                problems.append("message does not name the deck file")
            for frag in fragments:
                if frag not in text:
                    problems.append(f"message lacks '{frag}'")
            if text.count("input error") != 1:
                problems.append(f"'input error' printed {text.count('input error')} times (expected once, rank 0)")
            if os.path.exists(outdir):
                problems.append("an output folder was created")
            status = "ok  " if not problems else "FAIL"
            print(f"{status} {name}: {'; '.join(problems) or text.strip().splitlines()[-1]}")
            if problems:
                print("----\n" + text + "----")
                failures += 1
        # A good deck with a bad --set override is rejected the same way.
        deck = os.path.join(work, "good.yaml")
        outdir = os.path.join(work, "out_good")
        with open(deck, "w") as f:
            f.write(GOOD.replace("OUTDIR", outdir))
        proc = subprocess.run(["mpirun", "--oversubscribe", "-n", str(ranks), binary, "run", deck, "--set",
                               "eulerian.limiter=superbee"], env=env, capture_output=True, text=True, timeout=120)
        ok = proc.returncode == 2 and "superbee" in proc.stderr and "minmod" in proc.stderr and not os.path.exists(outdir)
        print(f"{'ok  ' if ok else 'FAIL'} bad_override: exit {proc.returncode}")
        failures += 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(CASES) + 1 - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
