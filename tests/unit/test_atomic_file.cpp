// Atomic file and folder writes: faults leave the previous version and no temporary; folder
// exports with and without --overwrite.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "export/run.h"
#include "tests/unit/test_util.h"

namespace fs = std::filesystem;

namespace lr {
namespace {

// A fresh folder of its own (tests of other processes share the temp root).
std::string fresh_dir(const std::string& name) {
  const fs::path d =
      fs::path(test::tmp_dir()) / ("atomic-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

std::vector<std::string> listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

using Names = std::vector<std::string>;

TEST(AtomicFile, EachFormReplacesThePreviousVersionAndLeavesNoTemporary) {
  const std::string dir = fresh_dir("replace"), p = dir + "/out.txt";
  write_file_atomically(p, std::string_view("one"));
  EXPECT_EQ(slurp(p), "one");
  const char bytes[] = {'t', 'w', 'o', '\0', 'x'};
  write_file_atomically(p, bytes, sizeof bytes);
  EXPECT_EQ(slurp(p), std::string(bytes, 5));
  write_file_atomically(p, [](std::ostream& o) {
    for (int i = 0; i < 100000; ++i) o << i << "\n";  // several buffer flushes
  });
  const std::string streamed = slurp(p);
  EXPECT_EQ(streamed.size(), 588890u);
  EXPECT_EQ(streamed.substr(streamed.size() - 6), "99999\n");
  {
    AtomicFile f(p);
    EXPECT_EQ(fs::path(f.temp_path()).parent_path(), fs::path(p).parent_path());
    EXPECT_EQ(fs::path(f.temp_path()).filename().string().rfind(".out.txt.tmp.", 0), 0u);
    f.write("four");
    EXPECT_EQ(slurp(p), streamed);  // not visible before commit
    f.commit();
  }
  EXPECT_EQ(slurp(p), "four");
  EXPECT_EQ(listing(dir), Names{"out.txt"});
}

TEST(AtomicFile, ThrowingFillOrUncommittedFileKeepsThePreviousVersion) {
  const std::string dir = fresh_dir("throw"), p = dir + "/keep.json";
  write_file_atomically(p, std::string_view("{\"v\": 1}\n"));
  EXPECT_THROW(write_file_atomically(p,
                                     [](std::ostream& o) {
                                       o << std::string(200000, 'z');  // partly on disk
                                       throw std::runtime_error("caller gave up");
                                     }),
               std::runtime_error);
  EXPECT_EQ(slurp(p), "{\"v\": 1}\n");
  EXPECT_EQ(listing(dir), Names{"keep.json"});
  std::string tmp;
  {
    AtomicFile f(p);
    f.write("half");
    tmp = f.temp_path();
    EXPECT_TRUE(fs::exists(tmp));
  }  // no commit
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_EQ(slurp(p), "{\"v\": 1}\n");
  EXPECT_EQ(listing(dir), Names{"keep.json"});
}

TEST(AtomicFile, DestinationThatIsAFolderFailsWithIoNamingIt) {
  const std::string dir = fresh_dir("isdir"), p = dir + "/taken";
  fs::create_directories(p + "/inside");
  try {
    write_file_atomically(p, std::string_view("data"));
    FAIL() << "renaming a file over a folder succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("'" + p + "'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("unchanged"), std::string::npos) << e.what();
  }
  EXPECT_EQ(listing(dir), Names{"taken"});
  EXPECT_EQ(listing(p), Names{"inside"});
  // A missing folder: the temporary cannot be created.
  EXPECT_THROW(write_file_atomically(dir + "/no/such/f", std::string_view("x")), Error);
}

// Writes `size` bytes of 'n' to `path` under RLIMIT_FSIZE = 64 KiB in a forked child, through
// `form` (0 bytes, 1 stream, 2 AtomicFile). The child exits 0 when an Io error naming the path
// came back, 1 when the write succeeded, 2 on any other exception.
int write_under_file_limit(const std::string& path, size_t size, int form) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);  // write() fails with EFBIG instead of killing us
    rlimit r{64 << 10, 64 << 10};
    if (::setrlimit(RLIMIT_FSIZE, &r) != 0) ::_exit(3);
    const std::string data(size, 'n');
    try {
      if (form == 0) {
        write_file_atomically(path, data.data(), data.size());
      } else if (form == 1) {
        write_file_atomically(path, [&](std::ostream& o) { o << data; });
      } else {
        AtomicFile f(path);
        f.write(data);
        f.commit();
      }
    } catch (const Error& e) {
      const bool named = std::string(e.what()).find(path) != std::string::npos;
      ::_exit(e.kind() == ErrorKind::Io && named ? 0 : 2);
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

TEST(AtomicFile, FileSizeLimitMidWriteLeavesNeitherPartialFileNorTemporary) {
  const std::string dir = fresh_dir("fsize"), p = dir + "/big.bin";
  write_file_atomically(p, std::string_view("previous"));
  for (int form = 0; form < 3; ++form) {
    SCOPED_TRACE(form);
    EXPECT_EQ(write_under_file_limit(p, 1 << 20, form), 0);
    EXPECT_EQ(slurp(p), "previous");
    EXPECT_EQ(listing(dir), Names{"big.bin"});
  }
  // Under the limit the same child succeeds (the limit, not the child, made it fail).
  EXPECT_EQ(write_under_file_limit(p, 1000, 0), 1);
  EXPECT_EQ(slurp(p), std::string(1000, 'n'));
  EXPECT_EQ(listing(dir), Names{"big.bin"});
}

TEST(AtomicFile, TwoWritersToOnePathBothSucceedAndOneWholeVersionWins) {
  const std::string dir = fresh_dir("race"), p = dir + "/shared.bin";
  const std::string a(1 << 20, 'a'), b(1 << 20, 'b');
  for (int round = 0; round < 20; ++round) {
    int ok = 0;
    std::atomic<int> ok_a{0}, ok_b{0};
    std::thread ta([&] {
      for (int i = 0; i < 5; ++i) {
        write_file_atomically(p, a);
        ++ok_a;
      }
    });
    std::thread tb([&] {
      for (int i = 0; i < 5; ++i) {
        write_file_atomically(p, b);
        ++ok_b;
      }
    });
    ta.join();
    tb.join();
    ok = ok_a + ok_b;
    ASSERT_EQ(ok, 10);
    const std::string got = slurp(p);
    ASSERT_TRUE(got == a || got == b) << "size " << got.size();
  }
  EXPECT_EQ(listing(dir), Names{"shared.bin"});
}

TEST(AtomicFile, TemporariesOfDeadProcessesAreRemovedOthersKept) {
  const std::string dir = fresh_dir("stale"), p = dir + "/r.json";
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);  // reaped: kill(dead, 0) fails with ESRCH
  const std::string stale = ".r.json.tmp." + std::to_string(dead) + ".abc",
                    stale_dir = ".r.json.tmp." + std::to_string(dead) + ".dir",
                    live = ".r.json.tmp." + std::to_string(::getppid()) + ".abc",
                    old = ".r.json.old." + std::to_string(dead) + ".abc",
                    other = ".q.json.tmp." + std::to_string(dead) + ".abc";
  for (const auto& n : {stale, live, old, other})
    write_file_atomically(dir + "/" + n, std::string_view("x"));
  fs::create_directories(dir + "/" + stale_dir + "/sub");
  write_file_atomically(p, std::string_view("new"));
  EXPECT_EQ(slurp(p), "new");
  Names want{live, other, old, "r.json"};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(listing(dir), want);
}

TEST(AtomicFolder, ExistingFolderRefusedUnlessReplaceAndFailuresLeaveIt) {
  const std::string dir = fresh_dir("folder"), p = dir + "/out";
  auto fill = [](const std::string& text) {
    return [text](const std::string& d) {
      fs::create_directories(d + "/sub");
      write_file_atomically(d + "/a.txt", text);
      write_file_atomically(d + "/sub/b.txt", text + "!");
    };
  };
  write_folder_atomically(p, fill("v1"), false);
  EXPECT_EQ(slurp(p + "/a.txt"), "v1");
  EXPECT_EQ(slurp(p + "/sub/b.txt"), "v1!");
  try {
    write_folder_atomically(p, fill("v2"), false);
    FAIL() << "an existing folder was replaced without replace";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("'" + p + "'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(p + "/a.txt"), "v1");
  EXPECT_THROW(
      write_folder_atomically(
          p, [](const std::string& d) { throw std::runtime_error("fill failed " + d); }, true),
      std::runtime_error);
  EXPECT_EQ(slurp(p + "/a.txt"), "v1");
  EXPECT_EQ(listing(dir), Names{"out"});
  write_folder_atomically(p, fill("v3"), true);
  EXPECT_EQ(slurp(p + "/a.txt"), "v3");
  EXPECT_EQ(slurp(p + "/sub/b.txt"), "v3!");
  EXPECT_EQ(listing(p), (Names{"a.txt", "sub"}));
  EXPECT_EQ(listing(dir), Names{"out"});  // neither the temporary nor the old version is left
}

TEST(AtomicFolder, HfExportOverAForeignFolderNeedsOverwrite) {
  REQUIRE_SHARED("models/fixture-llama-5m/config.json");
  const std::string dir = fresh_dir("export"), out = dir + "/hf";
  {
    std::ofstream f(dir + "/f.csv");
    for (int i = 0; i < 32; ++i) f << 1.0 + i / 16.0 << "\n";
  }
  fs::create_directories(out);
  write_file_atomically(out + "/mine.txt", std::string_view("not an export"));
  ExportRequest req;
  req.format = ExportFormat::Hf;
  req.output = out + "/";
  req.model = test::shared("models/fixture-llama-5m");
  req.source.factors_path = dir + "/f.csv";
  req.source.target_length = 512;
  req.source.original_max_position = 256;
  try {
    run_export(req);
    FAIL() << "an existing folder was replaced without --overwrite";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find(out), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--overwrite"), std::string::npos) << e.what();
  }
  EXPECT_EQ(listing(out), Names{"mine.txt"});
  EXPECT_EQ(listing(dir), (Names{"f.csv", "hf"}));

  req.overwrite = true;
  const ExportSource s = run_export(req);
  EXPECT_EQ(req.output, out);
  EXPECT_EQ(s.half(), 32);
  EXPECT_FALSE(fs::exists(out + "/mine.txt"));
  const auto cfg = nlohmann::json::parse(slurp(out + "/config.json"));
  EXPECT_EQ(cfg["max_position_embeddings"], 512);
  EXPECT_EQ(cfg["rope_scaling"]["long_factor"].size(), 32u);
  EXPECT_DOUBLE_EQ(cfg["rope_scaling"]["long_factor"][31].get<double>(), 1.0 + 31 / 16.0);
  EXPECT_TRUE(fs::is_symlink(out + "/model.safetensors"));
  EXPECT_EQ(listing(dir), (Names{"f.csv", "hf"}));

  // Our own earlier export too is kept without --overwrite, and replaced with it.
  req.overwrite = false;
  req.source.target_length = 1024;
  EXPECT_THROW(run_export(req), Error);
  EXPECT_EQ(nlohmann::json::parse(slurp(out + "/config.json"))["max_position_embeddings"], 512);
  req.overwrite = true;
  run_export(req);
  EXPECT_EQ(nlohmann::json::parse(slurp(out + "/config.json"))["max_position_embeddings"], 1024);
  EXPECT_EQ(listing(dir), (Names{"f.csv", "hf"}));
}

}  // namespace
}  // namespace lr
