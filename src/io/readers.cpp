// Serial HDF5 reads of grid snapshots and point sets, with user-facing errors for malformed files.
#include "measureflow/io/readers.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "measureflow/errors.hpp"
#include "measureflow/io/hdf5_handle.hpp"

namespace mf::io {

namespace {
[[noreturn]] void bad(const std::string& path, const std::string& what) { throw InputError(path + ": " + what); }

// Opens read-only with the default (serial) driver; ranks read independently.
h5::Handle open_file(const std::string& path, const std::string& expected) {
  if (!std::filesystem::is_regular_file(path)) bad(path, "no such file (expected " + expected + ")");
  if (H5Fis_hdf5(path.c_str()) <= 0) bad(path, "not an HDF5 file (expected " + expected + ")");
  h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.valid()) bad(path, "cannot open as HDF5 (expected " + expected + ")");
  return f;
}

std::vector<std::string> snapshot_names(hid_t file) {
  if (!h5::path_exists(file, "snapshots")) return {};
  h5::Handle g(MF_H5(H5Gopen2(file, "snapshots", H5P_DEFAULT)), H5Gclose);
  return h5::link_names(g);
}

// Picks snapshot `index` (-1 = last) or explains which ones exist.
std::string choose_snapshot(const std::string& path, const std::vector<std::string>& names, int index) {
  if (names.empty()) bad(path, "group `snapshots` holds no snapshots");
  if (index == -1) return names.back();
  if (index < 0 || static_cast<std::size_t>(index) >= names.size()) {
    std::string list;
    for (std::size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + std::to_string(i);
    bad(path, "snapshot " + std::to_string(index) + " out of range; available: " + list + " (or -1 for the last)");
  }
  return names[static_cast<std::size_t>(index)];
}

std::vector<double> read_doubles(hid_t dset) {
  hssize_t n = 1;
  for (auto d : h5::dataset_shape(dset)) n *= static_cast<hssize_t>(d);
  std::vector<double> v(static_cast<std::size_t>(n));
  if (n > 0) MF_H5(H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()));
  return v;
}

h5::Handle open_dataset(const std::string& path, hid_t loc, const std::string& name) {
  if (!h5::path_exists(loc, name)) bad(path, "dataset `" + name + "` missing");
  h5::Handle d(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.valid()) bad(path, "`" + name + "` is not a dataset");
  return d;
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// The first non-finite entry of `v` (NaN or ±Inf), as "entry i = nan"; nothing when all are finite.
std::optional<std::string> first_non_finite(const std::vector<double>& v) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) return "entry " + std::to_string(i) + " = " + number_text(v[i]);
  return std::nullopt;
}

// Weights of a measure: finite, >= 0, with a positive sum (they are normalised afterwards).
void check_weights(const std::string& path, const std::string& dataset, const std::vector<double>& w) {
  if (auto bad_entry = first_non_finite(w)) bad(path, dataset + " has a non-finite " + *bad_entry + " (allowed: finite values >= 0)");
  double sum = 0.0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] < 0.0)
      bad(path, dataset + " has a negative entry " + std::to_string(i) + " = " + number_text(w[i]) +
                    " (allowed: finite values >= 0 with a positive sum)");
    sum += w[i];
  }
  if (!w.empty() && !(sum > 0.0)) bad(path, dataset + " sums to 0 (allowed: finite values >= 0 with a positive sum)");
}

std::string shape_text(const std::vector<hsize_t>& s) {
  std::string t = "(";
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + ")";
}
}  // namespace

GridSnapshot read_grid_snapshot(const std::string& path, int snapshot) {
  h5::QuietErrors quiet;
  const std::string expected = "a fields.h5 with group `grid` and snapshots/NNNNNN/density";
  h5::Handle file = open_file(path, expected);
  GridSnapshot out;
  try {
    if (!h5::path_exists(file, "grid")) bad(path, "group `grid` missing (expected " + expected + ")");
    h5::Handle grid(MF_H5(H5Gopen2(file, "grid", H5P_DEFAULT)), H5Gclose);
    for (const char* a : {"dim", "lower", "upper", "cells"})
      if (!h5::has_attribute(grid, a)) bad(path, std::string("attribute grid/") + a + " missing");
    auto dim = h5::read_int64_attribute(grid, "dim");
    out.grid.lower = h5::read_double_attribute(grid, "lower");
    out.grid.upper = h5::read_double_attribute(grid, "upper");
    out.grid.cells = h5::read_int64_attribute(grid, "cells");
    out.grid.dim = dim.size() == 1 ? static_cast<int>(dim[0]) : 0;
    const std::size_t d = static_cast<std::size_t>(out.grid.dim);
    if (d < 1 || d > 3 || out.grid.lower.size() != d || out.grid.upper.size() != d || out.grid.cells.size() != d)
      bad(path, "grid attributes inconsistent (dim must be 1-3 and lower/upper/cells have dim entries)");

    const std::string name = choose_snapshot(path, snapshot_names(file), snapshot);
    h5::Handle group(MF_H5(H5Gopen2(file, ("snapshots/" + name).c_str(), H5P_DEFAULT)), H5Gclose);
    if (!h5::has_attribute(group, "time")) bad(path, "attribute snapshots/" + name + "/time missing");
    out.time = h5::read_double_attribute(group, "time").at(0);
    h5::Handle dset = open_dataset(path, group, "density");
    std::vector<hsize_t> expected_shape(d);
    for (std::size_t a = 0; a < d; ++a) expected_shape[d - 1 - a] = static_cast<hsize_t>(out.grid.cells[a]);
    auto shape = h5::dataset_shape(dset);
    if (shape != expected_shape)
      bad(path, "snapshots/" + name + "/density has shape " + shape_text(shape) + ", expected " +
                    shape_text(expected_shape) + " (cells reversed)");
    out.density = read_doubles(dset);
    // Finite with positive mass; not >= 0 cell by cell: a run's densities may carry round-off below 0.
    const std::string dname = "snapshots/" + name + "/density";
    if (auto bad_entry = first_non_finite(out.density))
      bad(path, dname + " has a non-finite " + *bad_entry + " (allowed: finite cell averages)");
    double mass = 0.0;
    for (double v : out.density) mass += v;
    if (!(mass > 0.0)) bad(path, dname + " has total " + number_text(mass) + " (allowed: a positive total mass)");
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const InputError*>(&e)) throw;
    bad(path, std::string("unreadable grid snapshot: ") + e.what());
  }
  return out;
}

PointSet read_point_set(const std::string& path, int snapshot) {
  h5::QuietErrors quiet;
  const std::string expected = "a particles.h5 or an HDF5 file with root dataset `positions` (N x d)";
  h5::Handle file = open_file(path, expected);
  PointSet out;
  try {
    auto names = snapshot_names(file);
    std::string prefix;
    if (!names.empty() && h5::path_exists(file, "snapshots/" + names.back() + "/positions")) {
      prefix = "snapshots/" + choose_snapshot(path, names, snapshot) + "/";
      h5::Handle group(MF_H5(H5Gopen2(file, prefix.substr(0, prefix.size() - 1).c_str(), H5P_DEFAULT)), H5Gclose);
      if (h5::has_attribute(group, "time")) out.time = h5::read_double_attribute(group, "time").at(0);
    } else if (!h5::path_exists(file, "positions")) {
      bad(path, "no point data: expected " + expected);
    } else if (snapshot >= 0) {
      bad(path, "snapshot " + std::to_string(snapshot) + " requested, but the file has no `snapshots` group (root `positions` only)");
    }
    h5::Handle pos = open_dataset(path, file, prefix + "positions");
    auto shape = h5::dataset_shape(pos);
    if (shape.size() == 1) shape.push_back(1);
    // Point sets for `measureflow ot` may live in any dimension; runs check d against domain.dim.
    if (shape.size() != 2 || shape[1] < 1)
      bad(path, prefix + "positions has shape " + shape_text(shape) + ", expected (N, d) with d >= 1");
    const std::size_t n = shape[0];
    out.dim = static_cast<int>(shape[1]);
    out.positions = read_doubles(pos);
    if (auto bad_entry = first_non_finite(out.positions))
      bad(path, prefix + "positions has a non-finite coordinate, " + *bad_entry + " (allowed: finite coordinates)");
    if (h5::path_exists(file, prefix + "weights")) {
      h5::Handle w = open_dataset(path, file, prefix + "weights");
      if (h5::dataset_shape(w) != std::vector<hsize_t>{n})
        bad(path, prefix + "weights has shape " + shape_text(h5::dataset_shape(w)) + ", expected (" +
                      std::to_string(n) + ") to match positions");
      out.weights = read_doubles(w);
      check_weights(path, prefix + "weights", out.weights);
    } else {
      out.weights.assign(n, n ? 1.0 / static_cast<double>(n) : 0.0);
    }
    if (h5::path_exists(file, prefix + "ids")) {
      h5::Handle ids = open_dataset(path, file, prefix + "ids");
      if (h5::dataset_shape(ids) != std::vector<hsize_t>{n})
        bad(path, prefix + "ids has shape " + shape_text(h5::dataset_shape(ids)) + ", expected (" +
                      std::to_string(n) + ")");
      out.ids.resize(n);
      if (n) MF_H5(H5Dread(ids, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.ids.data()));
    } else {
      out.ids.resize(n);
      for (std::size_t i = 0; i < n; ++i) out.ids[i] = static_cast<std::int64_t>(i);
    }
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const InputError*>(&e)) throw;
    bad(path, std::string("unreadable point set: ") + e.what());
  }
  return out;
}

bool has_grid_snapshots(const std::string& path) {
  try {
    h5::QuietErrors quiet;
    if (!std::filesystem::is_regular_file(path) || H5Fis_hdf5(path.c_str()) <= 0) return false;
    h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.valid() || !h5::path_exists(f, "grid")) return false;
    auto names = snapshot_names(f);
    return !names.empty() && h5::path_exists(f, "snapshots/" + names.back() + "/density");
  } catch (...) {
    return false;
  }
}

bool has_particle_data(const std::string& path) {
  try {
    h5::QuietErrors quiet;
    if (!std::filesystem::is_regular_file(path) || H5Fis_hdf5(path.c_str()) <= 0) return false;
    h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.valid()) return false;
    auto names = snapshot_names(f);
    if (!names.empty() && h5::path_exists(f, "snapshots/" + names.back() + "/positions")) return true;
    return h5::path_exists(f, "positions");
  } catch (...) {
    return false;
  }
}

}  // namespace mf::io
