// Fuzz target: a search archive (HDF5) read as `search --resume` and `inspect --archive` do.
#include "search/archive.h"
#include "search/archive_summary.h"
#include "tests/fuzz/fuzz_util.h"

LONGROPE_FUZZ_TARGET(archive) {
  const std::string path = lr::fuzz::write_file("archive.h5", data, size);
  return lr::fuzz::expect_clean([&] {
    const lr::ArchiveData a = lr::read_archive(path);
    lr::summarize_archive(path, a, 10000.0, "fuzz");
  });
}
