// The grid view's written fields of a static_ot model gathered in natural order on every rank (α, then
// each extra field: target_density, potential_f, potential_g, map_x, ...), for comparing runs.
#pragma once
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "models/static_ot/static_ot_views.hpp"

namespace mf::testing {

inline std::map<std::string, std::vector<double>> static_ot_fields(static_ot::StaticOtModel& model) {
  std::map<std::string, std::vector<double>> out;
  auto gather = [&](Vec v) {
    std::vector<double> x = gather_natural(model.grid_view->grid(), v);  // rank 0 only
    long long n = static_cast<long long>(x.size());
    MPI_Comm comm = model.grid_view->grid().comm();
    MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, comm);
    x.resize(n);
    MPI_Bcast(x.data(), static_cast<int>(n), MPI_DOUBLE, 0, comm);
    return x;
  };
  out["density"] = gather(model.grid_view->density());
  for (auto& [name, v] : model.grid_view->extra_fields()) out[name] = gather(v);
  return out;
}

// Largest |a_i − b_i| over the entries where keep(i) holds.
template <class Keep>
double max_difference(const std::vector<double>& a, const std::vector<double>& b, Keep&& keep) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (keep(i)) worst = std::max(worst, std::abs(a[i] - b[i]));
  return a.size() == b.size() ? worst : INFINITY;
}

}  // namespace mf::testing
