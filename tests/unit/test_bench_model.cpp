// Benchmark model writer (bench/): the Q4_K_M rule, random blocks, and tiny models of every
// type read back through the GGUF loader with the planned types and a finite PPL; the GEMM
// benchmark covers each layer matrix once per type; the FMA-peak probe and the attention bench
// count their FLOPs.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "bench/bench_model.h"
#include "bench/gemm_bench.h"
#include "bench/peak_bench.h"
#include "bench/random_blocks.h"
#include "core/formats/gguf.h"
#include "core/kernels/kernels.h"
#include "core/model/model.h"
#include "core/tensor/quant_blocks.h"
#include "core/tokenizer/tokenizer_factory.h"
#include "core/util/error.h"
#include "datasets/shard.h"
#include "eval/perplexity.h"
#include "tests/unit/test_util.h"

namespace lr::bench {
namespace {

std::string tmp(const std::string& name) { return test::tmp_dir() + "/" + name; }

std::string file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

// Every layer's seven matrices are timed once per (matrix, type) and counted per layer, and
// the all-layers figure lies between the slowest and the fastest product.
TEST(BenchModel, GemmCoversEveryLayerMatrixOnce) {
  const Shape& s = shape_by_name("tiny-k");
  const auto rows = bench_gemms(s, FileType::Q4_K_M, 16, 1, 0);
  int layers = 0;
  double lo = 1e300, hi = 0;
  std::map<std::string, int> per_matrix;
  for (const auto& r : rows) {
    layers += r.layers;
    per_matrix[r.matrix] += r.layers;
    EXPECT_GT(r.seconds, 0);
    lo = std::min(lo, r.gflops), hi = std::max(hi, r.gflops);
    if (r.type == "Q6_K") {  // the Q4_K_M rule's extra bits: V and down only
      EXPECT_TRUE(r.matrix == "attn_v.weight" || r.matrix == "ffn_down.weight") << r.matrix;
    }
  }
  EXPECT_EQ(layers, 7 * s.layers);
  EXPECT_EQ(per_matrix.size(), 7u);
  for (const auto& [m, n] : per_matrix) EXPECT_EQ(n, s.layers) << m;
  const double all = weighted_gflops(rows, 16);
  EXPECT_GE(all, lo * 0.999);
  EXPECT_LE(all, hi * 1.001);
  EXPECT_EQ(rows.size(), 9u);  // 7 matrices, V and down also in Q6_K (use_more_bits layers)
}

TEST(BenchModel, Q4KMRuleAsLlamaQuantize) {
  std::vector<int> more;
  for (int l = 0; l < 24; ++l)
    if (use_more_bits(l, 24)) more.push_back(l);
  EXPECT_EQ(more, (std::vector<int>{0, 1, 2, 5, 8, 11, 14, 17, 20, 21, 22, 23}));
  const FileType m = FileType::Q4_K_M;
  EXPECT_EQ(matrix_type(m, Role::Output, 0, 32, 4096), DType::Q6_K);
  EXPECT_EQ(matrix_type(m, Role::Embed, 0, 32, 4096), DType::Q4_K);
  EXPECT_EQ(matrix_type(m, Role::V, 0, 32, 4096), DType::Q6_K);
  EXPECT_EQ(matrix_type(m, Role::V, 4, 32, 4096), DType::Q4_K);
  EXPECT_EQ(matrix_type(m, Role::Down, 6, 32, 11008), DType::Q6_K);  // (6 - 32/8) % 3 == 2
  EXPECT_EQ(matrix_type(m, Role::Down, 7, 32, 11008), DType::Q4_K);  // 11008 = 43 × 256
  EXPECT_EQ(matrix_type(m, Role::Q, 0, 32, 4096), DType::Q4_K);      // only V and down promoted
  EXPECT_EQ(matrix_type(m, Role::Gate, 31, 32, 4096), DType::Q4_K);
  // 896 columns are not whole 256-blocks: llama.cpp's fallbacks
  EXPECT_EQ(matrix_type(m, Role::Q, 3, 24, 896), DType::Q5_0);
  EXPECT_EQ(matrix_type(m, Role::V, 0, 24, 896), DType::Q8_0);
  EXPECT_EQ(matrix_type(m, Role::Output, 0, 24, 896), DType::Q8_0);
  EXPECT_EQ(matrix_type(m, Role::Down, 0, 24, 4864), DType::Q6_K);  // 4864 = 19 × 256
  EXPECT_EQ(matrix_type(FileType::F16, Role::Output, 0, 24, 896), DType::F16);
  EXPECT_EQ(matrix_type(FileType::Q8_0, Role::Embed, 0, 24, 896), DType::Q8_0);
}

TEST(BenchModel, NamedShapesAndRefusals) {
  EXPECT_EQ(shape_by_name("qwen2.5-0.5b").params(), 365210496);  // 365M, as published
  EXPECT_EQ(shape_by_name("qwen2.5-0.5b").head_dim(), 64);
  EXPECT_EQ(shape_by_name("llama-7b").head_dim(), 128);
  EXPECT_THROW(shape_by_name("llama-70b"), Error);
  EXPECT_THROW(file_type_by_name("Q4_0"), Error);
  EXPECT_EQ(file_type_by_name("Q4_K_M"), FileType::Q4_K_M);
}

TEST(BenchModel, KQuantScalesRoundTrip) {
  const uint8_t sc[8] = {0, 63, 17, 32, 45, 1, 62, 33}, m[8] = {63, 0, 5, 48, 31, 16, 2, 60};
  uint8_t packed[12];
  pack_kquant_scales(sc, m, packed);
  for (int j = 0; j < 8; ++j) {
    uint8_t s, n;
    kquant_scale_min(j, packed, s, n);
    EXPECT_EQ(s, sc[j]) << j;
    EXPECT_EQ(n, m[j]) << j;
  }
}

TEST(BenchModel, RandomBlocksDecodeFiniteWithTheRequestedSpread) {
  for (DType t :
       {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q5_0, DType::Q4_K, DType::Q6_K}) {
    const size_t n = 256 * 64;
    std::vector<uint8_t> bytes(dtype_bytes(t, n));
    Rng rng(stream_seed(7, 0));
    random_tensor(t, n, 0.02f, rng, bytes.data());
    std::vector<float> x(n);
    to_f32(t, bytes.data(), n, x.data());
    double s = 0, s2 = 0;
    for (float v : x) {
      ASSERT_TRUE(std::isfinite(v)) << dtype_name(t);
      s += v;
      s2 += double{v} * v;
    }
    const double mean = s / n, sd = std::sqrt(s2 / n - mean * mean);
    EXPECT_NEAR(sd, 0.02, 0.002) << dtype_name(t);
    EXPECT_LT(std::fabs(mean), 0.002) << dtype_name(t);
  }
  std::vector<uint8_t> b(64);
  Rng rng(1);
  EXPECT_THROW(random_tensor(DType::Q4_1, 32, 0.02f, rng, b.data()), Error);
  EXPECT_THROW(random_tensor(DType::Q8_0, 16, 0.02f, rng, b.data()), Error);  // not whole blocks
}

TEST(BenchModel, SameSeedSameFile) {
  const Shape& s = shape_by_name("tiny");
  write_model(s, FileType::Q4_K_M, 3, tmp("bench-a.gguf"));
  write_model(s, FileType::Q4_K_M, 3, tmp("bench-b.gguf"));
  write_model(s, FileType::Q4_K_M, 4, tmp("bench-c.gguf"));
  EXPECT_EQ(file_bytes(tmp("bench-a.gguf")), file_bytes(tmp("bench-b.gguf")));
  EXPECT_NE(file_bytes(tmp("bench-a.gguf")), file_bytes(tmp("bench-c.gguf")));
}

// Every type of both tiny shapes: the planned type and shape of every tensor read back, the
// model loads with those types kept, and truncate-mode PPL on a random-id shard is finite.
TEST(BenchModel, TinyModelsLoadWithPlannedTypesAndFinitePpl) {
  for (const char* shape : {"tiny", "tiny-k"}) {
    const Shape& s = shape_by_name(shape);
    for (FileType ft : {FileType::F32, FileType::F16, FileType::Q8_0, FileType::Q4_K_M}) {
      const std::string what = std::string(shape) + " " + file_type_name(ft);
      const std::string path = tmp(std::string("bench-") + shape + "-" + file_type_name(ft));
      write_model(s, ft, 0, path + ".gguf");
      const auto plan = plan_tensors(s, ft);
      {
        GgufFile g(path + ".gguf");
        ASSERT_EQ(g.tensors().size(), plan.size()) << what;
        for (const auto& p : plan) {
          const RawTensor& t = g.tensors().at(p.name);
          EXPECT_STREQ(dtype_name(t.dtype), dtype_name(p.type)) << what << " " << p.name;
          EXPECT_EQ(t.shape, p.shape) << what << " " << p.name;
        }
      }
      const auto model = load_model(path + ".gguf");
      const ModelConfig& c = model->config;
      EXPECT_EQ(c.dim, s.hidden);
      EXPECT_EQ(c.n_layers, s.layers);
      EXPECT_EQ(c.n_kv_heads, s.kv_heads);
      EXPECT_EQ(c.vocab_size, s.vocab);
      auto planned = [&](const std::string& name) {
        for (const auto& p : plan)
          if (p.name == name) return dtype_name(p.type);
        return "none";
      };
      // the engine keeps the file's types (no expansion to F32)
      EXPECT_STREQ(dtype_name(model->weights.layers[1].w_down.type),
                   planned("blk.1.ffn_down.weight"))
          << what;
      EXPECT_STREQ(dtype_name(model->weights.layers[0].wv.type), planned("blk.0.attn_v.weight"))
          << what;
      EXPECT_STREQ(dtype_name(model->weights.output.type), planned("output.weight")) << what;
      EXPECT_STREQ(dtype_name(model->weights.tok_embd.type), planned("token_embd.weight")) << what;

      write_random_shard(path + ".gguf", 2, 300, 0, path + ".h5");
      const Shard sh = read_shard(path + ".h5");
      EXPECT_EQ(sh.tokenizer_fingerprint, load_tokenizer(path + ".gguf")->fingerprint());
      for (int32_t id : sh.tokens) ASSERT_TRUE(id >= 3 && id < s.vocab) << id;
      Engine engine(*model);
      PplOptions o;
      o.quiet = true;
      const auto r = evaluate_length(engine, sh, o, 256);
      EXPECT_EQ(r.docs.size(), 2u) << what;
      // random weights of spread 0.02 on random ids: close to uniform over the vocabulary
      EXPECT_TRUE(std::isfinite(r.ppl)) << what;
      EXPECT_GT(r.ppl, 0.5 * s.vocab) << what;
      EXPECT_LT(r.ppl, 2.0 * s.vocab) << what;
    }
  }
}

}  // namespace
}  // namespace lr::bench

namespace lr {
namespace {

TEST(BenchPeak, FmaLoopCountsItsFlopsOnEveryPath) {
  // simd_peak.h: chains of one vector FMA per round (12 scalar or AVX2, 16 with 32 registers),
  // 2 FLOPs per lane: lanes x chains per path.
  const std::map<KernelPath, int> lanes = {{KernelPath::Scalar, 1 * 12},
                                           {KernelPath::Avx2, 8 * 12},
                                           {KernelPath::Avx512, 16 * 16},
                                           {KernelPath::Neon, 4 * 16}};
  for (KernelPath p : supported_kernel_paths()) {
    float sink = -1;
    EXPECT_EQ(kernel_table(p).fma_loop(1000, &sink), 2.0 * lanes.at(p) * 1000)
        << kernel_path_name(p);
    // the sum of the chains (c from 0.001 c: x -> 0.999999 x + 1e-7) stays near 0.07-0.12
    EXPECT_GT(sink, 0.0f);
    EXPECT_LT(sink, 1.0f);
  }
  EXPECT_GT(bench::fma_peak_gflops(1, 0.01, 1), 0.0);
}

TEST(BenchPeak, AttentionCountsCausalFlopsAndRefusesBadShapes) {
  bench::AttentionCase c;
  c.tokens = 96;
  c.head_dim = 8;
  c.heads = 4;
  c.kv_heads = 2;
  const auto t = bench::bench_attention(c, 1);
  EXPECT_EQ(t.flops, 4.0 * 4.0 * 96 * 96 / 2.0 * 8);
  EXPECT_GT(t.seconds, 0.0);
  EXPECT_NEAR(t.gflops, t.flops / t.seconds / 1e9, 1e-9 * t.gflops);
  c.heads = 3;  // not a multiple of the KV heads
  EXPECT_THROW(bench::bench_attention(c, 1), Error);
}

}  // namespace
}  // namespace lr
