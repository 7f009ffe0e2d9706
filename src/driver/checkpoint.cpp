// checkpoint.h5 layout (format attribute "measureflow-checkpoint-2"):
//   attributes: format, deck, time, steps, next_output, ranks, grid_mass0, particle_mass0,
//               particles0_mean (d), particles0_cov (d×d flattened), history_names ("\n"-joined)
//   grid/density          natural layout [nz][ny][nx], each rank writes its owned block
//   particles/positions   N×d, particles/weights N, particles/ids N, particles/rank_counts (ranks)
//   history/times (K), history/values (K×M, NaN where a metric was absent)
//   views/eulerian, views/lagrangian, views/closed_form: each view's own state (ViewStateWriter), in
//               datasets the view names; per-rank values as <name> plus <name>.rank_counts
// Written by the Driver (it reads the Model's views), hence in src/driver, not in src/io.
#include <hdf5.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <limits>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "measureflow/checkpoint.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/grid_field.hpp"
#include "measureflow/io/hdf5_handle.hpp"
#include "measureflow/io/parallel_file.hpp"
#include "measureflow/view_state.hpp"

namespace mf {

namespace {

using io::h5::Handle;

Handle collective_transfer() {
  Handle p(MF_H5(H5Pcreate(H5P_DATASET_XFER)), H5Pclose);
  MF_H5(H5Pset_dxpl_mpio(p, H5FD_MPIO_COLLECTIVE));
  return p;
}

// Selects rows [offset, offset + count) of `file_space` (rank 1, or rank 2 with `cols` columns) and returns the
// matching memory space. A rank with nothing to transfer still joins the collective call, with empty selections.
Handle select_rows(hid_t file_space, hsize_t cols, hsize_t offset, hsize_t count) {
  const int rank = cols > 0 ? 2 : 1;
  const hsize_t start[2] = {offset, 0}, block[2] = {count, cols}, one[2] = {1, 1};
  Handle mem(MF_H5(H5Screate_simple(rank, count > 0 ? block : one, nullptr)), H5Sclose);
  if (count > 0) {
    MF_H5(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, block, nullptr));
  } else {
    MF_H5(H5Sselect_none(file_space));
    MF_H5(H5Sselect_none(mem));
  }
  return mem;
}

// Collective write of this rank's rows [offset, offset + count) of a global rows×cols dataset.
template <class T>
void write_rows(hid_t parent, const char* name, hid_t mem_type, hsize_t rows, hsize_t cols, hsize_t offset,
                hsize_t count, const T* data) {
  const hsize_t dims[2] = {rows, cols};
  Handle space(MF_H5(H5Screate_simple(cols > 0 ? 2 : 1, dims, nullptr)), H5Sclose);
  Handle set(MF_H5(H5Dcreate2(parent, name, mem_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Dclose);
  if (rows == 0) return;  // an empty dataset: nothing to transfer
  const Handle mem = select_rows(space, cols, offset, count);
  const Handle xfer = collective_transfer();
  MF_H5(H5Dwrite(set, mem_type, mem, space, xfer, data));
}

// Collective read of this rank's rows [offset, offset + count) of a rows×cols dataset.
template <class T>
void read_rows(hid_t parent, const char* name, hid_t mem_type, hsize_t cols, hsize_t offset, hsize_t count, T* data) {
  Handle set(MF_H5(H5Dopen2(parent, name, H5P_DEFAULT)), H5Dclose);
  Handle space(MF_H5(H5Dget_space(set)), H5Sclose);
  if (H5Sget_simple_extent_npoints(space) == 0) return;
  const Handle mem = select_rows(space, cols, offset, count);
  const Handle xfer = collective_transfer();
  MF_H5(H5Dread(set, mem_type, mem, space, xfer, data));
}

hsize_t dataset_rows(hid_t parent, const char* name) {
  Handle set(MF_H5(H5Dopen2(parent, name, H5P_DEFAULT)), H5Dclose);
  Handle space(MF_H5(H5Dget_space(set)), H5Sclose);
  hsize_t dims[2] = {0, 0};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  return dims[0];
}

// The owned block as an HDF5 hyperslab of the natural [nz][ny][nx] layout (dim axes only).
struct Slab {
  int rank;
  hsize_t dims[3], start[3], count[3];
};
Slab grid_slab(const Grid& g) {
  Slab s{g.dim(), {}, {}, {}};
  for (int a = 0; a < g.dim(); ++a) {
    const int axis = g.dim() - 1 - a;  // slowest first
    s.dims[a] = static_cast<hsize_t>(g.spec().cells[axis]);
    s.start[a] = static_cast<hsize_t>(g.owned().start[axis]);
    s.count[a] = static_cast<hsize_t>(g.owned().count[axis]);
  }
  return s;
}

hid_t open_parallel(const std::string& path, MPI_Comm comm, bool create) {
  Handle fapl(MF_H5(H5Pcreate(H5P_FILE_ACCESS)), H5Pclose);
  MF_H5(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL));
  return create ? H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl)
                : H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
}

constexpr const char* kFormat = "measureflow-checkpoint-2";

void write_grid_vector(hid_t parent, const char* name, const Grid& g, Vec v) {
  const Slab s = grid_slab(g);
  Handle space(MF_H5(H5Screate_simple(s.rank, s.dims, nullptr)), H5Sclose);
  Handle set(MF_H5(H5Dcreate2(parent, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Dclose);
  MF_H5(H5Sselect_hyperslab(space, H5S_SELECT_SET, s.start, nullptr, s.count, nullptr));
  Handle mem(MF_H5(H5Screate_simple(s.rank, s.count, nullptr)), H5Sclose);
  VecBlockRead block(v, g.owned());
  const Handle xfer = collective_transfer();
  MF_H5(H5Dwrite(set, H5T_NATIVE_DOUBLE, mem, space, xfer, block.data()));
}

// Reads a grid vector written by write_grid_vector on any rank count (the layout is natural).
void read_grid_vector(hid_t parent, const std::string& name, const Grid& g, Vec v, const std::string& path) {
  Handle set(MF_H5(H5Dopen2(parent, name.c_str(), H5P_DEFAULT)), H5Dclose);
  Handle space(MF_H5(H5Dget_space(set)), H5Sclose);
  const Slab s = grid_slab(g);
  hsize_t dims[3] = {0, 0, 0};
  if (H5Sget_simple_extent_ndims(space) != s.rank) throw InputError(path + ": " + name + ": grid dimension differs from the deck's");
  H5Sget_simple_extent_dims(space, dims, nullptr);
  for (int a = 0; a < s.rank; ++a)
    if (dims[a] != s.dims[a]) throw InputError(path + ": " + name + ": grid cells differ from the deck's domain.cells");
  MF_H5(H5Sselect_hyperslab(space, H5S_SELECT_SET, s.start, nullptr, s.count, nullptr));
  Handle mem(MF_H5(H5Screate_simple(s.rank, s.count, nullptr)), H5Sclose);
  VecBlockWrite block(v, g.owned());
  const Handle xfer = collective_transfer();
  MF_H5(H5Dread(set, H5T_NATIVE_DOUBLE, mem, space, xfer, block.data()));
}

// A view's group in checkpoint.h5, written collectively.
class H5ViewStateWriter : public ViewStateWriter {
 public:
  H5ViewStateWriter(hid_t group, MPI_Comm comm) : group_(group), comm_(comm) {
    MPI_Comm_rank(comm, &rank_);
    MPI_Comm_size(comm, &size_);
  }
  void put_reals(const std::string& name, const std::vector<double>& values) override {
    const hsize_t n = agreed_size(values.size());
    write_rows(group_, name.c_str(), H5T_NATIVE_DOUBLE, n, 0, 0, rank_ == 0 ? n : 0, values.data());
  }
  void put_integers(const std::string& name, const std::vector<long long>& values) override {
    const hsize_t n = agreed_size(values.size());
    write_rows(group_, name.c_str(), H5T_NATIVE_LLONG, n, 0, 0, rank_ == 0 ? n : 0, values.data());
  }
  void put_rank_reals(const std::string& name, const std::vector<double>& local) override {
    long long n = static_cast<long long>(local.size()), offset = 0, total = 0;
    MPI_Exscan(&n, &offset, 1, MPI_LONG_LONG, MPI_SUM, comm_);
    if (rank_ == 0) offset = 0;
    MPI_Allreduce(&n, &total, 1, MPI_LONG_LONG, MPI_SUM, comm_);
    write_rows(group_, name.c_str(), H5T_NATIVE_DOUBLE, total, 0, offset, n, local.data());
    write_rows(group_, (name + ".rank_counts").c_str(), H5T_NATIVE_LLONG, size_, 0, rank_, 1, &n);
  }
  void put_grid_vector(const std::string& name, const Grid& grid, Vec v) override {
    write_grid_vector(group_, name.c_str(), grid, v);
  }

 private:
  // Replicated values must have one length; a mismatch is a bug in the view, caught before HDF5 hangs.
  hsize_t agreed_size(std::size_t n) const {
    long long mine = static_cast<long long>(n), lo = 0, hi = 0;
    MPI_Allreduce(&mine, &lo, 1, MPI_LONG_LONG, MPI_MIN, comm_);
    MPI_Allreduce(&mine, &hi, 1, MPI_LONG_LONG, MPI_MAX, comm_);
    if (lo != hi) throw std::logic_error("checkpoint: a view saved replicated values of different lengths on different ranks");
    return static_cast<hsize_t>(n);
  }
  hid_t group_;
  MPI_Comm comm_;
  int rank_ = 0, size_ = 1;
};

class H5ViewStateReader : public ViewStateReader {
 public:
  H5ViewStateReader(hid_t group, MPI_Comm comm, std::string where, double time, int ranks)
      : group_(group), comm_(comm), where_(std::move(where)), time_(time), ranks_(ranks) {
    MPI_Comm_rank(comm, &rank_);
    MPI_Comm_size(comm, &size_);
  }
  double time() const override { return time_; }
  int ranks_written() const override { return ranks_; }
  bool has(const std::string& name) const override { return group_ >= 0 && H5Lexists(group_, name.c_str(), H5P_DEFAULT) > 0; }
  std::vector<double> reals(const std::string& name) const override {
    require(name);
    std::vector<double> v(dataset_rows(group_, name.c_str()));
    read_rows(group_, name.c_str(), H5T_NATIVE_DOUBLE, 0, 0, v.size(), v.data());
    return v;
  }
  std::vector<long long> integers(const std::string& name) const override {
    require(name);
    std::vector<long long> v(dataset_rows(group_, name.c_str()));
    read_rows(group_, name.c_str(), H5T_NATIVE_LLONG, 0, 0, v.size(), v.data());
    return v;
  }
  std::vector<double> rank_reals(const std::string& name) const override {
    require(name);
    if (ranks_ != size_)
      throw InputError(where_ + "/" + name + ": per-rank state written on " + std::to_string(ranks_) +
                       " ranks cannot be read on " + std::to_string(size_));
    std::vector<long long> counts(size_);
    read_rows(group_, (name + ".rank_counts").c_str(), H5T_NATIVE_LLONG, 0, 0, size_, counts.data());
    const long long offset = std::accumulate(counts.begin(), counts.begin() + rank_, 0LL);
    std::vector<double> v(static_cast<std::size_t>(counts[rank_]));
    read_rows(group_, name.c_str(), H5T_NATIVE_DOUBLE, 0, offset, counts[rank_], v.data());
    return v;
  }
  void grid_vector(const std::string& name, const Grid& grid, Vec v) const override {
    require(name);
    read_grid_vector(group_, name, grid, v, where_);
  }

 private:
  void require(const std::string& name) const {
    if (!has(name)) throw InputError(where_ + ": has no dataset '" + name + "' (written by another model or version?)");
  }
  hid_t group_;
  MPI_Comm comm_;
  std::string where_;
  double time_;
  int ranks_, rank_ = 0, size_ = 1;
};

struct NamedView {
  const char* name;
  RestartableView* view;
};
std::vector<NamedView> present_views(Model& model) {
  std::vector<NamedView> v;
  if (model.eulerian) v.push_back({"eulerian", model.eulerian.get()});
  if (model.lagrangian) v.push_back({"lagrangian", model.lagrangian.get()});
  if (model.closed_form) v.push_back({"closed_form", model.closed_form.get()});
  return v;
}

void check_format(hid_t file, const std::string& path) {
  const std::string format =
      io::h5::has_attribute(file, "format") ? io::h5::read_string_attribute(file, "format") : std::string("(none)");
  if (format != kFormat)
    throw InputError(path + ": checkpoint format '" + format + "', this version reads '" + kFormat +
                     "' (restart with the version that wrote it, or start afresh)");
}

}  // namespace

void write_checkpoint(const std::string& path, MPI_Comm comm, const CheckpointState& state, Model& model) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const std::string tmp = path + ".tmp";
  {
    // The Driver's part (density, particles, history); the views' own state rides on the margin.
    unsigned long long bytes = 0;
    if (model.eulerian) bytes += 8ULL * static_cast<unsigned long long>(model.eulerian->grid().global_cells());
    if (model.lagrangian) {
      long long n = static_cast<long long>(model.lagrangian->particles().size()), total = 0;
      MPI_Allreduce(&n, &total, 1, MPI_LONG_LONG, MPI_SUM, comm);
      bytes += 8ULL * static_cast<unsigned long long>(total) * (model.lagrangian->particles().dim() + 2);
    }
    for (const auto& [t, m] : state.history) bytes += 8ULL * (m.size() + 1);
    io::require_free_space(comm, tmp, bytes);
    Handle file(MF_H5(open_parallel(tmp, comm, true)), H5Fclose);
    io::h5::write_string_attribute(file, "format", kFormat);
    io::h5::write_string_attribute(file, "deck", state.deck_yaml);
    io::h5::write_double_attribute(file, "time", {state.time});
    io::h5::write_double_attribute(file, "steps", {static_cast<double>(state.steps)});
    io::h5::write_double_attribute(file, "next_output", {static_cast<double>(state.next_output)});
    io::h5::write_double_attribute(file, "ranks", {static_cast<double>(size)});
    io::h5::write_double_attribute(file, "grid_mass0", {state.baseline.grid_mass0});
    io::h5::write_double_attribute(file, "particle_mass0", {state.baseline.particles0.mass});
    io::h5::write_double_attribute(file, "particles0_mean", state.baseline.particles0.mean.empty() ? std::vector<double>{0.0}
                                                                                       : state.baseline.particles0.mean);
    const Matrix& c = state.baseline.particles0.cov;
    std::vector<double> cov(c.data(), c.data() + c.rows() * c.cols());
    io::h5::write_double_attribute(file, "particles0_cov", cov.empty() ? std::vector<double>{0.0} : cov);

    if (model.eulerian) {
      Handle group(MF_H5(H5Gcreate2(file, "grid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Gclose);
      write_grid_vector(group, "density", model.eulerian->grid(), model.eulerian->density());
    }
    if (model.lagrangian) {
      const ParticleSet& p = model.lagrangian->particles();
      Handle group(MF_H5(H5Gcreate2(file, "particles", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Gclose);
      long long n = static_cast<long long>(p.size()), offset = 0, total = 0;
      MPI_Exscan(&n, &offset, 1, MPI_LONG_LONG, MPI_SUM, comm);
      if (rank == 0) offset = 0;
      MPI_Allreduce(&n, &total, 1, MPI_LONG_LONG, MPI_SUM, comm);
      std::vector<long long> counts(size);
      MPI_Allgather(&n, 1, MPI_LONG_LONG, counts.data(), 1, MPI_LONG_LONG, comm);
      auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.positions);
      auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.weights);
      auto id = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.ids);
      write_rows(group, "positions", H5T_NATIVE_DOUBLE, total, p.dim(), offset, n, x.data());
      write_rows(group, "weights", H5T_NATIVE_DOUBLE, total, 0, offset, n, w.data());
      write_rows(group, "ids", H5T_NATIVE_INT64, total, 0, offset, n, id.data());
      write_rows(group, "rank_counts", H5T_NATIVE_LLONG, size, 0, rank, 1, &counts[rank]);
    }
    {
      Handle views(MF_H5(H5Gcreate2(file, "views", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Gclose);
      for (const NamedView& v : present_views(model)) {
        Handle group(MF_H5(H5Gcreate2(views, v.name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Gclose);
        H5ViewStateWriter out(group, comm);
        v.view->save_state(out);
      }
    }
    // Test-only (docs/workflow.md, "Faults"): rank 1 (or 0 alone) stops here, the checkpoint half
    // written, so a test can kill it mid-write.
    if (const char* pause = std::getenv("MF_TEST_PAUSE_IN_CHECKPOINT"); pause && rank == std::min(1, size - 1)) {
      std::fprintf(stderr, "measureflow: test hook: checkpoint write paused on rank %d (pid %ld)\n", rank,
                   static_cast<long>(getpid()));
      std::fflush(stderr);
      sleep(static_cast<unsigned>(std::atoi(pause)));
    }
    // Metric history: every rank holds the same history; rank 0's rows are written.
    std::set<std::string> names;
    for (const auto& [t, m] : state.history)
      for (const auto& [k, v] : m) names.insert(k);
    std::string joined;
    for (const auto& k : names) joined += k + "\n";
    io::h5::write_string_attribute(file, "history_names", joined);
    Handle group(MF_H5(H5Gcreate2(file, "history", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Gclose);
    const hsize_t k = state.history.size(), mcount = names.size();
    std::vector<double> times, values;
    for (const auto& [t, m] : state.history) {
      times.push_back(t);
      for (const auto& name : names) {
        auto it = m.find(name);
        values.push_back(it == m.end() ? std::numeric_limits<double>::quiet_NaN() : it->second);
      }
    }
    write_rows(group, "times", H5T_NATIVE_DOUBLE, k, 0, 0, rank == 0 ? k : 0, times.data());
    write_rows(group, "values", H5T_NATIVE_DOUBLE, k, std::max<hsize_t>(mcount, 1), 0, rank == 0 ? k : 0,
               values.empty() ? times.data() : values.data());
  }
  MPI_Barrier(comm);
  if (rank == 0 && std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
  MPI_Barrier(comm);
}

CheckpointState read_checkpoint(const std::string& path, MPI_Comm comm, Model& model) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  if (H5Fis_hdf5(path.c_str()) <= 0) throw InputError(path + ": not a readable HDF5 checkpoint file");
  Handle file(MF_H5(open_parallel(path, comm, false)), H5Fclose);
  check_format(file, path);
  CheckpointState st;
  for (const NamedView& v : present_views(model)) {
    const RestartSupport r = v.view->restart_support();
    if (!r.exact) throw InputError("--restart " + path + ": the " + v.name + " view of this model cannot continue exactly: " + r.reason);
  }
  st.deck_yaml = io::h5::read_string_attribute(file, "deck");
  st.time = io::h5::read_double_attribute(file, "time")[0];
  st.steps = static_cast<long long>(io::h5::read_double_attribute(file, "steps")[0]);
  st.next_output = static_cast<long long>(io::h5::read_double_attribute(file, "next_output")[0]);
  st.ranks = static_cast<int>(io::h5::read_double_attribute(file, "ranks")[0]);
  st.baseline.grid_mass0 = io::h5::read_double_attribute(file, "grid_mass0")[0];
  st.baseline.particles0.mass = io::h5::read_double_attribute(file, "particle_mass0")[0];

  if (model.eulerian) {
    const Grid& g = model.eulerian->grid();
    if (H5Lexists(file, "grid", H5P_DEFAULT) <= 0) throw InputError(path + ": has no grid/density for the Eulerian view");
    read_grid_vector(file, "grid/density", g, model.eulerian->density(), path);
  }
  if (model.lagrangian) {
    ParticleSet& p = model.lagrangian->mutable_particles();
    if (H5Lexists(file, "particles", H5P_DEFAULT) <= 0) throw InputError(path + ": has no particles for the Lagrangian view");
    Handle group(MF_H5(H5Gopen2(file, "particles", H5P_DEFAULT)), H5Gclose);
    const long long total = static_cast<long long>(dataset_rows(group, "weights"));
    long long offset = 0, count = 0;
    if (st.ranks == size) {
      std::vector<long long> counts(size);
      read_rows(group, "rank_counts", H5T_NATIVE_LLONG, 0, 0, size, counts.data());
      offset = std::accumulate(counts.begin(), counts.begin() + rank, 0LL);
      count = counts[rank];
    } else {
      const IdRange r = id_block(total, rank, size);
      offset = r.first;
      count = r.count;
    }
    const int d = p.dim();
    p.resize(static_cast<size_t>(count));
    auto x = Kokkos::create_mirror_view(p.positions);
    auto w = Kokkos::create_mirror_view(p.weights);
    auto id = Kokkos::create_mirror_view(p.ids);
    read_rows(group, "positions", H5T_NATIVE_DOUBLE, d, offset, count, x.data());
    read_rows(group, "weights", H5T_NATIVE_DOUBLE, 0, offset, count, w.data());
    read_rows(group, "ids", H5T_NATIVE_INT64, 0, offset, count, id.data());
    Kokkos::deep_copy(p.positions, x);
    Kokkos::deep_copy(p.weights, w);
    Kokkos::deep_copy(p.ids, id);
    if (st.ranks != size && model.lagrangian->decomposition()) migrate(p, *model.lagrangian->decomposition());
    const auto mean = io::h5::read_double_attribute(file, "particles0_mean");
    const auto cov = io::h5::read_double_attribute(file, "particles0_cov");
    st.baseline.particles0.mean = mean;
    st.baseline.particles0.cov = Matrix(d, d);
    for (int i = 0; i < d * d && i < static_cast<int>(cov.size()); ++i) st.baseline.particles0.cov.data()[i] = cov[i];
  }
  // Each view's own state, after the density and particles it may derive things from.
  for (const NamedView& v : present_views(model)) {
    const std::string where = std::string("views/") + v.name;
    if (H5Lexists(file, "views", H5P_DEFAULT) <= 0 || H5Lexists(file, where.c_str(), H5P_DEFAULT) <= 0)
      throw InputError(path + ": has no " + where + " group (written by another model?)");
    Handle group(MF_H5(H5Gopen2(file, where.c_str(), H5P_DEFAULT)), H5Gclose);
    const H5ViewStateReader in(group, comm, path + ":" + where, st.time, st.ranks);
    v.view->restore_state(in);
  }
  // History (every rank reads all of it).
  std::vector<std::string> names;
  {
    std::istringstream is(io::h5::read_string_attribute(file, "history_names"));
    for (std::string line; std::getline(is, line);)
      if (!line.empty()) names.push_back(line);
  }
  Handle group(MF_H5(H5Gopen2(file, "history", H5P_DEFAULT)), H5Gclose);
  const hsize_t k = dataset_rows(group, "times");
  std::vector<double> times(k), values(k * std::max<size_t>(names.size(), 1));
  read_rows(group, "times", H5T_NATIVE_DOUBLE, 0, 0, k, times.data());
  read_rows(group, "values", H5T_NATIVE_DOUBLE, std::max<size_t>(names.size(), 1), 0, k, values.data());
  for (hsize_t r = 0; r < k; ++r) {
    Metrics m;
    for (size_t c = 0; c < names.size(); ++c) {
      const double v = values[r * names.size() + c];
      if (!std::isnan(v)) m[names[c]] = v;
    }
    st.history.emplace_back(times[r], m);
  }
  return st;
}

double checkpoint_time(const std::string& path, MPI_Comm comm) {
  if (H5Fis_hdf5(path.c_str()) <= 0) throw InputError(path + ": not a readable HDF5 checkpoint file");
  Handle file(MF_H5(open_parallel(path, comm, false)), H5Fclose);
  check_format(file, path);
  return io::h5::read_double_attribute(file, "time")[0];
}

}  // namespace mf
