#include <vector>

#include "measureflow/deposit_cic.hpp"
#include "measureflow/measures.hpp"

namespace mf {

void initial_grid_density(const Measure& measure, const Grid& grid, Vec out) {
  if (const Measure::Atoms* atoms = measure.atoms()) {
    // Every rank holds all atoms; keep the ones this rank owns, then deposit.
    int rank = 0;
    MPI_Comm_rank(grid.comm(), &rank);
    const int d = measure.dim();
    const size_t n = atoms->weights.size();
    std::vector<size_t> mine;
    for (size_t i = 0; i < n; ++i)
      if (grid.owner_of(&atoms->positions[i * d]) == rank) mine.push_back(i);
    ParticleSet p(d, mine.size());
    auto hx = Kokkos::create_mirror_view(p.positions);
    auto hw = Kokkos::create_mirror_view(p.weights);
    for (size_t j = 0; j < mine.size(); ++j) {
      for (int a = 0; a < d; ++a) hx(j, a) = grid.wrap(a, atoms->positions[mine[j] * d + a]);
      hw(j) = atoms->weights[mine[j]];
    }
    Kokkos::deep_copy(p.positions, hx);
    Kokkos::deep_copy(p.weights, hw);
    deposit_cic(grid, p, out);
    return;
  }
  if (measure.copy_onto(grid, out)) return;
  fill_cell_averages(grid, [&](const double* x) { return measure.density(x); }, out);
}

}  // namespace mf
