// Fuzz target: a token shard (HDF5) read as `eval ppl --data` does.
#include "datasets/shard.h"
#include "tests/fuzz/fuzz_util.h"

LONGROPE_FUZZ_TARGET(shard) {
  const std::string path = lr::fuzz::write_file("shard.h5", data, size);
  return lr::fuzz::expect_clean([&] {
    const lr::Shard s = lr::read_shard(path);
    for (int i = 0; i < s.num_docs(); ++i) s.doc(i);
  });
}
