"""Sorts MeasureFlow metric names (DESIGN.md: `<view>.<quantity>`, `cross.<quantity>`, `closed_form.<quantity>`)
into the kinds a reader compares differently:

- `view_vs_exact`: a view against the exact answer (`eulerian.l1_error`, `lagrangian.mass_drift`, ...), errors
  drawn on log axes;
- `view_vs_view`: one view against another (`cross.w2_eulerian_lagrangian`), also distances, log axes;
- `quantity`: a value of the solution itself (energies, masses, `closed_form.*`), drawn on linear axes, the
  views of one quantity together;
- `parameter`: settings and counts (`lagrangian.particles`, `cross.w2_eps`, iteration counts, timings, a
  solver's own marginal residual such as `cross.w2_marginal_error`),
  listed, never drawn as curves: a particle count of 10^5 on the same axis flattens every error to zero.
"""
import re

KINDS = ("view_vs_exact", "view_vs_view", "quantity", "parameter")
TITLES = {"view_vs_exact": "view vs exact", "view_vs_view": "view vs view",
          "quantity": "quantities", "parameter": "parameters and counts"}

# The quantity part (after the first dot) of settings, counts and timings.
_PARAMETER = re.compile(r"(^|_)(particles|points|seed|eps|epsilon|iterations?|seconds|substeps|steps|nfe|nodes|count|"
                        r"clusters|converged|completed|monotone|halvings|blob_width|moment_match|marginal)(_|$)")
# The quantity part of a distance to the exact answer.
_ERROR = re.compile(r"(error|drift|residual|steady_state|w2_target)")


def quantity_of(name):
    """`eulerian.kinetic_energy` -> `kinetic_energy`; a name without a dot is its own quantity."""
    return name.split(".", 1)[1] if "." in name else name


def view_of(name):
    return name.split(".", 1)[0] if "." in name else ""


def kind_of(name):
    quantity = quantity_of(name)
    if _PARAMETER.search(quantity):
        return "parameter"
    if view_of(name) == "cross":
        return "view_vs_view"
    if view_of(name) != "closed_form" and _ERROR.search(quantity):
        return "view_vs_exact"
    return "quantity"


def group(names):
    """{kind: [names in the given order]} with every kind present (possibly empty)."""
    out = {k: [] for k in KINDS}
    for n in names:
        out[kind_of(n)].append(n)
    return out
