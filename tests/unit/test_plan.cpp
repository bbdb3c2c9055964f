// Memory planner: activation formula vs the engine, hand-checked 7B/8B shapes, header reads.
#include <filesystem>
#include <fstream>

#include "core/engine/forward.h"
#include "core/engine/memory_plan.h"
#include "core/engine/plan_report.h"
#include "core/model/model.h"
#include "core/model/model_header.h"
#include "core/util/error.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

std::string write_config(const std::string& name, const std::string& body) {
  const std::string dir = test::tmp_dir() + "/plan-" + name;
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/config.json") << body;
  return dir + "/config.json";
}

// LLaMA-2-7B (meta-llama/Llama-2-7b-hf config.json, shape fields only).
const char* kLlama2_7B = R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
  "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
  "num_attention_heads": 32, "num_key_value_heads": 32, "vocab_size": 32000,
  "max_position_embeddings": 4096, "rms_norm_eps": 1e-05, "tie_word_embeddings": false,
  "torch_dtype": "float16"})";

// LLaMA-3-8B-like GQA shape: 8 KV heads, 128256 vocabulary, bfloat16.
const char* kLlama3_8B = R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
  "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
  "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256,
  "max_position_embeddings": 8192, "rope_theta": 500000.0, "rms_norm_eps": 1e-05,
  "tie_word_embeddings": false, "torch_dtype": "bfloat16"})";

}  // namespace

TEST(Plan, ActivationFormulaEqualsEngineAfterARealRun) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  auto m = load_model(test::shared("models/fixture-llama-5m"));
  const ModelConfig& c = m->config;
  // 300 tokens (below the 512-row FFN chunk) and 1100 (three FFN chunks, nine head chunks).
  for (int n : {300, 1100}) {
    Engine e(*m);  // fresh: Activations only grow
    std::vector<int> tokens(n);
    for (int i = 0; i < n; ++i) tokens[i] = (i * 37 + 5) % c.vocab_size;
    e.logprobs(tokens, RopeScaling{});
    EXPECT_EQ(activation_bytes(c, n), e.activation_bytes()) << "n = " << n;
  }
  // By hand for n = 1100 (dim 256, q_dim 4x64 = 256, kv_dim 2x64 = 128, FFN 768, vocab 4096):
  // floats = 1100*(256*2 + 256*2 + 128*2) + 512*768*2 + 128*4096 = 1,408,000 + 786,432 +
  // 524,288 = 2,718,720 -> 10,874,880 bytes.
  EXPECT_EQ(activation_bytes(c, 1100), 10874880u);
}

TEST(Plan, Llama2_7BByHand) {
  const ModelHeader h = read_model_header(write_config("llama2-7b", kLlama2_7B));
  const ModelConfig& c = h.config;
  EXPECT_EQ(h.source, "hf-config");
  EXPECT_TRUE(h.stored_estimated);
  // embeddings 32000*4096 = 131,072,000; per layer Q,K,V,O 4*4096^2 = 67,108,864 +
  // FFN 3*4096*11008 = 135,266,304 + 2 norms 8,192 = 202,383,360; x32 = 6,476,267,520;
  // + untied lm_head 131,072,000 + final norm 4,096 = 6,738,415,616 (the known 6.74e9).
  EXPECT_EQ(parameter_count(c), 6738415616ull);
  EXPECT_EQ(h.stored_bytes, 2 * 6738415616ull);  // float16: 13,476,831,232 bytes
  // Engine: matrices as stored (F16), the 32*2*4096 + 4096 norm weights as F32 (2 more bytes).
  EXPECT_EQ(h.engine_bytes, 2 * 6738415616ull + 2 * (32ull * 2 * 4096 + 4096));
  // KV at 4096 tokens, f16: 32 layers * 32 KV heads * 128 * 4096 * 2 (K,V) * 2 bytes = 2 GiB.
  EXPECT_EQ(kv_cache_bytes(c, 4096, KvType::F16), 2ull << 30);
  // q8_0: 34 bytes per 32 elements = 34/64 of the f16 figure = 1,140,850,688 bytes.
  EXPECT_EQ(kv_cache_bytes(c, 4096, KvType::Q8_0), (2ull << 30) / 64 * 34);
  // Our evaluation at 4096: activations 4096*(4096*2 + 4096*2 + 4096*2) + 512*11008*2 +
  // 128*32000 = 100,663,296 + 11,272,192 + 4,096,000 = 116,031,488 floats = 464,125,952 B.
  EXPECT_EQ(activation_bytes(c, 4096), 464125952ull);
  const EvalPeak p = eval_peak(c, 4096, 8, h.engine_bytes);
  EXPECT_EQ(p.rope_table, 4096ull * 64 * 2 * 4);  // cos + sin, (4096, 64) floats
  // Attention tiles per thread: (128*64 + 2*128*64 + 3*64) floats = 99,072 bytes.
  EXPECT_EQ(p.attention_scratch, 8ull * 99072);
  EXPECT_EQ(p.total(),
            p.weights + p.activations + p.rope_table + p.attention_scratch + 4096ull * 12);
}

// The report: the 7B on a 16 GiB board with 1.5 GiB reserved: serving at 4096 (13.48 GB of
// F16 weights + 2 GiB KV) needs 15.55 GB of 14.5 GiB usable, so it does not fit; the JSON
// carries the same figures, and a bad device is refused before any work.
TEST(Plan, ReportFiguresAndVerdicts) {
  const ModelHeader h = read_model_header(write_config("llama2-7b-report", kLlama2_7B));
  PlanDevice d;
  d.model_path = "llama2-7b";
  d.memory = 16ull << 30;
  d.os_reserve = 3ull << 29;
  d.lengths = {4096, 1024};
  const PlanReport r = plan_report(h, d);
  ASSERT_EQ(r.json["lengths"].size(), 2u);
  const auto& l0 = r.json["lengths"][0];
  EXPECT_EQ(l0["tokens"].get<int>(), 4096);
  EXPECT_EQ(l0["kv_cache_bytes"].get<uint64_t>(), 2ull << 30);
  EXPECT_EQ(l0["serving_bytes"].get<uint64_t>(), 2 * 6738415616ull + (2ull << 30));
  EXPECT_FALSE(l0["serving_fits"].get<bool>());
  EXPECT_EQ(l0["serving_free_bytes"].get<int64_t>(),
            static_cast<int64_t>((16ull << 30) - (3ull << 29)) -
                static_cast<int64_t>(2 * 6738415616ull + (2ull << 30)));
  EXPECT_EQ(r.json["lengths"][1]["kv_cache_bytes"].get<uint64_t>(), 512ull << 20);
  EXPECT_EQ(r.json["device"]["usable_bytes"].get<uint64_t>(), (16ull << 30) - (3ull << 29));
  EXPECT_NE(r.text.find("does not fit"), std::string::npos);
  EXPECT_NE(r.text.find("llama2-7b"), std::string::npos);
  d.os_reserve = d.memory;
  EXPECT_THROW(plan_report(h, d), Error);
  d.os_reserve = 0;
  d.threads = 0;
  EXPECT_THROW(check_plan_device(d), Error);
}

TEST(Plan, Llama3_8BGqaByHand) {
  const ModelHeader h = read_model_header(write_config("llama3-8b", kLlama3_8B));
  const ModelConfig& c = h.config;
  // embeddings 128256*4096 = 525,336,576; per layer Q 16,777,216 + K,V 2*4096*1024 =
  // 8,388,608 + O 16,777,216 + FFN 3*4096*14336 = 176,160,768 + norms 8,192 = 218,112,000;
  // x32 = 6,979,584,000; + lm_head 525,336,576 + final norm 4,096 = 8,030,261,248 (8.03e9).
  EXPECT_EQ(parameter_count(c), 8030261248ull);
  EXPECT_EQ(h.stored_bytes, 2 * 8030261248ull);  // bfloat16
  // KV at 8192, f16: 32 * 8 KV heads * 128 * 8192 * 2 * 2 = 1 GiB (a quarter of MHA's).
  EXPECT_EQ(kv_cache_bytes(c, 8192, KvType::F16), 1ull << 30);
  EXPECT_EQ(kv_cache_bytes(c, 8192, KvType::Q8_0), (1ull << 30) / 64 * 34);
}

TEST(Plan, StoredBytesFromHeaders) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  REQUIRE_SHARED("models/stories260K/stories260K.bin");
  const auto dir = test::shared("models/fixture-llama-5m");
  const ModelHeader hf = read_model_header(dir);
  EXPECT_FALSE(hf.stored_estimated);
  EXPECT_EQ(hf.stored_bytes, 4 * parameter_count(hf.config));  // an F32 checkpoint
  auto m = load_model(dir);
  EXPECT_EQ(hf.engine_bytes, m->weights.bytes);  // what the loader holds
  // The bare config.json of the same model estimates the same bytes (torch_dtype float32).
  const ModelHeader bare = read_model_header(dir + "/config.json");
  EXPECT_EQ(bare.stored_bytes, hf.stored_bytes);
  if (test::have("models/fixture-llama-5m.f16.gguf")) {
    const ModelHeader g = read_model_header(test::shared("models/fixture-llama-5m.f16.gguf"));
    EXPECT_EQ(parameter_count(g.config), parameter_count(hf.config));
    // F16 matrices, F32 norms (2 per layer + final): 2 bytes per parameter + 2 per norm weight.
    const uint64_t norms = (2ull * g.config.n_layers + 1) * g.config.dim;
    EXPECT_EQ(g.stored_bytes, 2 * parameter_count(g.config) + 2 * norms);
    EXPECT_EQ(g.engine_bytes, g.stored_bytes);  // held as stored: no F32 expansion
    EXPECT_EQ(load_model(test::shared("models/fixture-llama-5m.f16.gguf"))->weights.bytes,
              g.engine_bytes);
  }
  if (test::have("models/fixture-llama-5m.q4_k.gguf")) {  // Q4_K_M: Q4_K, Q6_K, F32 norms
    const ModelHeader g = read_model_header(test::shared("models/fixture-llama-5m.q4_k.gguf"));
    const uint64_t size =
        std::filesystem::file_size(test::shared("models/fixture-llama-5m.q4_k.gguf"));
    EXPECT_GT(g.stored_bytes, parameter_count(g.config) / 2);  // at least 4 bits per parameter
    EXPECT_LT(g.stored_bytes, size);                           // the header is not counted
    EXPECT_EQ(g.engine_bytes, g.stored_bytes);
    EXPECT_EQ(load_model(test::shared("models/fixture-llama-5m.q4_k.gguf"))->weights.bytes,
              g.engine_bytes);
    EXPECT_TRUE(g.engine_note.empty()) << g.engine_note;
  }
  const auto bin = test::shared("models/stories260K/stories260K.bin");
  const ModelHeader l = read_model_header(bin);
  EXPECT_EQ(l.stored_bytes, std::filesystem::file_size(bin) - 28);
  EXPECT_GE(l.stored_bytes, 4 * parameter_count(l.config));
}

TEST(Plan, ByteSizesAndKvTypes) {
  EXPECT_EQ(parse_byte_size("16GiB", "--device-mem"), 16ull << 30);
  EXPECT_EQ(parse_byte_size("16G", "--device-mem"), 16ull << 30);
  EXPECT_EQ(parse_byte_size("1.5GiB", "--os-reserve"), 3ull << 29);
  EXPECT_EQ(parse_byte_size("512MB", "x"), 512000000ull);
  EXPECT_EQ(parse_byte_size("8 GB", "x"), 8000000000ull);
  EXPECT_EQ(parse_byte_size("1000", "x"), 1000ull);
  EXPECT_EQ(parse_byte_size("64KiB", "x"), 65536ull);
  for (const char* bad : {"12XB", "", "GiB", "-1G", "1.2.3G", "0", "16gib"}) {
    try {
      parse_byte_size(bad, "--device-mem");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
      EXPECT_NE(std::string(e.what()).find("--device-mem"), std::string::npos);
    }
  }
  EXPECT_EQ(parse_kv_type("q8_0"), KvType::Q8_0);
  EXPECT_THROW(parse_kv_type("q4_0"), Error);
}

TEST(Plan, BareConfigErrors) {
  EXPECT_THROW(read_model_header(test::tmp_dir() + "/no-such-config.json"), Error);
  const auto p = write_config(
      "bad-dtype",
      std::string(kLlama2_7B).replace(std::string(kLlama2_7B).find("float16"), 7, "int8"));
  try {
    read_model_header(p);
    ADD_FAILURE() << "accepted torch_dtype int8";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
  }
}

}  // namespace lr
