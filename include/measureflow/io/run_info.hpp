// Descriptions shared by every output file: the run (root attributes), the grid and a rank's block of it.
#pragma once
#include <string>
#include <vector>

namespace mf::io {

// Written as root attributes (`deck`, `version`, `ranks`, `git_revision`, `host`, `started`) of every file.
struct RunInfo {
  std::string deck_yaml;
  std::string version;
  std::string git_revision;
  int ranks = 1;
  std::string host;
  std::string started;
};

// The global grid, every vector in x,y,z order with `dim` entries.
struct GridInfo {
  int dim = 0;
  std::vector<double> lower, upper;
  std::vector<long long> cells;
};

// This rank's block of the grid, in x,y,z order: global start index and local count per axis. Local data
// is in C order [nz][ny][nx] of the block (x fastest).
struct GridBlock {
  std::vector<long long> start, count;
};

}  // namespace mf::io
