// summary.json (the run's headline numbers and metrics) and atomic publication of small text files.
#pragma once
#include <map>
#include <string>

namespace mf::io {

// Pinned keys: model, ranks, steps, final_time, wall_seconds, version, metrics (dotted name -> number).
// Also written: git_revision, host, started, finished, deck (the deck path).
struct Summary {
  std::string model;
  int ranks = 1;
  long long steps = 0;
  double final_time = 0;
  double wall_seconds = 0;
  std::string version, git_revision, host, started, finished, deck_path;
  std::map<std::string, double> metrics;
};

// Writes JSON (shortest round-trip digits; NaN/inf as null) atomically. Call on one rank (rank 0).
void write_summary(const std::string& path, const Summary& s);
// Reads a summary.json (null metrics come back as NaN). Throws InputError if missing or malformed.
Summary read_summary(const std::string& path);
// Writes `<path>.tmp` then renames it to `path` (readers see the old or the new file, never a partial one).
void write_text_atomically(const std::string& path, const std::string& text);

}  // namespace mf::io
