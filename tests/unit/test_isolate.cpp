// parse_isolated: a crash, a thrown lr::Error and a runaway allocation in the child become
// errors naming the file; a clean parse returns.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <new>
#include <string>

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/isolate.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

void* volatile sink = nullptr;  // keeps the allocation below from being elided
const IsolationLabels kLabels{"toy file", "the toy parser"};

std::string toy_file() {
  const std::string p = test::tmp_dir() + "/isolate-" + std::to_string(::getpid()) + ".toy";
  write_file_atomically(p, std::string_view("toy"));
  return p;
}

Error run(const std::string& path, const std::function<void()>& parse) {
  try {
    parse_isolated(path, parse, kLabels);
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorKind::Io, "no error");
}

TEST(Isolate, CleanParseReturnsAndChildEffectsStayInTheChild) {
  const std::string p = toy_file();
  int touched = 0;
  parse_isolated(
      p, [&] { touched = 1; }, kLabels);
  EXPECT_EQ(touched, 0);  // the child's copy changed, not ours
}

TEST(Isolate, CrashThrowAndRunawayAllocationBecomeErrorsNamingTheFile) {
  const std::string p = toy_file();
  const Error crash = run(p, [] { std::raise(SIGSEGV); });
  EXPECT_EQ(crash.kind(), ErrorKind::Format);
  EXPECT_EQ(std::string(crash.what()),
            p + ": corrupt toy file (the toy parser crashed reading it, signal " +
                std::to_string(SIGSEGV) + ")");
  const Error thrown = run(p, [&] { fail(ErrorKind::Data, p + ": 7 is not 8"); });
  EXPECT_EQ(thrown.kind(), ErrorKind::Data);
  EXPECT_EQ(std::string(thrown.what()), p + ": 7 is not 8");
  if (isolation_caps_memory()) {
    // What the process maps now + 2 GiB: above the child's cap (mapped + 1 GiB + 4 x 3 bytes),
    // though the system would grant it (untouched, it uses no memory).
    const Error big = run(p, [] {
      long pages = 0;
      if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
        std::fclose(f);
      }
      void* block =
          ::operator new(static_cast<size_t>(pages) * ::sysconf(_SC_PAGESIZE) + (size_t{2} << 30));
      sink = block;
      ::operator delete(block);
    });
    EXPECT_EQ(big.kind(), ErrorKind::Format);
    EXPECT_EQ(std::string(big.what()),
              p + ": corrupt toy file (reading it needs more memory than the file can hold)");
  }
  std::filesystem::remove(p);
}

}  // namespace
}  // namespace lr
