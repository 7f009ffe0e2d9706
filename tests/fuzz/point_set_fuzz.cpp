// libFuzzer target: the point-set and grid-snapshot readers (`measureflow ot` inputs, `initial: file`).
// The input bytes describe an HDF5 file (which groups and datasets exist, their shapes, types and
// values, NaN/Inf included); the target writes it with the HDF5 library and reads it back. HDF5's own
// parser is not our code, so the file is always well-formed HDF5 and only its layout is fuzzed. Any
// layout must give a PointSet/GridSnapshot or an mf::InputError.
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "measureflow/errors.hpp"
#include "measureflow/io/readers.hpp"

namespace {

// Per-process file name: parallel fuzzing jobs (-jobs=N) must not share it.
const std::string& scratch_path() {
  static const std::string path = "/tmp/mf_fuzz_points_" + std::to_string(::getpid()) + ".h5";
  return path;
}

double fuzzed_value(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: return std::numeric_limits<double>::quiet_NaN();
    case 1: return std::numeric_limits<double>::infinity();
    case 2: return -1.0;
    case 3: return 0.0;
    default: return in.ConsumeFloatingPointInRange<double>(-10.0, 10.0);
  }
}

void write_dataset(FuzzedDataProvider& in, hid_t loc, const char* name) {
  const int rank = in.ConsumeIntegralInRange<int>(0, 3);
  hsize_t dims[3] = {1, 1, 1};
  hsize_t count = 1;
  for (int a = 0; a < rank; ++a) count *= (dims[a] = in.ConsumeIntegralInRange<hsize_t>(0, 6));
  const hid_t space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, nullptr);
  const bool as_int = in.ConsumeBool();
  const hid_t type = as_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
  const hid_t dset = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  std::vector<double> v(count);
  for (auto& x : v) x = fuzzed_value(in);
  std::vector<std::int64_t> iv(count);
  for (hsize_t i = 0; i < count; ++i) iv[i] = static_cast<std::int64_t>(v[i] == v[i] && v[i] < 1e9 && v[i] > -1e9 ? v[i] : 0);
  if (count > 0) H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, as_int ? static_cast<const void*>(iv.data()) : v.data());
  H5Dclose(dset);
  H5Sclose(space);
}

void write_attribute(FuzzedDataProvider& in, hid_t loc, const char* name) {
  const hsize_t n = in.ConsumeIntegralInRange<hsize_t>(1, 4);
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const bool as_int = in.ConsumeBool();
  const hid_t type = as_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
  const hid_t attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  std::vector<double> v(n);
  std::vector<std::int64_t> iv(n);
  for (hsize_t i = 0; i < n; ++i) {
    v[i] = fuzzed_value(in);
    iv[i] = in.ConsumeIntegralInRange<std::int64_t>(-1, 8);
  }
  H5Awrite(attr, type, as_int ? static_cast<const void*>(iv.data()) : v.data());
  H5Aclose(attr);
  H5Sclose(space);
}

// A file with any subset of: root positions/weights/ids, grid group with attributes, snapshots/NNNNNN
// groups holding positions/weights/ids/density and a time attribute.
void write_file(FuzzedDataProvider& in) {
  const hid_t f = H5Fcreate(scratch_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  for (const char* name : {"positions", "weights", "ids"})
    if (in.ConsumeBool()) write_dataset(in, f, name);
  if (in.ConsumeBool()) {
    const hid_t g = H5Gcreate2(f, "grid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    for (const char* a : {"dim", "lower", "upper", "cells"})
      if (in.ConsumeBool()) write_attribute(in, g, a);
    H5Gclose(g);
  }
  if (in.ConsumeBool()) {
    const hid_t s = H5Gcreate2(f, "snapshots", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const int count = in.ConsumeIntegralInRange<int>(0, 3);
    for (int k = 0; k < count; ++k) {
      char name[16];
      std::snprintf(name, sizeof name, "%06d", k);
      const hid_t g = H5Gcreate2(s, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      for (const char* d : {"positions", "weights", "ids", "density"})
        if (in.ConsumeBool()) write_dataset(in, g, d);
      if (in.ConsumeBool()) write_attribute(in, g, "time");
      H5Gclose(g);
    }
    H5Gclose(s);
  }
  H5Fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = (H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), true);
  (void)quiet;
  FuzzedDataProvider in(data, size);
  const int snapshot = in.ConsumeIntegralInRange<int>(-2, 3);
  write_file(in);
  try {
    const mf::io::PointSet p = mf::io::read_point_set(scratch_path(), snapshot);
    if (p.positions.size() != p.weights.size() * static_cast<std::size_t>(p.dim) || p.ids.size() != p.weights.size())
      __builtin_trap();  // a PointSet whose arrays disagree is a reader bug
  } catch (const mf::InputError&) {
  }
  try {
    (void)mf::io::read_grid_snapshot(scratch_path(), snapshot);
  } catch (const mf::InputError&) {
  }
  return 0;
}
