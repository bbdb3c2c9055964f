// Fuzz target: a factor file (CSV or JSON) read and validated as `--factors` does.
#include "core/rope/factors.h"
#include "tests/fuzz/fuzz_util.h"

LONGROPE_FUZZ_TARGET(factors) {
  const std::string path = lr::fuzz::write_file("factors.txt", data, size);
  return lr::fuzz::expect_clean([&] {
    const lr::FactorFile f = lr::read_factor_file(path);
    const int half = static_cast<int>(f.rows[0].size());
    lr::validate_factors(f.rows, half, static_cast<int>(f.rows.size()), {}, path);
  });
}
