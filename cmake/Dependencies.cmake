# Debian 12 packages: openmpi, petsc-dev (3.18), libhdf5-openmpi-dev, libyaml-cpp-dev, libgtest-dev,
# libtrilinos-kokkos-dev. scripts/setup.sh installs them.
find_package(MPI REQUIRED COMPONENTS C CXX)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PETSC REQUIRED IMPORTED_TARGET PETSc)
pkg_check_modules(HDF5 REQUIRED IMPORTED_TARGET hdf5-openmpi)
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)
find_package(Kokkos REQUIRED)
# Debian's KokkosConfig.cmake points at <prefix>/include, which has no Kokkos headers; they live in
# /usr/include/trilinos.
if(EXISTS /usr/include/trilinos/Kokkos_Core.hpp)
  set_target_properties(Kokkos::kokkos PROPERTIES INTERFACE_INCLUDE_DIRECTORIES /usr/include/trilinos)
endif()
find_package(GTest)
# Eigen 3.4 (Debian libeigen3-dev): small dense solves of the learned flow-matching fields.
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
# OpenBLAS (Debian libopenblas-dev; setup.sh installs the single-threaded build, libopenblas-serial-dev):
# the matrix products of the all-pairs dot-product kernel at d ≥ 8 (streaming_softmax_blas.cpp). Optional:
# without it that kernel takes the portable Kokkos path (slower at large d, same results to rounding).
option(MEASUREFLOW_BLAS "Use OpenBLAS for the all-pairs dot-product kernel when it is found" ON)
if(MEASUREFLOW_BLAS)
  pkg_check_modules(OPENBLAS IMPORTED_TARGET openblas)
endif()
