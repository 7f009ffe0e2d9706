// Benchmark of the grid JKO scheme (eulerian.scheme: jko, jko_solver dynamic_ot) beside the implicit FV
// scheme on the same case: porous medium m = 2 in 2D, Barenblatt from t0 = 0.05 on [−2, 2]², N² cells, steps
// of τ. One run per invocation, one table row on rank 0: L1 to the exact cell averages at the end, median
// CPU and wall seconds per step, solver iterations per step, the worst step W2² error. CPU seconds
// (std::clock of the process) beside wall seconds: on a shared, overloaded machine the wall time is mostly
// waiting for a core. gradient_flow_jko_bench.sh runs the rows of the table and adds the ratios.
// Arguments, key=value: scheme=fv|jko cells=128 tau=0.0025 steps=20 time_cells=1 step_size=0.3
// tolerance=1e-4 warm=1 header=0 (header=1 prints the table head first) solver=dynamic_ot|back_and_forth.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gradient_flow_fixtures.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/petsc_handle.hpp"
#include "models/gradient_flow/gradient_flow_closed_form.hpp"
#include "models/gradient_flow/gradient_flow_eulerian.hpp"

using namespace mf;
using namespace mf::gradient_flow;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
double cpu() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

struct Result {
  double l1 = 0.0, wall = 0.0, cpu = 0.0, iterations = 0.0, w2_error = -1.0;
};

Result run(const GradientFlowConfig& c, int steps) {
  auto measure = make_measure(c.initial);
  GradientFlowEulerian e(c, MPI_COMM_WORLD, *measure);
  std::vector<double> wall, proc;
  double t = 0.0;
  for (int s = 0; s < steps; ++s) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double w0 = now(), c0 = cpu();
    e.advance(t, c.dt);
    MPI_Barrier(MPI_COMM_WORLD);
    wall.push_back(now() - w0);
    proc.push_back(cpu() - c0);
    t += c.dt;
  }
  Result r;
  r.wall = median(wall);
  r.cpu = median(proc);
  r.iterations = e.newton_iterations_mean();
  r.w2_error = e.jko_step_w2sq_error();
  auto exact = GradientFlowClosedForm::make(c);
  VecHandle ex, diff;
  PetscCallThrow(VecDuplicate(e.density(), ex.out()));
  PetscCallThrow(VecDuplicate(e.density(), diff.out()));
  exact->cell_averages(t, e.grid(), ex);
  PetscCallThrow(VecWAXPY(diff, -1.0, ex, e.density()));
  PetscReal num = 0.0, den = 0.0;
  PetscCallThrow(VecNorm(diff, NORM_1, &num));
  PetscCallThrow(VecNorm(ex, NORM_1, &den));
  r.l1 = num / den;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  Environment env(argc, argv);
  const bool root = env.rank() == 0;
  std::map<std::string, std::string> arg{{"scheme", "jko"}, {"cells", "128"},    {"tau", "0.0025"},
                                         {"steps", "20"},    {"time_cells", "1"}, {"step_size", "0.3"},
                                         {"tolerance", "1e-4"}, {"warm", "1"},   {"header", "0"},
                                         {"solver", "dynamic_ot"}};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto eq = a.find('=');
    if (eq == std::string::npos || !arg.count(a.substr(0, eq))) {
      if (root) std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
    arg[a.substr(0, eq)] = a.substr(eq + 1);
  }
  const PetscInt cells = std::atoi(arg["cells"].c_str());
  const double tau = std::atof(arg["tau"].c_str());
  const int steps = std::atoi(arg["steps"].c_str());
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  auto c = mf::testing::gf_config(2, 2.0, cells);
  mf::testing::set_barenblatt(c, 2.0, 0.05);
  c.dt = tau;
  const bool jko = arg["scheme"] == "jko";
  c.scheme = jko ? EulerianScheme::Jko : EulerianScheme::Fv;
  const bool bfm = arg["solver"] == "back_and_forth";
  c.jko_solver = bfm ? JkoSolver::BackAndForth : JkoSolver::DynamicOt;
  c.jko_time_cells = std::atoi(arg["time_cells"].c_str());
  c.jko_step_size = std::atof(arg["step_size"].c_str());
  c.jko_tolerance = std::atof(arg["tolerance"].c_str());
  c.jko_warm_start = arg["warm"] != "0";
  if (root && arg["header"] == "1")
    std::printf("# gradient_flow JKO benchmark: porous m = 2, 2D Barenblatt from t0 = 0.05 on [-2, 2]^2, L1 at t0 + steps tau\n"
                "# load average at start: %s\n\n"
                "| scheme | cells | tau (steps) | N_t | step size | tolerance | warm start | ranks | L1 error | CPU s/step | "
                "wall s/step | iterations/step | step W2² error |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
                load_average().c_str());
  const Result r = run(c, steps);
  if (!root) return 0;
  if (jko && bfm)
    std::printf("| JKO back-and-forth | %ld² | %g (%d) | — | — | %g | %s | %d | %.3e | %.3f | %.3f | %.1f BFM | %.3e |\n",
                (long)cells, tau, steps, c.jko_tolerance, c.jko_warm_start ? "yes" : "no", size, r.l1, r.cpu, r.wall,
                r.iterations, r.w2_error);
  else if (jko)
    std::printf("| JKO | %ld² | %g (%d) | %d | %g | %g | %s | %d | %.3e | %.3f | %.3f | %.0f DR | %.3e |\n", (long)cells, tau,
                steps, c.jko_time_cells, c.jko_step_size, c.jko_tolerance, c.jko_warm_start ? "yes" : "no", size, r.l1,
                r.cpu, r.wall, r.iterations, r.w2_error);
  else
    std::printf("| implicit FV | %ld² | %g (%d) | — | — | — | — | %d | %.3e | %.3f | %.3f | %.1f Newton | — |\n", (long)cells,
                tau, steps, size, r.l1, r.cpu, r.wall, r.iterations);
  return 0;
}
