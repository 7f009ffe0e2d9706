#include "fields/learned/training_pairs.hpp"

#include <algorithm>
#include <numeric>

#include "fields/learned/minibatch_ot_coupling.hpp"
#include "measureflow/counter_rng.hpp"

namespace mf::fields::detail {

namespace {

// Rows [0, n) of a (rows × dim) view flattened to a row-major vector, and back.
std::vector<double> to_vector(const FieldPoints& x) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  return std::vector<double>(h.data(), h.data() + h.size());
}

}  // namespace

TrainingPairs::TrainingPairs(MPI_Comm comm, const PairSource& source, const CouplingConfig& coupling,
                             std::uint64_t seed)
    : comm_(comm), source_(source), coupling_(coupling), seed_(seed) {}

void TrainingPairs::sample_all(long long first, long long count, std::uint64_t draw, FieldPoints& x0,
                               FieldPoints& x1) const {
  const int d = source_.dim();
  x0 = FieldPoints("mf::fields::x0", count, d);
  x1 = FieldPoints("mf::fields::x1", count, d);
  source_.sample(first, count, draw, x0, x1);
}

SlotSamples TrainingPairs::draw(long long first, long long count, std::uint64_t draw) const {
  const int d = source_.dim();
  SlotSamples s;
  s.slots = split_slots(first, count);
  std::tie(s.slot_begin, s.slot_end) = owned_slots(comm_, static_cast<int>(s.slots.size()));
  s.row_offset.assign(1, 0);
  for (int k = s.slot_begin; k < s.slot_end; ++k) s.row_offset.push_back(s.row_offset.back() + static_cast<int>(s.slots[k].count));
  const int n = s.row_offset.back();
  const long long my_first = n > 0 ? s.slots[s.slot_begin].first : first;

  FieldPoints x0("mf::fields::x0", n, d), x1("mf::fields::x1", n, d);
  if (n > 0) source_.sample(my_first, n, draw, x0, x1);

  if (coupling_.type == CouplingType::MinibatchOt) {
    // Gather the whole global batch (rows in global-id order), couple each coupling batch identically on
    // every rank, keep the rows of the owned slots.
    int size = 1;
    MPI_Comm_size(comm_, &size);
    const int mine = n * d;
    std::vector<int> counts(size), displs(size);
    MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_);
    std::exclusive_scan(counts.begin(), counts.end(), displs.begin(), 0);
    const std::vector<double> l0 = to_vector(x0), l1 = to_vector(x1);
    std::vector<double> g0(static_cast<size_t>(count) * d), g1(g0.size());
    MPI_Allgatherv(l0.data(), mine, MPI_DOUBLE, g0.data(), counts.data(), displs.data(), MPI_DOUBLE, comm_);
    MPI_Allgatherv(l1.data(), mine, MPI_DOUBLE, g1.data(), counts.data(), displs.data(), MPI_DOUBLE, comm_);
    const int cb = std::max(1, coupling_.batch);
    for (long long b0 = 0; b0 < count; b0 += cb) {
      const int m = static_cast<int>(std::min<long long>(cb, count - b0));
      std::vector<double> c0(g0.begin() + b0 * d, g0.begin() + (b0 + m) * d);
      std::vector<double> c1(g1.begin() + b0 * d, g1.begin() + (b0 + m) * d);
      couple_minibatch(coupling_, d, m, c0, c1);
      std::copy(c1.begin(), c1.end(), g1.begin() + b0 * d);
    }
    auto h1 = Kokkos::create_mirror_view(x1);
    const long long offset = (my_first - first) * d;
    for (long long k = 0; k < static_cast<long long>(n) * d; ++k) h1.data()[k] = g1[offset + k];
    Kokkos::deep_copy(x1, h1);
  }

  s.t = Column("mf::fields::t", n);
  s.xt = FieldPoints("mf::fields::xt", n, d);
  s.target = FieldPoints("mf::fields::target", n, d);
  const Column t = s.t;
  const FieldPoints xt = s.xt, target = s.target;
  const std::uint64_t key = seed_ ^ 0x7f4a7c159e3779b9ULL;
  Kokkos::parallel_for(
      "mf::fields::interpolate_pairs", Kokkos::RangePolicy<>(0, n), KOKKOS_LAMBDA(const int i) {
        // t depends on (seed, global id, draw) only: the same on any rank count.
        const double ti = CounterRng(key, static_cast<std::uint64_t>(my_first + i)).uniform(draw);
        t(i) = ti;
        for (int k = 0; k < d; ++k) {
          xt(i, k) = (1.0 - ti) * x0(i, k) + ti * x1(i, k);
          target(i, k) = x1(i, k) - x0(i, k);
        }
      });
  Kokkos::fence();
  return s;
}

}  // namespace mf::fields::detail
