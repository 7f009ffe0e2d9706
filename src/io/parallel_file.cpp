// Collective open of `<final>.tmp`, root attributes, snapshot groups, and publication by rename.
#include "measureflow/io/parallel_file.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include <sys/statvfs.h>

namespace mf::io {

namespace {
// Runs `action` on rank 0 and makes its failure everyone's, so no rank is left waiting in a collective.
template <class F>
void on_root_agreed(MPI_Comm comm, int rank, F action, const std::string& what) {
  std::string error;
  if (rank == 0) {
    try {
      action();
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "unknown error";
    }
  }
  int len = static_cast<int>(error.size());
  MPI_Bcast(&len, 1, MPI_INT, 0, comm);
  error.resize(static_cast<std::size_t>(len));
  if (len > 0) MPI_Bcast(error.data(), len, MPI_CHAR, 0, comm);
  if (len > 0) throw std::runtime_error(what + ": " + error);
}
}  // namespace

void require_free_space(MPI_Comm comm, const std::string& path, unsigned long long bytes) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  on_root_agreed(
      comm, rank,
      [&] {
        std::filesystem::path dir = std::filesystem::path(path).parent_path();
        if (dir.empty()) dir = ".";
        struct statvfs fs {};
        if (statvfs(dir.c_str(), &fs) != 0) return;  // cannot tell: let the write itself decide
        const unsigned long long free_bytes = static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize;
        const unsigned long long need = bytes + 64ULL * 1024ULL;
        if (free_bytes < need)
          throw std::runtime_error("No space left on device: " + std::to_string(need) + " bytes needed, " +
                                   std::to_string(free_bytes) + " free in " + dir.string());
      },
      "cannot write " + path);
}

ParallelFile::ParallelFile(MPI_Comm comm, const std::string& final_path, const RunInfo& run)
    : comm_(comm), final_path_(final_path) {
  MPI_Comm_rank(comm_, &rank_);
  create_fresh(run);
}

void ParallelFile::create_fresh(const RunInfo& run) {
  on_root_agreed(
      comm_, rank_,
      [&] {
        auto parent = std::filesystem::path(final_path_).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent);
      },
      "cannot create the folder of " + final_path_);
  h5::Handle fapl(MF_H5(H5Pcreate(H5P_FILE_ACCESS)), H5Pclose);
  MF_H5(H5Pset_fapl_mpio(fapl, comm_, MPI_INFO_NULL));
  // Metadata writes collective too: every rank creates the same groups/attributes with the same values.
  MF_H5(H5Pset_all_coll_metadata_ops(fapl, true));
  MF_H5(H5Pset_coll_metadata_write(fapl, true));
  file_ = h5::Handle(H5Fcreate(tmp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose);
  if (!file_.valid()) throw std::runtime_error("cannot create HDF5 file " + tmp_path());
  dxpl_ = h5::Handle(MF_H5(H5Pcreate(H5P_DATASET_XFER)), H5Pclose);
  MF_H5(H5Pset_dxpl_mpio(dxpl_, H5FD_MPIO_COLLECTIVE));

  h5::write_string_attribute(file_, "deck", run.deck_yaml);
  h5::write_string_attribute(file_, "version", run.version);
  h5::write_int64_scalar(file_, "ranks", run.ranks);
  h5::write_string_attribute(file_, "git_revision", run.git_revision);
  h5::write_string_attribute(file_, "host", run.host);
  h5::write_string_attribute(file_, "started", run.started);
  snapshots_ = h5::Handle(MF_H5(H5Gcreate2(file_, "snapshots", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Gclose);
}

ParallelFile::ParallelFile(MPI_Comm comm, const std::string& final_path, const RunInfo& run, double resume_time)
    : comm_(comm), final_path_(final_path) {
  MPI_Comm_rank(comm_, &rank_);
  int exists = rank_ == 0 && std::filesystem::exists(final_path_) ? 1 : 0;
  MPI_Bcast(&exists, 1, MPI_INT, 0, comm_);
  if (!exists) {
    // Nothing published yet (e.g. the first run was stopped before its first output): start afresh.
    create_fresh(run);
    return;
  }
  on_root_agreed(
      comm_, rank_,
      [&] {
        std::filesystem::copy_file(final_path_, tmp_path(), std::filesystem::copy_options::overwrite_existing);
      },
      "cannot copy " + final_path_ + " to resume it");
  h5::Handle fapl(MF_H5(H5Pcreate(H5P_FILE_ACCESS)), H5Pclose);
  MF_H5(H5Pset_fapl_mpio(fapl, comm_, MPI_INFO_NULL));
  MF_H5(H5Pset_all_coll_metadata_ops(fapl, true));
  MF_H5(H5Pset_coll_metadata_write(fapl, true));
  file_ = h5::Handle(H5Fopen(tmp_path().c_str(), H5F_ACC_RDWR, fapl), H5Fclose);
  if (!file_.valid()) throw std::runtime_error("cannot reopen HDF5 file " + tmp_path() + " to resume it");
  dxpl_ = h5::Handle(MF_H5(H5Pcreate(H5P_DATASET_XFER)), H5Pclose);
  MF_H5(H5Pset_dxpl_mpio(dxpl_, H5FD_MPIO_COLLECTIVE));
  snapshots_ = h5::Handle(MF_H5(H5Gopen2(file_, "snapshots", H5P_DEFAULT)), H5Gclose);
  // Snapshots after the checkpoint's time would be written again by the continued run.
  const double cut = resume_time + 1e-12 * std::max(1.0, std::abs(resume_time));
  for (const std::string& name : h5::link_names(snapshots_)) {
    h5::Handle g(MF_H5(H5Gopen2(snapshots_, name.c_str(), H5P_DEFAULT)), H5Gclose);
    const double t = h5::read_double_attribute(g, "time").at(0);
    g.reset();
    if (t > cut) {
      MF_H5(H5Ldelete(snapshots_, name.c_str(), H5P_DEFAULT));
    } else {
      kept_.emplace_back("snapshots/" + name, t);
      ++next_index_;
    }
  }
  resumed_ = true;
  (void)run;
}

ParallelFile::~ParallelFile() = default;

h5::Handle ParallelFile::next_snapshot_group(double time, std::string& name) {
  if (!open()) throw std::logic_error("snapshot written to " + final_path_ + " after finish()");
  char digits[16];
  std::snprintf(digits, sizeof digits, "%06d", next_index_);
  h5::Handle group(MF_H5(H5Gcreate2(snapshots_, digits, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Gclose);
  h5::write_double_scalar(group, "time", time);
  ++next_index_;
  name = std::string("snapshots/") + digits;
  return group;
}

void ParallelFile::abandon() {
  if (!open()) return;
  snapshots_.reset();
  dxpl_.reset();
  H5E_BEGIN_TRY { H5Fclose(file_.release()); }
  H5E_END_TRY;
  if (rank_ == 0) {
    std::error_code ignored;
    std::filesystem::remove(tmp_path(), ignored);
  }
  MPI_Barrier(comm_);
}

void ParallelFile::finish() {
  if (!open()) return;
  // Provenance: when the file was completed (rank 0's clock, the same text on every rank).
  char stamp[32] = {0};
  if (rank_ == 0) {
    const std::time_t now = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  }
  MPI_Bcast(stamp, sizeof stamp, MPI_CHAR, 0, comm_);
  h5::write_string_attribute(file_, "finished", stamp);
  snapshots_.reset();
  dxpl_.reset();
  // H5Fclose is collective and flushes; a failure here means the file is not trustworthy.
  herr_t closed = H5Fclose(file_.release());
  int ok = closed >= 0 ? 1 : 0, all_ok = 0;
  MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, comm_);
  if (!all_ok) throw std::runtime_error("closing HDF5 file " + tmp_path() + " failed");
  on_root_agreed(
      comm_, rank_, [&] { std::filesystem::rename(tmp_path(), final_path_); },
      "cannot publish " + final_path_);
}

}  // namespace mf::io
