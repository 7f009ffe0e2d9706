// What the snapshot writers (fields.h5, particles.h5) share: the ParallelFile behind them, published on
// finish() (and by the destructor, so the last good output is readable after an exception) or dropped by
// abandon().
#pragma once
#include <memory>
#include <string>

namespace mf::io {

class ParallelFile;

class SnapshotFileWriter {
 public:
  // finish() if not yet called; never throws (collective, as finish(): every rank must reach it).
  virtual ~SnapshotFileWriter();
  SnapshotFileWriter(const SnapshotFileWriter&) = delete;
  SnapshotFileWriter& operator=(const SnapshotFileWriter&) = delete;

  // Collective: closes the file and renames `<final_path>.tmp` to final_path. Later calls do nothing.
  void finish();
  // Collective: drops the unpublished file (ParallelFile::abandon); the destructor then publishes nothing.
  void abandon();
  const std::string& final_path() const { return final_path_; }

 protected:
  explicit SnapshotFileWriter(std::string final_path);
  std::unique_ptr<ParallelFile> file_;  // opened by the derived writer's constructor
  std::string final_path_;
};

}  // namespace mf::io
