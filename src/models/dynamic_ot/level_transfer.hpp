// Prolongation of space-time fields from a grid to one twice as fine on every refined axis (the
// multilevel start of the Benamou–Brenier solver: solve coarse, interpolate, refine). The two grids are
// distributed independently, so the coarse field is first gathered whole onto every rank (it is 2^{d+1}
// times smaller than the fine one).
#pragma once
#include "staggered_ops.hpp"

namespace mf::dynamic_ot {

// Whether `fine` has twice the cells of `coarse` (or the same count) on every axis, same box and
// boundaries: the precondition of prolong().
bool refines(const SpaceTimeGrid& coarse, const SpaceTimeGrid& fine);

// Staggered field (component c on the faces normal to axis c): a fine face that lies on a coarse face
// takes its value, one half-way between two coarse faces their mean; across the other axes each fine
// cell takes its parent's value. Wall faces count as zero flux; the fixed density faces at the time ends
// are not stored, so a fine density face next to one takes the inner coarse face's value (the fine
// solver projects the result onto the continuity constraint anyway). Collective.
void prolong_staggered(const SpaceTimeGrid& coarse, const Field& from, const SpaceTimeGrid& fine, Field& to);

// Centred field (cell values): each fine cell takes its parent's value. Collective.
void prolong_centred(const SpaceTimeGrid& coarse, const Field& from, const SpaceTimeGrid& fine, Field& to);

}  // namespace mf::dynamic_ot
