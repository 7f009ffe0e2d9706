// Counter-based random numbers: a draw is a pure function of (seed, particle id, draw index), so a
// particle gets the same numbers whichever rank samples it and however many ranks there are.
// The generator is Random123's Philox-2x64-10 (Salmon et al., SC'11: passes TestU01's BigCrush), a
// header-only block cipher that runs inside Kokkos kernels on every backend: the key is the seed,
// the counter is (draw index, particle id).
#pragma once
#include <Kokkos_Core.hpp>
#include <Random123/philox.h>
#include <cstdint>

#include "measureflow/kokkos_math.hpp"

namespace mf {

// A 64-bit mixing hash (SplitMix64's finaliser), for deriving a seed of a sub-stream from a seed and
// a tag (gradient-flow noise); not a generator.
KOKKOS_INLINE_FUNCTION std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct CounterRng {
  using Philox = r123::Philox2x64;
  Philox::key_type key;
  std::uint64_t id;
  KOKKOS_INLINE_FUNCTION CounterRng(std::uint64_t seed, std::uint64_t particle_id) : key{{seed}}, id(particle_id) {}
  // 64 random bits of draw `counter`.
  KOKKOS_INLINE_FUNCTION std::uint64_t bits(std::uint64_t counter) const {
    const Philox::ctr_type c{{counter, id}};
    return Philox()(c, key)[0];
  }
  // Uniform in (0, 1): 53 random bits, never exactly 0 (safe under log).
  KOKKOS_INLINE_FUNCTION double uniform(std::uint64_t counter) const {
    return (static_cast<double>(bits(counter) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  }
  // Standard normal by Box–Muller from draws 2c and 2c+1.
  KOKKOS_INLINE_FUNCTION double normal(std::uint64_t counter) const {
    const double u1 = uniform(2 * counter), u2 = uniform(2 * counter + 1);
    return kmath::sqrt(-2.0 * kmath::log(u1)) * kmath::cos(6.283185307179586 * u2);
  }
};

}  // namespace mf
