// Scratch files and folders whose name every rank of MPI_COMM_WORLD agrees on (rank 0's pid, broadcast):
// the 1-, 2- and 4-rank runs of a test may run at the same time under ctest -j and must not share a path.
#pragma once
#include <mpi.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "mpi_comm_info.hpp"

namespace mf::testing {

// temp_directory_path()/<stem>_<pid of rank 0><suffix>, the same string on every rank.
inline std::filesystem::path shared_scratch_path(const std::string& stem, const std::string& suffix = "") {
  long long pid = rank_of(MPI_COMM_WORLD) == 0 ? static_cast<long long>(::getpid()) : 0;
  MPI_Bcast(&pid, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  return std::filesystem::temp_directory_path() / (stem + "_" + std::to_string(pid) + suffix);
}

// A folder shared by all ranks, created empty by rank 0 and removed by it at the end.
struct SharedScratchDir {
  std::filesystem::path path;
  explicit SharedScratchDir(const std::string& tag)
      : path(shared_scratch_path("mf_io_" + tag, "_" + std::to_string(size_of(MPI_COMM_WORLD)))) {
    if (rank_of(MPI_COMM_WORLD) == 0) {
      std::filesystem::remove_all(path);
      std::filesystem::create_directories(path);
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }
  ~SharedScratchDir() {
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank_of(MPI_COMM_WORLD) == 0) std::filesystem::remove_all(path);
  }
  SharedScratchDir(const SharedScratchDir&) = delete;
  SharedScratchDir& operator=(const SharedScratchDir&) = delete;
};

}  // namespace mf::testing
