# The learned-field deck (random features + mini-batch OT on two moons) at a reduced size, at 1, 2 and 4
# ranks. Training reduces over fixed slots of global pair ids, so the field is bitwise the same on any
# rank count; the particle metrics then agree to the round-off of global sums. Bounds are about 1.5x the
# values measured at this size (docs/flow_matching_learned.md): the learned field does NOT memorise the
# data (nearest-data distance bounded BELOW, unlike the exact field's moons deck).
mf_regression(flow_matching_moons_learned DECK inputs/flow_matching/moons_learned.yaml
  SET target.samples=2000 lagrangian.particles=200 field.training.pairs=4000 field.basis.size=64
      diagnostics.w2_points=200
  BOUNDS "lagrangian.w2_target<=0.56" "lagrangian.nearest_data_distance>=0.06" "lagrangian.nfe<=8"
         "lagrangian.cov_error<=0.1"
  SAME lagrangian.cov_trace lagrangian.mean_norm lagrangian.nfe lagrangian.nearest_data_distance field.l2_error
       lagrangian.kinetic_energy RTOL 1e-10
  LOOSE lagrangian.w2_target LOOSE_RTOL 1e-3)
