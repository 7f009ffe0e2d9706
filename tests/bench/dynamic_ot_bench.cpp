// Benchmark of the Benamou–Brenier solver (not a ctest; built and run by dynamic_ot_bench.sh).
// DOT_BENCH=timing: time per iteration split into Poisson / pointwise / interpolation for 32³, 64²×32,
//                   128²×64 (fixed DOT_ITERS iterations; DOT_SIZES=32x32,64x32 picks a subset; 3D space rows
//                   16x16x8, 24x24x12, 32x32x16 = N³ × N_t when named).
// DOT_BENCH=tolerance: the same grids solved to DOT_TOL (cap DOT_MAXIT): iterations to tolerance as well.
// The Poisson preconditioner comes from the options (PETSC_OPTIONS="-dot_pc_type mg"); DOT_PC_LABEL names it.
// Every mode: DOT_POISSON (fft|ksp), DOT_STEP (τ), DOT_RELAX (ρ), DOT_LEVELS (multilevel start).
// DOT_BENCH=accuracy: translated 2D bump solved to tolerance on 16²×8, 32²×16, 64²×32: W2² error, rate.
//                   DOT_CASE=gaussian: 2D Gaussians (Bures); DOT_CASE=bump3d: translated 3D bump on N³×N/2,
//                   N from DOT_NS (default 8,16,24).
#include <gtest/gtest.h>
#include <mpi.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dynamic_ot_cases.hpp"
#include "models/dynamic_ot/dynamic_ot_views.hpp"

using namespace mf;
using namespace mf::dynamic_ot;

namespace {
const char* env(const char* k, const char* dflt) {
  const char* v = std::getenv(k);
  return v ? v : dflt;
}

// DOT_POISSON=fft|ksp|auto (solver.poisson), DOT_STEP (solver.step) for every case.
DynamicOtConfig with_env(DynamicOtConfig c) {
  c.poisson = env("DOT_POISSON", "auto");
  c.step = std::atof(env("DOT_STEP", "1"));
  c.relaxation = std::atof(env("DOT_RELAX", "1"));
  c.levels = std::atoi(env("DOT_LEVELS", "1"));
  c.cross_w2 = false;
  c.tolerance_auto = std::string(env("DOT_TOL", "")) == "auto";  // solver.tolerance: auto
  return c;
}

DynamicOtConfig bump2d(int n, int nt, Method m) {
  DynamicOtConfig c = mf::testing::translated_bump({0.3, 0.3}, {0.7, 0.6}, {n, n, 1}, nt, m);
  c.lagrangian = false;
  return with_env(c);
}

// The 3D translated bump (W2² = |s|² = 0.17), the shipped deck's case on N³ × N_t.
DynamicOtConfig bump3d(int n, int nt, Method m) {
  DynamicOtConfig c = mf::testing::translated_bump({0.3, 0.3, 0.3}, {0.6, 0.5, 0.5}, {n, n, n}, nt, m);
  c.lagrangian = false;
  return with_env(c);
}
// CPU time (user + system) and peak resident set (MB, the whole process's peak, so run one size per
// process) of every rank so far, "r0 / r1 / …". Collective: every rank must call it (an earlier version
// called its reductions inside a rank-0 printf, so rank 0 waited for ever in them while rank 1 finished:
// the 99 % / 17 % CPU "imbalance" seen on the quiet machine).
std::string per_rank(double mine, const char* fmt) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::vector<double> all(static_cast<std::size_t>(size));
  MPI_Gather(&mine, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  std::string out;
  char buf[32];
  for (int r = 0; r < size; ++r) {
    std::snprintf(buf, sizeof buf, fmt, all[static_cast<std::size_t>(r)]);
    out += (r ? " / " : "") + std::string(buf);
  }
  return out;
}
double own_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + 1e-6 * u.ru_utime.tv_usec + u.ru_stime.tv_sec + 1e-6 * u.ru_stime.tv_usec;
}
double own_peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}
}  // namespace

TEST(DynamicOtBench, Run) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const Method method = parse_method(env("DOT_METHOD", "primal_dual"));
  const std::string mode = env("DOT_BENCH", "timing");
  if (mode == "row") {
    // One row of the fast benchmark's table (dynamic_ot_fast_bench.sh): DOT_CASE (bump | bump3d), DOT_N (N),
    // DOT_NT (time cells, default N/2), DOT_TOL (a number or auto), DOT_MAXIT, DOT_ERR (target error),
    // DOT_LABEL; the solver settings from with_env. Wall and CPU seconds span the model's construction
    // (boundary densities, transform plans or GAMG set-up, the coarse levels and the solve), per rank.
    const bool three_d = std::string(env("DOT_CASE", "bump")) == "bump3d";
    const int n = std::atoi(env("DOT_N", "64"));
    const int nt = std::atoi(env("DOT_NT", "0")) > 0 ? std::atoi(env("DOT_NT", "0")) : n / 2;
    DynamicOtConfig c = three_d ? bump3d(n, nt, method) : bump2d(n, nt, method);
    c.tolerance = c.tolerance_auto ? kAutoCoarsestTolerance : std::atof(env("DOT_TOL", "1e-4"));
    c.max_iterations = std::atoi(env("DOT_MAXIT", "4000"));
    const double exact = three_d ? 0.17 : 0.25, target = std::atof(env("DOT_ERR", "1e-3"));
    MPI_Barrier(MPI_COMM_WORLD);
    const double w0 = MPI_Wtime(), c0 = own_cpu_seconds();
    auto model = build_dynamic_ot_model(c, MPI_COMM_WORLD);
    const double wall = MPI_Wtime() - w0;
    const std::string cpu = per_rank(own_cpu_seconds() - c0, "%.1f"), rss = per_rank(own_peak_rss_mb(), "%.0f");
    const SolveStats& st = static_cast<DynamicOtModel*>(model.get())->grid_view->stats();
    const auto& h = static_cast<DynamicOtModel*>(model.get())->grid_view->solver().history();
    int first = -1;  // first fine iteration from which the error stays within DOT_ERR
    for (int i = static_cast<int>(h.size()) - 1; i >= 0; --i) {
      if (std::abs(2.0 * h[i].energy - exact) > target * exact) break;
      first = i + 1;
    }
    const int d = three_d ? 3 : 2;
    const double unknowns = std::pow(static_cast<double>(n), d) * nt * (d + 1);
    const double per = (st.seconds_total - st.seconds_coarse) / std::max(st.iterations, 1);
    if (rank == 0)
      std::printf("| %s | %d%s×%d | %d | %s | %.3g | %.3g | %d | %s | %d%s | %lld (%.1f) | %d | %.2e | %.2f | %s | %s | %.4f | %.3f |\n",
                  env("DOT_LABEL", ""), n, three_d ? "³" : "²", nt, size, env("DOT_POISSON", "auto"), c.step, c.relaxation,
                  c.tolerance_auto ? std::max(c.levels, 2) : c.levels, env("DOT_TOL", "1e-4"), st.iterations,
                  st.converged ? "" : " (cap)", st.coarse_iterations, st.coarse_work, first,
                  std::abs(st.w2sq - exact) / exact, wall, cpu.c_str(), rss.c_str(), per, 1e6 * per / unknowns);
    std::fflush(stdout);
  } else if (mode == "timing" || mode == "tolerance") {
    // timing: a fixed DOT_ITERS iterations; tolerance: solve to DOT_TOL (cap DOT_MAXIT) and also report
    // the iterations it took and the W2² error.
    const bool to_tol = mode == "tolerance";
    const int iters = std::atoi(env("DOT_ITERS", "20"));
    const std::string pc = env("DOT_PC_LABEL", env("DOT_POISSON", "fft"));  // Poisson solver label
    const std::string only = env("DOT_SIZES", "32x32,64x32,128x64");
    // {N, N_t, d}: N^d × N_t. The 3D rows (3D translated bump, W2² = 0.17) run only when named in
    // DOT_SIZES, e.g. DOT_SIZES=16x16x8,32x32x16.
    const int sizes[7][3] = {{32, 32, 2}, {64, 32, 2}, {128, 64, 2}, {16, 8, 3}, {24, 12, 3}, {32, 16, 3}, {32, 32, 3}};
    if (rank == 0)
      std::printf("| grid | ranks | PC | unknowns | iterations | converged | W2² rel. error | s/iter | Poisson share | "
                  "pointwise share | interp share | KSP its/iter |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const auto& s : sizes) {
      const std::string tag = s[2] == 3 ? std::to_string(s[0]) + "x" + std::to_string(s[0]) + "x" + std::to_string(s[1])
                                        : std::to_string(s[0]) + "x" + std::to_string(s[1]);
      const std::string list = "," + only + ",";
      if (list.find("," + tag + ",") == std::string::npos) continue;
      DynamicOtConfig c = s[2] == 3 ? bump3d(s[0], s[1], method) : bump2d(s[0], s[1], method);
      const double exact = s[2] == 3 ? 0.17 : 0.25;
      c.tolerance = to_tol ? (c.tolerance_auto ? kAutoCoarsestTolerance : std::atof(env("DOT_TOL", "1e-5"))) : 0.0;
      c.max_iterations = to_tol ? std::atoi(env("DOT_MAXIT", "4000")) : iters;
      c.progress = std::string(env("DOT_PROGRESS", "0")) == "1";  // rank-0 progress lines on long runs
      auto model = build_dynamic_ot_model(c, MPI_COMM_WORLD);
      const SolveStats& st = static_cast<DynamicOtModel*>(model.get())->grid_view->stats();
      const double per = st.seconds_total / st.iterations;
      const long long cells = s[2] == 3 ? 1LL * s[0] * s[0] * s[0] * s[1] : 1LL * s[0] * s[0] * s[1];
      if (rank == 0)
        std::printf("| %d%s×%d | %d | %s | %lld | %d | %s | %.2e | %.4f | %.0f %% | %.0f %% | %.0f %% | %.1f |\n", s[0],
                    s[2] == 3 ? "³" : "²", s[1], size, pc.c_str(), cells * (s[2] + 1), st.iterations,
                    to_tol ? (st.converged ? "yes" : "no") : "(fixed)", std::abs(st.w2sq - exact) / exact, per,
                    100 * st.seconds_poisson / st.seconds_total, 100 * st.seconds_pointwise / st.seconds_total,
                    100 * st.seconds_interp / st.seconds_total, static_cast<double>(st.poisson_iterations) / st.iterations);
      std::fflush(stdout);
    }
  } else {
    const bool tol_auto = std::string(env("DOT_TOL", "")) == "auto";
    const double tol = tol_auto ? kAutoCoarsestTolerance : std::atof(env("DOT_TOL", "1e-5"));
    // DOT_CASE=gaussian: elliptical Gaussians on [−1, 1]² (Bures), else the translated bump.
    const bool gaussian = std::string(env("DOT_CASE", "bump")) == "gaussian";
    const bool three_d = std::string(env("DOT_CASE", "bump")) == "bump3d";
    auto make = [&](int n) {
      const int nt = std::atoi(env("DOT_NT", "0")) > 0 ? std::atoi(env("DOT_NT", "0")) : n / 2;  // DOT_NT: time cells
      DynamicOtConfig c = three_d ? bump3d(n, nt, method) : bump2d(n, nt, method);
      if (gaussian) {
        c.space.lower = {-1, -1, 0};
        c.space.upper = {1, 1, 1};
        c.initial.type = c.target.type = "gaussian";
        c.initial.mean = {-0.3, -0.2};
        c.initial.cov = Matrix::from_rows({{0.012, 0.004}, {0.004, 0.008}});
        c.target.mean = {0.3, 0.25};
        c.target.cov = Matrix::from_rows({{0.008, -0.003}, {-0.003, 0.015}});
      }
      return c;
    };
    const double exact = gaussian ? bures_w2sq(Moments{1.0, {-0.3, -0.2}, Matrix::from_rows({{0.012, 0.004}, {0.004, 0.008}})},
                                               Moments{1.0, {0.3, 0.25}, Matrix::from_rows({{0.008, -0.003}, {-0.003, 0.015}})})
                              : three_d ? 0.3 * 0.3 + 0.2 * 0.2 + 0.2 * 0.2 : 0.4 * 0.4 + 0.3 * 0.3;
    double prev = 0.0;
    int prev_n = 0;
    std::vector<int> ns;
    for (const char* p = env("DOT_NS", three_d ? "8,16,24" : "16,32,64"); *p;) {
      ns.push_back(std::atoi(p));
      while (*p && *p != ',') ++p;
      if (*p == ',') ++p;
    }
    const double target = std::atof(env("DOT_ERR", "1e-3"));
    if (rank == 0)
      std::printf("| grid | method | iterations | converged | W2² | rel. error | order | residual | seconds | its to err ≤ %.0e "
                  "| coarse its (fine-equiv.) | peak RSS per rank (MB) | CPU s per rank (process) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n", target);
    for (int n : ns) {
      DynamicOtConfig c = make(n);
      c.tolerance = tol;
      c.max_iterations = std::atoi(env("DOT_MAXIT", "4000"));
      auto model = build_dynamic_ot_model(c, MPI_COMM_WORLD);
      const SolveStats& st = static_cast<DynamicOtModel*>(model.get())->grid_view->stats();
      const double err = std::abs(st.w2sq - exact) / exact;
      // First iteration from which the error stays within DOT_ERR (the history holds every iteration).
      const auto& h = static_cast<DynamicOtModel*>(model.get())->grid_view->solver().history();
      if (rank == 0 && std::getenv("DOT_HISTORY")) {  // DOT_HISTORY=file: the fine iteration's history (CSV)
        std::FILE* f = std::fopen((std::string(env("DOT_HISTORY", "")) + "_" + std::to_string(n) + ".csv").c_str(), "w");
        if (f) {
          std::fprintf(f, "iteration,w2sq,residual,energy_change\n");
          for (const auto& r : h) std::fprintf(f, "%d,%.12g,%.6g,%.6g\n", r.iteration, 2.0 * r.energy, r.residual, r.energy_change);
          std::fclose(f);
        }
      }
      int first = -1;
      for (int i = static_cast<int>(h.size()) - 1; i >= 0; --i) {
        if (std::abs(2.0 * h[i].energy - exact) > target * exact) break;
        first = i + 1;
      }
      const std::string rss = per_rank(own_peak_rss_mb(), "%.0f"), cpu = per_rank(own_cpu_seconds(), "%.1f");
      if (rank == 0 && prev_n == 0)
        std::printf("| exact W2² %.6f, truncated mass %.1e |\n", exact,
                    static_cast<DynamicOtModel*>(model.get())->grid_view->truncated_mass());
      if (rank == 0)
        std::printf("| %d%s×%d | %s | %d | %s | %.6f | %.3e | %s | %.1e | %.1f | %d | %lld (%.1f) | %s | %s |\n", n,
                    three_d ? "³" : "²", static_cast<int>(c.time_cells),
                    to_string(method).c_str(), st.iterations, st.converged ? "yes" : "no", st.w2sq, err,
                    prev > 0 ? std::to_string(std::log(prev / err) / std::log(double(n) / prev_n)).substr(0, 4).c_str()
                             : "–",
                    st.residual, st.seconds_total, first, st.coarse_iterations, st.coarse_work, rss.c_str(), cpu.c_str());
      std::fflush(stdout);
      prev = err;
      prev_n = n;
    }
  }
}
