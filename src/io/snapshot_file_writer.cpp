#include "measureflow/io/snapshot_file_writer.hpp"

#include <utility>

#include "measureflow/io/parallel_file.hpp"

namespace mf::io {

SnapshotFileWriter::SnapshotFileWriter(std::string final_path) : final_path_(std::move(final_path)) {}

SnapshotFileWriter::~SnapshotFileWriter() {
  try {
    finish();
  } catch (...) {
    // A destructor may run during unwinding; the error was already reported by whoever threw first.
  }
}

void SnapshotFileWriter::finish() {
  if (file_) file_->finish();
}

void SnapshotFileWriter::abandon() {
  if (file_) file_->abandon();
}

}  // namespace mf::io
