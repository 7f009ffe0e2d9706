// The Gaussian closure of the transformer PDE: N(m, Σ) stays Gaussian under softmax attention, with
//   Γ(x) = V(m + ΣKᵀQ x),  m' = V(m + ΣKᵀQ m),  Σ' = VΣKᵀQΣ + ΣQᵀKΣVᵀ   (scores ⟨Qx, Ky⟩, eq. 26),
// integrated by a private step-doubling RK4 (closure_rk4_*: swap for the shared matrix-ODE integrator
// when it lands), plus the exact V = I solution Σ(t)⁻¹ = Σ0⁻¹ − ∫(M + Mᵀ), M = KᵀQ, and its blow-up.
#pragma once
#include <optional>
#include <vector>

#include "measureflow/small_matrix.hpp"
#include "transformer_config.hpp"

namespace mf::transformer {

struct GaussianState {
  Vector m;
  Matrix S;  // covariance Σ
};

// Right-hand side (m', Σ') for one parameter set.
GaussianState closure_rhs(const AttentionLayer& layer, const GaussianState& s);

// One layer of the discrete map x ← x + hΓ(x) (eq. 26, depth h = 1/T) applied to N(m, Σ). Exact, not an
// approximation: Γ is affine for a Gaussian, so the image is the Gaussian N(Am + hVm, AΣAᵀ) with
// A = I + hVΣKᵀQ. It is the n → ∞ limit of the tokens' T-layer map, so tokens can be compared with it at
// any h without a time-discretisation bias.
GaussianState layer_map_step(const AttentionLayer& layer, const GaussianState& s, double h);

struct ClosureResult {
  GaussianState state;  // at t_reached
  double t_reached = 0.0;
  bool blew_up = false;  // tr Σ passed blowup_factor · tr Σ0 (or became non-finite) before t1
  int steps = 0;
  bool stalled = false;  // the adaptive step stalled (stiff stretch) before t1: neither blow-up nor t1 reached
};

// Adaptive RK4 with step doubling and Richardson extrapolation from t0 to t1, honouring layer changes.
// Relative local tolerance rtol on (m, Σ) in the Frobenius norm.
ClosureResult closure_rk4_integrate(const std::vector<AttentionLayer>& layers, const GaussianState& s0, double t0,
                                    double t1, double rtol = 1e-12, double blowup_factor = 1e12);

// True if every layer has V = I (the case with an exact covariance).
bool identity_values(const std::vector<AttentionLayer>& layers);
// Exact Σ(t) for V = I (any layer sequence): Σ(t)⁻¹ = Σ0⁻¹ − ∫₀ᵗ (M + Mᵀ); nullopt at or after blow-up.
std::optional<Matrix> identity_value_covariance(const std::vector<AttentionLayer>& layers, const Matrix& S0, double t);
// Exact blow-up time for V = I: first t with λ_min(Σ(t)⁻¹) = 0 (for one layer t* = 1/λ_max(Lᵀ(M+Mᵀ)L),
// Σ0 = LLᵀ). Infinity if there is none.
double identity_value_blowup_time(const std::vector<AttentionLayer>& layers, const Matrix& S0);

// Blow-up time read off a covariance trajectory, assuming (as for V = I) that Σ(t)⁻¹ is affine in t:
// least-squares fit Σ(t_k)⁻¹ ≈ P0 − t_k B, then t* = 1/λ_max(P0^{-1/2} B P0^{-1/2}). Infinity if B has
// no positive direction. Used for the particle and grid views, which cannot blow up themselves.
double blowup_time_from_trajectory(const std::vector<double>& times, const std::vector<Matrix>& covs);

}  // namespace mf::transformer
