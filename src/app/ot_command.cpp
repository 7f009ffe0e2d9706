#include "app/ot_command.hpp"

#include <hdf5.h>
#include <mpi.h>
#include <sys/resource.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "app/ot_points_loader.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/ot/exact.hpp"
#include "measureflow/ot/sinkhorn.hpp"
#include "measureflow/ot/sinkhorn_divergence.hpp"

namespace mf {

namespace {

constexpr const char* kUsage =
    "usage: measureflow ot A.h5 B.h5 [--method sinkhorn|exact] [--eps E] [--tol T] [--max-iterations N]\n"
    "                      [--snapshot K] [--json] [--out result.h5] [--no-divergence]\n"
    "  cost |x - y|^2; eps in the same units (default 1e-3 x squared diameter of the joint bounding box)\n";

struct OtArgs {
  std::string a, b, method = "sinkhorn", out;
  std::optional<double> eps;
  double tol = 1e-6;
  int max_iterations = 10000;
  int snapshot = -1;
  bool json = false;
  bool divergence = true;
};

double parse_number(const std::string& flag, const std::string& value) {
  try {
    size_t used = 0;
    const double v = std::stod(value, &used);
    if (used != value.size() || !std::isfinite(v)) throw std::invalid_argument(value);
    return v;
  } catch (const std::exception&) {
    throw InputError("measureflow ot: " + flag + " " + value + ": not a number");
  }
}

OtArgs parse(const std::vector<std::string>& args) {
  OtArgs o;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& w = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw InputError("measureflow ot: " + w + " needs a value\n" + kUsage);
      return args[++i];
    };
    if (w == "--method") {
      o.method = value();
      if (o.method != "sinkhorn" && o.method != "exact")
        throw InputError("measureflow ot: --method " + o.method + ": allowed values are sinkhorn, exact");
    } else if (w == "--eps") {
      o.eps = parse_number(w, value());
      if (!(*o.eps > 0.0)) throw InputError("measureflow ot: --eps " + args[i] + ": must be > 0");
    } else if (w == "--tol") {
      o.tol = parse_number(w, value());
      if (!(o.tol > 0.0)) throw InputError("measureflow ot: --tol " + args[i] + ": must be > 0");
    } else if (w == "--max-iterations") {
      o.max_iterations = static_cast<int>(parse_number(w, value()));
      if (o.max_iterations < 1) throw InputError("measureflow ot: --max-iterations " + args[i] + ": must be >= 1");
    } else if (w == "--snapshot") {
      o.snapshot = static_cast<int>(parse_number(w, value()));
      if (o.snapshot < 0) throw InputError("measureflow ot: --snapshot " + args[i] + ": must be >= 0");
    } else if (w == "--no-divergence") {
      o.divergence = false;
    } else if (w == "--json") {
      o.json = true;
    } else if (w == "--out") {
      o.out = value();
    } else if (!w.empty() && w[0] == '-') {
      throw InputError("measureflow ot: unknown option " + w + "\n" + kUsage);
    } else {
      files.push_back(w);
    }
  }
  if (files.size() != 2) throw InputError(std::string("measureflow ot: expected two point-set files\n") + kUsage);
  o.a = files[0];
  o.b = files[1];
  return o;
}

long global_count(MPI_Comm comm, const WeightedPoints& w) {
  long n = static_cast<long>(w.local_size()), total = 0;
  MPI_Allreduce(&n, &total, 1, MPI_LONG, MPI_SUM, comm);
  return total;
}

// All points of a cloud on every rank, row-major (for the serial exact oracle).
std::vector<double> gather_positions(MPI_Comm comm, const WeightedPoints& w, std::vector<double>* weights) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  const int n = static_cast<int>(w.local_size()), d = w.dim;
  auto p = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), w.positions);
  auto q = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), w.weights);
  std::vector<int> counts(size), displs(size, 0);
  MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
  for (int r = 1; r < size; ++r) displs[r] = displs[r - 1] + counts[r - 1];
  const int total = displs.back() + counts.back();
  weights->resize(total);
  MPI_Allgatherv(q.data(), n, MPI_DOUBLE, weights->data(), counts.data(), displs.data(), MPI_DOUBLE, comm);
  for (int r = 0; r < size; ++r) {
    counts[r] *= d;
    displs[r] *= d;
  }
  std::vector<double> all(static_cast<size_t>(total) * d);
  MPI_Allgatherv(p.data(), n * d, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, comm);
  return all;
}

std::string json_number(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", *v);
  return buf;
}

void write_result_h5(const std::string& path, const std::map<std::string, std::optional<double>>& values) {
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) throw InputError("measureflow ot: --out " + path + ": cannot create");
  const hid_t space = H5Screate(H5S_SCALAR);
  for (const auto& [name, v] : values) {
    const double x = v ? *v : std::numeric_limits<double>::quiet_NaN();
    const hid_t attr = H5Acreate2(file, name.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, H5T_NATIVE_DOUBLE, &x);
    H5Aclose(attr);
  }
  H5Sclose(space);
  H5Fclose(file);
}

// Largest peak resident set size over the ranks, in MiB (Linux reports ru_maxrss in KiB). It covers the
// whole process (MPI, PETSc, Kokkos and HDF5 libraries, the loaded point sets), not the solver alone.
double peak_memory_mib(MPI_Comm comm) {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  double mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
  MPI_Allreduce(MPI_IN_PLACE, &mib, 1, MPI_DOUBLE, MPI_MAX, comm);
  return mib;
}

int run(const OtArgs& o) {
  MPI_Comm comm = MPI_COMM_WORLD;
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  const double t0 = MPI_Wtime();
  const WeightedPoints x = ot_cli::load_point_set(comm, o.a, o.snapshot);
  const WeightedPoints y = ot_cli::load_point_set(comm, o.b, o.snapshot);
  if (x.dim != y.dim)
    throw InputError("measureflow ot: " + o.a + " has dimension " + std::to_string(x.dim) + " but " + o.b +
                     " has dimension " + std::to_string(y.dim));
  const long n = global_count(comm, x), m = global_count(comm, y);
  std::map<std::string, std::optional<double>> v;
  v["n"] = n;
  v["m"] = m;
  v["d"] = x.dim;
  v["transport_cost"] = v["entropic_cost"] = v["divergence"] = v["iterations"] = v["marginal_error"] = std::nullopt;
  if (o.method == "exact") {
    if (x.dim == 1) {
      v["transport_cost"] = ot::w2_squared_exact_1d(comm, x, y);
    } else {
      std::vector<double> wa, wb;
      const auto pa = gather_positions(comm, x, &wa), pb = gather_positions(comm, y, &wb);
      bool uniform = n == m;
      for (size_t i = 1; uniform && i < wa.size(); ++i) uniform = wa[i] == wa[0] && wb[i] == wb[0];
      if (!uniform || n > 5000)
        throw InputError("measureflow ot: --method exact in " + std::to_string(x.dim) +
                         "D needs equal sizes and uniform weights with n <= 5000 (got n = " + std::to_string(n) +
                         ", m = " + std::to_string(m) + "); use --method sinkhorn");
      v["transport_cost"] = ot::w2_squared_exact_assignment(pa, pb, x.dim);
    }
  } else {
    ot::SinkhornOptions opt;
    opt.eps = o.eps ? *o.eps : 1e-3 * ot::squared_diameter(comm, x, y);
    opt.tol = o.tol;
    opt.max_iterations = o.max_iterations;
    const auto r = ot::sinkhorn(comm, x, y, opt);
    if (!r.converged && rank == 0)
      std::fprintf(stderr, "measureflow ot: warning: not converged after %d iterations (marginal error %.3g > tol %.3g)\n",
                   r.iterations, r.marginal_error, opt.tol);
    if (o.divergence) v["divergence"] = ot::sinkhorn_divergence(comm, x, y, opt, r);
    v["eps"] = opt.eps;
    v["transport_cost"] = r.transport_cost;
    v["entropic_cost"] = r.entropic_cost;
    v["iterations"] = r.iterations;
    v["marginal_error"] = r.marginal_error;
  }
  double seconds = MPI_Wtime() - t0;
  MPI_Allreduce(MPI_IN_PLACE, &seconds, 1, MPI_DOUBLE, MPI_MAX, comm);
  v["seconds"] = seconds;
  v["peak_memory_mib"] = peak_memory_mib(comm);
  if (rank == 0) {
    if (!o.out.empty()) write_result_h5(o.out, v);
    if (o.json) {
      std::string s = "{";
      const char* order[] = {"n", "m", "d", "transport_cost", "entropic_cost", "divergence", "iterations",
                             "marginal_error", "seconds", "peak_memory_mib", "eps"};
      for (const char* k : order) {
        if (!v.count(k)) continue;
        if (s.size() > 1) s += ", ";
        s += std::string("\"") + k + "\": " + json_number(v[k]);
      }
      std::printf("%s, \"method\": \"%s\"}\n", s.c_str(), o.method.c_str());
    } else {
      std::printf("measureflow ot (%s): n = %ld, m = %ld, d = %d\n", o.method.c_str(), n, m, x.dim);
      for (const auto& [k, val] : v)
        if (val && k != "n" && k != "m" && k != "d") std::printf("  %-15s %.12g\n", k.c_str(), *val);
    }
  }
  return kExitOk;
}

}  // namespace

int ot_command(const std::vector<std::string>& args) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  try {
    return run(parse(args));
  } catch (const InputError& e) {
    if (rank == 0) std::fprintf(stderr, "error: %s\n", e.what());
    return kExitInput;
  } catch (const SolverError& e) {
    if (rank == 0) std::fprintf(stderr, "solver error: %s\n", e.what());
    return kExitSolver;
  } catch (const std::invalid_argument& e) {
    if (rank == 0) std::fprintf(stderr, "error: %s\n", e.what());
    return kExitInput;
  }
}

}  // namespace mf
