// Small HDF5 helpers shared by the two HDF5 modules (shards, search archive).
#pragma once
#include <hdf5.h>

#include <string>
#include <vector>

#include "error.h"

namespace lr::h5 {

struct Handle {  // closes an HDF5 id with the matching function
  hid_t id;
  herr_t (*close)(hid_t);
  ~Handle() {
    if (id >= 0) close(id);
  }
};

hid_t check(hid_t id, const std::string& what);
hid_t vlen_str();  // caller closes

void write_raw(hid_t loc, const char* name, hid_t mem_type, hid_t file_type,
               const std::vector<hsize_t>& dims, const void* data);
template <typename T>
void write_vec(hid_t loc, const char* name, hid_t mem_type, hid_t file_type,
               const std::vector<T>& v) {
  write_raw(loc, name, mem_type, file_type, {v.size()}, v.data());
}
void write_strings(hid_t loc, const char* name, const std::vector<std::string>& v);
void write_attr(hid_t obj, const char* name, const std::string& value);
void write_attr_int(hid_t obj, const char* name, long long value);
hid_t create_group(hid_t loc, const char* name);  // caller closes; throws Io

bool has_attr(hid_t obj, const char* name);
std::string read_attr(hid_t obj, const char* name, const std::string& path);
long long read_attr_int(hid_t obj, const char* name, const std::string& path);
// Reads a dataset of any rank into a flat vector; `dims` receives its shape. Checks the stored
// type class (integer / float / variable-length string, as T asks) and that the declared
// size fits in the file (a corrupt header never makes us allocate or read past its end).
template <typename T>
std::vector<T> read_vec(hid_t loc, const char* name, hid_t mem_type, const std::string& path,
                        std::vector<hsize_t>* dims = nullptr);
std::vector<std::string> read_strings(hid_t loc, const char* name, const std::string& path);

// Creates `path`.tmp, lets `fill` write into it, closes it (checked), syncs it to disk, then
// renames over `path` (atomic on POSIX). On any failure (disk full, a file-size limit) the
// temporary file is removed, `path` is left as it was, and Io names `path`.
template <typename F>
void write_atomically(const std::string& path, F fill);
void rename_over(const std::string& from, const std::string& to);
void sync_file(const std::string& path);  // fsync; throws Io naming the path
void remove_quietly(const std::string& path);

template <typename F>
void write_atomically(const std::string& path, F fill) {
  const std::string tmp = path + ".tmp";
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported by us, once
  const hid_t f = H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) fail(ErrorKind::Io, "cannot create '" + tmp + "' (HDF5)");
  try {
    fill(f);
    if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0) fail(ErrorKind::Io, "HDF5: flush failed");
  } catch (const Error& e) {
    H5Fclose(f);
    remove_quietly(tmp);
    fail(ErrorKind::Io, "cannot write '" + path + "' (disk full?): " + e.what() +
                            "; the previous file is unchanged");
  }
  if (H5Fclose(f) < 0) {
    remove_quietly(tmp);
    fail(ErrorKind::Io, "cannot write '" + path + "' (disk full?); the previous file is unchanged");
  }
  sync_file(tmp);
  rename_over(tmp, path);
}

// Opens an existing HDF5 file read-only; throws Io/Format naming the path.
hid_t open_read(const std::string& path);

}  // namespace lr::h5
