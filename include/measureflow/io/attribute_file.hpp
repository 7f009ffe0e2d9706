// A small HDF5 file of named scalars as root attributes (`measureflow ot --out result.h5`).
#pragma once
#include <map>
#include <string>

namespace mf::io {

// Writes each value as a scalar double attribute of the root group, into `<path>.tmp` renamed to
// `path` when complete. Serial (call on one rank). Throws mf::InputError if the file cannot be created.
void write_attribute_file(const std::string& path, const std::map<std::string, double>& values);

}  // namespace mf::io
