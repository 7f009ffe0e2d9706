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
# FFTW 3 with its MPI interface (Debian libfftw3-dev, libfftw3-mpi-dev): the dynamic OT space-time
# Poisson solve by fast cosine/Fourier transforms. fftw3.pc has no MPI variant: find the library beside it.
pkg_check_modules(FFTW REQUIRED IMPORTED_TARGET fftw3)
find_library(FFTW_MPI_LIBRARY fftw3_mpi HINTS ${FFTW_LIBRARY_DIRS} REQUIRED)
