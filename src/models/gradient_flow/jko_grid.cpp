#include "jko_grid.hpp"

#include <mpi.h>

#include <Kokkos_Core.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "jko_prox.hpp"
#include "measureflow/errors.hpp"

namespace mf::gradient_flow {

namespace {

using HostExec = Kokkos::DefaultHostExecutionSpace;  // FFTW and the line solves run on the host
using Unmanaged = Kokkos::View<double*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
using UnmanagedConst = Kokkos::View<const double*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

// Thomas factors of the n × n tridiagonal matrix with diagonal diag[i] and both off-diagonals `a`.
void thomas_factors(const std::vector<double>& diag, double a, std::vector<double>& inv_pivot,
                    std::vector<double>& upper) {
  const size_t n = diag.size();
  inv_pivot.assign(n, 0.0);
  upper.assign(n, 0.0);
  double c_prev = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double pivot = diag[i] - (i == 0 ? 0.0 : a * c_prev);
    inv_pivot[i] = 1.0 / pivot;
    c_prev = a / pivot;
    upper[i] = c_prev;
  }
}

// Solves, for every (outer, inner) line, the tridiagonal system along the middle index i = 0..len−1 of
// x[(outer · len + i) · inner + inner_index] (right-hand sides in place), sub/super-diagonal a.
void solve_lines(double* x, long outer, long len, long inner, long outer_stride, double a, const std::vector<double>& ip,
                 const std::vector<double>& up) {
  for (long o = 0; o < outer; ++o) {
    double* base = x + o * outer_stride;
    for (long k = 0; k < inner; ++k) base[k] *= ip[0];
    for (long i = 1; i < len; ++i) {
      double* row = base + i * inner;
      const double* prev = row - inner;
      for (long k = 0; k < inner; ++k) row[k] = (row[k] - a * prev[k]) * ip[i];
    }
    for (long i = len - 2; i >= 0; --i) {
      double* row = base + i * inner;
      const double* next = row + inner;
      for (long k = 0; k < inner; ++k) row[k] -= up[i] * next[k];
    }
  }
}

// Calls f(q, i) for every space-time cell q, i its index along the axis of stride `st` and length n
// (cells = outer · n · st; nested loops instead of a division per cell).
template <class F>
void along_axis(long cells, long n, long st, F&& f) {
  const long outer = cells / (n * st);
  for (long o = 0; o < outer; ++o)
    for (long i = 0; i < n; ++i) {
      const long base = (o * n + i) * st;
      for (long k = 0; k < st; ++k) f(base + k, i);
    }
}

}  // namespace

JkoGridSolver::JkoGridSolver(const GridSpec& space, const LocalEnergy& energy, const JkoGridOptions& options)
    : space_(space), energy_(energy), opt_(options), d_(space.dim), nt_(options.time_cells), ns_(1),
      poisson_(space, options.time_cells) {
  for (int a = 0; a < d_; ++a) {
    n_[a] = space.cells[a];
    stride_[a] = ns_;
    ns_ *= n_[a];
    h_[a] = (space.upper[a] - space.lower[a]) / static_cast<double>(n_[a]);
    cell_volume_ *= h_[a];
  }
  cells_ = ns_ * nt_;
  off_vm_ = (d_ + 1) * cells_;
  off_vr_ = off_vm_ + d_ * cells_;
  off_w_ = off_vr_ + (nt_ + 1) * ns_;
  size_ = off_w_ + ns_;
  w_.assign(size_, 0.0);
  z_.assign(size_, 0.0);
  y_.assign(size_, 0.0);
  r_.assign(size_, 0.0);
  potential_.assign(ns_, 0.0);
  for (long s = 0; s < ns_; ++s) {
    double x[3] = {0, 0, 0};
    long rest = s;
    for (int a = 0; a < d_; ++a) {
      x[a] = space.lower[a] + (static_cast<double>(rest % n_[a]) + 0.5) * h_[a];
      rest /= n_[a];
    }
    potential_[s] = energy_.V(x, d_);
  }
  // G2 lines: (Id + I₀ᵀI₀ (+ λ e_N e_Nᵀ)) on the unknown faces. A face between two cells gets ¼ + ¼ from
  // the two averages it enters, neighbours ¼; the final time face enters one cell only and carries W.
  for (int a = 0; a < d_; ++a) {
    if (n_[a] < 2) continue;
    std::vector<double> diag(static_cast<size_t>(n_[a] - 1), 1.5);
    thomas_factors(diag, 0.25, axis_ip_[a], axis_up_[a]);
  }
  std::vector<double> tdiag(static_cast<size_t>(nt_), 1.5);
  tdiag.back() = 1.25 + opt_.final_weight;
  thomas_factors(tdiag, 0.25, time_ip_, time_up_);
}

std::vector<double> JkoGridSolver::state() const {
  std::vector<double> s = w_;
  s.push_back(last_tau_);
  return s;
}

void JkoGridSolver::set_state(const std::vector<double>& w) {
  if (static_cast<long>(w.size()) != size_ + 1)
    throw InputError("gradient_flow jko: checkpointed JKO state has the wrong size");
  w_.assign(w.begin(), w.end() - 1);
  last_tau_ = w.back();
  started_ = true;
}

void JkoGridSolver::interpolate(const double* vm, const double* vr, double* u) const {
  for (int c = 0; c < d_; ++c) {
    const double* m = vm + c * cells_;
    double* out = u + c * cells_;
    const long st = stride_[c], n = n_[c];
    along_axis(cells_, n, st, [&](long q, long i) {
      const double upper = i + 1 < n ? m[q + st] : 0.0;  // the top wall carries no flux
      out[q] = 0.5 * (m[q] + upper);                     // slot i = 0 is the bottom wall: kept at 0
    });
  }
  double* rho = u + d_ * cells_;
  for (long q = 0; q < cells_; ++q) rho[q] = 0.5 * (vr[q] + vr[q + ns_]);
}

void JkoGridSolver::project_continuity(double* vm, double* vr) {
  double* phi = poisson_.buffer();
  const double inv_dt = nt_;
  for (long q = 0; q < cells_; ++q) phi[q] = (vr[q + ns_] - vr[q]) * inv_dt;
  for (int c = 0; c < d_; ++c) {
    const double* m = vm + c * cells_;
    const long st = stride_[c], n = n_[c];
    const double inv_h = 1.0 / h_[c];
    along_axis(cells_, n, st, [&](long q, long i) {
      const double upper = i + 1 < n ? m[q + st] : 0.0;
      phi[q] += (upper - m[q]) * inv_h;
    });
  }
  poisson_.solve();
  // V ← V − Dᵀφ on the unknown faces: (Dᵀφ)_face = (φ_below − φ_above) / spacing, φ = 0 above t = 1.
  for (long q = ns_; q < cells_ + ns_; ++q) {
    const double above = q < cells_ ? phi[q] : 0.0;
    vr[q] -= (phi[q - ns_] - above) * inv_dt;
  }
  for (int c = 0; c < d_; ++c) {
    double* m = vm + c * cells_;
    const long st = stride_[c], n = n_[c];
    const double inv_h = 1.0 / h_[c];
    along_axis(cells_, n, st, [&](long q, long i) {
      if (i > 0) m[q] -= (phi[q - st] - phi[q]) * inv_h;
    });
  }
}

void JkoGridSolver::prox_g1(double tau) {
  const double gamma = opt_.step;
  // Kinetic action per space-time cell (the cell volume cancels against the weighted inner product).
  {
    const int d = d_;
    const long cells = cells_;
    Unmanaged z(z_.data(), size_);
    UnmanagedConst w(w_.data(), size_);
    Kokkos::parallel_for(
        "mf::gradient_flow::jko_prox_kinetic", Kokkos::RangePolicy<HostExec>(0, cells), KOKKOS_LAMBDA(long q) {
          double m[3] = {0, 0, 0};
          for (int c = 0; c < d; ++c) m[c] = w(c * cells + q);
          double rho = w(d * cells + q);
          prox_kinetic_cell(gamma, rho, m, d);
          for (int c = 0; c < d; ++c) z(c * cells + q) = m[c];
          z(d * cells + q) = rho;
        });
  }
  // Continuity: the staggered part projected onto D V = 0 (face 0 of the density stays ρ_k).
  std::copy(w_.begin() + off_vm_, w_.begin() + off_w_, z_.begin() + off_vm_);
  project_continuity(z_.data() + off_vm_, z_.data() + off_vr_);
  // Energy at the final time: τ f(W) = τ Σ (U + V W) |space cell|, inner-product weight λ |space cell| dt.
  {
    const double s = gamma * tau * nt_ / opt_.final_weight;
    const LocalEnergy e = energy_;
    Unmanaged z(z_.data() + off_w_, ns_);
    UnmanagedConst w(w_.data() + off_w_, ns_);
    UnmanagedConst v(potential_.data(), ns_);
    Kokkos::parallel_for(
        "mf::gradient_flow::jko_prox_energy", Kokkos::RangePolicy<HostExec>(0, ns_),
        KOKKOS_LAMBDA(long s_) { z(s_) = prox_energy_cell(e, s, v(s_), w(s_)); });
  }
}

void JkoGridSolver::project_g2() {
  // Normal equations of min |I V' − U|² + |V' − V|² + λ|V'_N − W|² over the unknown faces:
  // (Id + I₀ᵀI₀ + λ e_N e_Nᵀ) V' = V + I₀ᵀ(U − I(0)) + λ e_N W, then U' = I(V'), W' = V'_N.
  const double lambda = opt_.final_weight;
  const double* u = y_.data();
  double* vm = r_.data() + off_vm_;
  double* vr = r_.data() + off_vr_;
  for (int c = 0; c < d_; ++c) {
    const double* uc = u + c * cells_;
    const double* vin = y_.data() + off_vm_ + c * cells_;
    double* m = vm + c * cells_;
    const long st = stride_[c], n = n_[c];
    along_axis(cells_, n, st, [&](long q, long i) { m[q] = i > 0 ? vin[q] + 0.5 * (uc[q - st] + uc[q]) : 0.0; });
    if (n < 2) continue;
    // Lines along axis c: faces 1..n−1 of each line, inner = st contiguous lines side by side.
    solve_lines(m + st, cells_ / (n * st), n - 1, st, n * st, 0.25, axis_ip_[c], axis_up_[c]);
  }
  const double* ur = u + d_ * cells_;
  const double* vr_in = y_.data() + off_vr_;
  const double* w_in = y_.data() + off_w_;
  for (long s = 0; s < ns_; ++s) vr[s] = vr_in[s];  // ρ_k
  for (int f = 1; f <= nt_; ++f) {
    double* row = vr + f * ns_;
    const double* rin = vr_in + f * ns_;
    const double* below = ur + (f - 1) * ns_;
    for (long s = 0; s < ns_; ++s) {
      double b = rin[s] + 0.5 * below[s];
      if (f == 1) b -= 0.25 * vr_in[s];  // I(0) holds ρ_k/2 in the first time cell
      b += f < nt_ ? 0.5 * ur[f * ns_ + s] : lambda * w_in[s];
      row[s] = b;
    }
  }
  solve_lines(vr + ns_, 1, nt_, ns_, 0, 0.25, time_ip_, time_up_);
  interpolate(vm, vr, r_.data());
  std::copy(vr + nt_ * ns_, vr + (nt_ + 1) * ns_, r_.begin() + off_w_);
}

double JkoGridSolver::path_w2sq(const double* u) const {
  const double* rho = u + d_ * cells_;
  double sum = 0.0;
  for (long q = 0; q < cells_; ++q) {
    if (!(rho[q] > 0.0)) continue;
    double m2 = 0.0;
    for (int c = 0; c < d_; ++c) m2 += u[c * cells_ + q] * u[c * cells_ + q];
    sum += m2 / rho[q];
  }
  return sum * cell_volume_ / nt_;
}

JkoStepStats JkoGridSolver::step(std::vector<double>& rho, double tau) {
  const double start = MPI_Wtime();
  if (static_cast<long>(rho.size()) != ns_) throw SolverError("gradient_flow jko: density size differs from the grid");
  double* wvr = w_.data() + off_vr_;
  if (!started_ || !opt_.warm_start) {
    // Cold start: the density standing still, no momentum.
    std::fill(w_.begin(), w_.end(), 0.0);
    for (int f = 0; f <= nt_; ++f) std::copy(rho.begin(), rho.end(), wvr + f * ns_);
    for (int n = 0; n < nt_; ++n) std::copy(rho.begin(), rho.end(), w_.begin() + d_ * cells_ + n * ns_);
    std::copy(rho.begin(), rho.end(), w_.begin() + off_w_);
    started_ = true;
  } else {
    // Warm start: the last step's path (its velocities change slowly), its densities shifted by the
    // change of the starting density so the first face holds ρ_k exactly.
    // A step of another size (the Driver shortens the last step before an output time) moves the
    // density about τ/τ_prev as far: the path's momentum and its departure from ρ_k are scaled by that
    // ratio (without it, a half step after full ones took over 5000 iterations in the OU deck).
    const double ratio = last_tau_ > 0.0 ? tau / last_tau_ : 1.0;
    for (long s = 0; s < ns_; ++s) {
      const double old_start = wvr[s];
      auto move = [&](double& v) { v = rho[s] + ratio * (v - old_start); };
      for (int f = 0; f <= nt_; ++f) move(wvr[f * ns_ + s]);
      for (int n = 0; n < nt_; ++n) move(w_[d_ * cells_ + n * ns_ + s]);
      move(w_[off_w_ + s]);
    }
    if (ratio != 1.0) {
      for (long i = 0; i < d_ * cells_; ++i) w_[i] *= ratio;
      for (long i = off_vm_; i < off_vr_; ++i) w_[i] *= ratio;
    }
  }
  last_tau_ = tau;
  double mass0 = 0.0, rho_norm2 = 0.0;
  for (double v : rho) {
    mass0 += v;
    rho_norm2 += v * v;
  }
  JkoStepStats st;
  const double alpha = opt_.relaxation;
  bool converged = false;
  int it = 0;
  double residual = 0.0;
  for (it = 1; it <= opt_.max_iterations; ++it) {
    prox_g1(tau);
    for (long i = 0; i < size_; ++i) y_[i] = 2.0 * z_[i] - w_[i];
    project_g2();
    // Relaxed update, and the fixed-point residual ‖r − z‖ measured against how far z is from standing
    // still (ρ_k on every density slot, no momentum): a tolerance relative to the step's own size, so
    // small late steps are solved as accurately as large early ones.
    double diff2 = 0.0;
    for (long i = 0; i < size_; ++i) {
      const double dz = r_[i] - z_[i];
      w_[i] += alpha * dz;
      diff2 += dz * dz;
    }
    // The reference size costs three more passes: measured every 10th iteration (and at the last).
    if (it % 10 != 0 && it != opt_.max_iterations) continue;
    double move2 = 0.0;
    for (long i = 0; i < d_ * cells_; ++i) move2 += z_[i] * z_[i];
    for (long i = off_vm_; i < off_vr_; ++i) move2 += z_[i] * z_[i];
    auto density_block = [&](long offset, int slices) {
      for (int n = 0; n < slices; ++n)
        for (long s = 0; s < ns_; ++s) {
          const double dv = z_[offset + n * ns_ + s] - rho[s];
          move2 += dv * dv;
        }
    };
    density_block(d_ * cells_, nt_);
    density_block(off_vr_ + ns_, nt_);
    density_block(off_w_, 1);
    residual = std::sqrt(diff2 / std::max(move2, 1e-20 * rho_norm2));
    if (residual <= opt_.tolerance) {
      converged = true;
      break;
    }
  }
  if (!converged) {
    char msg[256];
    std::snprintf(msg, sizeof msg,
                  "gradient_flow jko: Douglas–Rachford did not reach eulerian.jko_tolerance %.3g in "
                  "eulerian.jko_max_iterations %d (residual %.3g, step tau = %.6g)",
                  opt_.tolerance, opt_.max_iterations, residual, tau);
    throw SolverError(msg);
  }
  // ρ_{k+1}: the final face of the continuity-feasible z (mass exact); negative round-off clipped.
  const double* final_face = z_.data() + off_vr_ + nt_ * ns_;
  double mass = 0.0, negative = 0.0;
  for (long s = 0; s < ns_; ++s) {
    const double v = final_face[s];
    if (v < 0.0) negative -= v;
    rho[s] = v > 0.0 ? v : 0.0;
    mass += rho[s];
  }
  if (mass > 0.0)
    for (double& v : rho) v *= mass0 / mass;
  st.iterations = it;
  st.residual = residual;
  st.w2sq = path_w2sq(z_.data());
  st.clipped_mass = negative * cell_volume_;
  st.seconds = MPI_Wtime() - start;
  return st;
}

}  // namespace mf::gradient_flow
