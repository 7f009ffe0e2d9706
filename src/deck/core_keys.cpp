// The pinned core deck keys (DESIGN.md "Decks") and the measure variant shared by initial:/target:.
#include <filesystem>

#include "deck/yaml_util.hpp"
#include "measureflow/schema.hpp"

namespace mf {
namespace {

using deck_detail::as_real;
using deck_detail::find_path;
using deck_detail::flow;

// Reports every axis where upper <= lower; silent when either vector is malformed (reported already).
void check_box(const YAML::Node& section, const std::string& lower_key, const std::string& upper_key,
               Errors& errors) {
  const YAML::Node lo = section[lower_key], hi = section[upper_key];
  if (!lo.IsSequence() || !hi.IsSequence() || lo.size() != hi.size()) return;
  for (size_t i = 0; i < lo.size(); ++i) {
    auto a = as_real(lo[i]), b = as_real(hi[i]);
    if (a && b && !(*b > *a)) {
      errors.add(upper_key,
                 flow(hi) + " must be greater than " + lower_key + " " + flow(lo) + " on every axis (axis " +
                     std::to_string(i) + ": " + flow(hi[i]) + " <= " + flow(lo[i]) + ")",
                 hi);
      return;
    }
  }
}

}  // namespace

void declare_gaussian_keys(Schema& gaussian) {
  gaussian.vector("mean", Required, "mean");
  gaussian.matrix("cov", Required, "covariance").spd();
}

void declare_mixture_keys(Schema& mixture) {
  Schema& component = mixture.list("components", Required, "the Gaussians of the mixture");
  component.real("weight", Required, "relative weight (normalised to sum 1)").positive();
  component.vector("mean", Required, "mean");
  component.matrix("cov", Required, "covariance").spd();
}

void declare_measure(Schema& s, const std::string& section_name, bool required) {
  auto m = s.variant(section_name, required ? Required : Optional, "a probability measure on the domain");

  declare_gaussian_keys(m.option("gaussian", "normal distribution N(mean, cov)"));
  declare_mixture_keys(m.option("mixture", "weighted sum of Gaussians (weights are normalised to sum 1)"));

  auto& box = m.option("uniform_box", "uniform on the box [lower, upper]");
  box.vector("lower", Required, "lower corner");
  box.vector("upper", Required, "upper corner, > lower on every axis");
  box.cross_check([](const YAML::Node& sec, Errors& e) { check_box(sec, "lower", "upper", e); });

  auto& ball = m.option("uniform_ball", "uniform on the ball |x - center| <= radius");
  ball.vector("center", Required, "centre");
  ball.real("radius", Required, "radius").positive();

  auto& bump = m.option("bump", "density proportional to (1 - (x-mean)^T shape^-1 (x-mean))_+^power");
  bump.vector("mean", Required, "centre");
  bump.matrix("shape", Required, "ellipse matrix S").spd();
  bump.real("power", Required, "exponent k").positive();

  auto& barenblatt = m.option("barenblatt", "porous-medium Barenblatt profile at time t0");
  barenblatt.real("m", Required, "porous-medium exponent").greater_than(1.0);
  barenblatt.real("t0", Required, "time of the profile").positive();
  barenblatt.vector("center", Required, "centre");

  auto& file = m.option("file", "a snapshot of an earlier run (particles.h5 or fields.h5)");
  file.string("path", Required, "HDF5 file, relative to the deck's folder").hdf5_file();
  file.integer("snapshot", -1LL, "snapshot index; -1 = the last one").min(-1);
}

void require_grid_keys(const YAML::Node& root, Errors& e, const std::string& why) {
  const YAML::Node domain = find_path(root, "domain");
  for (const char* key : {"lower", "upper", "cells", "boundary"})
    if (!domain.IsMap() || !domain[key].IsDefined())
      e.add_message("missing required key '" + e.full_key(std::string("domain.") + key) + "' (" + why + ")", domain);
  const YAML::Node dim = find_path(root, "domain.dim");
  if (dim.IsDefined() && dim.IsScalar()) {
    auto d = as_real(dim);
    if (d && *d > 3)
      e.add("domain.dim", flow(dim) + " is too large for a grid (1, 2 or 3 when " + why +
                              "; particle-only runs: eulerian.enabled: false)",
            dim);
  }
}

void declare_core_keys(Schema& s) {
  s.string("model", Required, "which model to run (see `measureflow help`)");

  auto& domain = s.section("domain", "the box the measures live in");
  domain.integer("dim", Required, "spatial dimension (1-3 with a grid; particle-only models allow up to 64)")
      .min(1)
      .max(64);
  domain.vector("lower", Optional, "lower corner (required with a grid)");
  domain.vector("upper", Optional, "upper corner, > lower on every axis (required with a grid)");
  domain.int_vector("cells", Optional, "grid cells per axis (required with a grid)").min(1);
  domain.enumeration("boundary", {"periodic", "noflux"}, Optional, "what happens at the box faces (required with a grid)");
  domain.cross_check([](const YAML::Node& sec, Errors& e) { check_box(sec, "lower", "upper", e); });

  // Required for every model except a reconstruction of observed snapshots (path.type: run or
  // snapshots), whose particles start from the first observation.
  declare_measure(s, "initial", false);
  s.cross_check([](const YAML::Node& root, Errors& e) {
    const bool observed = root["path"] && root["path"]["type"].IsDefined() && root["path"]["type"].IsScalar() &&
                          (root["path"]["type"].as<std::string>() == "run" ||
                           root["path"]["type"].as<std::string>() == "snapshots");
    if (!root["initial"].IsDefined() && !observed) e.add_message("missing required key 'initial' (a probability measure on the domain)", root);
  });

  // Every model has a time section; what it holds (end, cfl, dt, cells) depends on the model.
  s.section("time", "how far and in what steps to evolve");

  auto& lagrangian = s.section("lagrangian", "the particle view");
  lagrangian.flag("enabled", true, "run the particle view");
  lagrangian.integer("particles", 10000LL, "number of particles (over all ranks)").min(1);
  lagrangian.integer("seed", 42LL, "random seed (sampling does not depend on the rank count)").min(0);

  auto& output = s.section("output", "where and how often to write");
  output.string("dir", Optional, "output folder, relative to the working directory")
      .computed_default(
          [](const YAML::Node&, const std::string& deck_path) {
            return YAML::Node("out/" + std::filesystem::path(deck_path).stem().string());
          },
          "out/<deck file stem>");
  output.flag("quiet", false, "no progress lines");
  output.integer("checkpoint_steps", 0LL,
                 "write checkpoint.h5 every N steps (0: never); with either checkpoint key set, also at every output")
      .min(0);
  output.real("checkpoint_minutes", 0.0, "write checkpoint.h5 every M minutes of wall-clock time (0: never)")
      .non_negative();

  auto& diagnostics = s.section("diagnostics", "cross-validation measures computed at output times");
  diagnostics.enumeration("w2", {"final", "outputs", "none"}, "final",
                          "when to compute the Sinkhorn W2 between views and against the closed form (costly)");
  diagnostics.real("w2_eps", 0.0,
                   "entropic regularisation ε of the W2 (squared length units); 0: 2 h_max² for the cross-view W2 "
                   "(a model's own W2s say their default on its page)")
      .non_negative();
  diagnostics.integer("w2_particles", 10000LL,
                      "particles entering the cross-view W2 (by id stride when there are more; every cell enters)")
      .min(50);
  diagnostics.integer("w2_points", 1000LL,
                      "at most this many points per view enter the W2 (particles by id stride, cells by mass)")
      .min(50);
}

// The keys below are read by some models only; each model declares those its views read, so a key
// that the chosen model would ignore is reported as unknown instead.

void declare_time_end(Schema& s) {
  s.section("time").real("end", Required, "final time").positive();
  auto& output = s.section("output");
  output.real("every", Optional, "time between snapshots")
      .positive()
      .computed_default(
          [](const YAML::Node& root, const std::string&) {
            auto end = as_real(find_path(root, "time.end"));
            return end && *end > 0 ? deck_detail::real_node(*end / 10.0) : YAML::Node();
          },
          "time.end / 10");
  s.cross_check([](const YAML::Node& root, Errors& e) {
    auto every = as_real(find_path(root, "output.every"));
    auto end = as_real(find_path(root, "time.end"));
    if (every && end && *end > 0 && *every > *end)
      e.add("output.every", flow(find_path(root, "output.every")) + " must be <= time.end = " +
                                flow(find_path(root, "time.end")),
            find_path(root, "output.every"));
  });
}

void declare_fixed_time_step(Schema& s) {
  s.section("time").real("dt", Optional, "fixed time step").positive();
}

void declare_explicit_time_step(Schema& s) {
  auto& time = s.section("time");
  time.real("cfl", Optional, "CFL number of the Eulerian step (used when dt is not given)")
      .greater_than(0.0)
      .max(1.0)
      .computed_default(
          [](const YAML::Node& root, const std::string&) {
            return find_path(root, "time.dt").IsDefined() ? YAML::Node() : deck_detail::real_node(0.4);
          },
          "0.4 unless time.dt is given");
  time.real("dt", Optional, "fixed time step (instead of cfl)").positive();
  time.cross_check([](const YAML::Node& sec, Errors& e) {
    const YAML::Node cfl = sec["cfl"], dt = sec["dt"];
    if (cfl.IsDefined() && dt.IsDefined())
      e.add("dt", "give either time.cfl or time.dt, not both (cfl = " + flow(cfl) + ", dt = " + flow(dt) +
                      "; the override time.cfl=null removes cfl)",
            dt);
  });
}

void declare_eulerian_switch(Schema& s) {
  s.section("eulerian", "the grid view").flag("enabled", true, "run the grid view");
  // The grid keys are needed whenever the Eulerian view runs (models that also decompose particles by
  // the grid require them always, in their own checks: require_grid_keys).
  s.cross_check([](const YAML::Node& root, Errors& e) {
    const YAML::Node enabled = find_path(root, "eulerian.enabled");
    if (!enabled.IsDefined() || !enabled.IsScalar() || enabled.as<std::string>() != "false")
      require_grid_keys(root, e, "eulerian.enabled is true");
  });
}

void declare_limiter(Schema& s) {
  s.section("eulerian").enumeration("limiter", {"minmod", "mc"}, "mc", "slope limiter of the MUSCL reconstruction");
}

void declare_particle_integrator(Schema& s) {
  s.section("lagrangian").enumeration("integrator", {"rk4", "euler"}, "rk4", "time integrator of the particle ODE");
}

void declare_particle_substep(Schema& s) {
  s.section("lagrangian").real("dt", Optional, "particle time step (default: the driver's step)").positive();
}

}  // namespace mf
