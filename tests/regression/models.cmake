# Shipped transformer and gradient-flow decks at reduced sizes, at 1, 2 and 4 ranks. Bounds are about
# 1.5-2x the values measured here at these sizes (see docs/transformer.md, docs/gradient_flow.md).

# Transformer PDE: Gaussian closure vs grid vs tokens.
mf_regression(transformer_closure_2d DECK inputs/transformer/closure_2d.yaml
  SET "domain.cells=[32,32]" lagrangian.particles=1024 diagnostics.w2=none
  BOUNDS "eulerian.mass_drift<=1e-12" "eulerian.cov_error<=0.03" "eulerian.l1_error<=0.02" "lagrangian.cov_error<=0.15"
  SAME eulerian.cov_error eulerian.l1_error lagrangian.cov_error lagrangian.mean_error RTOL 1e-10)
# lagrangian.blowup_time with 2000 particles scatters over seeds (Philox draws, 13 seeds 1-12 and 21):
# mean 0.8016, sd 0.0204, range 0.765-0.825. The bound is t* ± 4 sd; the 10000-particle acceptance run
# below is the sharp test.
mf_regression(transformer_blowup_2d DECK inputs/transformer/blowup_2d.yaml
  SET "domain.cells=[32,32]" lagrangian.particles=2000 diagnostics.w2=none
  BOUNDS "closed_form.blowup_time>=0.7999" "closed_form.blowup_time<=0.8001"
         "lagrangian.blowup_time>=0.72" "lagrangian.blowup_time<=0.88"
         "eulerian.blowup_time>=0.76" "eulerian.blowup_time<=0.86"
  SAME lagrangian.blowup_time eulerian.blowup_time lagrangian.cov_error RTOL 1e-10)
# Acceptance of issue #6: the shipped deck as it is (10 000 moment-matched tokens, 64² grid) predicts
# the V = I blow-up time t* = 0.8 within 2 % in both views.
mf_regression(transformer_blowup_2d_acceptance DECK inputs/transformer/blowup_2d.yaml
  SET diagnostics.w2=none
  BOUNDS "closed_form.blowup_time>=0.7999" "closed_form.blowup_time<=0.8001"
         "lagrangian.blowup_time>=0.784" "lagrangian.blowup_time<=0.816"
         "eulerian.blowup_time>=0.784" "eulerian.blowup_time<=0.816"
  SAME lagrangian.blowup_time eulerian.blowup_time RTOL 1e-10)

# Gradient flows: porous medium vs Barenblatt, heat vs the Gaussian heat kernel.
mf_regression(porous_barenblatt_2d DECK inputs/gradient_flow/porous_barenblatt_2d.yaml
  SET "domain.cells=[40,40]" lagrangian.particles=2000 diagnostics.w2=none time.end=0.2 time.dt=0.01
  BOUNDS "eulerian.mass_drift<=1e-12" "eulerian.l1_error<=0.02" "eulerian.rejected_steps<=0"
         "eulerian.support_radius_error<=0.1" "lagrangian.l1_error<=0.025"
  SAME lagrangian.l1_error lagrangian.cov_error RTOL 1e-10)
mf_regression(heat_gaussian_1d DECK inputs/gradient_flow/heat_gaussian_1d.yaml
  SET diagnostics.w2=none
  BOUNDS "eulerian.mass_drift<=1e-12" "eulerian.l1_error<=0.005" "eulerian.rejected_steps<=0"
         "lagrangian.l1_error<=0.002" "eulerian.w2_error<=0.015" "lagrangian.w2_error<=0.013"
  SAME lagrangian.l1_error lagrangian.cov_error RTOL 1e-10
  LOOSE eulerian.l1_error eulerian.cov_error LOOSE_RTOL 1e-6)

# Gradient flows with interaction: energy_monotone is 1 by construction (the energy guard redoes a
# rising step as two halves), so the decks assert no rejected step instead (eulerian.rejected_steps),
# which can fail; steady states by exact 1D W2 (radial W2 in 2D).
mf_regression(semicircle_1d DECK inputs/gradient_flow/semicircle_1d.yaml
  SET diagnostics.w2=none
  BOUNDS "eulerian.w2_steady_state<=0.011" "lagrangian.w2_steady_state<=0.01" "eulerian.rejected_steps<=0"
  SAME lagrangian.w2_steady_state RTOL 1e-8
  LOOSE eulerian.w2_steady_state LOOSE_RTOL 1e-6)
mf_regression(aggregation_interval_1d DECK inputs/gradient_flow/aggregation_interval_1d.yaml
  SET diagnostics.w2=none
  BOUNDS "eulerian.w2_steady_state<=0.009" "lagrangian.w2_steady_state<=0.0085" "eulerian.rejected_steps<=0"
  SAME lagrangian.w2_steady_state RTOL 1e-8
  LOOSE eulerian.w2_steady_state LOOSE_RTOL 1e-6)
mf_regression(aggregation_disk_2d DECK inputs/gradient_flow/aggregation_disk_2d.yaml
  SET "domain.cells=[24,24]" diagnostics.w2=none
  BOUNDS "eulerian.radial_w2_steady_state<=0.02" "lagrangian.radial_w2_steady_state<=0.03" "eulerian.rejected_steps<=0"
  SAME lagrangian.radial_w2_steady_state RTOL 1e-8
  LOOSE eulerian.radial_w2_steady_state LOOSE_RTOL 1e-6)
# JKO scheme (eulerian.scheme: jko) vs the exact Gaussian recursion; particles by method pairwise.
mf_regression(heat_jko_1d DECK inputs/gradient_flow/heat_gaussian_1d.yaml
  SET diagnostics.w2=none eulerian.scheme=jko time.dt=0.02 lagrangian.method=pairwise
  BOUNDS "eulerian.jko_recursion_error<=1e-4" "eulerian.energy_monotone>=1" "eulerian.mass_drift<=1e-12"
         "lagrangian.l1_error<=0.002" "lagrangian.halo_particles<=0"
  SAME eulerian.jko_recursion_error eulerian.l1_error lagrangian.l1_error RTOL 1e-10)

# Dynamic OT (Benamou–Brenier): translated bumps, exact W2² = |s|².
mf_regression(dynamic_ot_bump_2d DECK inputs/dynamic_ot/bump_translation_2d.yaml
  SET "domain.cells=[24,24]" time.cells=12 lagrangian.particles=400 diagnostics.w2=none
  BOUNDS "eulerian.w2sq_error<=0.007" "eulerian.converged>=1" "eulerian.mass_drift<=1e-12"
         "lagrangian.w2sq>=0.23" "lagrangian.w2sq<=0.27"
  SAME lagrangian.w2sq RTOL 1e-12
  LOOSE eulerian.w2sq eulerian.kinetic_energy LOOSE_RTOL 1e-8)
# Cross-view W2 over every time face (debiased Sinkhorn, 2D): measured 0.0116 (largest, face 4 of 8) with
# the exact particle coupling, 0.0120 with the entropic one (the 2D default since issue #4's coupling).
mf_regression(dynamic_ot_bump_2d_cross DECK inputs/dynamic_ot/bump_translation_2d.yaml
  SET "domain.cells=[16,16]" time.cells=8 lagrangian.particles=300 diagnostics.w2=final
  BOUNDS "cross.w2_eulerian_lagrangian<=0.02" "cross.w2_slice_k000<=0.015" "cross.w2_slice_k008<=0.015"
         "eulerian.face_kinetic_energy_k004>=0.123" "eulerian.face_kinetic_energy_k004<=0.128"
  SAME lagrangian.w2sq RTOL 1e-12
  LOOSE cross.w2_eulerian_lagrangian cross.w2_slice_k004 eulerian.w2sq LOOSE_RTOL 1e-8)
# 3D space (time as the DMDA dof): the shipped deck at 8³ × 4; W2² error 7.4 % at this size (docs: 2.0 % at
# 16³ × 8, observed order ≈ 2), cross-view W2 over every face by debiased Sinkhorn.
mf_regression(dynamic_ot_bump_3d DECK inputs/dynamic_ot/bump_translation_3d.yaml
  SET "domain.cells=[8,8,8]" time.cells=4 lagrangian.particles=300 diagnostics.w2=final
  BOUNDS "eulerian.w2sq_error<=0.08" "eulerian.converged>=1" "eulerian.mass_drift<=1e-12"
         "lagrangian.w2sq>=0.155" "lagrangian.w2sq<=0.185" "cross.w2_eulerian_lagrangian<=0.06"
  SAME lagrangian.w2sq RTOL 1e-12
  LOOSE eulerian.w2sq cross.w2_eulerian_lagrangian LOOSE_RTOL 1e-8)
mf_regression(dynamic_ot_bump_1d DECK inputs/dynamic_ot/bump_translation_1d.yaml
  SET diagnostics.w2=none
  BOUNDS "eulerian.w2sq_error<=1e-4" "lagrangian.w2sq>=0.118" "lagrangian.w2sq<=0.127" "cross.w2_eulerian_lagrangian<=0.006"
  SAME lagrangian.w2sq RTOL 1e-12
  LOOSE eulerian.w2sq LOOSE_RTOL 1e-8)
