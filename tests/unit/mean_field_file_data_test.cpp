// data.type file: the HDF5 datasets `inputs` (N × d) and `outputs` (N × d') give the same training set
// as the arrays they hold (bias column appended), and a shape that does not match data.dim or
// data.outputs is an mf::InputError naming data.path.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdio>
#include <string>

#include "mean_field_fixtures.hpp"
#include "measureflow/errors.hpp"

using namespace mf;
using namespace mf::mean_field;
using namespace mf::mean_field::testing;

namespace {

void write_dataset(hid_t file, const char* name, const std::vector<double>& v, hsize_t rows, hsize_t cols) {
  const hsize_t dims[2] = {rows, cols};
  const hid_t space = H5Screate_simple(2, dims, nullptr);
  const hid_t d = H5Dcreate2(file, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(d);
  H5Sclose(space);
}

// The linear 3 → 2 data set written to a file (z and y row-major).
std::string write_file(const TrainingData& src, const std::string& name, int z_cols) {
  const std::string path = ::testing::TempDir() + name;
  std::vector<double> z, y;
  for (long long k = 0; k < src.samples; ++k) {
    for (int a = 0; a < z_cols; ++a) z.push_back(src.z(k, a));
    for (int b = 0; b < src.d_out; ++b) y.push_back(src.y(k, b));
  }
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_dataset(f, "inputs", z, src.samples, z_cols);
  write_dataset(f, "outputs", y, src.samples, src.d_out);
  H5Fclose(f);
  return path;
}

}  // namespace

TEST(MeanFieldFileData, SameTrainingSetAsTheArraysItHolds) {
  const TrainingData src = make_training_data(linear_data_3_2(57), false);
  DataSpec spec;
  spec.kind = DataKind::File;
  spec.dim = 3;
  spec.outputs = 2;
  spec.path = write_file(src, "mf_file_data.h5", 3);
  const TrainingData got = make_training_data(spec, true);  // with the bias column
  ASSERT_EQ(got.samples, 57);
  ASSERT_EQ(got.d_in, 4);
  for (long long k = 0; k < 57; ++k) {
    for (int a = 0; a < 3; ++a) EXPECT_EQ(got.z(k, a), src.z(k, a));
    EXPECT_EQ(got.z(k, 3), 1.0);
    for (int b = 0; b < 2; ++b) EXPECT_EQ(got.y(k, b), src.y(k, b));
  }
  for (int a = 0; a < 3; ++a)
    for (int c = 0; c < 3; ++c) EXPECT_DOUBLE_EQ(got.Szz(a, c), src.Szz(a, c));
  EXPECT_DOUBLE_EQ(got.trace_Syy, src.trace_Syy);
  std::remove(spec.path.c_str());
}

TEST(MeanFieldFileData, WrongShapeIsAnInputErrorNamingTheKey) {
  const TrainingData src = make_training_data(linear_data_3_2(10), false);
  DataSpec spec;
  spec.kind = DataKind::File;
  spec.dim = 4;  // the file holds 3 columns
  spec.outputs = 2;
  spec.path = write_file(src, "mf_file_data_bad.h5", 3);
  try {
    make_training_data(spec, false);
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("data.path"), std::string::npos) << what;
    EXPECT_NE(what.find("data.dim"), std::string::npos) << what;
    EXPECT_NE(what.find("10 × 3"), std::string::npos) << what;
  }
  std::remove(spec.path.c_str());
}
