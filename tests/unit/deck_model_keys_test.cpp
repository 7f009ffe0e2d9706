// A key the chosen model does not read is an input error naming the key and the model (issue 13): the
// core schema holds only the keys every model reads, each model declares the shared groups its views
// read. Each case below is a key that some model reads and this one used to accept and ignore.
#include <gtest/gtest.h>

#include <string>

#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/model.hpp"

using namespace mf;

namespace {

const char* kContinuity = R"(model: continuity
domain: {dim: 2, lower: [-1, -1], upper: [1, 1], cells: [8, 8], boundary: noflux}
initial: {type: gaussian, mean: [0, 0], cov: [[0.1, 0], [0, 0.1]]}
velocity: {type: linear}
time: {end: 0.1}
)";
const char* kGradientFlow = R"(model: gradient_flow
domain: {dim: 2, lower: [-1, -1], upper: [1, 1], cells: [8, 8], boundary: noflux}
energy: {internal: {type: porous, m: 2}}
initial: {type: barenblatt, m: 2, t0: 0.05, center: [0, 0]}
time: {end: 0.1, dt: 0.01}
)";
const char* kDynamicOt = R"(model: dynamic_ot
domain: {dim: 1, lower: [0], upper: [1], cells: [8], boundary: noflux}
initial: {type: gaussian, mean: [0.3], cov: [[0.01]]}
target: {type: gaussian, mean: [0.6], cov: [[0.01]]}
time: {cells: 4}
)";
const char* kTransformer = R"(model: transformer
attention: {preset: identity}
domain: {dim: 2}
initial: {type: gaussian, mean: [0, 0], cov: [[0.1, 0], [0, 0.1]]}
time: {end: 0.1, dt: 0.05}
eulerian: {enabled: false}
)";

// The message of the InputError a deck (plus overrides) raises; empty when it loads.
std::string rejection(const std::string& text, const std::vector<std::string>& sets) {
  register_all_models();
  try {
    deck_from_string(text, "m.yaml", sets);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

struct Unread {
  const char* deck;
  const char* set;       // the unread key, as an override
  const char* key;       // as named in the message
  const char* model;
};

}  // namespace

TEST(DeckModelKeys, GoodDecksLoad) {
  for (const char* deck : {kContinuity, kGradientFlow, kDynamicOt, kTransformer})
    EXPECT_EQ(rejection(deck, {}), "") << deck;
}

TEST(DeckModelKeys, AKeyTheModelDoesNotReadIsRejectedNamingKeyAndModel) {
  const Unread cases[] = {
      {kGradientFlow, "eulerian.limiter=mc", "eulerian.limiter", "gradient_flow"},
      {kGradientFlow, "lagrangian.dt=0.01", "lagrangian.dt", "gradient_flow"},
      {kGradientFlow, "lagrangian.integrator=rk4", "lagrangian.integrator", "gradient_flow"},
      {kGradientFlow, "time.cfl=0.4", "time.cfl", "gradient_flow"},
      {kDynamicOt, "time.dt=0.1", "time.dt", "dynamic_ot"},
      {kDynamicOt, "time.cfl=0.4", "time.cfl", "dynamic_ot"},
      {kDynamicOt, "output.every=0.5", "output.every", "dynamic_ot"},
      {kDynamicOt, "eulerian.enabled=true", "eulerian", "dynamic_ot"},
      {kDynamicOt, "lagrangian.integrator=rk4", "lagrangian.integrator", "dynamic_ot"},
      {kDynamicOt, "lagrangian.dt=0.1", "lagrangian.dt", "dynamic_ot"},
      {kTransformer, "lagrangian.dt=0.01", "lagrangian.dt", "transformer"},
  };
  for (const Unread& c : cases) {
    const std::string msg = rejection(c.deck, {c.set});
    EXPECT_NE(msg.find("m.yaml"), std::string::npos) << c.set << ": " << msg;
    EXPECT_NE(msg.find("unknown key '" + std::string(c.key) + "'"), std::string::npos) << c.set << ": " << msg;
    EXPECT_NE(msg.find("for model '" + std::string(c.model) + "'"), std::string::npos) << c.set << ": " << msg;
  }
}

TEST(DeckModelKeys, TheKeysAModelReadsAreAccepted) {
  // The same keys where the model reads them.
  for (const char* set : {"eulerian.limiter=minmod", "lagrangian.dt=0.01", "lagrangian.integrator=euler", "time.cfl=0.3"})
    EXPECT_EQ(rejection(kContinuity, {set}), "") << set;
  EXPECT_EQ(rejection(kTransformer, {"lagrangian.integrator=euler"}), "");
  EXPECT_EQ(rejection(kTransformer, {"time.dt=null", "time.cfl=0.3", "eulerian.enabled=true", "eulerian.limiter=minmod",
                                     "domain={dim: 2, lower: [-1, -1], upper: [1, 1], cells: [8, 8], boundary: noflux}"}),
            "");
  EXPECT_EQ(rejection(kGradientFlow, {"eulerian.reconstruction=constant", "lagrangian.method=pairwise"}), "");
  EXPECT_EQ(rejection(kDynamicOt, {"lagrangian.coupling=exact", "solver.method=alg2"}), "");
}

TEST(DeckModelKeys, BarenblattExponentMustMatchThePorousMediumExponent) {
  const std::string msg = rejection(kGradientFlow, {"energy.internal.m=3"});
  EXPECT_NE(msg.find("initial.m"), std::string::npos) << msg;
  EXPECT_NE(msg.find("energy.internal.m = 3"), std::string::npos) << msg;
  // A Barenblatt profile as the initial state of another equation is fine.
  EXPECT_EQ(rejection(kGradientFlow, {"energy.internal={type: entropy}"}), "");
}
