// fields.h5: collective hyperslab writes of each rank's grid block.
#include "measureflow/io/field_file.hpp"

#include <optional>
#include <stdexcept>

#include "measureflow/errors.hpp"
#include "measureflow/io/parallel_file.hpp"

namespace mf::io {

namespace {
void validate_grid(const GridInfo& g, const std::string& path) {
  auto bad = [&](const std::string& what) {
    throw InputError("grid for " + path + ": " + what + " (dim must be 1, 2 or 3; lower, upper, cells with dim "
                     "entries; cells >= 1; lower < upper)");
  };
  if (g.dim < 1 || g.dim > 3) bad("dim = " + std::to_string(g.dim));
  std::size_t d = static_cast<std::size_t>(g.dim);
  if (g.lower.size() != d || g.upper.size() != d || g.cells.size() != d) bad("wrong number of entries");
  for (std::size_t a = 0; a < d; ++a) {
    if (g.cells[a] < 1) bad("cells[" + std::to_string(a) + "] = " + std::to_string(g.cells[a]));
    if (!(g.lower[a] < g.upper[a])) bad("lower[" + std::to_string(a) + "] >= upper");
  }
}
}  // namespace

FieldFileWriter::FieldFileWriter(MPI_Comm comm, const std::string& final_path, const RunInfo& run,
                                 const GridInfo& grid)
    : FieldFileWriter(comm, final_path, run, grid, std::nullopt) {}

FieldFileWriter::FieldFileWriter(MPI_Comm comm, const std::string& final_path, const RunInfo& run,
                                 const GridInfo& grid, double resume_time)
    : FieldFileWriter(comm, final_path, run, grid, std::optional<double>(resume_time)) {}

FieldFileWriter::FieldFileWriter(MPI_Comm comm, const std::string& final_path, const RunInfo& run,
                                 const GridInfo& grid, std::optional<double> resume_time)
    : SnapshotFileWriter(final_path), grid_(grid) {
  validate_grid(grid, final_path);
  // Owned by the base only once complete: a constructor that throws leaves nothing to publish.
  auto file = resume_time ? std::make_unique<ParallelFile>(comm, final_path, run, *resume_time)
                          : std::make_unique<ParallelFile>(comm, final_path, run);
  if (!file->resumed()) {
    h5::Handle g(MF_H5(H5Gcreate2(file->file(), "grid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Gclose);
    h5::write_int64_scalar(g, "dim", grid.dim);
    h5::write_double_attribute(g, "lower", grid.lower);
    h5::write_double_attribute(g, "upper", grid.upper);
    h5::write_int64_attribute(g, "cells", grid.cells);
  }
  for (const auto& [group, time] : file->kept_snapshots()) {
    h5::Handle g(MF_H5(H5Gopen2(file->file(), group.c_str(), H5P_DEFAULT)), H5Gclose);
    records_.push_back(Record{group, time, h5::link_names(g)});
  }
  file_ = std::move(file);
}

void FieldFileWriter::write_snapshot(double time, const GridBlock& block,
                                     const std::vector<std::pair<std::string, const double*>>& fields) {
  const std::size_t d = static_cast<std::size_t>(grid_.dim);
  if (block.start.size() != d || block.count.size() != d)
    throw std::invalid_argument("GridBlock for " + final_path_ + " must have dim entries in start and count");
  // File dims are cells reversed (z slowest); HDF5 takes the slowest axis first.
  std::vector<hsize_t> global(d), start(d), count(d);
  long long volume = 1;
  int inside = 1;
  for (std::size_t a = 0; a < d; ++a) {
    std::size_t r = d - 1 - a;
    global[r] = static_cast<hsize_t>(grid_.cells[a]);
    if (block.start[a] < 0 || block.count[a] < 0 || block.start[a] + block.count[a] > grid_.cells[a]) inside = 0;
    start[r] = static_cast<hsize_t>(std::max(0LL, block.start[a]));
    count[r] = static_cast<hsize_t>(std::max(0LL, block.count[a]));
    volume *= block.count[a];
  }
  for (const auto& field : fields)
    if (volume > 0 && field.second == nullptr) inside = 0;
  // Checked together so every rank throws, rather than one rank leaving the others in a collective.
  long long total = 0;
  int all_inside = 0;
  MPI_Allreduce(&volume, &total, 1, MPI_LONG_LONG, MPI_SUM, file_->comm());
  MPI_Allreduce(&inside, &all_inside, 1, MPI_INT, MPI_MIN, file_->comm());
  long long cells = 1;
  for (auto c : grid_.cells) cells *= c;
  if (!all_inside || total != cells)
    throw std::invalid_argument("grid blocks written to " + final_path_ + " do not tile the grid or lack data (" +
                                std::to_string(total) + " cells in blocks, " + std::to_string(cells) + " in grid)");

  file_->require_space(static_cast<unsigned long long>(cells) * 8ULL * fields.size());
  Record record;
  record.time = time;
  h5::Handle group = file_->next_snapshot_group(time, record.group);
  h5::Handle file_space(MF_H5(H5Screate_simple(static_cast<int>(d), global.data(), nullptr)), H5Sclose);
  h5::Handle mem_space(MF_H5(H5Screate_simple(static_cast<int>(d), count.data(), nullptr)), H5Sclose);
  if (volume > 0) {
    MF_H5(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr));
  } else {
    MF_H5(H5Sselect_none(file_space));
    MF_H5(H5Sselect_none(mem_space));
  }
  for (const auto& [name, data] : fields) {
    h5::Handle dset(MF_H5(H5Dcreate2(group, name.c_str(), H5T_NATIVE_DOUBLE, file_space, H5P_DEFAULT, H5P_DEFAULT,
                                     H5P_DEFAULT)),
                    H5Dclose);
    // HDF5 rejects a null buffer even for an empty selection.
    static const double dummy = 0.0;
    MF_H5(H5Dwrite(dset, H5T_NATIVE_DOUBLE, mem_space, file_space, file_->collective(),
                   volume > 0 ? data : &dummy));
    record.fields.push_back(name);
  }
  records_.push_back(std::move(record));
}

}  // namespace mf::io
