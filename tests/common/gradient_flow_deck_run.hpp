// Runs a shipped gradient_flow deck's grid view in-process on a communicator and returns its metrics, mass
// and the L1 error to the closed form's cell averages: the MPI tests of the grid JKO solvers compare a run on
// MPI_COMM_WORLD with one on MPI_COMM_SELF in the same process through it.
#pragma once
#include <cstdlib>
#include <string>
#include <vector>

#include "measureflow/deck.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/model.hpp"
#include "measureflow/petsc_check.hpp"
#include "measureflow/petsc_handle.hpp"
#include "models/gradient_flow/gradient_flow_eulerian.hpp"

namespace mf::testing {

inline std::string gradient_flow_deck_path(const std::string& name) {
  const char* root = std::getenv("MF_SOURCE_DIR");
  return std::string(root ? root : ".") + "/inputs/gradient_flow/" + name;
}

struct GridRunResult {
  Metrics metrics;
  double mass = 0.0, mass0 = 0.0;  // after and before the steps
};

inline double grid_mass(const Model& model) {
  PetscScalar sum = 0.0;
  PetscCallThrow(VecSum(model.eulerian->density(), &sum));
  double vol = 1.0;
  for (int a = 0; a < model.eulerian->grid().dim(); ++a) vol *= model.eulerian->grid().h(a);
  return sum * vol;
}

// Advances the deck's grid view from 0 to t_end (deck keys overridden by `sets`).
inline GridRunResult run_gradient_flow_grid(const std::string& deck, const std::vector<std::string>& sets,
                                            double t_end, MPI_Comm comm) {
  const Deck d = load_deck(gradient_flow_deck_path(deck), sets);
  auto model = model_factory("gradient_flow")(d, comm);
  GridRunResult r;
  r.mass0 = grid_mass(*model);
  model->eulerian->advance(0.0, t_end);
  model->add_metrics(t_end, r.metrics);
  r.mass = grid_mass(*model);
  // L1 to the exact cell averages (unit mass: relative = absolute), as the Driver's eulerian.l1_error.
  VecHandle exact, diff;
  PetscCallThrow(VecDuplicate(model->eulerian->density(), exact.out()));
  PetscCallThrow(VecDuplicate(model->eulerian->density(), diff.out()));
  if (model->closed_form && model->closed_form->cell_averages(t_end, model->eulerian->grid(), exact)) {
    PetscCallThrow(VecWAXPY(diff, -1.0, exact, model->eulerian->density()));
    PetscReal num = 0.0, den = 0.0;
    PetscCallThrow(VecNorm(diff, NORM_1, &num));
    PetscCallThrow(VecNorm(exact, NORM_1, &den));
    r.metrics["eulerian.l1_error"] = num / den;
  }
  return r;
}

}  // namespace mf::testing
