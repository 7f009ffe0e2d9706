// Deck keys of the continuity model (beside the core keys): the prescribed velocity field.
#include "measureflow/schema.hpp"
#include "models/continuity/continuity_schema.hpp"

namespace mf::continuity {

void declare_continuity_keys(Schema& s) {
  // The core keys the continuity views read beyond those of every model.
  declare_time_end(s);
  declare_explicit_time_step(s);
  declare_eulerian_switch(s);
  declare_limiter(s);
  declare_particle_integrator(s);
  declare_particle_substep(s);
  VariantRef velocity = s.variant("velocity", Required, "the prescribed velocity field v_t(x)");
  Schema& linear = velocity.option("linear", "v(x) = A x + b; the exact solution is the affine push-forward");
  linear.matrix_zero_default("A", "d×d matrix (any: rotation, shear, contraction)");
  linear.vector_zero_default("b", "constant drift");
  linear.matrix_zero_default("A_rate", "d×d: A(t) = A + t A_rate (zero: a constant field)");
  Schema& swirl = velocity.option(
      "swirl", "LeVeque's swirling deformation flow on the domain box, reversing at period/2 (d = 2 or 3)");
  swirl.real("period", 1.0, "T: the flow reverses at T/2 and the measure is back at its start at T").positive();
  // Particles migrate by the grid's domain decomposition, so the grid exists even without the
  // Eulerian view.
  s.cross_check([](const YAML::Node& root, Errors& errors) {
    const YAML::Node enabled = root["eulerian"] ? root["eulerian"]["enabled"] : YAML::Node();
    if (enabled.IsDefined() && enabled.IsScalar() && enabled.as<std::string>() == "false")
      require_grid_keys(root, errors, "the continuity model decomposes particles by the grid");
  });
  s.cross_check([](const YAML::Node& root, Errors& errors) {
    if (root["velocity"] && root["velocity"]["type"] && root["velocity"]["type"].as<std::string>() == "swirl" &&
        errors.dim() == 1)
      errors.add("velocity.type", "'swirl' needs domain.dim = 2 or 3 (got 1); allowed in 1D: linear",
                 root["velocity"]["type"]);
  });
}

}  // namespace mf::continuity
