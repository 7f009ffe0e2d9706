// Checked HDF5 calls, RAII handles and attribute helpers.
#include "measureflow/io/hdf5_handle.hpp"

#include <stdexcept>

namespace mf::io::h5 {

void fail(const char* expr, const char* file, int line) {
  throw std::runtime_error(std::string("HDF5 call failed: ") + expr + " at " + file + ":" + std::to_string(line));
}

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    closer_ = o.closer_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Handle::reset() noexcept {
  if (id_ >= 0 && closer_) closer_(id_);
  id_ = H5I_INVALID_HID;
}

void Handle::close_checked(const char* file, int line) {
  if (id_ < 0) return;
  hid_t id = id_;
  id_ = H5I_INVALID_HID;
  if (closer_(id) < 0) fail("H5close", file, line);
}

QuietErrors::QuietErrors() {
  H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}
QuietErrors::~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

namespace {
template <class T>
void write_array_attribute(hid_t obj, const std::string& name, hid_t type, const std::vector<T>& values,
                           bool scalar) {
  if (MF_H5(H5Aexists(obj, name.c_str())) > 0) MF_H5(H5Adelete(obj, name.c_str()));
  hsize_t n = values.size();
  Handle space(scalar ? MF_H5(H5Screate(H5S_SCALAR)) : MF_H5(H5Screate_simple(1, &n, nullptr)), H5Sclose);
  Handle attr(MF_H5(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT)), H5Aclose);
  MF_H5(H5Awrite(attr, type, values.data()));
}

template <class T>
std::vector<T> read_array_attribute(hid_t obj, const std::string& name, hid_t type) {
  Handle attr(MF_H5(H5Aopen(obj, name.c_str(), H5P_DEFAULT)), H5Aclose);
  Handle space(MF_H5(H5Aget_space(attr)), H5Sclose);
  hssize_t n = MF_H5(H5Sget_simple_extent_npoints(space));
  std::vector<T> values(static_cast<std::size_t>(n));
  if (n > 0) MF_H5(H5Aread(attr, type, values.data()));
  return values;
}
}  // namespace

void write_string_attribute(hid_t obj, const std::string& name, const std::string& value) {
  // Variable-length UTF-8: any length (stored in the global heap, not the 64 KiB object header) and
  // h5py returns it as `str`.
  Handle type(MF_H5(H5Tcopy(H5T_C_S1)), H5Tclose);
  MF_H5(H5Tset_size(type, H5T_VARIABLE));
  MF_H5(H5Tset_cset(type, H5T_CSET_UTF8));
  if (MF_H5(H5Aexists(obj, name.c_str())) > 0) MF_H5(H5Adelete(obj, name.c_str()));
  Handle space(MF_H5(H5Screate(H5S_SCALAR)), H5Sclose);
  Handle attr(MF_H5(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT)), H5Aclose);
  const char* data = value.c_str();
  MF_H5(H5Awrite(attr, type, &data));
}

void write_double_attribute(hid_t obj, const std::string& name, const std::vector<double>& values) {
  write_array_attribute(obj, name, H5T_NATIVE_DOUBLE, values, false);
}

void write_double_scalar(hid_t obj, const std::string& name, double value) {
  write_array_attribute(obj, name, H5T_NATIVE_DOUBLE, std::vector<double>{value}, true);
}

void write_int64_scalar(hid_t obj, const std::string& name, long long value) {
  write_array_attribute(obj, name, H5T_NATIVE_LLONG, std::vector<long long>{value}, true);
}

void write_int64_attribute(hid_t obj, const std::string& name, const std::vector<long long>& values) {
  write_array_attribute(obj, name, H5T_NATIVE_LLONG, values, false);
}

bool has_attribute(hid_t obj, const std::string& name) { return MF_H5(H5Aexists(obj, name.c_str())) > 0; }

std::vector<double> read_double_attribute(hid_t obj, const std::string& name) {
  return read_array_attribute<double>(obj, name, H5T_NATIVE_DOUBLE);
}

std::vector<long long> read_int64_attribute(hid_t obj, const std::string& name) {
  return read_array_attribute<long long>(obj, name, H5T_NATIVE_LLONG);
}

std::string read_string_attribute(hid_t obj, const std::string& name) {
  Handle attr(MF_H5(H5Aopen(obj, name.c_str(), H5P_DEFAULT)), H5Aclose);
  Handle file_type(MF_H5(H5Aget_type(attr)), H5Tclose);
  if (H5Tget_class(file_type) != H5T_STRING) fail(("string attribute " + name).c_str(), __FILE__, __LINE__);
  if (MF_H5(H5Tis_variable_str(file_type)) > 0) {
    Handle mem_type(MF_H5(H5Tcopy(H5T_C_S1)), H5Tclose);
    MF_H5(H5Tset_size(mem_type, H5T_VARIABLE));
    MF_H5(H5Tset_cset(mem_type, H5Tget_cset(file_type)));
    char* data = nullptr;
    MF_H5(H5Aread(attr, mem_type, &data));
    std::string out = data ? data : "";
    H5free_memory(data);
    return out;
  }
  std::size_t size = H5Tget_size(file_type);
  std::string out(size, '\0');
  MF_H5(H5Aread(attr, file_type, out.data()));
  return out.substr(0, out.find('\0'));
}

bool path_exists(hid_t loc, const std::string& path) {
  std::string prefix;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    std::string part = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    prefix += (prefix.empty() ? "" : "/") + part;
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return true;
}

std::vector<std::string> link_names(hid_t group) {
  H5G_info_t info;
  MF_H5(H5Gget_info(group, &info));
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t len = MF_H5(H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT));
    std::string name(static_cast<std::size_t>(len) + 1, '\0');
    MF_H5(H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT));
    name.resize(static_cast<std::size_t>(len));
    names.push_back(name);
  }
  return names;
}

std::vector<hsize_t> dataset_shape(hid_t dataset) {
  Handle space(MF_H5(H5Dget_space(dataset)), H5Sclose);
  int rank = MF_H5(H5Sget_simple_extent_ndims(space));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) MF_H5(H5Sget_simple_extent_dims(space, dims.data(), nullptr));
  return dims;
}

}  // namespace mf::io::h5
