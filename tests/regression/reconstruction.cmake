# Velocity reconstruction (docs/reconstruction.md): the quick-start Gaussian path explained again by the
# least-squares field, at 32² (the deck runs 128²). Bounds about 1.5x the values measured at this size:
# kinetic energy 0.18 % from the exact minimal energy, re-advection L1 0.345 (the FV scheme's own error
# at 32²), particle re-advection W2 0.047. Across rank counts: Krylov metrics to ~1e-11, the particle W2
# behind a Sinkhorn solve to 1.4e-5 (measured on 4 ranks), so the loose tolerance is 1e-4.
mf_regression(reconstruction_rotation_gaussian DECK inputs/reconstruction/rotation_gaussian.yaml
  SET "domain.cells=[32,32]" lagrangian.particles=2000
  BOUNDS "eulerian.kinetic_energy_error<=3e-3" "eulerian.readvect_l1_error<=0.5" "lagrangian.readvect_w2<=0.07"
         "closed_form.kinetic_energy>=0.5131" "closed_form.kinetic_energy<=0.5132"
  SAME closed_form.kinetic_energy RTOL 1e-12
  LOOSE eulerian.kinetic_energy eulerian.readvect_l1_error lagrangian.readvect_w2 LOOSE_RTOL 1e-4)

# A continuity run reconstructed from its own fields.h5 (path.type: run), with 41 and 21 observed times,
# on 1 and 2 ranks: kinetic energy near the exact path's minimal energy, re-advection close to the FV
# scheme's own error and falling with the number of observed times.
foreach(np 1 2)
  add_test(NAME regression.reconstruction_from_run.np${np}
           COMMAND ${MF_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/reconstruction_run_test.py $<TARGET_FILE:measureflow> ${PROJECT_SOURCE_DIR} ${np})
  set_tests_properties(regression.reconstruction_from_run.np${np} PROPERTIES LABELS regression PROCESSORS ${np} TIMEOUT 600)
endforeach()

# A porous-medium run (m = 2, Barenblatt) reconstructed from its own fields.h5 with the midpoint fields,
# from 9, 5 and 3 snapshots: kinetic energy within 3 % of the exact Barenblatt value (measured −1.1 %,
# −1.5 %, −2.7 %), re-advection L1 0.0131, 0.0333, 0.0864, falling with the number of observed times.
foreach(np 1 2)
  add_test(NAME regression.reconstruction_porous_run.np${np}
           COMMAND ${MF_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/reconstruction_porous_test.py $<TARGET_FILE:measureflow> ${PROJECT_SOURCE_DIR} ${np})
  set_tests_properties(regression.reconstruction_porous_run.np${np} PROPERTIES LABELS regression PROCESSORS ${np} TIMEOUT 600)
endforeach()

# Trajectory inference from the shipped snapshots of an Ornstein–Uhlenbeck particle run (method: ot), on
# 3 of its 5 times at Sinkhorn tolerance 1e-3 (cost): measured lagrangian.readvect_w2 0.0830,
# eulerian.readvect_l1_error 0.391 (CIC deposits of 1000 particles: sampling noise), kinetic energy 1.5107
# (the exact piecewise-geodesic energy of the Gaussian path on [0, 0.5] is 1.5132). The same on 1, 2 and
# 4 ranks: the energy to round-off (1e-15 measured), the re-advection to 1e-13.
mf_regression(reconstruction_snapshots_ou_2d DECK inputs/reconstruction/snapshots_ou_2d.yaml
  SET "path.times=[0.0,0.25,0.5]" ot.tolerance=1e-3 diagnostics.w2=none
  BOUNDS "lagrangian.readvect_w2<=0.125" "eulerian.readvect_l1_error<=0.6"
         "eulerian.kinetic_energy>=1.36" "eulerian.kinetic_energy<=1.67"
  SAME eulerian.kinetic_energy eulerian.sinkhorn_iterations RTOL 1e-10
  LOOSE lagrangian.readvect_w2 eulerian.readvect_l1_error LOOSE_RTOL 1e-6)
# The full deck (5 times) against independent yardsticks (POT's exact W2 to the exact OU flow of the same
# particles; the piecewise-geodesic energy): docs/reconstruction.md.
add_test(NAME regression.reconstruction_snapshots_vs_exact_flow
         COMMAND ${MF_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/reconstruction_snapshots_test.py $<TARGET_FILE:measureflow> ${PROJECT_SOURCE_DIR} 1)
set_tests_properties(regression.reconstruction_snapshots_vs_exact_flow PROPERTIES LABELS regression TIMEOUT 600)
