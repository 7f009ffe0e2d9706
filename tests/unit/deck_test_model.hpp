// A stand-in model for the deck tests: core keys plus a continuity-like velocity variant and a target.
#pragma once
#include <string>

#include "measureflow/schema.hpp"

namespace mf::test {

inline void register_test_model() {
  register_model_schema(
      "testflow",
      [](Schema& s) {
        // Every optional core group, as the continuity model declares them.
        declare_time_end(s);
        declare_explicit_time_step(s);
        declare_eulerian_switch(s);
        declare_limiter(s);
        declare_particle_integrator(s);
        declare_particle_substep(s);
        auto velocity = s.variant("velocity", Required, "the velocity field");
        auto& linear = velocity.option("linear", "v(x) = A x + b");
        linear.matrix_zero_default("A", "matrix A");
        linear.vector_zero_default("b", "offset b");
        auto& swirl = velocity.option("swirl", "time-periodic swirl");
        swirl.real("period", 1.0, "period of the swirl").positive();
        declare_measure(s, "target", false);
        // A model's own cross-key check: the swirl must turn at least once during the run.
        s.cross_check([](const YAML::Node& root, Errors& e) {
          const YAML::Node v = root["velocity"];
          if (v["type"].as<std::string>() == "swirl" && v["period"].as<double>() > root["time"]["end"].as<double>())
            e.add("velocity.period", "must be <= time.end", v["period"]);
        });
      },
      "test model for the deck system");
}

// A valid 2-D deck; tests edit it line by line.
inline std::string base_deck() {
  return "model: testflow\n"                         // 1
         "domain:\n"                                 // 2
         "  dim: 2\n"                                // 3
         "  lower: [-1.0, -1.0]\n"                   // 4
         "  upper: [1.0, 1.0]\n"                     // 5
         "  cells: [32, 32]\n"                       // 6
         "  boundary: periodic\n"                    // 7
         "initial:\n"                                // 8
         "  type: gaussian\n"                        // 9
         "  mean: [0.3, 0.0]\n"                      // 10
         "  cov: [[0.01, 0.0], [0.0, 0.02]]\n"       // 11
         "velocity:\n"                               // 12
         "  type: linear\n"                          // 13
         "  A: [[0.0, -1.0], [1.0, 0.0]]\n"          // 14
         "time:\n"                                   // 15
         "  end: 1.0\n";                             // 16
}

// base_deck with one line's text replaced (line numbers from 1).
inline std::string with_line(int line, const std::string& text) {
  std::string deck = base_deck(), out;
  int n = 1;
  size_t start = 0;
  while (start < deck.size()) {
    const size_t end = deck.find('\n', start);
    out += (n == line ? text : deck.substr(start, end - start)) + "\n";
    start = end + 1;
    ++n;
  }
  return out;
}

}  // namespace mf::test
