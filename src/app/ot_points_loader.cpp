#include "app/ot_points_loader.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "measureflow/errors.hpp"

namespace mf::ot_cli {

namespace {

// Closes an HDF5 identifier when it goes out of scope.
class H5Id {
 public:
  H5Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~H5Id() {
    if (id_ >= 0) close_(id_);
  }
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

struct RawSet {
  int n = 0, dim = 0;
  std::vector<double> positions, weights;
};

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  return 0;
}

std::vector<double> read_doubles(hid_t dset, const std::string& where, int rank_expected, std::vector<hsize_t>& dims) {
  H5Id space(H5Dget_space(dset), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank != rank_expected)
    throw InputError(where + ": expected a " + std::to_string(rank_expected) + "-D dataset, found " +
                     std::to_string(rank) + "-D");
  dims.assign(rank, 0);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  size_t count = 1;
  for (hsize_t d : dims) count *= d;
  std::vector<double> data(count);
  if (count > 0 && H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0)
    throw InputError(where + ": cannot be read as double");
  return data;
}

RawSet read_on_one_rank(const std::string& path, int snapshot) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // failures are reported as InputError below
  H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.ok()) throw InputError(path + ": cannot open as HDF5 (point set: particles.h5 or root `positions`)");
  std::string group = "/";
  if (H5Lexists(file.get(), "snapshots", H5P_DEFAULT) > 0) {
    H5Id snaps(H5Gopen2(file.get(), "snapshots", H5P_DEFAULT), H5Gclose);
    std::vector<std::string> names;
    H5Literate(snaps.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names);
    std::sort(names.begin(), names.end());
    if (names.empty()) throw InputError(path + ": group `snapshots` is empty");
    if (snapshot < 0) {
      group = "/snapshots/" + names.back();
    } else {
      char name[32];
      std::snprintf(name, sizeof name, "%06d", snapshot);
      if (!std::binary_search(names.begin(), names.end(), std::string(name)))
        throw InputError(path + ": --snapshot " + std::to_string(snapshot) + " not found (snapshots " + names.front() +
                         " .. " + names.back() + ")");
      group = std::string("/snapshots/") + name;
    }
  } else if (snapshot >= 0) {
    throw InputError(path + ": --snapshot given but the file has no `snapshots` group");
  }
  const std::string pos_path = (group == "/" ? "" : group) + "/positions";
  const std::string w_path = (group == "/" ? "" : group) + "/weights";
  if (H5Lexists(file.get(), pos_path.c_str(), H5P_DEFAULT) <= 0)
    throw InputError(path + ": no dataset `" + pos_path + "` (expected N×d positions)");
  RawSet s;
  std::vector<hsize_t> dims;
  {
    H5Id d(H5Dopen2(file.get(), pos_path.c_str(), H5P_DEFAULT), H5Dclose);
    s.positions = read_doubles(d.get(), path + ":" + pos_path, 2, dims);
  }
  s.n = static_cast<int>(dims[0]);
  s.dim = static_cast<int>(dims[1]);
  if (s.n == 0 || s.dim == 0) throw InputError(path + ":" + pos_path + ": empty point set");
  if (H5Lexists(file.get(), w_path.c_str(), H5P_DEFAULT) > 0) {
    H5Id d(H5Dopen2(file.get(), w_path.c_str(), H5P_DEFAULT), H5Dclose);
    s.weights = read_doubles(d.get(), path + ":" + w_path, 1, dims);
    if (static_cast<int>(dims[0]) != s.n)
      throw InputError(path + ":" + w_path + ": has " + std::to_string(dims[0]) + " entries, positions has " +
                       std::to_string(s.n));
    for (double w : s.weights)
      if (!(w >= 0.0)) throw InputError(path + ":" + w_path + ": weights must be >= 0, found " + std::to_string(w));
  } else {
    s.weights.assign(s.n, 1.0);
  }
  return s;
}

}  // namespace

WeightedPoints load_point_set(MPI_Comm comm, const std::string& path, int snapshot) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  RawSet s;
  std::string error;
  if (rank == 0) {
    try {
      s = read_on_one_rank(path, snapshot);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  // A failure on rank 0 must become the same exception on every rank, or the others would hang.
  int len = static_cast<int>(error.size());
  MPI_Bcast(&len, 1, MPI_INT, 0, comm);
  if (len > 0) {
    error.resize(len);
    MPI_Bcast(error.data(), len, MPI_CHAR, 0, comm);
    throw InputError(error);
  }
  int shape[2] = {s.n, s.dim};
  MPI_Bcast(shape, 2, MPI_INT, 0, comm);
  const int n = shape[0], dim = shape[1];
  std::vector<int> counts(size), displs(size), pcounts(size), pdispls(size);
  for (int r = 0; r < size; ++r) {
    counts[r] = n / size + (r < n % size ? 1 : 0);
    displs[r] = r == 0 ? 0 : displs[r - 1] + counts[r - 1];
    pcounts[r] = counts[r] * dim;
    pdispls[r] = displs[r] * dim;
  }
  WeightedPoints wp;
  wp.dim = dim;
  wp.positions = PointsView("mf::ot_cli::positions", counts[rank], dim);
  wp.weights = WeightsView("mf::ot_cli::weights", counts[rank]);
  auto hp = Kokkos::create_mirror_view(wp.positions);
  auto hw = Kokkos::create_mirror_view(wp.weights);
  MPI_Scatterv(s.positions.data(), pcounts.data(), pdispls.data(), MPI_DOUBLE, hp.data(), pcounts[rank], MPI_DOUBLE, 0,
               comm);
  MPI_Scatterv(s.weights.data(), counts.data(), displs.data(), MPI_DOUBLE, hw.data(), counts[rank], MPI_DOUBLE, 0, comm);
  Kokkos::deep_copy(wp.positions, hp);
  Kokkos::deep_copy(wp.weights, hw);
  return wp;
}

}  // namespace mf::ot_cli
