// Kokkos math functions under one name: Kokkos 3.4 (Debian) keeps them in Kokkos::Experimental,
// Kokkos >= 3.7 and 4.x in Kokkos::. Kernels call mf::kmath::sqrt etc. and build against both.
#pragma once
#include <Kokkos_Core.hpp>

namespace mf {
#if KOKKOS_VERSION >= 30700
namespace kmath = ::Kokkos;
#else
namespace kmath = ::Kokkos::Experimental;
#endif
}  // namespace mf
