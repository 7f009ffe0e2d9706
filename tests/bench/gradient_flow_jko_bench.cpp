// Benchmark of the grid JKO scheme (eulerian.scheme: jko, jko_solver dynamic_ot) beside the implicit FV
// scheme on the same case: porous medium m = 2 in 2D, Barenblatt from t0 = 0.05 on [−2, 2]², N² cells, steps
// of τ. Per scheme: L1 to the exact cell averages at the end, median wall and CPU seconds per step, solver
// iterations per step, and the ratio of the median step times (JKO / FV). CPU seconds (std::clock of the
// process) beside wall seconds: on a shared, overloaded machine the wall time is mostly waiting for a core.
// Run by gradient_flow_jko_bench.sh.
// Arguments: [cells (128)] [tau (0.005)] [steps (10)] [jko tolerance (1e-4)].
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
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
  const PetscInt cells = argc > 1 ? std::atoi(argv[1]) : 128;
  const double tau = argc > 2 ? std::atof(argv[2]) : 0.005;
  const int steps = argc > 3 ? std::atoi(argv[3]) : 10;
  const double tol = argc > 4 ? std::atof(argv[4]) : 1e-4;
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  auto base = mf::testing::gf_config(2, 2.0, cells);
  mf::testing::set_barenblatt(base, 2.0, 0.05);
  base.dt = tau;
  if (root) {
    std::printf("# gradient_flow JKO benchmark: porous m = 2, 2D Barenblatt t0 = 0.05, [-2, 2]^2, %ld^2 cells, "
                "tau = %g, %d steps (t = %g), %d rank(s)\n# load average at start: %s\n",
                (long)cells, tau, steps, 0.05 + steps * tau, size, load_average().c_str());
    std::printf("\n| scheme | L1 error | median s/step (wall) | median s/step (CPU) | iterations/step | step W2² error |"
                "\n|---|---|---|---|---|---|\n");
  }
  auto fv = base;
  fv.scheme = EulerianScheme::Fv;
  const Result f = run(fv, steps);
  if (root)
    std::printf("| implicit FV (backward Euler, Newton) | %.3e | %.3f | %.3f | %.1f (Newton) | — |\n", f.l1, f.wall, f.cpu,
                f.iterations);
  for (int nt : {1, 2}) {
    auto jko = base;
    jko.scheme = EulerianScheme::Jko;
    jko.jko_solver = JkoSolver::DynamicOt;
    jko.jko_time_cells = nt;
    jko.jko_tolerance = tol;
    const Result j = run(jko, steps);
    if (root)
      std::printf("| JKO dynamic OT, N_t = %d, tol %g | %.3e | %.3f | %.3f | %.0f (Douglas–Rachford) | %.3e |\n", nt, tol,
                  j.l1, j.wall, j.cpu, j.iterations, j.w2_error);
    if (root)
      std::printf("ratio JKO(N_t = %d) / FV, median s/step: wall %.2f, CPU %.2f\n", nt, j.wall / f.wall, j.cpu / f.cpu);
  }
  if (root) std::printf("# load average at end: %s\n", load_average().c_str());
  return 0;
}
