# Debian's KokkosConfig.cmake points at <prefix>/include, which has no Kokkos headers; they live in
# /usr/include/trilinos. Used by the build (cmake/Dependencies.cmake) and by the installed package.
if(TARGET Kokkos::kokkos AND EXISTS /usr/include/trilinos/Kokkos_Core.hpp)
  set_target_properties(Kokkos::kokkos PROPERTIES INTERFACE_INCLUDE_DIRECTORIES /usr/include/trilinos)
endif()
