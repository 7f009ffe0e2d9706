// Checked HDF5 calls (an error code becomes an exception naming the call site) and RAII handle owners.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mf::io::h5 {

// Throws std::runtime_error naming `expr` and the call site when `status` is negative (HDF5's error value).
[[noreturn]] void fail(const char* expr, const char* file, int line);
template <class T>
T checked(T status, const char* expr, const char* file, int line) {
  if (status < 0) fail(expr, file, line);
  return status;
}

// One owned hid_t, closed once with the close function that matches its kind.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept;
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Closes now and reports failure (the destructor cannot); used where a close must be known to succeed.
  void close_checked(const char* file, int line);
  void reset() noexcept;
  // Gives up ownership without closing.
  hid_t release() noexcept {
    hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Turns HDF5's automatic error-stack printing off while alive (readers probe files that may not match).
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// Attribute helpers on any object (file, group, dataset). Writes are collective in parallel files.
void write_string_attribute(hid_t obj, const std::string& name, const std::string& value);
void write_double_attribute(hid_t obj, const std::string& name, const std::vector<double>& values);
void write_int64_attribute(hid_t obj, const std::string& name, const std::vector<long long>& values);
void write_double_scalar(hid_t obj, const std::string& name, double value);
void write_int64_scalar(hid_t obj, const std::string& name, long long value);
bool has_attribute(hid_t obj, const std::string& name);
std::vector<double> read_double_attribute(hid_t obj, const std::string& name);
std::vector<long long> read_int64_attribute(hid_t obj, const std::string& name);
std::string read_string_attribute(hid_t obj, const std::string& name);

// True when `path` (e.g. "snapshots/000003/density") exists below `loc`, checking each link in turn.
bool path_exists(hid_t loc, const std::string& path);
// Names of the links in a group, sorted by name.
std::vector<std::string> link_names(hid_t group);
// Shape of a dataset.
std::vector<hsize_t> dataset_shape(hid_t dataset);

}  // namespace mf::io::h5

#define MF_H5(call) ::mf::io::h5::checked((call), #call, __FILE__, __LINE__)
