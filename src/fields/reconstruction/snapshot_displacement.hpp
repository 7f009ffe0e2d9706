// The velocity of an evolution observed only as particle clouds at a few times (trajectory inference,
// survey §2.1 and §5.4, `method: ot`): between two consecutive clouds a and b, the entropic OT plan π
// (the project's distributed Sinkhorn) and its barycentric projection T(x_i) = Σ_j π_ij y_j / Σ_j π_ij
// give each particle of a a displacement; along the displacement interpolation x + θ(T(x) − x) the
// velocity is u_i = (T(x_i) − x_i)/Δt. These samples, placed at the interval's midpoint positions
// x_i + θ(T(x_i) − x_i) at a few θ, are turned into a field on the grid by local-linear Gaussian kernel
// regression: at z, the weighted least-squares fit u ≈ c + B(m − z) with weights a_i K(z − m_i), v(z) = c.
// The kernel sums are one pass of the streaming softmax kernel (a Gaussian kernel is a softmax of
// −|z − m|²/(2σ²)) over the ring of ranks, with the moments [m, u, m⊗m, m⊗u] as values.
// Why local-linear: the plain kernel mean (Nadaraya–Watson) of an expanding cloud's velocity u = αm is
// α z s/(s + σ²) for a cloud of variance s — 18 % too slow at s = 0.07, σ² = 0.016 (measured: the
// re-advected Ornstein–Uhlenbeck cloud under-expanded); the local-linear fit is exact for linear fields.
// Why a regression rather than a deposit: a cloud-in-cell deposit leaves cells with no particle at
// velocity 0 (particles entering them stop) and is noisy at a few particles per cell; the kernel
// field is smooth, defined everywhere and tends to the nearest samples' velocity far from the cloud.
#pragma once
#include <mpi.h>

#include "measureflow/fv_advection.hpp"
#include "measureflow/grid.hpp"
#include "measureflow/ot/sinkhorn.hpp"
#include "measureflow/weighted_points.hpp"

namespace mf::fields {

// Velocity samples of one observation interval, on this rank's block of the earlier cloud.
struct DisplacementSamples {
  WeightedPoints origins;      // x_i, weights a_i: the earlier cloud
  PointsView targets;          // T(x_i)
  WeightedPoints midpoints;    // x_i + θ (T(x_i) − x_i) at the θ of at_fraction (1/2 when made)
  PointsView velocity;         // u_i = (T(x_i) − x_i)/Δt
  double energy_rate = 0.0;    // Σ a_i |u_i|² / Σ a_i: the interval's kinetic energy per unit time
  int sinkhorn_iterations = 0;
  bool converged = false;
};

// Sinkhorn between `from` (at t) and `to` (at t + dt) at opt.eps, then the barycentric samples.
// Collective; every rank gets the same scalars.
DisplacementSamples displacement_samples(MPI_Comm comm, const WeightedPoints& from, const WeightedPoints& to,
                                         double dt, const ot::SinkhornOptions& opt);

// The samples moved to the fraction θ ∈ [0, 1] of the interval: the velocity of the displacement
// interpolation x + θ(T(x) − x) is the same u_i at every θ, but it sits at moving positions, so a field
// fixed in space must be sampled at several θ (the coarse-snapshot problem: with one sample per interval
// at θ = 1/2, a cloud that triples its spread moves at half its speed near the observations).
DisplacementSamples at_fraction(const DisplacementSamples& s, double theta);

// The kernel-regressed velocity at `targets` (n_local × dim) into out (n_local × dim); bandwidth σ > 0.
// Collective (the samples travel around the ring).
void regress_velocity(MPI_Comm comm, const DisplacementSamples& s, double bandwidth, const PointsView& targets,
                      const PointsView& out);

// The regressed velocity on this rank's faces (normal component; wall faces carry none, as the FV
// scheme's walls) and at its cell centres (global vectors, one per axis). Collective.
void regress_onto_faces(const Grid& grid, const DisplacementSamples& s, double bandwidth, FaceVelocities& faces);
void regress_onto_cells(const Grid& grid, const DisplacementSamples& s, double bandwidth, Vec out[3]);

}  // namespace mf::fields
