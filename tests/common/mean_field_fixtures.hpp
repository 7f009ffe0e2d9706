// Small mean_field problems shared by the unit and MPI tests: linear data sets, and neurons drawn by id
// from the counter-based stream (the same set on any rank count).
#pragma once
#include <cmath>

#include "measureflow/counter_rng.hpp"
#include "measureflow/particles.hpp"
#include "models/mean_field/mean_field_views.hpp"

namespace mf::mean_field::testing {

// z ~ N(0, S) in d = 3, y = W z + 0.1 ξ in d' = 2.
inline DataSpec linear_data_3_2(long long samples, std::uint64_t seed = 5) {
  DataSpec s;
  s.kind = DataKind::Linear;
  s.dim = 3;
  s.outputs = 2;
  s.samples = samples;
  s.seed = seed;
  s.input_cov = Matrix::from_rows({{1.0, 0.3, 0.0}, {0.3, 0.8, 0.1}, {0.0, 0.1, 0.5}});
  s.weights = Matrix::from_rows({{1.0, -0.5, 0.25}, {0.0, 0.75, -1.0}});
  s.noise = 0.1;
  return s;
}

// n neurons (global ids by id block of comm), coordinates mean + scale·N(0, 1) from the stream `seed`,
// equal weights 1/n.
inline ParticleSet random_neurons(MPI_Comm comm, long long n, int dim, double scale, std::uint64_t seed, double mean = 0.0) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const IdRange r = id_block(n, rank, size);
  ParticleSet p(dim, static_cast<std::size_t>(r.count));
  for (std::int64_t i = 0; i < r.count; ++i) {
    const CounterRng rng(seed, static_cast<std::uint64_t>(r.first + i));
    for (int a = 0; a < dim; ++a) p.positions(i, a) = mean + scale * rng.normal(static_cast<std::uint64_t>(a));
    p.weights(i) = 1.0 / static_cast<double>(n);
    p.ids(i) = r.first + i;
  }
  return p;
}

}  // namespace mf::mean_field::testing
