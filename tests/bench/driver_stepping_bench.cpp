// Benchmark of the Driver's visit of a path model (dynamic OT: the whole geodesic is solved at
// construction; the views only select time slices). Two stepping patterns over the same output times,
// measured in the same run, alternating, medians over repeats:
//   sub-steps: what the time loop did before (no view has a stable step, so 100 steps per output
//              interval, each selecting a slice, checking health, summing the mass and one Allreduce
//              for the stop/checkpoint flags);
//   direct:    what it does now (one step per output interval, the same work per step).
// Prints a markdown table. Usage (tests/bench/driver_stepping_bench.sh):
//   mpirun -n R bench_driver_stepping_bench DECK [repeats] [--set key=value ...]
#include <petscvec.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "measureflow/deck.hpp"
#include "measureflow/diagnostics.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/model.hpp"
#include "measureflow/petsc_check.hpp"

using namespace mf;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// One pass over the output times with `per_interval` equal steps per interval; returns the steps taken.
long long visit(Model& model, Diagnostics& diagnostics, const std::vector<double>& times, int per_interval, MPI_Comm comm) {
  long long steps = 0;
  for (std::size_t k = 1; k < times.size(); ++k) {
    const double dt = (times[k] - times[k - 1]) / per_interval;
    for (int s = 0; s < per_interval; ++s) {
      const double t = times[k - 1] + s * dt;
      if (model.eulerian) model.eulerian->advance(t, dt);
      if (model.lagrangian) model.lagrangian->advance(t, dt);
      diagnostics.check_health(t + dt);
      if (model.eulerian) {
        PetscScalar sum = 0.0;
        PetscCallThrow(VecSum(model.eulerian->density(), &sum));
      }
      int flags[2] = {0, 0};
      MPI_Allreduce(MPI_IN_PLACE, flags, 2, MPI_INT, MPI_MAX, comm);
      ++steps;
    }
  }
  return steps;
}

}  // namespace

int main(int argc, char** argv) {
  Environment env(argc, argv);
  const bool root = env.rank() == 0;
  if (argc < 2) {
    if (root) std::fprintf(stderr, "usage: bench_driver_stepping_bench DECK [repeats] [--set key=value ...]\n");
    return 2;
  }
  int repeats = 5;
  std::vector<std::string> overrides;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--set" && i + 1 < argc)
      overrides.push_back(argv[++i]);
    else
      repeats = std::stoi(a);
  }
  register_all_models();
  const Deck deck = load_deck(argv[1], overrides);
  MPI_Comm comm = MPI_COMM_WORLD;
  int size = 1;
  MPI_Comm_size(comm, &size);

  const double t0 = now();
  std::unique_ptr<Model> model = model_factory(deck.model())(deck, comm);
  const double build_seconds = now() - t0;
  const std::vector<double> times = model->output_times();
  if (times.size() < 2) {
    if (root) std::fprintf(stderr, "%s: not a path model (Model::output_times() is empty)\n", argv[1]);
    return 2;
  }
  Diagnostics diagnostics(*model, comm);
  std::vector<double> substeps, direct;
  long long n_sub = 0, n_direct = 0;
  for (int r = 0; r < repeats; ++r) {
    MPI_Barrier(comm);
    double a = now();
    n_sub = visit(*model, diagnostics, times, 100, comm);
    MPI_Barrier(comm);
    substeps.push_back(now() - a);
    a = now();
    n_direct = visit(*model, diagnostics, times, 1, comm);
    MPI_Barrier(comm);
    direct.push_back(now() - a);
  }
  if (root) {
    const double ms = median(substeps), md = median(direct);
    std::printf("| ranks | outputs | model build + solve (s) | pattern | steps | median visit time (s) | per step (ms) | ratio |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    std::printf("| %d | %zu | %.3f | sub-steps (before) | %lld | %.4f | %.3f | 1 |\n", size, times.size(), build_seconds, n_sub, ms,
                1e3 * ms / n_sub);
    std::printf("| %d | %zu | %.3f | direct (now) | %lld | %.4f | %.3f | %.1fx faster |\n", size, times.size(), build_seconds,
                n_direct, md, 1e3 * md / n_direct, ms / md);
  }
  return 0;
}
