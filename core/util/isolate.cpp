// Parses in a child process: fork, RLIMIT_AS cap, deadline, lr::Error carried back by a pipe.
#include "core/util/isolate.h"

#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>

#include "core/util/error.h"

namespace lr {

// Sanitizer builds: the child's own death (an ASan report inside the parser) is the parent's
// finding, not the fuzzer's; without a sanitizer runtime the weak symbol is null.
extern "C" void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

namespace {
#if defined(__SANITIZE_ADDRESS__)
#define LONGROPE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LONGROPE_ASAN 1
#endif
#endif

// The child's address space: what the process maps now + 1 GiB + 4 × the file, so a corrupt
// length in the file (fuzzing found HDF5 vlen strings claiming GiBs in a 90 KB shard) makes
// the parser's allocation fail in the child instead of filling memory. Not under ASan, whose
// shadow memory needs terabytes of address space.
void cap_child_memory(const std::string& path) {
#ifndef LONGROPE_ASAN
  long pages = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  if (pages <= 0) return;
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  const rlim_t cap = static_cast<rlim_t>(pages) * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE)) +
                     (rlim_t{1} << 30) + 4 * static_cast<rlim_t>(ec ? 0 : bytes);
  rlimit r{};
  if (::getrlimit(RLIMIT_AS, &r) == 0 && (r.rlim_max == RLIM_INFINITY || cap < r.rlim_max)) {
    r.rlim_cur = cap;
    ::setrlimit(RLIMIT_AS, &r);
  }
#else
  (void)path;
#endif
}
}  // namespace

bool isolation_caps_memory() {
#ifdef LONGROPE_ASAN
  return false;
#else
  return true;
#endif
}

void parse_isolated(const std::string& path, const std::function<void()>& parse,
                    const IsolationLabels& labels) {
  if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE")) return;
  int fds[2];
  if (::pipe(fds) != 0)
    fail(ErrorKind::Io, "cannot create a pipe: " + std::string(std::strerror(errno)));
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    fail(ErrorKind::Io, "cannot fork: " + std::string(std::strerror(errno)));
  }
  if (pid == 0) {  // child: default fatal-signal actions, report an lr::Error through the pipe
    ::close(fds[0]);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, SIG_DFL);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
    cap_child_memory(path);
    std::string msg;
    int code = 0;
    try {
      parse();
    } catch (const Error& e) {
      code = 10 + static_cast<int>(e.kind());
      msg = e.what();
    } catch (const std::bad_alloc&) {
      code = 10 + static_cast<int>(ErrorKind::Format);
      msg = path + ": corrupt " + labels.file +
            " (reading it needs more memory than the file can hold)";
    } catch (const std::exception& e) {
      code = 10 + static_cast<int>(ErrorKind::Format);
      msg = path + ": " + e.what();
    }
    for (size_t done = 0; done < msg.size();) {
      const ssize_t w = ::write(fds[1], msg.data() + done, msg.size() - done);
      if (w <= 0) break;
      done += static_cast<size_t>(w);
    }
    ::_exit(code);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[4096];
  // A generous deadline for a sound file (10 s + 10 MB/s), a hang's bound for a hostile one.
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  const int limit_s = 10 + static_cast<int>((ec ? 0 : bytes) / 10'000'000);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit_s);
  bool hung = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fds[0], POLLIN, 0};
    const int r = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      hung = true;
      ::kill(pid, SIGKILL);
      break;
    }
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    msg.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (hung)
    fail(ErrorKind::Format, path + ": corrupt " + labels.file + " (reading it did not finish in " +
                                std::to_string(limit_s) + " s)");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code >= 10 && code <= 10 + static_cast<int>(ErrorKind::Data) && !msg.empty())
    fail(static_cast<ErrorKind>(code - 10), msg);
  fail(ErrorKind::Format,
       path + ": corrupt " + labels.file + " (" + labels.library + " crashed reading it" +
           (WIFSIGNALED(status) ? ", signal " + std::to_string(WTERMSIG(status)) : std::string()) +
           ")");
}

}  // namespace lr
