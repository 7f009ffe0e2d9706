#include "staggered_ops.hpp"

#include <cmath>

#include "space_time_field.hpp"
#include "measureflow/kokkos_math.hpp"

namespace mf::dynamic_ot {

namespace {

// Owned-block geometry over the four logical axes, handed to kernels by value.
struct Block {
  int os[4], oc[4], gs[4], n[4];
  bool per[4];
  int d;
};

Block make_block(const SpaceTimeGrid& g) {
  Block b{};
  for (int a = 0; a < 4; ++a) {
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
  Kokkos::parallel_for(
      label, Kokkos::MDRangePolicy<Exec, Kokkos::Rank<4>>({0, 0, 0, 0}, {b.oc[2], b.oc[1], b.oc[0], b.oc[3]}), f);
}

struct ConstViews {
  ConstStView v[4];
};
struct Views {
  StView v[4];
};

// Local owned indices (l0..l3) → global (g) and ghosted-local (q) logical indices.
struct Index {
  int g[4], q[4];
};

KOKKOS_INLINE_FUNCTION Index locate(const Block& b, int l2, int l1, int l0, int l3) {
  const int l[4] = {l0, l1, l2, l3};
  Index x;
  for (int a = 0; a < 4; ++a) {
    x.g[a] = b.os[a] + l[a];
    x.q[a] = x.g[a] - b.gs[a];
  }
  return x;
}

// Spatial slice index [z][y][x] of an owned cell (local owned indices), for the boundary densities.
KOKKOS_INLINE_FUNCTION void slice_of(const Block& b, int l2, int l1, int l0, int& sz, int& sy, int& sx) {
  sx = l0;
  sy = b.d >= 2 ? l1 : 0;
  sz = b.d >= 3 ? l2 : 0;
}

// Value of face slot q shifted by `shift` along axis c (reads only when the caller knows it exists:
// the dof axis has no ghost slots).
template <class V>
KOKKOS_INLINE_FUNCTION double shifted(const V& v, const int q[4], int c, int shift) {
  int u[4] = {q[0], q[1], q[2], q[3]};
  u[c] += shift;
  return v(u[2], u[1], u[0], u[3]);
}

// The lower and upper face values of a cell along axis c (slots q and q + 1). On a non-periodic axis the
// end faces are not unknowns: they carry α0 / α1 when `data` (the density with its boundary values),
// else 0 (walls, or the linear part of an affine operator).
template <class V>
KOKKOS_INLINE_FUNCTION void cell_faces(const Block& b, const V& vin, const Index& x, int c, bool data,
                                       const SliceView& a0, const SliceView& a1, int l2, int l1, int l0,
                                       double& lo, double& hi) {
  int sz, sy, sx;
  slice_of(b, l2, l1, l0, sz, sy, sx);
  const bool first = !b.per[c] && x.g[c] == 0, last = !b.per[c] && x.g[c] == b.n[c] - 1;
  lo = first ? (data ? a0(sz, sy, sx) : 0.0) : shifted(vin, x.q, c, 0);
  hi = last ? (data ? a1(sz, sy, sx) : 0.0) : shifted(vin, x.q, c, 1);
}

}  // namespace

StaggeredOps::StaggeredOps(const SpaceTimeGrid& grid, SliceView alpha0, SliceView alpha1)
    : grid_(grid), alpha0_(alpha0), alpha1_(alpha1) {
  for (int c = 0; c < components(); ++c) local_.push_back(grid_.create_local());
  phi_local_ = grid_.create_local();
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
    StBlockRead in(local_[c], grid_.ghosted());
    StBlockWrite out(U[c], grid_.owned());
    const auto vin = in.view();
    const auto vout = out.view();
    const SliceView a0 = alpha0_, a1 = alpha1_;
    const bool density = c == b.d;
    const bool add = affine && density;
    for_owned("mf::dynamic_ot::interp", b, KOKKOS_LAMBDA(int l2, int l1, int l0, int l3) {
      const Index x = locate(b, l2, l1, l0, l3);
      double lo, hi;
      cell_faces(b, vin, x, c, add, a0, a1, l2, l1, l0, lo, hi);
      vout(l2, l1, l0, l3) = 0.5 * (lo + hi);
    });
  }
}

void StaggeredOps::interp_adjoint(const Field& U, Field& V) {
  const Block b = make_block(grid_);
  for (int c = 0; c < components(); ++c) {
    grid_.to_local(U[c], local_[c]);
    StBlockRead in(local_[c], grid_.ghosted());
    StBlockWrite out(V[c], grid_.owned());
    const auto vin = in.view();
    const auto vout = out.view();
    for_owned("mf::dynamic_ot::interp_adjoint", b, KOKKOS_LAMBDA(int l2, int l1, int l0, int l3) {
      const Index x = locate(b, l2, l1, l0, l3);
      if (!b.per[c] && x.g[c] == 0) {
        vout(l2, l1, l0, l3) = 0.0;
        return;
      }
      vout(l2, l1, l0, l3) = 0.5 * (shifted(vin, x.q, c, 0) + shifted(vin, x.q, c, -1));
    });
  }
}

void StaggeredOps::divergence(const Field& V, Vec out_vec) {
  const Block b = make_block(grid_);
  const int nc = components();
  for (int c = 0; c < nc; ++c) grid_.to_local(V[c], local_[c]);
  StBlockWrite out(out_vec, grid_.owned());
  const auto vout = out.view();
  Kokkos::deep_copy(vout, 0.0);
  for (int c = 0; c < nc; ++c) {
    StBlockRead in(local_[c], grid_.ghosted());
    const auto vin = in.view();
    const SliceView a0 = alpha0_, a1 = alpha1_;
    const double inv_h = 1.0 / grid_.h(c);
    const bool density = c == b.d;
    for_owned("mf::dynamic_ot::divergence", b, KOKKOS_LAMBDA(int l2, int l1, int l0, int l3) {
      const Index x = locate(b, l2, l1, l0, l3);
      double lo, hi;
      cell_faces(b, vin, x, c, density, a0, a1, l2, l1, l0, lo, hi);
      vout(l2, l1, l0, l3) += (hi - lo) * inv_h;
    });
  }
}

void StaggeredOps::subtract_divergence_adjoint(Vec phi, Field& V) {
  const Block b = make_block(grid_);
  grid_.to_local(phi, phi_local_);
  StBlockRead in(phi_local_, grid_.ghosted());
  const auto vin = in.view();
  for (int c = 0; c < components(); ++c) {
    StBlockWrite out(V[c], grid_.owned());
    const auto vout = out.view();
    const double inv_h = 1.0 / grid_.h(c);
    for_owned("mf::dynamic_ot::divergence_adjoint", b, KOKKOS_LAMBDA(int l2, int l1, int l0, int l3) {
      const Index x = locate(b, l2, l1, l0, l3);
      if (!b.per[c] && x.g[c] == 0) return;
      vout(l2, l1, l0, l3) -= (shifted(vin, x.q, c, -1) - shifted(vin, x.q, c, 0)) * inv_h;
    });
  }
}

void StaggeredOps::prox_kinetic(Field& U, double gamma) {
  const Block b = make_block(grid_);
  const int d = b.d;
  Views w;
  std::vector<std::unique_ptr<StBlockWrite>> access;
  for (int c = 0; c <= d; ++c) {
    access.push_back(std::make_unique<StBlockWrite>(U[c], grid_.owned()));
    w.v[c] = access.back()->view();
  }
  for_owned("mf::dynamic_ot::prox_kinetic", b, KOKKOS_LAMBDA(int l2, int l1, int l0, int l3) {
    const double r0 = w.v[d](l2, l1, l0, l3);
    double m2 = 0.0;
    for (int c = 0; c < d; ++c) m2 += w.v[c](l2, l1, l0, l3) * w.v[c](l2, l1, l0, l3);
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
      w.v[d](l2, l1, l0, l3) = 0.0;
      for (int c = 0; c < d; ++c) w.v[c](l2, l1, l0, l3) = 0.0;
      return;
    }
    w.v[d](l2, l1, l0, l3) = r;
    const double s = r / (r + gamma);
    for (int c = 0; c < d; ++c) w.v[c](l2, l1, l0, l3) *= s;
  });
}

double StaggeredOps::kinetic_energy(const Field& U, std::vector<double>* per_slice) {
  const Block b = make_block(grid_);
  const int d = b.d;
  ConstViews v;
  std::vector<std::unique_ptr<StBlockRead>> access;
  for (int c = 0; c <= d; ++c) {
    access.push_back(std::make_unique<StBlockRead>(U[c], grid_.owned()));
    v.v[c] = access.back()->view();
  }
  const PetscInt nt = grid_.cells(d);
  Kokkos::View<double*, Kokkos::HostSpace> slices("dynamic_ot::slices", nt);
  const double vol = grid_.space_cell_volume();
  // Serial over the owned block: slices accumulate by time index (a reduction into an array).
  for (int l2 = 0; l2 < b.oc[2]; ++l2)
    for (int l1 = 0; l1 < b.oc[1]; ++l1)
      for (int l0 = 0; l0 < b.oc[0]; ++l0)
        for (int l3 = 0; l3 < b.oc[3]; ++l3) {
          const Index x = locate(b, l2, l1, l0, l3);
          const double r = v.v[d](l2, l1, l0, l3);
          if (r <= 0.0) continue;
          double m2 = 0.0;
          for (int c = 0; c < d; ++c) m2 += v.v[c](l2, l1, l0, l3) * v.v[c](l2, l1, l0, l3);
          slices(x.g[d]) += vol * 0.5 * m2 / r;
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
