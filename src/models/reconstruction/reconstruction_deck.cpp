// Deck keys of the reconstruction model (pinned: path.{type, file, files, A, b, times}, method; solver.*, ot.*),
// the deck → ReconstructionConfig mapping, and the model's registration.
#include <cmath>

#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/io/readers.hpp"
#include "measureflow/schema.hpp"
#include "measureflow/setup_from_deck.hpp"
#include "models/model_list.hpp"
#include "models/reconstruction/reconstruction_model.hpp"

namespace mf::reconstruction {

namespace {

void declare_reconstruction_keys(Schema& s) {
  // The run spans path.times (no time.end); the re-advection steps by time.cfl (or a fixed time.dt).
  declare_explicit_time_step(s);
  VariantRef path = s.variant("path", Required, "the observed evolution t ↦ α_t to explain");
  Schema& gl = path.option("gaussian_linear", "the Gaussian `initial:` carried by v = Ax + b, observed exactly (cell averages)");
  gl.matrix_zero_default("A", "d×d matrix of the linear field");
  gl.vector_zero_default("b", "constant drift");
  gl.vector("times", Required, "observation times, increasing (at least 2)").length(-1);
  Schema& run = path.option("run", "the density snapshots of a MeasureFlow run (its fields.h5); ∂_t ρ by finite differences");
  run.string("file", Required, "fields.h5 of an earlier run, relative to the deck's folder").hdf5_file();
  run.vector("times", Required, "observation times, a subset of the file's snapshot times (at least 2)").length(-1);
  run.enumeration("derivative", {"three_point", "midpoint"}, "three_point",
                  "midpoint: one field per interval from ρ = (ρ_k + ρ_k+1)/2, ∂_t ρ = (ρ_k+1 − ρ_k)/Δt (the source "
                  "never lies where the density vanishes) | three_point: fields at the observed times, second-order "
                  "differences");
  Schema& snap = path.option("snapshots", "particle clouds at a few times (trajectory inference); reconstructed with method: ot");
  snap.string_list("files", Required,
                   "point-set files relative to the deck's folder: one particles.h5 holding the observed times "
                   "(snapshots matched by their time attribute), or one file per time (a particles.h5's last "
                   "snapshot, or root `positions` N×d and optional `weights`)").hdf5_file();
  snap.vector("times", Required, "observation times, increasing (at least 2)").length(-1);
  s.enumeration("method", {"least_squares", "dacorogna_moser", "ot"}, "least_squares",
                "least_squares: v = ∇φ, div(ρ∇φ) = −∂_t ρ (least kinetic energy) | dacorogna_moser: ρv = −∇Δ⁻¹∂_t ρ "
                "| ot (snapshots): static OT between consecutive clouds, barycentric displacement / Δt");
  Schema& ot = s.section("ot", "method: ot — Sinkhorn between consecutive clouds, kernel regression of the displacements");
  ot.real("eps", 0.0, "Sinkhorn's ε in squared length units (0: h², h the largest cell size)").non_negative();
  ot.real("bandwidth", 0.0, "σ of the Gaussian kernel regression of the displacement velocities onto the grid (0: h)").non_negative();
  ot.real("tolerance", 1e-5, "Sinkhorn's L1 marginal tolerance").positive();
  ot.integer("substeps", 4, "field samples per observation interval, at the fractions (j + 1/2)/substeps of the "
             "displacement interpolation (the field moves with the cloud inside an interval)").min(1);
  Schema& solver = s.section("solver", "the weighted Poisson solves (KSP options: -recon_ksp_type, -recon_pc_type, ...)");
  solver.real("density_floor", 1e-6, "face densities below this fraction of the largest density are raised to it").positive();
  solver.real("velocity_cutoff", 1e-5, "faces with density below this fraction of the largest carry no velocity (v is defined where α lives)").non_negative();
  solver.real("rtol", 1e-10, "relative residual tolerance of each solve").positive();
  s.cross_check([](const YAML::Node& root, Errors& e) {
    require_grid_keys(root, e, "the reconstruction solves on the grid");
    const YAML::Node p = root["path"];
    if (!p || !p["times"] || !p["times"].IsSequence()) return;
    const YAML::Node t = p["times"];
    if (t.size() < 2) e.add("path.times", "needs at least 2 observation times", t);
    for (size_t i = 1; i < t.size(); ++i)
      if (t[i].as<double>() <= t[i - 1].as<double>()) {
        e.add("path.times", "must be strictly increasing (entry " + std::to_string(i) + ")", t);
        break;
      }
    const std::string type = p["type"] ? p["type"].as<std::string>() : "";
    const YAML::Node init = root["initial"];
    if (type == "gaussian_linear" && (!init || !init["type"] || init["type"].as<std::string>() != "gaussian"))
      e.add_message("key 'initial' must be a gaussian for path.type gaussian_linear (the path is N(m_t, Σ_t))");
    if ((type == "run" || type == "snapshots") && init.IsDefined())
      e.add("initial", "does not apply to path.type " + type + " (the particles start from the first observed snapshot)", init);
    const std::string method = root["method"] ? root["method"].as<std::string>() : "least_squares";
    if ((method == "ot") != (type == "snapshots"))
      e.add("method", "'" + method + "' does not apply to path.type " + type +
                          " (allowed: ot for snapshots; least_squares or dacorogna_moser for gaussian_linear and run)",
            root["method"] ? root["method"] : YAML::Node(method));
    const YAML::Node bc = root["domain"] ? root["domain"]["boundary"] : YAML::Node();
    if (type == "snapshots" && bc && bc.IsScalar() && bc.as<std::string>() == "periodic")
      e.add("domain.boundary", "periodic boxes are not supported by path.type snapshots (the OT cost and the kernel "
                               "regression use unwrapped distances; allowed: noflux)", bc);
  });
}

ReconstructionConfig config_from_deck(const Deck& deck) {
  ReconstructionConfig c;
  c.domain = grid_spec_from_deck(deck);
  c.path = parse_path_type(deck.text("path.type"));
  c.times = deck.vec("path.times");
  const int d = c.domain.dim;
  if (c.path == PathType::GaussianLinear) {
    c.initial = measure_spec_from_deck(deck, "initial");
    c.A = deck.has("path.A") ? deck.mat("path.A") : Matrix(d, d);
    c.b = deck.has("path.b") ? deck.vec("path.b") : Vector(d, 0.0);
  } else if (c.path == PathType::Snapshots) {
    for (const auto& f : deck.node("path.files")) c.files.push_back(deck.resolve_path(f.as<std::string>()));
    c.ot = true;
    c.ot_options.eps = deck.real("ot.eps");
    c.ot_options.bandwidth = deck.real("ot.bandwidth");
    c.ot_options.tolerance = deck.real("ot.tolerance");
    c.ot_options.substeps = static_cast<int>(deck.integer("ot.substeps"));
  } else {
    c.file = deck.resolve_path(deck.text("path.file"));
    c.midpoint = deck.text("path.derivative") == "midpoint";
    // The grid comes from the file: the deck's domain must describe it (checked before any solve).
    const io::GridSnapshot s = io::read_grid_snapshot(c.file, 0);
    bool same = s.grid.dim == d;
    for (int a = 0; same && a < d; ++a)
      same = s.grid.cells[a] == c.domain.cells[a] && std::abs(s.grid.lower[a] - c.domain.lower[a]) < 1e-12 &&
             std::abs(s.grid.upper[a] - c.domain.upper[a]) < 1e-12;
    if (!same)
      throw InputError(deck.path() + ": key 'domain': must match the grid of path.file " + c.file +
                       " (dim, lower, upper, cells)");
  }
  if (!c.ot) c.solver.method = fields::parse_reconstruction_method(deck.text("method"));
  c.solver.density_floor = deck.real("solver.density_floor");
  c.solver.rtol = deck.real("solver.rtol");
  c.solver.velocity_cutoff = deck.real("solver.velocity_cutoff");
  c.cfl = deck.has("time.cfl") ? deck.real("time.cfl") : 0.4;
  c.lagrangian = deck.flag("lagrangian.enabled");
  c.particles = deck.integer("lagrangian.particles");
  c.seed = static_cast<std::uint64_t>(deck.integer("lagrangian.seed"));
  c.w2_eps = deck.real("diagnostics.w2_eps");
  c.w2_points = deck.integer("diagnostics.w2_points");
  return c;
}

}  // namespace

void register_reconstruction_model() {
  register_model("reconstruction",
                 "velocity reconstruction from an observed evolution: least-squares and Dacorogna–Moser fields (survey §2.1, §5.4)",
                 declare_reconstruction_keys,
                 [](const Deck& deck, MPI_Comm comm) { return build_reconstruction_model(config_from_deck(deck), comm); });
}

}  // namespace mf::reconstruction
