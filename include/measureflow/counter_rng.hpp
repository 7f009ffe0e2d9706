// Counter-based random numbers: a draw is a pure function of (seed, particle id, draw index), so a
// particle gets the same numbers whichever rank samples it and however many ranks there are.
#pragma once
#include <Kokkos_Core.hpp>
#include <cstdint>

#include "measureflow/kokkos_math.hpp"

namespace mf {

KOKKOS_INLINE_FUNCTION std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct CounterRng {
  std::uint64_t key;
  KOKKOS_INLINE_FUNCTION CounterRng(std::uint64_t seed, std::uint64_t id)
      : key(splitmix64(splitmix64(seed) ^ (id * 0xd1b54a32d192ed03ULL))) {}
  // Uniform in (0, 1): 53 random bits, never exactly 0 (safe under log).
  KOKKOS_INLINE_FUNCTION double uniform(std::uint64_t counter) const {
    const std::uint64_t bits = splitmix64(key ^ splitmix64(counter + 0x632be59bd9b4e019ULL)) >> 11;
    return (static_cast<double>(bits) + 0.5) * (1.0 / 9007199254740992.0);
  }
  // Standard normal by Box–Muller from draws 2c and 2c+1.
  KOKKOS_INLINE_FUNCTION double normal(std::uint64_t counter) const {
    const double u1 = uniform(2 * counter), u2 = uniform(2 * counter + 1);
    return kmath::sqrt(-2.0 * kmath::log(u1)) * kmath::cos(6.283185307179586 * u2);
  }
};

}  // namespace mf
