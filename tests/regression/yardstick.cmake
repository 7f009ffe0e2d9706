# The cross-view yardstick falls with refinement (issue 18): one deck at successive resolutions, grid
# cells and particles refined together (particles ∝ cells), every finer run's cross.w2_eulerian_lagrangian
# smaller than the coarser one's. Sizes are the small end of the tables in docs/yardstick.md.
set(MF_YARDSTICK ${CMAKE_CURRENT_SOURCE_DIR}/yardstick_refinement.py)

function(mf_yardstick name)
  cmake_parse_arguments(Y "" "DECK;RANKS;MIN_RATE" "LEVELS;SET" ${ARGN})
  set(extra)
  foreach(l ${Y_LEVELS})
    list(APPEND extra --level ${l})
  endforeach()
  foreach(s ${Y_SET})
    list(APPEND extra --set ${s})
  endforeach()
  if(Y_MIN_RATE)
    list(APPEND extra --min-rate ${Y_MIN_RATE})
  endif()
  add_test(NAME regression.yardstick.${name}
           COMMAND ${MF_PYTHON} ${MF_YARDSTICK} --binary $<TARGET_FILE:measureflow> --deck ${PROJECT_SOURCE_DIR}/${Y_DECK}
                   --ranks ${Y_RANKS} --out ${MF_REG_OUT}/yardstick/${name} ${extra})
  set_tests_properties(regression.yardstick.${name} PROPERTIES LABELS regression PROCESSORS ${Y_RANKS} TIMEOUT 900)
endfunction()

# Continuity 2D (quickstart: a Gaussian once around by a rotation): measured rate 1.9 from 16² to 32².
mf_yardstick(continuity_2d DECK inputs/quickstart.yaml RANKS 2 LEVELS 16x16:1000 32x32:4000 MIN_RATE 1.0)
# Dynamic OT slices (translated 2D bump; space, time faces and particles refined together): the largest
# slice W2 over all faces, measured 0.0174 -> 0.0098 from 12²×6 to 24²×12, rate 0.83 (docs/yardstick.md).
mf_yardstick(dynamic_ot_2d DECK inputs/dynamic_ot/bump_translation_2d.yaml RANKS 2
  LEVELS 12x12:200:time.cells=6 24x24:800:time.cells=12 SET diagnostics.w2=final MIN_RATE 0.5)
