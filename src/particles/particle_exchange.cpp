// Host-side: this is communication, not a kernel.
#include "particle_exchange.hpp"

#include <numeric>

namespace mf::particle_exchange {

void complete_plan(MPI_Comm comm, Plan& plan) {
  const std::size_t size = plan.send_count.size();
  plan.recv_count.assign(size, 0);
  MPI_Alltoall(plan.send_count.data(), 1, MPI_INT, plan.recv_count.data(), 1, MPI_INT, comm);
  plan.send_offset.assign(size, 0);
  plan.recv_offset.assign(size, 0);
  std::partial_sum(plan.send_count.begin(), plan.send_count.end() - 1, plan.send_offset.begin() + 1);
  std::partial_sum(plan.recv_count.begin(), plan.recv_count.end() - 1, plan.recv_offset.begin() + 1);
}

Packed alltoallv(MPI_Comm comm, const Packed& out, const Plan& plan) {
  Packed in(out.dim, plan.received());
  alltoallv_values(comm, out.x, in.x, plan, out.dim, MPI_DOUBLE);
  alltoallv_values(comm, out.w, in.w, plan, 1, MPI_DOUBLE);
  alltoallv_values(comm, out.id, in.id, plan, 1, MPI_INT64_T);
  return in;
}

void unpack(const Packed& in, PointsView positions, WeightsView weights, IdsView ids) {
  auto hx = Kokkos::create_mirror_view(positions);
  auto hw = Kokkos::create_mirror_view(weights);
  auto hid = Kokkos::create_mirror_view(ids);
  for (std::size_t k = 0; k < in.size(); ++k) {
    for (int a = 0; a < in.dim; ++a) hx(k, a) = in.x[k * in.dim + a];
    hw(k) = in.w[k];
    hid(k) = in.id[k];
  }
  Kokkos::deep_copy(positions, hx);
  Kokkos::deep_copy(weights, hw);
  Kokkos::deep_copy(ids, hid);
}

}  // namespace mf::particle_exchange
