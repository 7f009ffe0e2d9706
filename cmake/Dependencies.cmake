# Debian 12 packages: openmpi, petsc-dev (3.18), libhdf5-openmpi-dev, libyaml-cpp-dev, libgtest-dev,
# libtrilinos-kokkos-dev. scripts/setup.sh installs them.
find_package(MPI REQUIRED COMPONENTS C CXX)
find_package(PkgConfig REQUIRED)
# Debian names parallel HDF5 hdf5-openmpi; elsewhere (Spack, source builds) it is plain hdf5.
pkg_check_modules(PETSC REQUIRED IMPORTED_TARGET PETSc)
pkg_search_module(HDF5 REQUIRED IMPORTED_TARGET hdf5-openmpi hdf5)
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)
find_package(Kokkos REQUIRED)
include(${CMAKE_CURRENT_LIST_DIR}/MeasureFlowKokkosIncludes.cmake)
find_package(GTest)
# Libraries used instead of hand-written code (Debian: libeigen3-dev nlohmann-json3-dev libcli11-dev
# librandom123-dev): Eigen for the small dense algebra, nlohmann/json for every JSON file, CLI11 for the
# command line (executable only), Random123's Philox for the counter-based random numbers.
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 2.1 REQUIRED)
# LEMON (Debian liblemon-dev): the network simplex of the static solver's exact step (certified_exact.hpp).
# Only its headers are used (the templates need no library); Debian's lemonConfig.cmake sets LEMON_INCLUDE_DIR.
find_package(LEMON NAMES lemon LEMON CONFIG QUIET)
find_path(MF_LEMON_INCLUDE_DIR lemon/network_simplex.h HINTS ${LEMON_INCLUDE_DIR})
if(NOT MF_LEMON_INCLUDE_DIR)
  message(FATAL_ERROR "MeasureFlow needs LEMON (lemon/network_simplex.h) for the exact static OT step: "
                      "install liblemon-dev (scripts/setup.sh) or pass -DMF_LEMON_INCLUDE_DIR=<prefix>/include")
endif()
# Random123 is header-only and ships no CMake config.
find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
# FFTW 3 with its MPI interface (Debian libfftw3-dev, libfftw3-mpi-dev): the space-time Poisson solves by
# fast cosine/Fourier transforms (dynamic OT, grid JKO). fftw3.pc has no MPI variant: find the library beside it.
pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3)
find_library(FFTW_MPI_LIBRARY fftw3_mpi HINTS ${FFTW3_LIBRARY_DIRS} REQUIRED)
# OpenBLAS (Debian libopenblas-dev; setup.sh installs the single-threaded build, libopenblas-serial-dev):
# the matrix products of the all-pairs dot-product kernel (streaming_softmax_blas.cpp, used from d = 1). Optional:
# without it that kernel takes the portable Kokkos path (slower at large d, same results to rounding).
option(MEASUREFLOW_BLAS "Use OpenBLAS for the all-pairs dot-product kernel when it is found" ON)
if(MEASUREFLOW_BLAS)
  pkg_check_modules(OPENBLAS IMPORTED_TARGET openblas)
endif()
