#include "staggered_ops.hpp"

#include <cmath>

#include "measureflow/grid_field.hpp"
#include "measureflow/kokkos_math.hpp"

namespace mf::dynamic_ot {

namespace {

// Owned-block geometry handed to kernels by value.
struct Block {
  int os[3], oc[3], gs[3], n[3];
  bool per[3];
  int d;
};

Block make_block(const SpaceTimeGrid& g) {
  Block b{};
  for (int a = 0; a < 3; ++a) {
    b.os[a] = static_cast<int>(g.owned().start[a]);
    b.oc[a] = static_cast<int>(g.owned().count[a]);
    b.gs[a] = static_cast<int>(g.ghosted().start[a]);
    b.n[a] = static_cast<int>(g.cells(a));
    b.per[a] = g.periodic(a);
  }
  b.d = g.space_dim();
  return b;
}

template <class Exec = Kokkos::DefaultExecutionSpace, class F>
void for_owned(const char* label, const Block& b, const F& f) {
  Kokkos::parallel_for(label,
                       Kokkos::MDRangePolicy<Exec, Kokkos::Rank<3>>({0, 0, 0}, {b.oc[2], b.oc[1], b.oc[0]}), f);
}

template <class Exec = Kokkos::DefaultExecutionSpace, class F>
double sum_owned(const char* label, const Block& b, const F& f) {
  double s = 0.0;
  Kokkos::parallel_reduce(label,
                          Kokkos::MDRangePolicy<Exec, Kokkos::Rank<3>>({0, 0, 0}, {b.oc[2], b.oc[1], b.oc[0]}), f,
                          s);
  return s;
}

struct ConstViews {
  ConstHostBlockView v[3];
};
struct Views {
  HostBlockView v[3];
};

// Spatial slice index and time index of an owned cell (local owned indices l0, l1, l2).
KOKKOS_INLINE_FUNCTION void split(const Block& b, int l2, int l1, int l0, int& sy, int& sx, int& t) {
  sx = l0;
  sy = b.d == 2 ? l1 : 0;
  t = b.d == 2 ? l2 : l1;
}

}  // namespace

StaggeredOps::StaggeredOps(const SpaceTimeGrid& grid, SliceView alpha0, SliceView alpha1)
    : grid_(grid), alpha0_(alpha0), alpha1_(alpha1) {
  for (int c = 0; c < components(); ++c) local_.push_back(grid_.create_local());
}

Field StaggeredOps::make_field() const {
  Field f;
  for (int c = 0; c < components(); ++c) f.push_back(grid_.create_global());
  return f;
}

void StaggeredOps::interp(const Field& V, Field& U, bool affine) {
  const Block b = make_block(grid_);
  const int nc = components();
  for (int c = 0; c < nc; ++c) grid_.to_local(V[c], local_[c]);
  for (int c = 0; c < nc; ++c) {
    VecBlockRead in(local_[c], grid_.ghosted());
    VecBlockWrite out(U[c], grid_.owned());
    const auto vin = in.view();
    const auto vout = out.view();
    const SliceView a0 = alpha0_, a1 = alpha1_;
    const bool density = c == b.d;
    const bool add = affine && density;
    for_owned("dynamic_ot::interp", b, KOKKOS_LAMBDA(int l2, int l1, int l0) {
      const int l[3] = {l0, l1, l2};
      int g[3], q[3];
      for (int a = 0; a < 3; ++a) {
        g[a] = b.os[a] + l[a];
        q[a] = g[a] - b.gs[a];
      }
      int sy, sx, t;
      split(b, l2, l1, l0, sy, sx, t);
      double lo = vin(q[2], q[1], q[0]);
      int u[3] = {q[0], q[1], q[2]};
      u[c] += 1;
      double hi = vin(u[2], u[1], u[0]);
      if (!b.per[c] && g[c] == 0) lo = add ? a0(sy, sx) : 0.0;
      if (!b.per[c] && g[c] == b.n[c] - 1) hi = add ? a1(sy, sx) : 0.0;
      vout(l2, l1, l0) = 0.5 * (lo + hi);
    });
  }
}

void StaggeredOps::interp_adjoint(const Field& U, Field& V) {
  const Block b = make_block(grid_);
  for (int c = 0; c < components(); ++c) {
    grid_.to_local(U[c], local_[c]);
    VecBlockRead in(local_[c], grid_.ghosted());
    VecBlockWrite out(V[c], grid_.owned());
    const auto vin = in.view();
    const auto vout = out.view();
    for_owned("dynamic_ot::interp_adjoint", b, KOKKOS_LAMBDA(int l2, int l1, int l0) {
      const int l[3] = {l0, l1, l2};
      int g[3], q[3];
      for (int a = 0; a < 3; ++a) {
        g[a] = b.os[a] + l[a];
        q[a] = g[a] - b.gs[a];
      }
      if (!b.per[c] && g[c] == 0) {
        vout(l2, l1, l0) = 0.0;
        return;
      }
      int m[3] = {q[0], q[1], q[2]};
      m[c] -= 1;
      vout(l2, l1, l0) = 0.5 * (vin(q[2], q[1], q[0]) + vin(m[2], m[1], m[0]));
    });
  }
}

void StaggeredOps::divergence(const Field& V, Vec out_vec) {
  const Block b = make_block(grid_);
  const int nc = components();
  for (int c = 0; c < nc; ++c) grid_.to_local(V[c], local_[c]);
  VecBlockWrite out(out_vec, grid_.owned());
  const auto vout = out.view();
  Kokkos::deep_copy(vout, 0.0);
  for (int c = 0; c < nc; ++c) {
    VecBlockRead in(local_[c], grid_.ghosted());
    const auto vin = in.view();
    const SliceView a0 = alpha0_, a1 = alpha1_;
    const double inv_h = 1.0 / grid_.h(c);
    const bool density = c == b.d;
    for_owned("dynamic_ot::divergence", b, KOKKOS_LAMBDA(int l2, int l1, int l0) {
      const int l[3] = {l0, l1, l2};
      int g[3], q[3];
      for (int a = 0; a < 3; ++a) {
        g[a] = b.os[a] + l[a];
        q[a] = g[a] - b.gs[a];
      }
      int sy, sx, t;
      split(b, l2, l1, l0, sy, sx, t);
      double lo = vin(q[2], q[1], q[0]);
      int u[3] = {q[0], q[1], q[2]};
      u[c] += 1;
      double hi = vin(u[2], u[1], u[0]);
      if (!b.per[c] && g[c] == 0) lo = density ? a0(sy, sx) : 0.0;
      if (!b.per[c] && g[c] == b.n[c] - 1) hi = density ? a1(sy, sx) : 0.0;
      vout(l2, l1, l0) += (hi - lo) * inv_h;
    });
  }
}

void StaggeredOps::subtract_divergence_adjoint(Vec phi, Field& V) {
  const Block b = make_block(grid_);
  VecHandle phi_local = grid_.create_local();
  grid_.to_local(phi, phi_local);
  VecBlockRead in(phi_local, grid_.ghosted());
  const auto vin = in.view();
  for (int c = 0; c < components(); ++c) {
    VecBlockWrite out(V[c], grid_.owned());
    const auto vout = out.view();
    const double inv_h = 1.0 / grid_.h(c);
    for_owned("dynamic_ot::divergence_adjoint", b, KOKKOS_LAMBDA(int l2, int l1, int l0) {
      const int l[3] = {l0, l1, l2};
      int g[3], q[3];
      for (int a = 0; a < 3; ++a) {
        g[a] = b.os[a] + l[a];
        q[a] = g[a] - b.gs[a];
      }
      if (!b.per[c] && g[c] == 0) return;
      int m[3] = {q[0], q[1], q[2]};
      m[c] -= 1;
      vout(l2, l1, l0) -= (vin(m[2], m[1], m[0]) - vin(q[2], q[1], q[0])) * inv_h;
    });
  }
}

void StaggeredOps::prox_kinetic(Field& U, double gamma) {
  const Block b = make_block(grid_);
  const int d = b.d;
  Views w;
  std::vector<std::unique_ptr<VecBlockWrite>> access;
  for (int c = 0; c <= d; ++c) {
    access.push_back(std::make_unique<VecBlockWrite>(U[c], grid_.owned()));
    w.v[c] = access.back()->view();
  }
  for_owned("dynamic_ot::prox_kinetic", b, KOKKOS_LAMBDA(int l2, int l1, int l0) {
    const double r0 = w.v[d](l2, l1, l0);
    double m2 = 0.0;
    for (int c = 0; c < d; ++c) m2 += w.v[c](l2, l1, l0) * w.v[c](l2, l1, l0);
    // Optimality: m = ρ m0/(ρ + γ) with ρ the largest real root of P(ρ) = (ρ − ρ0)(ρ + γ)² − γ|m0|²/2.
    // P is convex and increasing right of that root; Newton from a point where P ≥ 0 converges
    // monotonically from above.
    const double cst = 0.5 * gamma * m2;
    double r = (r0 > 0.0 ? r0 : 0.0) + kmath::cbrt(cst) + 1e-300;
    if (cst > 0.0) {
      for (int it = 0; it < 60; ++it) {
        const double p = (r - r0) * (r + gamma) * (r + gamma) - cst;
        const double dp = (r + gamma) * (3.0 * r + gamma - 2.0 * r0);
        const double step = p / dp;
        r -= step;
        if (!(step > 1e-15 * (r > 1.0 ? r : 1.0))) break;
      }
    } else {
      r = r0;
    }
    if (r <= 0.0) {
      w.v[d](l2, l1, l0) = 0.0;
      for (int c = 0; c < d; ++c) w.v[c](l2, l1, l0) = 0.0;
      return;
    }
    w.v[d](l2, l1, l0) = r;
    const double s = r / (r + gamma);
    for (int c = 0; c < d; ++c) w.v[c](l2, l1, l0) *= s;
  });
}

double StaggeredOps::kinetic_energy(const Field& U, std::vector<double>* per_slice) {
  const Block b = make_block(grid_);
  const int d = b.d;
  ConstViews v;
  std::vector<std::unique_ptr<VecBlockRead>> access;
  for (int c = 0; c <= d; ++c) {
    access.push_back(std::make_unique<VecBlockRead>(U[c], grid_.owned()));
    v.v[c] = access.back()->view();
  }
  const PetscInt nt = grid_.cells(d);
  Kokkos::View<double*, Kokkos::HostSpace> slices("dynamic_ot::slices", nt);
  const double vol = grid_.space_cell_volume();
  // Serial over the owned block: slices accumulate by time index (a reduction into an array).
  for (int l2 = 0; l2 < b.oc[2]; ++l2)
    for (int l1 = 0; l1 < b.oc[1]; ++l1)
      for (int l0 = 0; l0 < b.oc[0]; ++l0) {
        int sy, sx, t;
        split(b, l2, l1, l0, sy, sx, t);
        const double r = v.v[d](l2, l1, l0);
        if (r <= 0.0) continue;
        double m2 = 0.0;
        for (int c = 0; c < d; ++c) m2 += v.v[c](l2, l1, l0) * v.v[c](l2, l1, l0);
        slices(b.os[d] + t) += vol * 0.5 * m2 / r;
      }
  std::vector<double> global(nt, 0.0);
  MPI_Allreduce(slices.data(), global.data(), static_cast<int>(nt), MPI_DOUBLE, MPI_SUM, grid_.comm());
  double e = 0.0;
  for (double s : global) e += s * grid_.h(d);
  if (per_slice) *per_slice = global;
  return e;
}

void copy(const Field& from, Field& to) {
  for (std::size_t c = 0; c < from.size(); ++c) PetscCallThrow(VecCopy(from[c], to[c]));
}

void axpby(double a, const Field& x, double b, Field& y) {
  for (std::size_t c = 0; c < x.size(); ++c) PetscCallThrow(VecAXPBY(y[c], a, b, x[c]));
}

double norm(const Field& x) {
  double s = 0.0;
  for (const auto& v : x) {
    PetscReal n;
    PetscCallThrow(VecNorm(v, NORM_2, &n));
    s += n * n;
  }
  return std::sqrt(s);
}

double norm_diff(const Field& x, const Field& y) {
  double s = 0.0;
  for (std::size_t c = 0; c < x.size(); ++c) {
    VecHandle t;
    PetscCallThrow(VecDuplicate(x[c], t.out()));
    PetscCallThrow(VecWAXPY(t, -1.0, y[c], x[c]));
    PetscReal n;
    PetscCallThrow(VecNorm(t, NORM_2, &n));
    s += n * n;
  }
  return std::sqrt(s);
}

}  // namespace mf::dynamic_ot
