// Atomic file and folder writes: unique temporaries, fsync of file and folder, rename, cleanup.
#include "core/util/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <streambuf>

#include "core/util/error.h"

namespace fs = std::filesystem;

namespace lr {

namespace {

std::string random_suffix() {
  static std::atomic<unsigned long long> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}() ^
                                   (static_cast<unsigned long long>(::getpid()) << 32)};
  const unsigned long long v = rng() ^ (++counter * 0x9E3779B97F4A7C15ull);
  static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string s;
  for (unsigned long long x = v; s.size() < 8; x /= 36) s += digits[x % 36];
  return s;
}

std::string errno_text(int err) { return std::strerror(err); }

// fsyncs an open-able path (a file or a folder); returns errno or 0.
int sync_path(const std::string& p, bool folder) {
  const int fd = ::open(p.c_str(), (folder ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = 0;
  if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) err = errno;  // EINVAL: no fsync
  ::close(fd);
  return err;
}

// A streambuf that appends to an AtomicFile through a buffer.
class AtomicBuf : public std::streambuf {
 public:
  explicit AtomicBuf(AtomicFile& f) : f_(f) { setp(buf_, buf_ + sizeof buf_); }
  int sync() override {
    const std::ptrdiff_t n = pptr() - pbase();
    if (n > 0) f_.write(pbase(), static_cast<size_t>(n));  // throws Io on failure
    setp(buf_, buf_ + sizeof buf_);
    return 0;
  }
  int_type overflow(int_type c) override {
    sync();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

 private:
  AtomicFile& f_;
  char buf_[1 << 16];
};

}  // namespace

void remove_stale_temporaries(const std::string& path) {
  const fs::path p(path);
  std::string prefix(1, '.');
  prefix += p.filename().string();
  prefix += ".tmp.";
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    char* rest = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &rest, 10);
    if (pid <= 0 || *rest != '.' || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive
    std::error_code rm;
    fs::remove_all(it->path(), rm);
  }
}

std::string unique_sibling(const std::string& path, const char* tag) {
  const fs::path p(path);
  std::string name(1, '.');
  name += p.filename().string();
  for (const std::string& part : {std::string(tag), std::to_string(::getpid()), random_suffix()})
    name += "." + part;
  return (p.parent_path() / name).string();
}

void sync_parent_folder(const std::string& path) {
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (const int err = sync_path(dir.string(), true))
    fail(ErrorKind::Io, "cannot sync the folder of '" + path + "': " + errno_text(err) +
                            " (the new version is in place)");
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  remove_stale_temporaries(path_);
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    tmp_ = unique_sibling(path_, "tmp");
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno != EEXIST) break;
  }
  if (fd_ < 0) {
    const int err = errno;
    tmp_.clear();
    fail_io("cannot create a temporary file beside it", err);
  }
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!committed_ && !tmp_.empty()) ::unlink(tmp_.c_str());
  tmp_.clear();
}

void AtomicFile::fail_io(const std::string& what, int err) {
  discard();
  fail(ErrorKind::Io, "cannot write '" + path_ + "': " + what + ": " + errno_text(err) +
                          " (the previous file, if any, is unchanged)");
}

void AtomicFile::write(const void* data, size_t size) {
  if (fd_ < 0) fail(ErrorKind::Io, "cannot write '" + path_ + "': the file is closed");
  const char* p = static_cast<const char*>(data);
  for (size_t done = 0; done < size;) {
    const ssize_t w = ::write(fd_, p + done, size - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fail_io("write failed", w < 0 ? errno : ENOSPC);
    done += static_cast<size_t>(w);
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) fail(ErrorKind::Io, "cannot write '" + path_ + "': the file is closed");
  if (::fsync(fd_) != 0) fail_io("fsync failed", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail_io("close failed", errno);
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail_io("cannot rename the temporary", errno);
  committed_ = true;
  tmp_.clear();
  sync_parent_folder(path_);
}

void write_file_atomically(const std::string& path, const void* data, size_t size) {
  AtomicFile f(path);
  f.write(data, size);
  f.commit();
}

void write_file_atomically(const std::string& path, std::string_view text) {
  write_file_atomically(path, text.data(), text.size());
}

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& fill) {
  AtomicFile f(path);
  {
    AtomicBuf buf(f);
    std::ostream out(&buf);
    out.exceptions(std::ios::badbit);  // libstdc++ rethrows the buffer's own Io error
    fill(out);
    out.flush();
    if (!out) fail(ErrorKind::Io, "cannot write '" + path + "': stream error");
  }
  f.commit();
}

namespace {

// fsyncs every file and folder under `dir` (links are not followed), then `dir` itself.
void sync_tree(const std::string& dir, const std::string& path) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto st = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_regular_file(st) || fs::is_directory(st))
      if (const int err = sync_path(it->path().string(), fs::is_directory(st)))
        fail(ErrorKind::Io, "cannot write '" + path + "': cannot sync '" + it->path().string() +
                                "': " + errno_text(err));
  }
  if (ec) fail(ErrorKind::Io, "cannot write '" + path + "': " + ec.message());
  if (const int err = sync_path(dir, true))
    fail(ErrorKind::Io,
         "cannot write '" + path + "': cannot sync '" + dir + "': " + errno_text(err));
}

}  // namespace

void write_folder_atomically(const std::string& path,
                             const std::function<void(const std::string& dir)>& fill,
                             bool replace) {
  std::error_code ec;
  const bool existed = fs::exists(fs::symlink_status(path, ec));
  if (existed && !replace)
    fail(ErrorKind::Io, "'" + path + "' already exists (it is left as it is)");
  remove_stale_temporaries(path);
  std::string tmp;
  for (int attempt = 0; attempt < 100 && tmp.empty(); ++attempt) {
    const std::string name = unique_sibling(path, "tmp");
    if (::mkdir(name.c_str(), 0777) == 0)
      tmp = name;
    else if (errno != EEXIST)
      break;
  }
  if (tmp.empty())
    fail(ErrorKind::Io, "cannot write '" + path +
                            "': cannot create a temporary folder beside it: " + errno_text(errno));
  std::string aside;
  try {
    fill(tmp);
    sync_tree(tmp, path);
    if (existed) {
      aside = unique_sibling(path, "old");
      if (::rename(path.c_str(), aside.c_str()) != 0) {
        const int err = errno;
        aside.clear();
        fail(ErrorKind::Io, "cannot move the existing '" + path + "' aside: " + errno_text(err));
      }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      const int err = errno;
      if (!aside.empty() && ::rename(aside.c_str(), path.c_str()) == 0) aside.clear();
      fail(ErrorKind::Io, "cannot rename '" + tmp + "' to '" + path + "': " + errno_text(err) +
                              (aside.empty() ? " (the previous folder, if any, is unchanged)"
                                             : " (the previous folder is at '" + aside + "')"));
    }
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  sync_parent_folder(path);
  if (!aside.empty()) {
    fs::remove_all(aside, ec);
    if (ec)
      fail(ErrorKind::Io, "'" + path + "' is written, but the previous version at '" + aside +
                              "' cannot be removed: " + ec.message());
  }
}

}  // namespace lr
