// Quantized weights: block decoding vs an independent numpy decoder, SIMD dots vs their scalar
// twins, int8 dots vs float dots, the two matmul paths on every fixture type, bad tensors.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "core/engine/forward.h"
#include "core/formats/gguf.h"
#include "core/kernels/matmul.h"
#include "core/kernels/qdot.h"
#include "core/model/model.h"
#include "core/tensor/quant_blocks.h"
#include "core/tokenizer/tokenizer_factory.h"
#include "core/util/error.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

const DType kQuant[] = {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0,
                        DType::Q5_1, DType::Q4_K, DType::Q5_K, DType::Q6_K};

// Random blocks of type t: random bytes, with F16 scales set to sane magnitudes.
std::vector<uint8_t> random_blocks(DType t, int nb, std::mt19937& rng) {
  std::vector<uint8_t> b(dtype_bytes(t, nb * dtype_block(t)));
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  std::uniform_real_distribution<float> u(0.001f, 0.05f);
  const size_t bb = dtype_block_bytes(t);
  for (int i = 0; i < nb; ++i) {
    uint8_t* p = b.data() + i * bb;
    auto put = [&](size_t off, float v) {
      const uint16_t h = f32_to_f16(v);
      std::memcpy(p + off, &h, 2);
    };
    if (t == DType::Q6_K) {
      put(208, u(rng));
    } else {
      put(0, u(rng));
      if (t != DType::Q8_0 && t != DType::Q4_0 && t != DType::Q5_0) put(2, u(rng));
    }
  }
  return b;
}

std::vector<float> random_row(int n, std::mt19937& rng) {
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<float> x(n);
  for (auto& v : x) v = g(rng) * (rng() % 16 == 0 ? 8.f : 1.f);  // some outliers
  return x;
}

// Decodes an activation row (Q8_0 / Q8_1 / Q8_K) back to floats.
std::vector<float> decode_act(DType w, const uint8_t* a, int n) {
  std::vector<float> y(n);
  if (act_type(w) == ActType::Q8_K) {
    for (int b = 0; b < n / 256; ++b) {
      float d;
      std::memcpy(&d, a + b * 292, 4);
      for (int j = 0; j < 256; ++j) y[b * 256 + j] = d * static_cast<int8_t>(a[b * 292 + 4 + j]);
    }
  } else {
    const size_t bb = act_block_bytes(act_type(w)), off = bb == 36 ? 4 : 2;
    for (int b = 0; b < n / 32; ++b)
      for (int j = 0; j < 32; ++j)
        y[b * 32 + j] = load_f16(a + b * bb) * static_cast<int8_t>(a[b * bb + off + j]);
  }
  return y;
}

TEST(QDot, SimdTwinsEqualScalarBitForBit) {
  std::mt19937 rng(7);
  std::vector<const QDotKernels*> paths = {kern::qdot_avx2(), kern::qdot_neon()};
  int checked = 0;
  for (const QDotKernels* k : paths) {
    if (!k) continue;
    for (DType t : kQuant)
      for (int nb : {1, 3, 8, 9, 17, 28}) {  // tails and whole groups of eight blocks
        const int n = nb * static_cast<int>(dtype_block(t));
        const auto w = random_blocks(t, nb, rng);
        const auto x = random_row(n, rng);
        std::vector<uint8_t> a(act_row_bytes(t, n));
        quantize_act_row(t, x.data(), n, a.data());
        const float s = kern::qdot_scalar().dot(t, w.data(), a.data(), nb);
        const float v = k->dot(t, w.data(), a.data(), nb);
        EXPECT_EQ(s, v) << k->name << " " << dtype_name(t) << " blocks " << nb;
        ++checked;
      }
  }
  if (checked == 0) GTEST_SKIP() << "no SIMD quantized-dot path on this CPU";
  EXPECT_STREQ(qdot_best().name, paths[0] ? "avx2" : paths[1] ? "neon" : "scalar");
}

// The integer dot equals Σ decoded(w)·decoded(a) up to float rounding: the integer sums are
// exact, each block adds at most 3 roundings and the 8 lanes 3 more, each ≤ 2^-24 relative to
// the partial sums, bounded by Σ|w·a|: tolerance (3·blocks + 3)·2^-24·Σ|w·a|.
TEST(QDot, IntegerDotEqualsFloatDotOfDecodedValues) {
  std::mt19937 rng(11);
  for (DType t : kQuant) {
    const int nb = 28 * 32 / static_cast<int>(dtype_block(t)) + 1;
    const int n = nb * static_cast<int>(dtype_block(t));
    const auto w = random_blocks(t, nb, rng);
    const auto x = random_row(n, rng);
    std::vector<uint8_t> a(act_row_bytes(t, n));
    quantize_act_row(t, x.data(), n, a.data());
    std::vector<float> wf(n);
    to_f32(t, w.data(), n, wf.data());
    const auto af = decode_act(t, a.data(), n);
    double exact = 0, mag = 0;
    for (int i = 0; i < n; ++i)
      exact += double(wf[i]) * af[i], mag += std::fabs(double(wf[i]) * af[i]);
    const float got = qdot_best().dot(t, w.data(), a.data(), nb);
    EXPECT_NEAR(got, exact, (3.0 * nb + 3) * std::ldexp(1.0, -24) * mag) << dtype_name(t);
    // Activation rounding: |x - decoded| <= d/2 per element, d = amax/127 of its block (Q8_0
    // and Q8_1 store d as F16, rounded by <= 2^-11 relative: 127 · d · 2^-11 = 0.062 d more).
    const int blk = act_type(t) == ActType::Q8_K ? 256 : 32;
    for (int b = 0; b < n / blk; ++b) {
      float amax = 0;
      for (int j = 0; j < blk; ++j) amax = std::max(amax, std::fabs(x[b * blk + j]));
      const double d = amax / 127.0, tol = d * (blk == 256 ? 0.5 + 1e-6 : 0.5 + 0.0625);
      for (int j = 0; j < blk; ++j)
        ASSERT_LE(std::fabs(x[b * blk + j] - af[b * blk + j]), tol) << dtype_name(t);
    }
  }
}

TEST(QuantDecode, MatchesIndependentNumpyDecoder) {
  REQUIRE_SHARED("models/fixture-llama-5m.q4_k.gguf");
  std::ifstream in(test::repo_root() + "/tests/golden/quant_rows.json");
  const auto golden = nlohmann::json::parse(in);
  int rows = 0;
  for (auto it = golden.begin(); it != golden.end(); ++it) {
    const std::string key = it.key();  // file/tensor/row
    const auto s1 = key.find('/'), s2 = key.rfind('/');
    const std::string file = key.substr(0, s1), tensor = key.substr(s1 + 1, s2 - s1 - 1);
    const int row = std::stoi(key.substr(s2 + 1));
    GgufFile g(test::shared("models/fixture-llama-5m." + file + ".gguf"));
    const RawTensor& t = g.tensors().at(tensor);
    ASSERT_EQ(dtype_name(t.dtype), it.value()["type"].get<std::string>()) << key;
    const QTensor q = QTensor::make(t.dtype, t.data, t.shape[0], t.shape[1]);
    std::vector<float> y(q.cols);
    q.rows_to_f32(row, 1, y.data());
    const auto want = it.value()["every4"].get<std::vector<double>>();
    ASSERT_EQ(want.size(), y.size() / 4) << key;
    // Both decoders round d·sc·q the same way up to one contraction into an FMA: 2 ulp.
    double mx = 0;
    for (double v : want) mx = std::max(mx, std::fabs(v));
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_NEAR(y[4 * i], want[i], 2.4e-7 * mx) << key << " " << i;
    double sum = 0;
    for (float v : y) sum += v;
    EXPECT_NEAR(sum, it.value()["sum"].get<double>(), 1e-6 * mx * y.size()) << key;
    ++rows;
  }
  EXPECT_EQ(rows, 44);
}

// The two matmul paths on one 256-token window of held-out text, every fixture type. They
// share the weights and differ only in how activations are rounded before the products:
// relative RMS error per element sigma = (amax/rms)/(127·sqrt(12)) for int8 blocks, with
// amax/rms ~ 2.5 for 32 Gaussian values (Q8_0/Q8_1: 0.0057) and ~ 3.2 for 256 (Q8_K:
// 0.0073); F16 rounding 2^-11/sqrt(3) = 2.8e-4, BF16 2^-8/sqrt(3) = 2.3e-3. 29 products
// feed each log-prob (7 per layer, the head); their errors partly cancel, and the measured
// gain from sigma to mean |dlogprob| is 1.9 (Q8_0) to 2.6 (Q8_K). Tolerances: mean |d| <= 4
// sigma, max |d| <= 40 sigma. Against the F32 file (weights rounded too) the NLL may move by
// 0.05 nats at most (llama.cpp's worst fixture type, Q4_1, moves PPL by 2.5%); a wrong block
// layout moves it by nats.
TEST(QuantModel, GgmlPathLogprobsNearTiledDecoding) {
  REQUIRE_SHARED("models/fixture-llama-5m.q4_k.gguf");
  std::ifstream f(test::shared("data/pg19-like/valid/pg3261.txt"));
  std::string text((std::istreambuf_iterator<char>(f)), {});
  auto tok = load_tokenizer(test::shared("models/fixture-llama-5m.f32.gguf"));
  std::vector<int> ids = tok->encode(text.substr(0, 4000));
  ids.insert(ids.begin(), 1);
  ids.resize(160);
  auto f32 = load_model(test::shared("models/fixture-llama-5m.f32.gguf"));
  const auto ref = Engine(*f32).logprobs(ids, RopeScaling{});
  for (const char* ty :
       {"f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q4_k", "q5_k", "q6_k"}) {
    auto m = load_model(test::shared(std::string("models/fixture-llama-5m.") + ty + ".gguf"));
    Engine e(*m);
    set_matmul_path(MatmulPath::Tile);
    const auto a = e.logprobs(ids, RopeScaling{});
    set_matmul_path(MatmulPath::Ggml);
    const auto b = e.logprobs(ids, RopeScaling{});
    set_matmul_path(MatmulPath::Tile);
    double mean_ab = 0, max_ab = 0, nll_a = 0, nll_b = 0, nll_f = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      mean_ab += std::fabs(a[i] - b[i]) / a.size();
      max_ab = std::max(max_ab, std::fabs(a[i] - b[i]));
      nll_a -= a[i] / a.size(), nll_b -= b[i] / a.size(), nll_f -= ref[i] / a.size();
    }
    std::printf("%-5s |tile-ggml| mean %.2e max %.2e  NLL tile-f32 %+.2e ggml-f32 %+.2e\n", ty,
                mean_ab, max_ab, nll_a - nll_f, nll_b - nll_f);
    const std::string t = ty;
    const double sigma = t == "f16"                          ? 2.8e-4
                         : t == "bf16"                       ? 2.3e-3
                         : t.find("_k") != std::string::npos ? 0.0073
                                                             : 0.0057;
    EXPECT_LE(mean_ab, 4 * sigma) << ty;
    EXPECT_LE(max_ab, 40 * sigma) << ty;
    EXPECT_GT(mean_ab, 0.0) << ty;  // the paths really differ
    EXPECT_LE(std::fabs(nll_a - nll_f), 0.05) << ty;
    EXPECT_LE(std::fabs(nll_b - nll_f), 0.05) << ty;
  }
}

}  // namespace
}  // namespace lr
