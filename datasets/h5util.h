// Small HDF5 helpers shared by the two HDF5 modules (shards, search archive).
#pragma once
#include <hdf5.h>

#include <functional>
#include <string>
#include <vector>

#include "core/util/atomic_file.h"
#include "core/util/error.h"

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

// Builds the file in memory (HDF5 core driver: HDF5 itself never writes to disk), lets `fill`
// write into it, then writes the image with lr::write_file_atomically (unique temporary,
// fsync, rename, folder fsync). On any failure (disk full, a file-size limit) the temporary
// file is removed, `path` is left as it was, and Io names `path`.
template <typename F>
void write_atomically(const std::string& path, F fill);
hid_t create_in_memory();                           // an empty in-memory HDF5 file
std::vector<unsigned char> file_image(hid_t file);  // its bytes (after a flush)

template <typename F>
void write_atomically(const std::string& path, F fill) {
  std::vector<unsigned char> image;
  {
    Handle f{create_in_memory(), H5Fclose};
    fill(f.id);
    image = file_image(f.id);
  }
  write_file_atomically(path, image.data(), image.size());
}

// Runs `read` (which parses `path` with HDF5) first in a forked child process
// (lr::parse_isolated): libhdf5 1.10 can crash or hang on hostile files (fuzzing found reads
// of vlen strings through a corrupt global heap), so a crash or a hang there becomes a Format
// error naming `path`, and an lr::Error thrown in the child is rethrown here. Skipped under
// MPI (Open MPI warns about fork) and when LONGROPE_NO_HDF5_ISOLATION is set.
void check_isolated(const std::string& path, const std::function<void()>& read);

// Opens an existing HDF5 file read-only; throws Io/Format naming the path.
hid_t open_read(const std::string& path);

}  // namespace lr::h5
