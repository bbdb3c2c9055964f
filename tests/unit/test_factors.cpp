// Factor files: CSV / JSON parsing and every validation rule.
#include <cmath>
#include <fstream>

#include "core/rope/factors.h"
#include "core/util/error.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

std::string write(const std::string& name, const std::string& text) {
  const std::string p = test::tmp_dir() + "/" + name;
  std::ofstream(p) << text;
  return p;
}

TEST(Factors, CsvOnePerLine) {
  const auto f = read_factor_file(write("a.csv", "1.0\n1.5\n\n2.25\n"));
  ASSERT_EQ(f.rows.size(), 1u);
  EXPECT_EQ(f.rows[0], (std::vector<double>{1.0, 1.5, 2.25}));
}

TEST(Factors, CsvRowsPerLayer) {
  const auto f = read_factor_file(write("b.csv", "1,2,3\n1,2,4\n"));
  ASSERT_EQ(f.rows.size(), 2u);
  EXPECT_EQ(f.rows[1][2], 4.0);
}

TEST(Factors, JsonWithStartTokensAndMscale) {
  const auto f = read_factor_file(
      write("c.json", R"({"factors":[1.0,1.25,2.0],"start_tokens":8,"mscale":"su"})"));
  EXPECT_EQ(f.rows[0], (std::vector<double>{1.0, 1.25, 2.0}));
  EXPECT_EQ(f.start_tokens.value(), 8);
  EXPECT_EQ(f.mscale.value(), "su");
  const auto g = read_factor_file(write("d.json", "[[1,2],[1,3]]"));
  EXPECT_EQ(g.rows.size(), 2u);
}

TEST(Factors, BadFilesThrow) {
  EXPECT_THROW(read_factor_file(write("e.csv", "")), Error);
  EXPECT_THROW(read_factor_file(write("f.csv", "1.0\nabc\n")), Error);
  EXPECT_THROW(read_factor_file(write("g.json", "{\"factors\": [1, \"x\"]}")), Error);
  EXPECT_THROW(read_factor_file(test::tmp_dir() + "/missing.csv"), Error);
}

TEST(Factors, Validation) {
  const FactorChecks strict;
  std::vector<std::vector<double>> ok = {{1.0, 1.0, 2.0, 3.5}};
  EXPECT_NO_THROW(validate_factors(ok, 4, 2, strict, "t"));
  EXPECT_THROW(validate_factors({{1.0, 2.0, 3.0}}, 4, 2, strict, "t"), Error);            // count
  EXPECT_THROW(validate_factors({{1.0, NAN, 3.0, 4.0}}, 4, 2, strict, "t"), Error);       // NaN
  EXPECT_THROW(validate_factors({{1.0, INFINITY, 3.0, 4.0}}, 4, 2, strict, "t"), Error);  // inf
  EXPECT_THROW(validate_factors({{1.0, 3.0, 2.0, 4.0}}, 4, 2, strict, "t"), Error);       // order
  EXPECT_THROW(validate_factors({{0.5, 1.0, 2.0, 4.0}}, 4, 2, strict, "t"), Error);       // < 1
  EXPECT_THROW(validate_factors({ok[0], ok[0], ok[0]}, 4, 2, strict, "t"), Error);        // rows
  FactorChecks loose;
  loose.allow_below_one = true;
  loose.monotonic = false;
  EXPECT_NO_THROW(validate_factors({{0.5, 3.0, 2.0, 4.0}}, 4, 2, loose, "t"));
  try {
    validate_factors({{1.0, 3.0, 2.0, 4.0}}, 4, 2, strict, "f.csv");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("index 2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lr
