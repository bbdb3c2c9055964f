// HDF5 helper implementations.
#include "datasets/h5util.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <type_traits>

#include "core/util/isolate.h"

namespace lr::h5 {

hid_t check(hid_t id, const std::string& what) {
  if (id < 0) fail(ErrorKind::Io, "HDF5: " + what);
  return id;
}

hid_t vlen_str() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

void write_raw(hid_t loc, const char* name, hid_t mem_type, hid_t file_type,
               const std::vector<hsize_t>& dims, const void* data) {
  Handle sp{
      check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "dataspace"),
      H5Sclose};
  Handle ds{check(H5Dcreate2(loc, name, file_type, sp.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  std::string("create ") + name),
            H5Dclose};
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  if (n > 0 && H5Dwrite(ds.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(ErrorKind::Io, std::string("HDF5: write ") + name);
}

void write_strings(hid_t loc, const char* name, const std::vector<std::string>& v) {
  std::vector<const char*> ptrs;
  for (const auto& s : v) ptrs.push_back(s.c_str());
  Handle t{vlen_str(), H5Tclose};
  write_vec(loc, name, t.id, t.id, ptrs);
}

void write_attr(hid_t obj, const char* name, const std::string& value) {
  Handle t{vlen_str(), H5Tclose};
  Handle sp{H5Screate(H5S_SCALAR), H5Sclose};
  Handle a{check(H5Acreate2(obj, name, t.id, sp.id, H5P_DEFAULT, H5P_DEFAULT), "attribute"),
           H5Aclose};
  const char* p = value.c_str();
  if (H5Awrite(a.id, t.id, &p) < 0)
    fail(ErrorKind::Io, std::string("HDF5: write attribute ") + name);
}

void write_attr_int(hid_t obj, const char* name, long long value) {
  Handle sp{H5Screate(H5S_SCALAR), H5Sclose};
  Handle a{
      check(H5Acreate2(obj, name, H5T_STD_I64LE, sp.id, H5P_DEFAULT, H5P_DEFAULT), "attribute"),
      H5Aclose};
  if (H5Awrite(a.id, H5T_NATIVE_LLONG, &value) < 0)
    fail(ErrorKind::Io, std::string("HDF5: write attribute ") + name);
}

hid_t create_group(hid_t loc, const char* name) {
  return check(H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               std::string("create group ") + name);
}

bool has_attr(hid_t obj, const char* name) { return H5Aexists(obj, name) > 0; }

std::string read_attr(hid_t obj, const char* name, const std::string& path) {
  if (!has_attr(obj, name)) fail(ErrorKind::Format, path + ": missing attribute '" + name + "'");
  Handle a{H5Aopen(obj, name, H5P_DEFAULT), H5Aclose};
  if (a.id < 0) fail(ErrorKind::Format, path + ": cannot open attribute '" + name + "'");
  Handle at{H5Aget_type(a.id), H5Tclose};
  Handle as{H5Aget_space(a.id), H5Sclose};
  if (at.id < 0 || H5Tget_class(at.id) != H5T_STRING || H5Tis_variable_str(at.id) <= 0 ||
      as.id < 0 || H5Sget_simple_extent_npoints(as.id) != 1)
    fail(ErrorKind::Format, path + ": attribute '" + name + "' is not one text value");
  Handle t{vlen_str(), H5Tclose};
  char* p = nullptr;
  if (H5Aread(a.id, t.id, &p) < 0) fail(ErrorKind::Format, path + ": bad attribute " + name);
  std::string s = p ? p : "";
  H5free_memory(p);
  return s;
}

long long read_attr_int(hid_t obj, const char* name, const std::string& path) {
  if (!has_attr(obj, name)) fail(ErrorKind::Format, path + ": missing attribute '" + name + "'");
  Handle a{H5Aopen(obj, name, H5P_DEFAULT), H5Aclose};
  if (a.id < 0) fail(ErrorKind::Format, path + ": cannot open attribute '" + name + "'");
  Handle at{H5Aget_type(a.id), H5Tclose};
  Handle as{H5Aget_space(a.id), H5Sclose};
  if (at.id < 0 || H5Tget_class(at.id) != H5T_INTEGER || as.id < 0 ||
      H5Sget_simple_extent_npoints(as.id) != 1)
    fail(ErrorKind::Format, path + ": attribute '" + name + "' is not one integer");
  long long v = 0;
  if (H5Aread(a.id, H5T_NATIVE_LLONG, &v) < 0)
    fail(ErrorKind::Format, path + ": bad attribute " + name);
  return v;
}

template <typename T>
std::vector<T> read_vec(hid_t loc, const char* name, hid_t mem_type, const std::string& path,
                        std::vector<hsize_t>* dims_out) {
  if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
    fail(ErrorKind::Format, path + ": missing dataset '" + name + "'");
  Handle ds{H5Dopen2(loc, name, H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) fail(ErrorKind::Format, path + ": cannot open dataset '" + name + "'");
  Handle sp{H5Dget_space(ds.id), H5Sclose};
  Handle ft{H5Dget_type(ds.id), H5Tclose};
  if (sp.id < 0 || ft.id < 0) fail(ErrorKind::Format, path + ": corrupt dataset '" + name + "'");
  const H5T_class_t want = std::is_same_v<T, char*>      ? H5T_STRING
                           : std::is_floating_point_v<T> ? H5T_FLOAT
                                                         : H5T_INTEGER;
  if (H5Tget_class(ft.id) != want || (want == H5T_STRING && H5Tis_variable_str(ft.id) <= 0))
    fail(ErrorKind::Format, path + ": dataset '" + name + "' has the wrong type (want " +
                                (want == H5T_STRING  ? "text"
                                 : want == H5T_FLOAT ? "floating point"
                                                     : "integers") +
                                ")");
  const int rank = H5Sget_simple_extent_ndims(sp.id);
  if (rank < 0 || rank > 2)
    fail(ErrorKind::Format, path + ": dataset '" + name + "' has a bad rank");
  std::vector<hsize_t> dims(rank);
  if (rank > 0 && H5Sget_simple_extent_dims(sp.id, dims.data(), nullptr) < 0)
    fail(ErrorKind::Format, path + ": corrupt dataset '" + name + "'");
  // Our files are never compressed: N stored elements take N * size bytes of the file.
  hsize_t file_size = 0;
  const hid_t file = H5Iget_file_id(loc);
  if (file >= 0) {
    H5Fget_filesize(file, &file_size);
    H5Fclose(file);
  }
  const size_t elem = std::max<size_t>(1, H5Tget_size(ft.id));
  hsize_t n = 1;
  for (hsize_t d : dims) {
    if (d != 0 && n > file_size / elem / d)
      fail(ErrorKind::Format,
           path + ": dataset '" + name + "' declares more elements than the file holds: corrupt");
    n *= d;
  }
  std::vector<T> v(n);
  if (n > 0 && H5Dread(ds.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
    fail(ErrorKind::Format, path + ": cannot read '" + name + "'");
  if (dims_out) *dims_out = dims;
  return v;
}
template std::vector<int32_t> read_vec(hid_t, const char*, hid_t, const std::string&,
                                       std::vector<hsize_t>*);
template std::vector<int64_t> read_vec(hid_t, const char*, hid_t, const std::string&,
                                       std::vector<hsize_t>*);
template std::vector<double> read_vec(hid_t, const char*, hid_t, const std::string&,
                                      std::vector<hsize_t>*);
template std::vector<char*> read_vec(hid_t, const char*, hid_t, const std::string&,
                                     std::vector<hsize_t>*);

std::vector<std::string> read_strings(hid_t loc, const char* name, const std::string& path) {
  Handle t{vlen_str(), H5Tclose};
  auto ptrs = read_vec<char*>(loc, name, t.id, path);
  std::vector<std::string> out;
  for (char* p : ptrs) {
    out.emplace_back(p ? p : "");
    H5free_memory(p);
  }
  return out;
}

hid_t create_in_memory() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported by us, once
  Handle fapl{check(H5Pcreate(H5P_FILE_ACCESS), "property list"), H5Pclose};
  check(H5Pset_fapl_core(fapl.id, 1 << 20, 0), "core driver");
  // The name only identifies the in-memory file; nothing is written to it.
  static int counter = 0;
  const std::string name = "longrope-mem-" + std::to_string(++counter) + ".h5";
  return check(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id), "in-memory file");
}

std::vector<unsigned char> file_image(hid_t file) {
  if (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0) fail(ErrorKind::Io, "HDF5: flush failed");
  const ssize_t n = H5Fget_file_image(file, nullptr, 0);
  if (n < 0) fail(ErrorKind::Io, "HDF5: no file image");
  std::vector<unsigned char> image(static_cast<size_t>(n));
  if (H5Fget_file_image(file, image.data(), image.size()) != n)
    fail(ErrorKind::Io, "HDF5: file image changed size");
  return image;
}

void check_isolated(const std::string& path, const std::function<void()>& read) {
  if (std::getenv("LONGROPE_NO_HDF5_ISOLATION")) return;
  parse_isolated(path, read, {"HDF5 file", "the HDF5 library"});
}

hid_t open_read(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(ErrorKind::Io, "'" + path + "' does not exist");
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported by us, once
  if (H5Fis_hdf5(path.c_str()) <= 0) fail(ErrorKind::Format, path + ": not an HDF5 file");
  return check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "cannot open '" + path + "'");
}

}  // namespace lr::h5
