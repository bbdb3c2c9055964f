// GGUF writer and rewriter: write -> read back with GgufFile; rewrites keep every untouched
// metadata record, tensor entry and tensor byte identical.
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>

#include "core/formats/gguf.h"
#include "core/formats/gguf_rewrite.h"
#include "core/formats/gguf_writer.h"
#include "core/model/model.h"
#include "core/util/error.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

std::string tmp(const std::string& name) { return test::tmp_dir() + "/" + name; }

std::string span_bytes(const GgufFile& g, uint64_t b, uint64_t e) {
  return std::string(reinterpret_cast<const char*>(g.map()->data() + b), e - b);
}

const GgufKvSpan* find_kv(const GgufFile& g, const std::string& key) {
  for (const auto& s : g.kv_spans())
    if (s.key == key) return &s;
  return nullptr;
}

const GgufTensorInfo* find_tensor(const GgufFile& g, const std::string& name) {
  for (const auto& t : g.tensor_infos())
    if (t.name == name) return &t;
  return nullptr;
}

uint64_t tensor_nbytes(const GgufTensorInfo& t) {
  uint64_t n = 1;
  for (uint64_t d : t.ne) n *= d;
  return ggml_tensor_bytes(t.type, n);
}

// Every key of `a` not in `changed` has the same raw record in `b`; every tensor of `a` not in
// `replaced` has the same directory record and the same data bytes. Returns the count checked.
size_t expect_untouched_identical(const GgufFile& a, const GgufFile& b,
                                  const std::set<std::string>& changed,
                                  const std::set<std::string>& replaced) {
  size_t checked = 0;
  for (const auto& s : a.kv_spans()) {
    if (changed.count(s.key)) continue;
    const GgufKvSpan* o = find_kv(b, s.key);
    EXPECT_NE(o, nullptr) << s.key;
    if (!o) continue;
    EXPECT_EQ(span_bytes(a, s.begin, s.end), span_bytes(b, o->begin, o->end)) << s.key;
    ++checked;
  }
  for (const auto& t : a.tensor_infos()) {
    if (replaced.count(t.name)) continue;
    const GgufTensorInfo* o = find_tensor(b, t.name);
    EXPECT_NE(o, nullptr) << t.name;
    if (!o) continue;
    EXPECT_EQ(span_bytes(a, t.begin, t.end), span_bytes(b, o->begin, o->end)) << t.name;
    const uint64_t n = tensor_nbytes(t);
    EXPECT_GT(n, 0u) << t.name;
    EXPECT_EQ(span_bytes(a, a.data_offset() + t.offset, a.data_offset() + t.offset + n),
              span_bytes(b, b.data_offset() + o->offset, b.data_offset() + o->offset + n))
        << t.name;
    ++checked;
  }
  return checked;
}

TEST(GgufWriter, EveryValueTypeAndTensorsReadBack) {
  GgufWriter w;
  w.set("general.architecture", GgufValue::str("llama"));
  w.set("general.alignment", GgufValue::u32(64));
  w.set("t.u8", GgufValue::u8(200));
  w.set("t.i8", GgufValue::i8(-100));
  w.set("t.u16", GgufValue::u16(60000));
  w.set("t.i16", GgufValue::i16(-30000));
  w.set("t.u32", GgufValue::u32(4000000000u));
  w.set("t.i32", GgufValue::i32(-2000000000));
  w.set("t.f32", GgufValue::f32(1.5f));
  w.set("t.bool", GgufValue::boolean(true));
  w.set("t.u64", GgufValue::u64(1ull << 40));
  w.set("t.i64", GgufValue::i64(-(1ll << 40)));
  w.set("t.f64", GgufValue::f64(0.1));
  w.set("t.strs", GgufValue::str_array({"a", "", "▁b"}));
  w.set("t.f32s", GgufValue::f32_array({1.0f, 2.5f}));
  w.set("t.nested", GgufValue::array(GgufType::Array,
                                     {GgufValue::i32_array({1, 2}), GgufValue::i32_array({3})}));
  w.set("t.u32", GgufValue::u32(7));  // replaces in place
  std::vector<float> a(12);
  for (int i = 0; i < 12; ++i) a[i] = 0.5f * i;
  w.add_f32_tensor("a.weight", {3, 4}, a);
  std::vector<uint8_t> q(2 * 34, 0x11);  // two Q8_0 blocks = 64 elements
  w.add_tensor("q.weight", ggml_id::Q8_0, {2, 32}, q);
  std::vector<uint16_t> h = {0x3c00, 0xc000, 0x7bff};
  w.add_tensor("h.weight", ggml_id::F16, {3}, h.data(), h.size() * 2);
  const std::string path = tmp("writer.gguf");
  w.write(path);

  GgufFile g(path);
  EXPECT_EQ(g.version(), 3u);
  EXPECT_EQ(g.alignment(), 64u);
  const auto& m = g.meta();
  EXPECT_EQ(m["t.u8"], 200);
  EXPECT_EQ(m["t.i8"], -100);
  EXPECT_EQ(m["t.u16"], 60000);
  EXPECT_EQ(m["t.i16"], -30000);
  EXPECT_EQ(m["t.u32"], 7);
  EXPECT_EQ(m["t.i32"], -2000000000);
  EXPECT_EQ(m["t.f32"].get<double>(), 1.5);
  EXPECT_EQ(m["t.bool"], true);
  EXPECT_EQ(m["t.u64"].get<uint64_t>(), 1ull << 40);
  EXPECT_EQ(m["t.i64"].get<int64_t>(), -(1ll << 40));
  EXPECT_EQ(m["t.f64"].get<double>(), 0.1);
  EXPECT_EQ(m["t.strs"], nlohmann::json({"a", "", "▁b"}));
  EXPECT_EQ(m["t.f32s"], nlohmann::json({1.0, 2.5}));
  EXPECT_EQ(m["t.nested"], nlohmann::json({{1, 2}, {3}}));
  // Types and file order as written (t.u32 kept its first position).
  const std::vector<std::pair<std::string, uint32_t>> want = {{"general.architecture", 8},
                                                              {"general.alignment", 4},
                                                              {"t.u8", 0},
                                                              {"t.i8", 1},
                                                              {"t.u16", 2},
                                                              {"t.i16", 3},
                                                              {"t.u32", 4},
                                                              {"t.i32", 5},
                                                              {"t.f32", 6},
                                                              {"t.bool", 7},
                                                              {"t.u64", 10},
                                                              {"t.i64", 11},
                                                              {"t.f64", 12},
                                                              {"t.strs", 9},
                                                              {"t.f32s", 9},
                                                              {"t.nested", 9}};
  ASSERT_EQ(g.kv_spans().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(g.kv_spans()[i].key, want[i].first);
    EXPECT_EQ(g.kv_spans()[i].type, want[i].second) << want[i].first;
  }
  // Tensors: shapes, types, aligned offsets, bytes.
  ASSERT_EQ(g.tensor_infos().size(), 3u);
  EXPECT_EQ(g.data_offset() % 64, 0u);
  for (const auto& t : g.tensor_infos()) EXPECT_EQ(t.offset % 64, 0u) << t.name;
  const auto& ta = g.tensors().at("a.weight");
  EXPECT_EQ(ta.shape, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(find_tensor(g, "a.weight")->ne, (std::vector<uint64_t>{4, 3}));
  EXPECT_EQ(std::memcmp(ta.data, a.data(), 48), 0);
  const auto& tq = g.tensors().at("q.weight");
  EXPECT_EQ(tq.dtype, DType::Q8_0);
  EXPECT_EQ(tq.nbytes, 68u);
  EXPECT_EQ(std::memcmp(tq.data, q.data(), 68), 0);
  EXPECT_EQ(find_tensor(g, "q.weight")->offset, 64u);
  EXPECT_EQ(find_tensor(g, "h.weight")->offset, 192u);
  EXPECT_EQ(std::memcmp(g.tensors().at("h.weight").data, h.data(), 6), 0);
}

TEST(GgufWriter, RefusesInconsistentTensorsAndValues) {
  GgufWriter w;
  std::vector<uint8_t> bytes(10);
  EXPECT_THROW(w.add_tensor("x", ggml_id::F32, {3}, bytes), Error);    // 12 bytes needed
  EXPECT_THROW(w.add_tensor("x", ggml_id::Q8_0, {16}, bytes), Error);  // not whole blocks
  EXPECT_THROW(w.add_tensor("x", 4, {3}, bytes), Error);               // removed type id
  EXPECT_THROW(w.add_tensor("", ggml_id::F32, {2}, std::vector<uint8_t>(8)), Error);
  w.add_tensor("x", ggml_id::F32, {2}, std::vector<uint8_t>(8));
  EXPECT_THROW(w.add_tensor("x", ggml_id::F32, {2}, std::vector<uint8_t>(8)), Error);  // twice
  EXPECT_THROW(GgufValue::array(GgufType::F32, {GgufValue::u32(1)}), Error);
  w.set("general.alignment", GgufValue::u32(24));
  EXPECT_THROW(w.write(tmp("bad-align.gguf")), Error);
}

TEST(GgufWriter, FillFunctionsMakeBytesAtWriteTime) {
  GgufWriter w;
  int calls = 0;
  w.add_tensor("made", ggml_id::F32, {2, 3}, 24, [&](uint8_t* dst) {
    ++calls;
    for (int i = 0; i < 6; ++i) {
      const float v = 0.25f * i;
      std::memcpy(dst + 4 * i, &v, 4);
    }
  });
  w.add_f32_tensor("kept", {2}, {7, 8});
  EXPECT_EQ(calls, 0);  // nothing made before write()
  EXPECT_THROW(w.add_tensor("none", ggml_id::F32, {1}, 4, GgufTensorFill()), Error);
  const std::string path = tmp("fill.gguf");
  w.write(path);
  EXPECT_EQ(calls, 1);
  GgufFile g(path);
  const float* made = reinterpret_cast<const float*>(g.tensors().at("made").data);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(made[i], 0.25f * i);
  EXPECT_EQ(reinterpret_cast<const float*>(g.tensors().at("kept").data)[1], 8.0f);

  // A fill that throws leaves neither the file nor its temporary behind.
  GgufWriter bad;
  bad.add_tensor("x", ggml_id::F32, {1}, 4, [](uint8_t*) { fail(ErrorKind::Io, "no bytes"); });
  const std::string bad_path = tmp("fill-throws.gguf");
  std::filesystem::remove(bad_path);
  EXPECT_THROW(bad.write(bad_path), Error);
  EXPECT_FALSE(std::filesystem::exists(bad_path));
  int temporaries = 0;  // .fill-throws.gguf.tmp.PID.RANDOM beside it (ours: this PID)
  const std::string prefix = ".fill-throws.gguf.tmp." + std::to_string(::getpid()) + ".";
  for (const auto& e : std::filesystem::directory_iterator(test::tmp_dir()))
    temporaries += e.path().filename().string().rfind(prefix, 0) == 0;
  EXPECT_EQ(temporaries, 0);
}

TEST(GgufRewrite, ChangedAddedAndReplacedOthersByteIdentical) {
  GgufWriter w;
  w.set("general.architecture", GgufValue::str("llama"));
  w.set("llama.context_length", GgufValue::u32(128));
  w.set("tokenizer.ggml.tokens", GgufValue::str_array({"<s>", "a", "b"}));
  w.add_f32_tensor("one", {5}, {1, 2, 3, 4, 5});
  w.add_f32_tensor("two", {2, 3}, {6, 5, 4, 3, 2, 1});
  w.add_f32_tensor("three", {1}, {9});
  const std::string src_path = tmp("rw-src.gguf"), out_path = tmp("rw-out.gguf");
  w.write(src_path);
  GgufFile src(src_path);

  GgufEdits e;
  e.set.emplace_back("llama.context_length", GgufValue::u32(4096));
  e.set.emplace_back("llama.rope.scaling.attn_factor", GgufValue::f32(1.25f));
  std::vector<float> f = {1.0f, 2.0f, 4.0f};
  GgufTensorData t;
  t.name = "rope_freqs.weight";
  t.shape = {3};
  t.data = reinterpret_cast<const uint8_t*>(f.data());
  t.nbytes = 12;
  e.tensors.push_back(t);
  std::vector<float> two = {0, 0, 0, 0, 0, 7};
  GgufTensorData t2 = t;
  t2.name = "two";
  t2.shape = {2, 3};
  t2.data = reinterpret_cast<const uint8_t*>(two.data());
  t2.nbytes = 24;
  e.tensors.push_back(t2);
  rewrite_gguf(src, e, out_path);

  GgufFile out(out_path);
  EXPECT_EQ(expect_untouched_identical(src, out, {"llama.context_length"}, {"two"}), 4u);
  EXPECT_EQ(out.meta()["llama.context_length"], 4096);
  EXPECT_EQ(find_kv(out, "llama.context_length")->type, 4u);
  EXPECT_EQ(out.kv_spans()[1].key, "llama.context_length");  // kept its position
  EXPECT_EQ(out.kv_spans().back().key, "llama.rope.scaling.attn_factor");
  EXPECT_EQ(out.meta()["llama.rope.scaling.attn_factor"].get<double>(), 1.25);
  const auto& rf = out.tensors().at("rope_freqs.weight");
  EXPECT_EQ(rf.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(std::memcmp(rf.data, f.data(), 12), 0);
  EXPECT_EQ(std::memcmp(out.tensors().at("two").data, two.data(), 24), 0);
  EXPECT_EQ(out.tensor_infos().size(), 4u);
  EXPECT_EQ(out.tensor_infos()[1].name, "two");  // replaced in place in the directory

  GgufEdits bad;
  bad.set.emplace_back("general.alignment", GgufValue::u32(64));
  EXPECT_THROW(rewrite_gguf(src, bad, tmp("rw-bad.gguf")), Error);
  EXPECT_THROW(rewrite_gguf(src, {}, src_path), Error);
}

TEST(GgufRewrite, RealModelKeepsWeightsAndLoads) {
  REQUIRE_SHARED("models/stories260K/stories260K.gguf");
  const std::string src_path = test::shared("models/stories260K/stories260K.gguf");
  GgufFile src(src_path);
  GgufEdits e;
  e.set.emplace_back("llama.context_length", GgufValue::u32(4096));
  std::vector<float> f = {1.0f, 1.5f, 2.0f, 8.0f};
  GgufTensorData t;
  t.name = "rope_freqs.weight";
  t.shape = {4};
  t.data = reinterpret_cast<const uint8_t*>(f.data());
  t.nbytes = 16;
  e.tensors.push_back(t);
  const std::string out_path = tmp("rw-stories.gguf");
  rewrite_gguf(src, e, out_path);
  GgufFile out(out_path);
  EXPECT_EQ(expect_untouched_identical(src, out, {"llama.context_length"}, {}),
            src.kv_spans().size() - 1 + src.tensor_infos().size());
  auto m = load_model(out_path);
  ASSERT_EQ(m->config.rope_freq_factors.size(), 4u);
  EXPECT_EQ(m->config.rope_freq_factors[3], 8.0f);
}

}  // namespace
}  // namespace lr
