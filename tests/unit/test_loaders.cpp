// Loaders and containers: dtype conversion, every model format, quantised GGUF, shards.
#include <cmath>
#include <cstring>
#include <fstream>

#include "core/engine/forward.h"
#include "core/formats/gguf.h"
#include "core/tensor/dtype.h"
#include "core/tokenizer/tokenizer_factory.h"
#include "core/util/error.h"
#include "core/util/sha256.h"
#include "datasets/shard.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

TEST(DType, HalfAndBfloatConversions) {
  EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
  EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_TRUE(std::isinf(f16_to_f32(0x7c00)));
  EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
  EXPECT_EQ(bf16_to_f32(0xc0a0), -5.0f);
  uint8_t q8[34] = {0x00, 0x3c};  // scale 1.0
  for (int i = 0; i < 32; ++i) q8[2 + i] = static_cast<uint8_t>(static_cast<int8_t>(i - 16));
  float out[32];
  to_f32(DType::Q8_0, q8, 32, out);
  EXPECT_EQ(out[0], -16.0f);
  EXPECT_EQ(out[31], 15.0f);
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string(1000, 'a')),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST(Loaders, FixtureConfigFromEachFormat) {
  REQUIRE_SHARED("models/fixture-llama-5m.f32.gguf");
  auto hf = load_model(test::shared("models/fixture-llama-5m"));
  auto gg = load_model(test::shared("models/fixture-llama-5m.f32.gguf"));
  for (auto* m : {hf.get(), gg.get()}) {
    EXPECT_EQ(m->config.dim, 256);
    EXPECT_EQ(m->config.n_layers, 4);
    EXPECT_EQ(m->config.n_kv_heads, 2);
    EXPECT_EQ(m->config.head_dim, 64);
    EXPECT_EQ(m->config.hidden_dim, 768);
    EXPECT_EQ(m->config.max_position, 256);
    EXPECT_EQ(m->config.bos_id, 1);
    EXPECT_FALSE(m->config.tied_output);
  }
  EXPECT_EQ(hf->config.rope_layout, RopeLayout::HalfSplit);
  EXPECT_EQ(gg->config.rope_layout, RopeLayout::Adjacent);
  // GGUF permutes Q rows: row 2i+k of a head in GGUF is row k*32+i in HF.
  const float* q_hf = hf->weights.layers[0].wq.floats();
  const float* q_gg = gg->weights.layers[0].wq.floats();
  ASSERT_TRUE(q_hf && q_gg);  // F32 files: F32 views
  EXPECT_EQ(q_gg[(2 * 5 + 1) * 256 + 7], q_hf[(32 + 5) * 256 + 7]);
  EXPECT_EQ(hf->weights.layers[3].w_down.floats()[1234],
            gg->weights.layers[3].w_down.floats()[1234]);
}

TEST(Loaders, Llama2cCheckpoint) {
  REQUIRE_SHARED("models/stories260K/stories260K.bin");
  auto m = load_model(test::shared("models/stories260K/stories260K.bin"));
  EXPECT_EQ(m->config.format, "llama2c");
  EXPECT_EQ(m->config.dim, 64);
  EXPECT_EQ(m->config.n_heads, 8);
  EXPECT_EQ(m->config.n_kv_heads, 4);
  EXPECT_EQ(m->config.head_dim, 8);
  EXPECT_EQ(m->config.max_position, 512);
  EXPECT_TRUE(m->config.tied_output);
  EXPECT_NE(m->tokenizer_path.find("tok512.bin"), std::string::npos);
}

double mean_nll(const std::string& model, const std::vector<int>& toks) {
  auto m = load_model(test::shared(model));
  Engine e(*m);
  double s = 0;
  for (double v : e.logprobs(toks, RopeScaling{}, 0)) s -= v;
  return s / (toks.size() - 1);
}

TEST(Loaders, HalfAndQ8GgufCloseToF32) {
  REQUIRE_SHARED("models/fixture-llama-5m.q8_0.gguf");
  auto tok = load_tokenizer(test::shared("models/fixture-llama-5m"));
  std::vector<int> ids = {1};
  for (int t : tok->encode("It was the best of times, it was the worst of times, it was the age "
                           "of wisdom, it was the age of foolishness, it was the epoch of belief"))
    ids.push_back(t);
  const double f32 = mean_nll("models/fixture-llama-5m.f32.gguf", ids);
  EXPECT_NEAR(mean_nll("models/fixture-llama-5m.f16.gguf", ids), f32, 2e-3);
  EXPECT_NEAR(mean_nll("models/fixture-llama-5m.q8_0.gguf", ids), f32, 3e-2);
}

// A type we do not decode (Q4_K's id patched to Q2_K in a copy) and a truncated quantized
// file: one error each, naming the file and the tensor or the truncation.
TEST(Loaders, UnsupportedAndTruncatedQuantTensors) {
  REQUIRE_SHARED("models/fixture-llama-5m.q4_k.gguf");
  const std::string src = test::shared("models/fixture-llama-5m.q4_k.gguf");
  std::string bytes;
  {
    std::ifstream in(src, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const GgufFile g(src);
  const GgufTensorInfo* info = nullptr;
  for (const auto& t : g.tensor_infos())
    if (t.name == "blk.0.attn_q.weight") info = &t;
  ASSERT_NE(info, nullptr);
  ASSERT_EQ(info->type, 12u);  // Q4_K
  std::string patched = bytes;
  const uint32_t q2k = 10;
  std::memcpy(&patched[info->end - 12], &q2k, 4);  // the record ends with type u32, offset u64
  const std::string p1 = test::tmp_dir() + "/q2k.gguf", p2 = test::tmp_dir() + "/trunc.gguf";
  std::ofstream(p1, std::ios::binary) << patched;
  std::ofstream(p2, std::ios::binary) << bytes.substr(0, bytes.size() - 1000);
  try {
    load_model(p1);
    FAIL() << "Q2_K loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    const std::string w = e.what();
    EXPECT_NE(w.find("Q2_K"), std::string::npos) << w;
    EXPECT_NE(w.find("blk.0.attn_q.weight"), std::string::npos) << w;
    EXPECT_NE(w.find("Q6_K"), std::string::npos) << w;  // the supported list
  }
  try {
    load_model(p2);
    FAIL() << "truncated file loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Format);
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

TEST(Shard, RoundTrip) {
  Shard s;
  s.tokens = {5, 6, 7, 8, 9};
  s.offsets = {0, 2, 5};
  s.names = {"a.txt", "b.txt"};
  s.sources_sha256 = {sha256_hex("a"), sha256_hex("b")};
  s.tokenizer_fingerprint = "f00d";
  s.tokenizer_kind = "llama2c";
  s.tokenizer_source = "x";
  s.vocab_size = 512;
  const std::string p = test::tmp_dir() + "/rt.h5";
  write_shard(p, s);
  const Shard r = read_shard(p);
  EXPECT_EQ(r.tokens, s.tokens);
  EXPECT_EQ(r.offsets, s.offsets);
  EXPECT_EQ(r.names, s.names);
  EXPECT_EQ(r.sources_sha256, s.sources_sha256);
  EXPECT_EQ(r.tokenizer_fingerprint, "f00d");
  EXPECT_EQ(r.vocab_size, 512);
  EXPECT_EQ(r.doc(1).size(), 3u);
}

}  // namespace
}  // namespace lr
