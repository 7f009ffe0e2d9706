// particles.h5: every rank writes its slice at the offset given by an exclusive scan of the counts.
#include "measureflow/io/particle_file.hpp"

#include <optional>
#include <stdexcept>

#include "measureflow/errors.hpp"
#include "measureflow/io/parallel_file.hpp"

namespace mf::io {

ParticleFileWriter::ParticleFileWriter(MPI_Comm comm, const std::string& final_path, const RunInfo& run, int dim)
    : ParticleFileWriter(comm, final_path, run, dim, std::nullopt) {}

ParticleFileWriter::ParticleFileWriter(MPI_Comm comm, const std::string& final_path, const RunInfo& run, int dim,
                                       double resume_time)
    : ParticleFileWriter(comm, final_path, run, dim, std::optional<double>(resume_time)) {}

ParticleFileWriter::ParticleFileWriter(MPI_Comm comm, const std::string& final_path, const RunInfo& run, int dim,
                                       std::optional<double> resume_time)
    : SnapshotFileWriter(final_path), dim_(dim) {
  // Any dimension is stored (tokens live in up to 64 dimensions); run.xmf shows only d <= 3.
  if (dim < 1)
    throw InputError("particles for " + final_path + ": dim = " + std::to_string(dim) + " (must be >= 1)");
  // Owned by the base only once complete: a constructor that throws leaves nothing to publish.
  auto file = resume_time ? std::make_unique<ParallelFile>(comm, final_path, run, *resume_time)
                          : std::make_unique<ParallelFile>(comm, final_path, run);
  if (!file->resumed()) h5::write_int64_scalar(file->file(), "dim", dim);
  for (const auto& [group, time] : file->kept_snapshots()) {
    h5::Handle d(MF_H5(H5Dopen2(file->file(), (group + "/weights").c_str(), H5P_DEFAULT)), H5Dclose);
    records_.push_back(Record{group, time, static_cast<long long>(h5::dataset_shape(d).at(0)), {}});
  }
  file_ = std::move(file);
}

namespace {
// Creates `name` with global shape `global` and writes this rank's rows [offset, offset+n) collectively.
void write_rows(hid_t group, const char* name, hid_t type, std::vector<hsize_t> global, hsize_t offset, hsize_t n,
                const void* data, hid_t dxpl) {
  const int rank = static_cast<int>(global.size());
  h5::Handle file_space(MF_H5(H5Screate_simple(rank, global.data(), nullptr)), H5Sclose);
  std::vector<hsize_t> start(global.size(), 0), count = global;
  start[0] = offset;
  count[0] = n;
  h5::Handle mem_space(MF_H5(H5Screate_simple(rank, count.data(), nullptr)), H5Sclose);
  if (n > 0) {
    MF_H5(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr));
  } else {
    MF_H5(H5Sselect_none(file_space));
    MF_H5(H5Sselect_none(mem_space));
  }
  h5::Handle dset(MF_H5(H5Dcreate2(group, name, type, file_space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Dclose);
  static const double dummy[3] = {0, 0, 0};
  MF_H5(H5Dwrite(dset, type, mem_space, file_space, dxpl, n > 0 ? data : dummy));
}
}  // namespace

void ParticleFileWriter::write_snapshot(double time, std::size_t n_local, const double* positions,
                                        const double* weights, const std::int64_t* ids,
                                        const std::vector<Extra>& extras) {
  long long n = static_cast<long long>(n_local), offset = 0, total = 0;
  int ok = (n == 0 || (positions && weights && ids)) ? 1 : 0, all_ok = 0;
  for (const Extra& e : extras)
    if (n > 0 && !e.values) ok = 0;
  MPI_Comm comm = file_->comm();
  MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, comm);
  if (!all_ok) throw std::invalid_argument("null particle arrays passed to " + final_path_);
  MPI_Exscan(&n, &offset, 1, MPI_LONG_LONG, MPI_SUM, comm);
  if (file_->rank() == 0) offset = 0;  // MPI_Exscan leaves rank 0's result undefined
  MPI_Allreduce(&n, &total, 1, MPI_LONG_LONG, MPI_SUM, comm);

  // positions, weights, ids, connectivity (and the padded 1D copy), 8 bytes each.
  unsigned long long extra_columns = 0;
  for (const Extra& e : extras) extra_columns += static_cast<unsigned long long>(e.columns);
  file_->require_space(static_cast<unsigned long long>(total) * 8ULL * (dim_ + 3 + (dim_ == 1 ? 3 : 0) + extra_columns));
  Record record;
  record.time = time;
  record.count = total;
  h5::Handle group = file_->next_snapshot_group(time, record.group);
  const hsize_t N = static_cast<hsize_t>(total), off = static_cast<hsize_t>(offset), cnt = static_cast<hsize_t>(n);
  hid_t dxpl = file_->collective();
  write_rows(group, "positions", H5T_NATIVE_DOUBLE, {N, static_cast<hsize_t>(dim_)}, off, cnt, positions, dxpl);
  write_rows(group, "weights", H5T_NATIVE_DOUBLE, {N}, off, cnt, weights, dxpl);
  static_assert(sizeof(std::int64_t) == sizeof(long long), "int64 written as native long long");
  write_rows(group, "ids", H5T_NATIVE_LLONG, {N}, off, cnt, ids, dxpl);
  std::vector<long long> connectivity(n_local);
  for (std::size_t i = 0; i < n_local; ++i) connectivity[i] = offset + static_cast<long long>(i);
  write_rows(group, "connectivity", H5T_NATIVE_LLONG, {N}, off, cnt, connectivity.data(), dxpl);
  if (dim_ == 1) {
    // XDMF has no 1D point geometry; ParaView gets these padded copies (y = z = 0) instead.
    std::vector<double> xyz(3 * n_local, 0.0);
    for (std::size_t i = 0; i < n_local; ++i) xyz[3 * i] = positions[i];
    write_rows(group, "positions_xyz", H5T_NATIVE_DOUBLE, {N, 3}, off, cnt, xyz.data(), dxpl);
  }
  for (const Extra& e : extras) {
    if (e.columns == 1)
      write_rows(group, e.name.c_str(), H5T_NATIVE_DOUBLE, {N}, off, cnt, e.values, dxpl);
    else
      write_rows(group, e.name.c_str(), H5T_NATIVE_DOUBLE, {N, static_cast<hsize_t>(e.columns)}, off, cnt, e.values, dxpl);
    record.extras.emplace_back(e.name, e.columns);
  }
  records_.push_back(std::move(record));
}

}  // namespace mf::io
