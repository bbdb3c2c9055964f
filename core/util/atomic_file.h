// The one atomic file and folder writer: unique temporary beside the target, fsync, rename.
#pragma once
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace lr {

// A file being written atomically: the constructor creates a temporary with a unique name
// (.NAME.tmp.PID.RANDOM) in the destination's folder, after removing such temporaries of
// dead processes; write() appends to it; commit() syncs it, renames it over the destination
// and syncs the folder. Until commit() succeeds the
// destination is untouched; the destructor (an exception, an early return) and every failure
// remove the temporary. Errors are Io naming the destination.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);
  void write(std::string_view s) { write(s.data(), s.size()); }
  void commit();

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return tmp_; }

 private:
  [[noreturn]] void fail_io(const std::string& what, int err);
  void discard() noexcept;

  std::string path_, tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

// Writes `size` bytes / `text` to `path` atomically (an AtomicFile written once).
void write_file_atomically(const std::string& path, const void* data, size_t size);
void write_file_atomically(const std::string& path, std::string_view text);
// Streams into the temporary through `fill`; whatever `fill` throws propagates after the
// temporary is removed, and a stream error becomes Io naming `path`.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& fill);

// Builds a folder atomically: `fill` writes into a new sibling temporary folder
// (.NAME.tmp.PID.RANDOM), whose files and folders are then synced (links are not followed)
// and which is renamed to `path`. An existing `path` is refused (Io naming it) unless
// `replace`: then the old one is moved aside to a unique sibling first, and removed only
// after the new folder is in place (if that rename fails, it is moved back). On any failure
// the temporary folder is removed and `path` is as it was.
void write_folder_atomically(const std::string& path,
                             const std::function<void(const std::string& dir)>& fill, bool replace);

// Removes temporaries of `path` (.NAME.tmp.PID.*) left by processes that no longer run (a
// kill, a crash); AtomicFile and write_folder_atomically call it first. Another live process's
// temporary (its PID answers kill(PID, 0)) is kept. Folders moved aside (.NAME.old.*) are
// never removed: after a crash between the two renames they hold the only copy.
void remove_stale_temporaries(const std::string& path);

// A unique, not yet existing sibling name for `path`: DIR/.NAME.TAG.PID.RANDOM.
std::string unique_sibling(const std::string& path, const char* tag);

// fsyncs the folder holding `path` (after a rename in it); throws Io naming `path`.
void sync_parent_folder(const std::string& path);

}  // namespace lr
