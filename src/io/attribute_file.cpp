#include "measureflow/io/attribute_file.hpp"

#include <filesystem>

#include "measureflow/errors.hpp"
#include "measureflow/io/hdf5_handle.hpp"

namespace mf::io {

void write_attribute_file(const std::string& path, const std::map<std::string, double>& values) {
  const std::string tmp = path + ".tmp";
  {
    h5::QuietErrors quiet;
    h5::Handle file(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) throw InputError(path + ": cannot create the file");
    for (const auto& [name, value] : values) h5::write_double_scalar(file, name, value);
    file.close_checked(__FILE__, __LINE__);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace mf::io
