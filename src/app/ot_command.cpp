// `measureflow ot A.h5 B.h5`: loads the two point sets, asks the library for the transport and prints
// it (a table, or one JSON object with --json); --out also writes it to an HDF5 file.
#include <mpi.h>

#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "app/commands.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/io/attribute_file.hpp"
#include "measureflow/ot/point_set_input.hpp"
#include "measureflow/resource_usage.hpp"

namespace mf::app {

namespace {

// The pinned order of `--json` (docs/cli.md); counts are integers, absent values null.
nlohmann::ordered_json to_json(const ot::PointSetTransport& r, const std::map<std::string, double>& timing) {
  nlohmann::ordered_json j;
  j["n"] = r.n;
  j["m"] = r.m;
  j["d"] = r.d;
  for (const char* k : {"transport_cost", "entropic_cost", "divergence", "iterations", "marginal_error"}) {
    const auto& v = r.values.at(k);
    if (!v)
      j[k] = nullptr;
    else if (std::string(k) == "iterations")
      j[k] = static_cast<long>(*v);
    else
      j[k] = *v;  // non-finite numbers are written as null
  }
  j["seconds"] = timing.at("seconds");
  j["peak_memory_mib"] = timing.at("peak_memory_mib");
  if (r.values.count("eps")) j["eps"] = *r.values.at("eps");
  // --solver exact: the certificate and the LP's size (after the pinned fields).
  if (r.values.count("certified")) {
    j["certified"] = *r.values.at("certified") != 0.0;
    for (const char* k : {"certificate_violations", "lp_rounds", "lp_arcs"}) j[k] = static_cast<long long>(*r.values.at(k));
    for (const char* k : {"cost_resolution", "sinkhorn_transport_cost", "sinkhorn_marginal_error"}) j[k] = *r.values.at(k);
  }
  // --solver bracket: the certified bracket (after the pinned fields).
  if (r.values.count("bracket_met")) {
    for (const char* k : {"w2sq_lower", "w2sq_upper", "w2sq_estimate", "bracket_relative_gap"}) j[k] = *r.values.at(k);
    j["bracket_met"] = *r.values.at("bracket_met") != 0.0;
    j["brackets"] = static_cast<long long>(*r.values.at("brackets"));
    for (const char* k : {"sinkhorn_transport_cost", "sinkhorn_marginal_error", "rounding_mass"}) j[k] = *r.values.at(k);
  }
  j["method"] = r.method;
  return j;
}

}  // namespace

int ot_command(const OtOptions& o) {
  MPI_Comm comm = MPI_COMM_WORLD;
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  const double t0 = MPI_Wtime();
  const WeightedPoints x = ot::load_point_set(comm, o.a, o.snapshot);
  const WeightedPoints y = ot::load_point_set(comm, o.b, o.snapshot);
  if (x.dim != y.dim)
    throw InputError(o.a + " has dimension " + std::to_string(x.dim) + " but " + o.b + " has dimension " +
                     std::to_string(y.dim));
  const ot::PointSetTransport r = ot::transport_point_sets(comm, x, y, o.transport);
  if (!r.converged && rank == 0 && r.values.count("bracket_met"))
    std::fprintf(stderr, "measureflow ot: warning: the bracket is %.3g relative wide, above --bracket-gap, after %.0f brackets\n",
                 *r.values.at("bracket_relative_gap"), *r.values.at("brackets"));
  else if (!r.converged && rank == 0 && r.values.count("certified"))
    std::fprintf(stderr, "measureflow ot: warning: the exact step is not certified (%.0f pairs still violate the duals after %.0f LP solves)\n",
                 *r.values.at("certificate_violations"), *r.values.at("lp_rounds"));
  else if (!r.converged && rank == 0)
    std::fprintf(stderr, "measureflow ot: warning: not converged after %.0f iterations (marginal error %.3g > tol %.3g)\n",
                 *r.values.at("iterations"), *r.values.at("marginal_error"), r.tol);
  double seconds = MPI_Wtime() - t0;
  MPI_Allreduce(MPI_IN_PLACE, &seconds, 1, MPI_DOUBLE, MPI_MAX, comm);
  const std::map<std::string, double> timing = {{"seconds", seconds}, {"peak_memory_mib", peak_memory_mib(comm)}};
  if (rank != 0) return kExitOk;

  // Every defined value, sorted by name (the table and the result file list the same numbers).
  std::map<std::string, double> defined = timing;
  for (const auto& [k, v] : r.values)
    if (v) defined[k] = *v;
  if (!o.out.empty()) {
    std::map<std::string, double> file = defined;
    file["n"] = static_cast<double>(r.n);
    file["m"] = static_cast<double>(r.m);
    file["d"] = r.d;
    // Values the method does not define are NaN in the file (the table and the JSON omit or null them).
    for (const auto& [k, v] : r.values)
      if (!v) file[k] = std::numeric_limits<double>::quiet_NaN();
    io::write_attribute_file(o.out, file);
  }
  if (o.json) {
    std::printf("%s\n", to_json(r, timing).dump().c_str());
  } else {
    std::printf("measureflow ot (%s): n = %ld, m = %ld, d = %d\n", r.method.c_str(), r.n, r.m, r.d);
    for (const auto& [k, v] : defined) std::printf("  %-15s %.12g\n", k.c_str(), v);
  }
  return kExitOk;
}

}  // namespace mf::app
