# `cmake --install build --prefix P` installs the library (P/lib/libmeasureflow.a), the public headers
# (P/include/measureflow), the executable (P/bin/measureflow), a CMake package
# (P/lib/cmake/MeasureFlow: find_package(MeasureFlow) gives MeasureFlow::measureflow) and a pkg-config
# file (P/lib/pkgconfig/measureflow.pc). tests/consumer is a project built against such a tree.
include(CMakePackageConfigHelpers)
set(MF_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/MeasureFlow)

install(TARGETS measureflow_lib EXPORT MeasureFlowTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS measureflow RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/measureflow DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")
install(EXPORT MeasureFlowTargets NAMESPACE MeasureFlow:: DESTINATION ${MF_CMAKE_INSTALL_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/MeasureFlowConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/MeasureFlowConfig.cmake
                              INSTALL_DESTINATION ${MF_CMAKE_INSTALL_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/MeasureFlowConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/MeasureFlowConfig.cmake ${PROJECT_BINARY_DIR}/MeasureFlowConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/MeasureFlowKokkosIncludes.cmake
        DESTINATION ${MF_CMAKE_INSTALL_DIR})

# pkg-config: the library is static, so its dependencies' flags travel in Requires / Libs.
set(MF_PC_KOKKOS_CFLAGS "")
get_target_property(MF_KOKKOS_INCLUDES Kokkos::kokkos INTERFACE_INCLUDE_DIRECTORIES)
foreach(dir ${MF_KOKKOS_INCLUDES})
  string(APPEND MF_PC_KOKKOS_CFLAGS " -I${dir}")
endforeach()
# MPI's module: Open MPI's C++ one here (the library calls the C API; ompi-cxx adds the C++ flags).
pkg_search_module(MF_PC_MPI QUIET ompi-cxx mpich mpi)
# Kokkos has no .pc file: its libraries (plain names in the imported target) go into Libs.
set(MF_PC_KOKKOS_LIBS "")
get_target_property(MF_KOKKOS_LIBS Kokkos::kokkos INTERFACE_LINK_LIBRARIES)
foreach(lib ${MF_KOKKOS_LIBS})
  if(lib MATCHES "^[A-Za-z0-9_]+$")
    string(APPEND MF_PC_KOKKOS_LIBS " -l${lib}")
  endif()
endforeach()
file(RELATIVE_PATH MF_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
# The pkg-config file requires OpenBLAS only where this build linked it.
if(OPENBLAS_FOUND)
  set(MF_PC_BLAS_MODULE " openblas")
else()
  set(MF_PC_BLAS_MODULE "")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/measureflow.pc.in ${PROJECT_BINARY_DIR}/measureflow.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/measureflow.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
