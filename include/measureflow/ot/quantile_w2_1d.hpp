// The exact W2 between two measures on the line, by their quantile functions:
// W2² = ∫₀¹ |F⁻¹(u) − G⁻¹(u)|² du. Used wherever a 1D comparison needs no entropic solver: the cross-view
// yardstick in 1D (cross_view_w2.hpp), dynamic OT's 1D time slices, `measureflow ot` on 1D clouds.
#pragma once
#include <vector>

namespace mf::ot {

// `mass` spread uniformly over [lo, hi]; an atom when lo == hi. A grid density is one piece per cell
// (or one atom per cell centre), a particle cloud one atom per particle.
struct Piece1d {
  double lo = 0.0, hi = 0.0, mass = 0.0;
};

// W2² between the measures a and b, each a list of pieces of any positive total mass (normalised here).
// The pieces of one measure must not overlap (after sorting by position: hi_k ≤ lo_{k+1}, up to round-off of
// the span), so that its quantile function runs through them in order, linear on each; zero-mass pieces are
// ignored. Exact up to round-off: on each common interval of the quantile axis both quantile functions are
// linear and the integral of the squared difference is closed-form. O((n + m) log(n + m)); serial, host-only.
// Throws std::invalid_argument on lo > hi, a negative or non-finite mass, overlapping pieces, or no mass.
double w2_squared_quantile_1d(std::vector<Piece1d> a, std::vector<Piece1d> b);

}  // namespace mf::ot
