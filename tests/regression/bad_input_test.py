#!/usr/bin/python3
"""Bad input is rejected before any compute, for every model and every command (run, check, sweep,
sweep-collect, ot): exit status 2, a message naming the deck file (or the input file), the key or the
dataset, the bad value and what is allowed, printed once (rank 0) even on several ranks, and no output
folder (or --out file) created.

  bad_input_test.py BINARY SOURCE_DIR RANKS

The table CASES holds one row per bad input; `--count` prints how many there are (docs/decks.md quotes it).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

# ---------------------------------------------------------------------------------------------------
# Good inputs, one per model; each case breaks one thing. OUTDIR is replaced by a per-case folder.
GOOD = {
    "continuity": """model: continuity
domain: {dim: 2, lower: [-1, -1], upper: [1, 1], cells: [16, 16], boundary: noflux}
initial: {type: gaussian, mean: [0.2, 0.0], cov: [[0.02, 0.0], [0.0, 0.02]]}
velocity: {type: linear, A: [[0, -1], [1, 0]], b: [0, 0]}
time: {end: 0.1, cfl: 0.4}
lagrangian: {enabled: true, particles: 100, seed: 1}
output: {dir: OUTDIR, every: 0.05}
""",
    # 3D space, so the Hungarian limit (d >= 2) applies.
    "dynamic_ot": """model: dynamic_ot
domain: {dim: 3, lower: [0, 0, 0], upper: [1, 1, 1], cells: [4, 4, 4], boundary: noflux}
initial: {type: bump, mean: [0.4, 0.4, 0.4], shape: [[0.04, 0, 0], [0, 0.04, 0], [0, 0, 0.04]], power: 2}
target: {type: bump, mean: [0.6, 0.5, 0.5], shape: [[0.04, 0, 0], [0, 0.04, 0], [0, 0, 0.04]], power: 2}
time: {cells: 2}
lagrangian: {enabled: true, particles: 100, seed: 1}
output: {dir: OUTDIR}
""",
    "gradient_flow": """model: gradient_flow
domain: {dim: 2, lower: [-1, -1], upper: [1, 1], cells: [8, 8], boundary: noflux}
energy:
  internal: {type: porous, m: 2}
initial: {type: barenblatt, m: 2, t0: 0.05, center: [0, 0]}
time: {end: 0.02, dt: 0.01}
lagrangian: {enabled: true, particles: 64, seed: 1}
output: {dir: OUTDIR, every: 0.01}
""",
    "transformer": """model: transformer
attention: {Q: [[1, 0], [0, 1]], K: [[1, 0], [0, 1]], V: [[1, 0], [0, 1]]}
domain: {dim: 2, lower: [-2, -2], upper: [2, 2], cells: [8, 8], boundary: noflux}
initial: {type: gaussian, mean: [0.0, 0.0], cov: [[0.1, 0.0], [0.0, 0.1]]}
time: {end: 0.1, dt: 0.05}
lagrangian: {enabled: true, particles: 64, seed: 1}
output: {dir: OUTDIR, every: 0.05}
""",
    "flow_matching": """model: flow_matching
domain: {dim: 2}
initial: {type: gaussian, mean: [0, 0], cov: [[1, 0], [0, 1]]}
target: {type: dataset, name: moons, samples: 100, seed: 7}
time: {steps: 4, integrator: rk4}
eulerian: {enabled: false}
lagrangian: {enabled: true, particles: 100, seed: 1}
output: {dir: OUTDIR, every: 0.5}
""",
    "reconstruction": """model: reconstruction
domain: {dim: 2, lower: [-1, -1], upper: [1, 1], cells: [8, 8], boundary: noflux}
initial: {type: gaussian, mean: [0.2, 0.0], cov: [[0.05, 0.0], [0.0, 0.05]]}
path: {type: gaussian_linear, A: [[0, -1], [1, 0]], b: [0, 0], times: [0.0, 0.1]}
lagrangian: {enabled: true, particles: 64, seed: 1}
diagnostics: {w2: none}
output: {dir: OUTDIR}
""",
    "mean_field": """model: mean_field
domain: {dim: 2, lower: [-3, -3], upper: [3, 3], cells: [8, 8], boundary: noflux}
network: {activation: relu, bias: false}
data: {type: linear, dim: 1, outputs: 1, samples: 50, seed: 4, weights: [1.0], noise: 0.1}
initial: {type: gaussian, mean: [0.3, 0.2], cov: [[0.2, 0.05], [0.05, 0.2]]}
time: {end: 0.02, dt: 0.01}
eulerian: {enabled: true}
lagrangian: {enabled: true, particles: 64, integrator: euler, seed: 9}
diagnostics: {w2: none}
output: {dir: OUTDIR}
""",
    "static_ot": """model: static_ot
domain: {dim: 2, lower: [-1, -1], upper: [1, 1], cells: [8, 8], boundary: noflux}
initial: {type: gaussian, mean: [-0.2, 0.0], cov: [[0.05, 0.0], [0.0, 0.05]]}
target: {type: gaussian, mean: [0.2, 0.1], cov: [[0.04, 0.01], [0.01, 0.05]]}
solver: {eps: 0.05}
lagrangian: {enabled: true, particles: 64, seed: 1}
diagnostics: {w2: none}
output: {dir: OUTDIR}
""",
}

# A good sweep section appended to a model's deck for the `sweep` cases.
SWEEP = "sweep:\n  mode: product\n  values:\n    lagrangian.particles: [50, 60]\n"

# A deck case: `change` edits the good deck of `model` (text -> text), `command` is run, check or sweep.
Deck = namedtuple("Deck", "name model command change fragments")
# An input-file case: `layout` describes the HDF5 file(s) to write (see write_h5); `use` says where the file
# goes: "ot" (measureflow ot A B), "initial" (a continuity deck with initial: {type: file}).
File = namedtuple("File", "name use layout fragments")
# A sweep-collect case: `index` is the text of DIR/sweep.json (None: no such file).
Collect = namedtuple("Collect", "name index fragments")


def rep(old, new):
    def change(deck):
        if old not in deck:
            raise AssertionError(f"test table out of date: '{old}' not in the good deck")
        return deck.replace(old, new)
    return change


def add(text):
    return lambda deck: deck + text


NAN, INF = float("nan"), float("inf")
P2 = [[0.1, 0.2], [0.3, 0.1], [-0.2, 0.4]]  # three 2-D points

CASES = [
    # --- static_ot ----------------------------------------------------------------------------------------
    Deck("sot_missing_target", "static_ot", "run",
         rep("target: {type: gaussian, mean: [0.2, 0.1], cov: [[0.04, 0.01], [0.01, 0.05]]}\n", ""),
         ["target", "gaussian"]),
    Deck("sot_periodic", "static_ot", "run", rep("boundary: noflux", "boundary: periodic"),
         ["domain.boundary", "periodic", "noflux"]),
    Deck("sot_negative_eps", "static_ot", "run", rep("eps: 0.05", "eps: -0.05"), ["solver.eps", "-0.05"]),
    Deck("sot_too_many_cells", "static_ot", "check", rep("cells: [8, 8]", "cells: [600, 600]"),
         ["domain.cells", "360000", "262144", "eulerian.enabled: false"]),
    Deck("sot_too_many_cells_dense", "static_ot", "check",
         lambda d: d.replace("cells: [8, 8]", "cells: [300, 300]").replace("eps: 0.05", "eps: 0.05, method: dense"),
         ["domain.cells", "90000", "65536", "solver.method: dense"]),
    Deck("sot_too_many_particles", "static_ot", "run", rep("particles: 64", "particles: 300000"),
         ["lagrangian.particles", "300000", "262144"]),
    Deck("sot_bad_method", "static_ot", "check", rep("eps: 0.05", "eps: 0.05, method: sparse"),
         ["solver.method", "sparse", "auto", "dense", "multiscale"]),
    Deck("sot_no_view", "static_ot", "run", rep("lagrangian: {enabled: true", "eulerian: {enabled: false}\nlagrangian: {enabled: false"),
         ["eulerian.enabled", "lagrangian.enabled"]),
    Deck("sot_unread_time_end", "static_ot", "run", add("time: {end: 1.0}\n"), ["time.end", "static_ot"]),
    Deck("sot_bad_tolerance", "static_ot", "check", rep("eps: 0.05", "eps: 0.05, tolerance: 0"), ["solver.tolerance", "0", "> 0"]),
    # --- mean_field ---------------------------------------------------------------------------------------
    Deck("mf_bad_activation", "mean_field", "run", rep("activation: relu", "activation: sigmoid"),
         ["network.activation", "sigmoid", "relu", "linear", "tanh"]),
    Deck("mf_bad_data_type", "mean_field", "run", rep("type: linear, dim: 1", "type: teachers, dim: 1"),
         ["data.type", "teachers", "teacher", "population", "file"]),
    Deck("mf_weights_shape", "mean_field", "run", rep("weights: [1.0]", "weights: [1.0, 2.0]"),
         ["data.weights", "2 entries", "outputs × dim"]),
    Deck("mf_no_samples", "mean_field", "run", rep("samples: 50", "samples: 0"), ["data.samples", "0", ">= 1"]),
    Deck("mf_neuron_space_vs_domain", "mean_field", "check", rep("dim: 1, outputs: 1, samples: 50, seed: 4, weights: [1.0]",
                                                               "dim: 3, outputs: 1, samples: 50, seed: 4, weights: [1.0, 0.5, 0.2]"),
         ["domain.dim", "neuron space", "4"]),
    Deck("mf_bad_integrator", "mean_field", "run", rep("integrator: euler", "integrator: heun"),
         ["lagrangian.integrator", "heun", "rk4", "euler"]),
    # --- continuity (the model of the core keys) ------------------------------------------------------
    Deck("yaml_syntax", "continuity", "run", rep("cells: [16, 16]", "cells: [16, 16"), ["YAML", ":"]),
    Deck("unknown_key", "continuity", "run", rep("particles: 100", "particels: 100"),
         ["particels", "did you mean", "particles"]),
    Deck("wrong_type", "continuity", "run", rep("end: 0.1", "end: soon"), ["time.end", "soon"]),
    Deck("out_of_range", "continuity", "run", rep("cfl: 0.4", "cfl: 3.0"), ["time.cfl", "3", "(0, 1]"]),
    Deck("bad_enum", "continuity", "run", rep("boundary: noflux", "boundary: reflecting"),
         ["domain.boundary", "reflecting", "periodic", "noflux"]),
    Deck("not_spd", "continuity", "run", rep("cov: [[0.02, 0.0], [0.0, 0.02]]", "cov: [[0.02, 0.05], [0.05, 0.02]]"),
         ["initial.cov", "positive definite"]),
    Deck("shape_vs_dim", "continuity", "run", rep("mean: [0.2, 0.0]", "mean: [0.2]"), ["initial.mean", "2"]),
    Deck("missing_required", "continuity", "run", rep("time: {end: 0.1, cfl: 0.4}", "time: {cfl: 0.4}"), ["time.end"]),
    Deck("missing_section", "continuity", "run", rep("velocity: {type: linear, A: [[0, -1], [1, 0]], b: [0, 0]}\n", ""),
         ["velocity", "linear", "swirl"]),
    Deck("missing_file", "continuity", "run",
         rep("initial: {type: gaussian, mean: [0.2, 0.0], cov: [[0.02, 0.0], [0.0, 0.02]]}",
             "initial: {type: file, path: no_such_file.h5}"), ["initial.path", "no_such_file.h5"]),
    Deck("unknown_model", "continuity", "run", rep("model: continuity", "model: continuum"), ["continuum", "continuity"]),
    Deck("cfl_and_dt", "continuity", "run", rep("cfl: 0.4", "cfl: 0.4, dt: 0.01"), ["time.cfl", "time.dt", "not both"]),
    Deck("every_after_end", "continuity", "run", rep("every: 0.05", "every: 0.5"), ["output.every", "time.end"]),
    Deck("upper_below_lower", "continuity", "run", rep("upper: [1, 1]", "upper: [1, -2]"), ["domain.upper", "lower"]),
    Deck("swirl_in_1d", "continuity", "run",
         lambda d: GOOD_1D_SWIRL, ["velocity.type", "swirl", "linear"]),
    Deck("negative_particles", "continuity", "run", rep("particles: 100", "particles: -5"),
         ["lagrangian.particles", "-5", ">= 1"]),
    Deck("check_unknown_key", "continuity", "check", rep("particles: 100", "particels: 100"), ["particels", "particles"]),
    Deck("check_wrong_type", "continuity", "check", rep("dim: 2", "dim: two"), ["domain.dim", "two"]),
    Deck("sweep_bad_variant", "continuity", "sweep",
         add("sweep:\n  mode: product\n  values:\n    time.cfl: [0.5, 2.0]\n"), ["time.cfl", "2", "(0, 1]"]),
    Deck("sweep_bad_mode", "continuity", "sweep", add(SWEEP.replace("product", "cartesian")),
         ["sweep.mode", "cartesian", "product", "zip"]),
    Deck("sweep_unequal_zip", "continuity", "sweep",
         add("sweep:\n  mode: zip\n  values:\n    lagrangian.particles: [50, 60]\n    lagrangian.seed: [1]\n"),
         ["zip", "equal length"]),
    Deck("sweep_unknown_key", "continuity", "sweep",
         add("sweep:\n  mode: product\n  values:\n    lagrangian.particels: [50, 60]\n"), ["particels", "particles"]),
    # --- dynamic_ot ------------------------------------------------------------------------------------
    Deck("dot_bad_coupling", "dynamic_ot", "run", rep("seed: 1}", "seed: 1, coupling: sinkhorn}"),
         ["lagrangian.coupling", "sinkhorn", "auto", "exact", "entropic"]),
    # The Hungarian's O(n³) limit, also when lagrangian.particles is left at its default (10 000).
    Deck("dot_exact_too_many", "dynamic_ot", "run", rep("particles: 100, seed: 1}", "seed: 1, coupling: exact}"),
         ["lagrangian.coupling", "2000", "entropic"]),
    Deck("dot_time_end", "dynamic_ot", "run", rep("time: {cells: 2}", "time: {cells: 2, end: 1.0}"),
         ["time.end", "time.cells"]),
    Deck("dot_unread_time_dt", "dynamic_ot", "run", rep("time: {cells: 2}", "time: {cells: 2, dt: 0.1}"),
         ["time.dt", "dynamic_ot"]),
    Deck("dot_unread_output_every", "dynamic_ot", "run", rep("output: {dir: OUTDIR}", "output: {dir: OUTDIR, every: 1}"),
         ["output.every", "dynamic_ot"]),
    Deck("dot_unread_eulerian", "dynamic_ot", "check", add("eulerian: {enabled: true}\n"), ["eulerian", "dynamic_ot"]),
    # --- flow_matching ----------------------------------------------------------------------------------
    Deck("fm_bad_integrator", "flow_matching", "run", rep("integrator: rk4", "integrator: rk5"),
         ["time.integrator", "rk5", "euler", "heun", "rk4"]),
    Deck("fm_time_end", "flow_matching", "run", rep("time: {steps: 4", "time: {end: 1.0, steps: 4"), ["time.end", "flow_matching"]),
    Deck("fm_grid_for_diracs", "flow_matching", "run",
         lambda d: d.replace("eulerian: {enabled: false}", "eulerian: {enabled: true}").replace(
             "domain: {dim: 2}", "domain: {dim: 2, lower: [-3, -3], upper: [3, 3], cells: [8, 8], boundary: noflux}"),
         ["eulerian.enabled", "gaussian", "mixture"]),
    Deck("fm_bad_dataset", "flow_matching", "run", rep("name: moons", "name: spirals"),
         ["target.name", "spirals", "eight_gaussians", "moons", "checkerboard", "rings"]),
    Deck("fm_ot_without_learning", "flow_matching", "run", add("coupling: minibatch_ot\n"), ["coupling", "minibatch_ot", "learned"]),
    # --- reconstruction ---------------------------------------------------------------------------------
    Deck("recon_times_not_increasing", "reconstruction", "run", rep("times: [0.0, 0.1]", "times: [0.1, 0.0]"),
         ["path.times", "increasing"]),
    Deck("recon_bad_method", "reconstruction", "run", add("method: helmholtz\n"),
         ["method", "helmholtz", "least_squares", "dacorogna_moser"]),
    Deck("recon_time_end", "reconstruction", "check", add("time: {end: 1.0}\n"), ["time.end", "reconstruction"]),
    Deck("recon_missing_file", "reconstruction", "run",
         rep("path: {type: gaussian_linear, A: [[0, -1], [1, 0]], b: [0, 0], times: [0.0, 0.1]}",
             "path: {type: run, file: no_such_run.h5, times: [0.0, 0.1]}"), ["path.file", "no_such_run.h5"]),
    Deck("dot_missing_target", "dynamic_ot", "run",
         rep("target: {type: bump, mean: [0.6, 0.5, 0.5], shape: [[0.04, 0, 0], [0, 0.04, 0], [0, 0, 0.04]], power: 2}\n", ""),
         ["target", "gaussian", "bump"]),
    Deck("dot_wrong_type", "dynamic_ot", "run", rep("cells: 2}", "cells: two}"), ["time.cells", "two"]),
    Deck("dot_out_of_range", "dynamic_ot", "run", rep("cells: 2}", "cells: 1}"), ["time.cells", ">= 2"]),
    Deck("dot_bad_method", "dynamic_ot", "check", add("solver: {method: newton}\n"),
         ["solver.method", "newton", "douglas_rachford"]),
    # solver.tolerance is a number or `auto`; `auto` reads the multilevel start of primal_dual only.
    Deck("dot_auto_tolerance_method", "dynamic_ot", "check",
         add("solver: {method: douglas_rachford, tolerance: auto}\n"), ["solver.tolerance", "auto", "primal_dual"]),
    Deck("dot_tolerance_word", "dynamic_ot", "check", add("solver: {tolerance: abc}\n"),
         ["solver.tolerance", "abc", "> 0 or auto"]),
    Deck("dot_sweep_bad_variant", "dynamic_ot", "sweep",
         add("sweep:\n  mode: product\n  values:\n    solver.tolerance: [1e-4, -1]\n"), ["solver.tolerance", "-1", "> 0"]),
    # --- gradient_flow ---------------------------------------------------------------------------------
    Deck("gf_barenblatt_m_mismatch", "gradient_flow", "run", rep("internal: {type: porous, m: 2}", "internal: {type: porous, m: 3}"),
         ["initial.m", "energy.internal.m", "3"]),
    Deck("gf_check_barenblatt_m_mismatch", "gradient_flow", "check",
         rep("internal: {type: porous, m: 2}", "internal: {type: porous, m: 3}"), ["initial.m", "energy.internal.m"]),
    Deck("gf_unread_limiter", "gradient_flow", "run", add("eulerian: {limiter: mc}\n"),
         ["eulerian.limiter", "gradient_flow", "reconstruction"]),
    Deck("gf_unread_lagrangian_dt", "gradient_flow", "run", rep("seed: 1}", "seed: 1, dt: 0.01}"),
         ["lagrangian.dt", "gradient_flow"]),
    Deck("gf_unread_integrator", "gradient_flow", "check", rep("seed: 1}", "seed: 1, integrator: rk4}"),
         ["lagrangian.integrator", "gradient_flow", "method"]),
    Deck("gf_unread_cfl", "gradient_flow", "run", rep("dt: 0.01}", "dt: 0.01, cfl: 0.4}"), ["time.cfl", "gradient_flow"]),
    Deck("gf_missing_dt", "gradient_flow", "run", rep("time: {end: 0.02, dt: 0.01}", "time: {end: 0.02}"),
         ["time.dt", "gradient_flow"]),
    Deck("gf_periodic", "gradient_flow", "run", rep("boundary: noflux", "boundary: periodic"),
         ["domain.boundary", "periodic", "noflux"]),
    Deck("gf_porous_m_range", "gradient_flow", "run",
         rep("m: 2, t0", "m: 0.5, t0"),
         ["initial.m", "0.5", "> 1"]),
    Deck("gf_bad_internal", "gradient_flow", "run", rep("type: porous", "type: porus"),
         ["energy.internal", "porus", "porous", "entropy"]),
    Deck("gf_wrong_type", "gradient_flow", "run", rep("dt: 0.01", "dt: [0.01]"), ["time.dt"]),
    Deck("gf_missing_domain_keys", "gradient_flow", "run",
         rep("domain: {dim: 2, lower: [-1, -1], upper: [1, 1], cells: [8, 8], boundary: noflux}", "domain: {dim: 2}"),
         ["domain.lower", "domain.cells", "gradient_flow"]),
    Deck("gf_bfm_without_internal_energy", "gradient_flow", "run",
         lambda d: rep("internal: {type: porous, m: 2}", "internal: {type: none}")(d)
         + "eulerian: {scheme: jko, jko_solver: back_and_forth}\n",
         ["eulerian.jko_solver", "back_and_forth", "entropy", "porous"]),
    Deck("gf_bad_jko_solver", "gradient_flow", "run", add("eulerian: {scheme: jko, jko_solver: bfm}\n"),
         ["eulerian.jko_solver", "bfm", "back_and_forth", "dynamic_ot"]),
    Deck("gf_sweep_bad_variant", "gradient_flow", "sweep",
         add("sweep:\n  mode: product\n  values:\n    eulerian.scheme: [fv, implicit]\n"), ["eulerian.scheme", "implicit", "jko"]),
    # --- transformer -----------------------------------------------------------------------------------
    Deck("tr_attention_and_layers", "transformer", "run", add("layers:\n  - {preset: identity}\n"),
         ["layers", "attention", "not both"]),
    Deck("tr_missing_attention", "transformer", "run",
         rep("attention: {Q: [[1, 0], [0, 1]], K: [[1, 0], [0, 1]], V: [[1, 0], [0, 1]]}\n", ""),
         ["attention", "preset", "layers"]),
    Deck("tr_partial_qkv", "transformer", "run", rep(", V: [[1, 0], [0, 1]]}", "}"), ["attention.Q", "Q, K, V"]),
    Deck("tr_bad_variant", "transformer", "run", add("variant: cosine\n"), ["variant", "cosine", "softmax", "sphere"]),
    Deck("tr_unread_lagrangian_dt", "transformer", "run", rep("seed: 1}", "seed: 1, dt: 0.01}"),
         ["lagrangian.dt", "transformer"]),
    Deck("tr_matrix_shape", "transformer", "run", rep("Q: [[1, 0], [0, 1]]", "Q: [[1, 0, 0], [0, 1, 0]]"),
         ["attention.Q", "2"]),
    Deck("tr_out_of_range", "transformer", "check", add("beta: -1\n"), ["beta", "-1", "> 0"]),
    Deck("tr_wrong_type", "transformer", "check", add("sinkhorn_iterations: 2.5\n"), ["sinkhorn_iterations", "2.5"]),
    Deck("tr_sweep_bad_variant", "transformer", "sweep",
         add("sweep:\n  mode: product\n  values:\n    variant: [softmax, linear]\n"), ["variant", "linear", "softmax"]),
    # --- input files: `measureflow ot A B` (A is the broken one unless said) --------------------------
    File("ot_missing_file", "ot", {"missing": True}, ["no such file"]),
    File("ot_not_hdf5", "ot", {"text": "not an HDF5 file\n"}, ["not an HDF5 file"]),
    File("ot_no_positions", "ot", {"datasets": {"coords": P2}}, ["positions"]),
    File("ot_positions_3d_array", "ot", {"datasets": {"positions": [P2, P2]}}, ["positions", "shape", "(N, d)"]),
    File("ot_weights_shape", "ot", {"datasets": {"positions": P2, "weights": [0.5, 0.5]}}, ["weights", "shape", "(3)"]),
    File("ot_nan_coordinate", "ot", {"datasets": {"positions": [[0.1, NAN], [0.3, 0.1], [-0.2, 0.4]]}},
         ["positions", "non-finite", "nan", "finite"]),
    File("ot_inf_coordinate", "ot", {"datasets": {"positions": [[0.1, 0.2], [INF, 0.1], [-0.2, 0.4]]}},
         ["positions", "non-finite", "inf"]),
    File("ot_negative_weight", "ot", {"datasets": {"positions": P2, "weights": [0.5, -0.1, 0.6]}},
         ["weights", "negative", "-0.1", ">= 0"]),
    File("ot_zero_sum_weights", "ot", {"datasets": {"positions": P2, "weights": [0.0, 0.0, 0.0]}},
         ["weights", "sums to 0", "positive sum"]),
    File("ot_nan_weight", "ot", {"datasets": {"positions": P2, "weights": [0.5, NAN, 0.5]}}, ["weights", "non-finite"]),
    File("ot_empty_set", "ot", {"datasets": {"positions": [[0.0, 0.0]][:0]}}, ["empty"]),
    File("ot_dimension_mismatch", "ot", {"datasets": {"positions": [[0.1, 0.2, 0.3], [0.0, 0.1, 0.2]]}},
         ["dimension 3", "dimension 2"]),
    File("ot_snapshot_out_of_range", "ot", {"snapshots": 2, "snapshot_arg": 5}, ["snapshot 5", "available: 0, 1"]),
    # --- input files: `initial: {type: file}` in a run -------------------------------------------------
    File("initial_not_hdf5", "initial", {"text": "plain text\n"}, ["initial.path", "not an HDF5 file"]),
    File("initial_no_point_data", "initial", {"datasets": {"coords": P2}}, ["positions"]),
    File("initial_nan_coordinate", "initial", {"datasets": {"positions": [[0.1, NAN], [0.3, 0.1], [-0.2, 0.4]]}},
         ["positions", "non-finite"]),
    File("initial_negative_weight", "initial", {"datasets": {"positions": P2, "weights": [0.5, -0.1, 0.6]}},
         ["weights", "negative"]),
    File("initial_zero_sum_weights", "initial", {"datasets": {"positions": P2, "weights": [0.0, 0.0, 0.0]}},
         ["weights", "sums to 0"]),
    File("initial_dimension_mismatch", "initial", {"datasets": {"positions": [[0.1], [0.2]]}},
         ["initial", "1-dimensional", "domain.dim is 2"]),
    File("initial_grid_nan_density", "initial", {"grid": {"density": [[NAN, 1.0], [1.0, 1.0]]}},
         ["density", "non-finite"]),
    File("initial_grid_zero_mass", "initial", {"grid": {"density": [[0.0, 0.0], [0.0, 0.0]]}},
         ["density", "positive total mass"]),
    File("initial_grid_shape", "initial", {"grid": {"density": [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]}},
         ["density", "shape", "expected (2, 2)"]),
    # --- sweep-collect DIR -----------------------------------------------------------------------------
    Collect("collect_no_index", None, ["sweep.json", "measureflow sweep"]),
    Collect("collect_index_not_json", "{ this is: [not json\n", ["sweep.json"]),
    # Parseable JSON that is not a sweep index: a variant without its fields, a key that is not a name.
    Collect("collect_variant_without_id", '{"keys": ["a"], "variants": [{"name": "v0000"}]}\n',
            ["sweep.json", "id", "output_dir"]),
    Collect("collect_key_not_a_name", '{"keys": [1], "variants": []}\n', ["sweep.json", "keys"]),
]

GOOD_1D_SWIRL = """model: continuity
domain: {dim: 1, lower: [-1], upper: [1], cells: [16], boundary: periodic}
initial: {type: gaussian, mean: [0.2], cov: [[0.02]]}
velocity: {type: swirl, period: 1.0}
time: {end: 0.1, cfl: 0.4}
output: {dir: OUTDIR, every: 0.05}
"""

FILE_DECK = """model: continuity
domain: {dim: 2, lower: [-1, -1], upper: [1, 1], cells: [2, 2], boundary: noflux}
initial: {type: file, path: INPUT}
velocity: {type: linear}
time: {end: 0.1, cfl: 0.4}
lagrangian: {enabled: true, particles: 3, seed: 1}
output: {dir: OUTDIR, every: 0.05}
"""


def write_h5(path, layout):
    """Writes the file a case describes: plain text, root datasets, snapshots, or a fields.h5 grid."""
    import h5py
    import numpy as np
    if layout.get("missing"):
        return
    if "text" in layout:
        with open(path, "w") as f:
            f.write(layout["text"])
        return
    with h5py.File(path, "w") as f:
        for name, value in layout.get("datasets", {}).items():
            f[name] = np.array(value, dtype=float)
        for k in range(layout.get("snapshots", 0)):
            g = f.create_group(f"snapshots/{k:06d}")
            g.attrs["time"] = float(k)
            g["positions"] = np.array(P2)
            g["weights"] = np.ones(3) / 3
            g["ids"] = np.arange(3)
        if "grid" in layout:
            g = f.create_group("grid")
            g.attrs["dim"] = np.array([2], dtype=np.int64)
            g.attrs["lower"] = np.array([-1.0, -1.0])
            g.attrs["upper"] = np.array([1.0, 1.0])
            g.attrs["cells"] = np.array([2, 2], dtype=np.int64)
            s = f.create_group("snapshots/000000")
            s.attrs["time"] = 0.0
            s["density"] = np.array(layout["grid"]["density"], dtype=float)


def good_b(path):
    import h5py
    import numpy as np
    with h5py.File(path, "w") as f:
        f["positions"] = np.array(P2)


def check(name, proc, names, fragments, created):
    """The verdict on one case: exit 2, the names and fragments in the message, one message, nothing created."""
    text = proc.stderr + proc.stdout
    problems = []
    if proc.returncode != 2:
        problems.append(f"exit status {proc.returncode}, expected 2")
    for n in names:
        if n not in text:
            problems.append(f"message does not name '{n}'")
    for frag in fragments:
        if frag not in text:
            problems.append(f"message lacks '{frag}'")
    # One message, from rank 0 only (`measureflow ot` prefixes its own "error:").
    said = [line for line in text.splitlines() if re.match(r"(measureflow: )?(input )?error", line)]
    if len(said) != 1:
        problems.append(f"an error message printed {len(said)} times (expected once, rank 0)")
    for path in created:
        if os.path.exists(path):
            problems.append(f"{os.path.basename(path)} was created")
    # The line after the "input error" heading is the message itself.
    lines = [line for line in text.strip().splitlines() if line and not line.startswith(("-", "measureflow: input error"))]
    report = f"{'ok  ' if not problems else 'FAIL'} {name}: {'; '.join(problems) or (lines[0][:200] if lines else '')}"
    if problems:
        report += "\n----\n" + text + "----"
    return not problems, report


def run_case(case, work, run):
    """Writes the case's inputs into `work`, runs the command; returns (ok, report)."""
    outdir = os.path.join(work, "out_" + case.name)
    if isinstance(case, Deck):
        deck = os.path.join(work, case.name + ".yaml")
        with open(deck, "w") as f:
            f.write(case.change(GOOD[case.model]).replace("OUTDIR", outdir))
        args = [case.command, deck] + (["--out", outdir] if case.command == "sweep" else [])
        return check(case.name, run(args), [os.path.basename(deck)], case.fragments, [outdir])
    if isinstance(case, File):
        bad = os.path.join(work, case.name + ".h5")
        write_h5(bad, case.layout)
        if case.use == "ot":
            other = os.path.join(work, case.name + "_b.h5")
            good_b(other)
            out = os.path.join(work, case.name + "_result.h5")
            extra = []
            if "snapshot_arg" in case.layout:  # both files have snapshots; the index is out of range in both
                extra = ["--snapshot", str(case.layout["snapshot_arg"])]
                shutil.copy(bad, other)
            return check(case.name, run(["ot", bad, other, "--out", out] + extra), [os.path.basename(bad)],
                         case.fragments, [out])
        deck = os.path.join(work, case.name + ".yaml")
        with open(deck, "w") as f:
            f.write(FILE_DECK.replace("INPUT", bad).replace("OUTDIR", outdir))
        return check(case.name, run(["run", deck]), [os.path.basename(deck), os.path.basename(bad)],
                     case.fragments, [outdir])
    sweep_dir = os.path.join(work, case.name)
    os.makedirs(sweep_dir)
    if case.index is not None:
        with open(os.path.join(sweep_dir, "sweep.json"), "w") as f:
            f.write(case.index)
    return check(case.name, run(["sweep-collect", sweep_dir]), [case.name], case.fragments,
                 [os.path.join(sweep_dir, "collected.csv")])


def main():
    if sys.argv[1:] == ["--count"]:
        print(len(CASES) + 1)  # + the bad --set override below
        return
    binary, source, ranks = sys.argv[1], sys.argv[2], int(sys.argv[3])
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    mpirun = ["mpirun", "--oversubscribe", "-n", str(ranks), binary]
    work = tempfile.mkdtemp(prefix=f"mf_bad_input_{os.getpid()}_")

    def run(args):
        return subprocess.run(mpirun + args, env=env, capture_output=True, text=True, timeout=120, cwd=work)

    # A good deck with a bad --set override is rejected the same way.
    override = Deck("bad_override", "continuity", "run", lambda d: d, ["eulerian.limiter", "superbee", "minmod", "mc"])

    def run_override():
        deck = os.path.join(work, "good.yaml")
        outdir = os.path.join(work, "out_good")
        with open(deck, "w") as f:
            f.write(GOOD["continuity"].replace("OUTDIR", outdir))
        return check(override.name, run(["run", deck, "--set", "eulerian.limiter=superbee"]), ["good.yaml"],
                     override.fragments, [outdir])

    # The good decks themselves pass `check`, so each case fails for its one change only.
    def run_good(model):
        deck = os.path.join(work, f"good_{model}.yaml")
        with open(deck, "w") as f:
            f.write(GOOD[model].replace("OUTDIR", os.path.join(work, "out_good_" + model)))
        proc = run(["check", deck])
        ok = proc.returncode == 0
        return ok, f"{'ok  ' if ok else 'FAIL'} good {model} deck passes check (exit {proc.returncode})" + (
            "" if ok else "\n" + proc.stderr + proc.stdout)

    jobs = [lambda c=c: run_case(c, work, run) for c in CASES] + [run_override] + [lambda m=m: run_good(m) for m in GOOD]
    try:
        # Most of each case is mpirun starting up; a few at a time keep the test short on a busy machine.
        with ThreadPoolExecutor(max_workers=int(os.environ.get("MF_BAD_INPUT_JOBS", "4"))) as pool:
            results = list(pool.map(lambda job: job(), jobs))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # docs/decks.md states how many bad inputs are tested; keep it true.
    with open(os.path.join(source, "docs", "decks.md")) as f:
        stated = re.search(r"holds (\d+) bad\s+inputs", f.read())
    doc_ok = stated is not None and int(stated.group(1)) == len(CASES) + 1
    results.append((doc_ok, f"{'ok  ' if doc_ok else 'FAIL'} docs/decks.md states {stated.group(1) if stated else 'no'} "
                            f"bad inputs, the table holds {len(CASES) + 1}"))
    failures = 0
    for ok, report in results:
        print(report)
        failures += 0 if ok else 1
    print(f"{len(results) - failures} passed, {failures} failed ({len(CASES) + 1} bad inputs, {len(GOOD)} good decks, "
          f"{ranks} rank(s))")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
