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

# The other models with a grid and a particle view, at the small end of their docs/yardstick.md tables and
# shortened in time so each test takes seconds. Measured rates (2 ranks, 2026-12-07): continuity 3D 1.65
# (8³ → 12³), porous medium 1.62, aggregation 1.05, transformer 0.48; MIN_RATE is about half of each, so
# a yardstick that stops converging fails while a run-to-run wobble does not.
mf_yardstick(continuity_3d DECK inputs/continuity/linear_3d.yaml RANKS 2
             LEVELS 8x8x8:1000 12x12x12:3375 SET time.end=0.2 output.every=0.2 MIN_RATE 0.8)
mf_yardstick(porous_medium_2d DECK inputs/gradient_flow/porous_barenblatt_2d.yaml RANKS 2
             LEVELS 16x16:500 32x32:2000 SET time.end=0.1 output.every=0.1 MIN_RATE 0.8)
mf_yardstick(aggregation_2d DECK inputs/gradient_flow/aggregation_disk_2d.yaml RANKS 2
             LEVELS 20x20:256 40x40:1024 SET time.end=1.0 output.every=1.0 MIN_RATE 0.5)
mf_yardstick(transformer_2d DECK inputs/transformer/closure_2d.yaml RANKS 2
             LEVELS 16x16:256 32x32:1024 MIN_RATE 0.25)

# Dynamic OT slices (translated 2D bump; space, time faces and particles refined together): the largest
# slice W2 over all faces, measured 0.0174 -> 0.0098 from 12²×6 to 24²×12, rate 0.83 (docs/yardstick.md).
mf_yardstick(dynamic_ot_2d DECK inputs/dynamic_ot/bump_translation_2d.yaml RANKS 2
  LEVELS 12x12:200:time.cells=6 24x24:800:time.cells=12 SET diagnostics.w2=final MIN_RATE 0.5)
