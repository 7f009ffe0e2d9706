// field.type: learned → mf::fields::train_learned_field: the model's one call site.
#include "flow_matching_pairs.hpp"
#include "flow_matching_views.hpp"
#include "measureflow/errors.hpp"

namespace mf::flow_matching {

std::unique_ptr<VelocityField> make_learned_field(MPI_Comm comm, const FlowMatchingConfig& c, const TargetSampler& target,
                                                  Metrics* summary) {
  fields::BasisConfig basis;
  basis.type = c.learned.basis == "affine"            ? fields::BasisType::Affine
               : c.learned.basis == "random_features" ? fields::BasisType::RandomFeatures
                                                      : fields::BasisType::Mlp;
  basis.size = c.learned.size;
  fields::TrainingConfig training;
  training.pairs = c.learned.pairs;
  training.epochs = c.learned.epochs;
  training.batch = c.learned.batch;
  training.learning_rate = c.learned.learning_rate;
  training.seed = c.learned.seed;
  fields::CouplingConfig coupling;
  coupling.type = c.coupling == Coupling::MinibatchOt ? fields::CouplingType::MinibatchOt : fields::CouplingType::Independent;
  coupling.batch = c.coupling_batch;
  coupling.eps = c.coupling_eps;
  const FlowMatchingPairs pairs(gaussian_source(c.initial), target, c.learned.pairs, c.learned.seed);
  fields::TrainingReport report;
  auto field = fields::train_learned_field(comm, basis, training, coupling, pairs, &report);
  if (summary) {
    (*summary)["training_loss"] = report.final_loss;
    (*summary)["training_seconds"] = report.seconds;
    (*summary)["training_pairs"] = static_cast<double>(report.pairs);
    (*summary)["training_epochs"] = report.epochs;
  }
  return field;
}

}  // namespace mf::flow_matching
