// eulerian.scheme: jko from a deck: the allowed values are enforced (a bad value, an interaction energy and
// the quantile solver outside the 1D heat equation are input errors naming the key), and the grid view
// (quantile solver) follows the exact Gaussian JKO recursion
// s_{k+1} = (s_k + √(s_k² + 4τ))/2, with the error falling as 1/N in the quantile nodes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "measureflow/deck.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/model.hpp"
#include "measureflow/petsc_check.hpp"
#include "models/gradient_flow/gradient_flow_eulerian.hpp"

using namespace mf;

namespace {

std::string deck_path(const std::string& name) {
  const char* root = std::getenv("MF_SOURCE_DIR");
  return std::string(root ? root : ".") + "/inputs/gradient_flow/" + name;
}

std::string input_error(const std::string& deck, const std::vector<std::string>& sets) {
  try {
    const Deck d = load_deck(deck_path(deck), sets);
    model_factory("gradient_flow")(d, MPI_COMM_WORLD);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(GradientFlowJkoDeck, RejectsBadValuesAndOtherDimensions) {
  register_all_models();
  const std::string bad = input_error("heat_gaussian_1d.yaml", {"eulerian.scheme=implicit"});
  EXPECT_NE(bad.find("eulerian.scheme"), std::string::npos) << bad;
  EXPECT_NE(bad.find("fv, jko"), std::string::npos) << bad;
  const std::string two_d = input_error("fokker_planck_ou_2d.yaml", {"eulerian.scheme=jko", "eulerian.jko_solver=quantiles"});
  EXPECT_NE(two_d.find("eulerian.jko_solver"), std::string::npos) << two_d;
  EXPECT_NE(two_d.find("1D only"), std::string::npos) << two_d;
  const std::string porous = input_error("heat_gaussian_1d.yaml", {"eulerian.scheme=jko", "eulerian.jko_solver=quantiles",
                                                                   "energy.internal={type: porous, m: 2}"});
  EXPECT_NE(porous.find("eulerian.jko_solver"), std::string::npos) << porous;
  const std::string interaction = input_error("aggregation_interval_1d.yaml", {"eulerian.scheme=jko"});
  EXPECT_NE(interaction.find("eulerian.scheme"), std::string::npos) << interaction;
  EXPECT_NE(interaction.find("interaction"), std::string::npos) << interaction;
  const std::string solver = input_error("heat_gaussian_1d.yaml", {"eulerian.scheme=jko", "eulerian.jko_solver=newton"});
  EXPECT_NE(solver.find("eulerian.jko_solver"), std::string::npos) << solver;
  EXPECT_EQ(input_error("heat_gaussian_1d.yaml", {"eulerian.scheme=jko"}), "");
  // The grid JKO (dynamic_ot) takes 2D and 3D, internal and potential energies.
  EXPECT_EQ(input_error("fokker_planck_ou_2d.yaml", {"eulerian.scheme=jko"}), "");
  EXPECT_EQ(input_error("porous_barenblatt_3d.yaml", {"eulerian.scheme=jko", "domain.cells=[8,8,8]"}), "");
}

TEST(GradientFlowJkoDeck, FollowsTheExactGaussianRecursion) {
  register_all_models();
  std::vector<double> err;
  for (int nodes : {500, 2000}) {
    const Deck d = load_deck(deck_path("heat_gaussian_1d.yaml"),
                             {"eulerian.scheme=jko", "time.dt=0.02", "lagrangian.enabled=false",
                              "eulerian.jko_nodes=" + std::to_string(nodes)});
    auto model = model_factory("gradient_flow")(d, MPI_COMM_WORLD);
    model->eulerian->advance(0.0, 0.05);  // 3 steps of τ = 0.05/3 ≤ time.dt
    model->eulerian->advance(0.05, 0.05);
    Metrics m;
    model->add_metrics(0.1, m);
    err.push_back(m.at("eulerian.jko_recursion_error"));
    EXPECT_EQ(m.at("eulerian.energy_monotone"), 1.0);
    PetscScalar sum = 0.0;  // every gap of the quantile grid holds 1/N of the mass, all inside the box
    PetscCallThrow(VecSum(model->eulerian->density(), &sum));
    EXPECT_NEAR(sum * model->eulerian->grid().h(0), 1.0, 1e-12);
    if (mf::world_rank() == 0)
      std::printf("JKO deck, %d nodes: recursion error %.3e, Newton/step %.1f\n", nodes, err.back(),
                  m.at("eulerian.newton_iterations_mean"));
  }
  EXPECT_LT(err[1], 1e-4);
  EXPECT_GE(std::log(err[0] / err[1]) / std::log(4.0), 0.8);  // first order in 1/N
}
