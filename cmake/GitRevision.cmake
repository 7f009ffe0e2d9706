# Writes generated/measureflow_version.hpp with the project version and the git revision it was built
# from; re-run at every build so a rebuild after a commit reports the new revision.
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/generated)
add_custom_target(mf_git_revision ALL
  COMMAND ${CMAKE_COMMAND} -DSRC=${PROJECT_SOURCE_DIR} -DOUT=${PROJECT_BINARY_DIR}/generated/measureflow_version.hpp
          -DVERSION=${PROJECT_VERSION} -P ${PROJECT_SOURCE_DIR}/cmake/WriteVersion.cmake
  BYPRODUCTS ${PROJECT_BINARY_DIR}/generated/measureflow_version.hpp
  COMMENT "Recording git revision")
