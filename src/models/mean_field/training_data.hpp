// The training set of the mean_field model: N input/output pairs (z_k, y_k), generated once from the
// counter-based stream data.seed and held whole by every rank (the neurons are what is distributed; see
// docs/mean_field.md for why the data is replicated rather than sharded).
#pragma once
#include <Kokkos_Core.hpp>

#include "mean_field_config.hpp"
#include "measureflow/small_matrix.hpp"

namespace mf::mean_field {

using DataView = Kokkos::View<double**, Kokkos::LayoutRight>;  // N × (columns)

struct TrainingData {
  int d_in = 0;    // input width the network sees: d, plus 1 with network.bias (the constant coordinate last)
  int d_out = 0;   // d'
  long long samples = 0;
  DataView z;      // N × d_in (bias column included)
  DataView y;      // N × d_out
  // Empirical moments over the samples (bias coordinate included): S_zz = (1/N) Σ z zᵀ (d_in × d_in),
  // S_yz = (1/N) Σ y zᵀ (d_out × d_in), tr S_yy = (1/N) Σ |y|².
  Matrix Szz, Syz;
  double trace_Syy = 0.0;
  // Teacher data only: the unit directions w_j of the teacher's neurons (rows, m × d).
  Matrix teacher_directions;
};

// Draws the data set of `spec` (pure function of the spec: the same on every rank), or reads it
// (data.type file: mf::InputError naming data.path when a dataset is missing or its shape does not match
// data.dim / data.outputs).
TrainingData make_training_data(const DataSpec& spec, bool bias);

// The data set from row-major arrays z (N × d) and y (N × d'), the bias column appended when asked.
TrainingData training_data_from_arrays(const std::vector<double>& z, const std::vector<double>& y, long long N, int d,
                                       int d_out, bool bias);

// The unit directions of the teacher's neurons (m × d), drawn from data.seed.
Matrix teacher_directions(const DataSpec& spec);

// Least-squares risk min_W (1/N) Σ |W z_k − y_k|² = tr S_yy − tr(S_yz S_zz⁻¹ S_zy): the global minimum of
// the linear network's risk (S_zz must be invertible).
double least_squares_risk(const TrainingData& data);

}  // namespace mf::mean_field
