// longrope-bench-model: writes a random-weight model of a named shape or a random-id shard,
// or times the shape's matrix products alone.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "bench/bench_model.h"
#include "bench/gemm_bench.h"
#include "bench/peak_bench.h"
#include "core/formats/gguf.h"
#include "core/kernels/compute.h"
#include "core/kernels/kernels.h"
#include "core/util/error.h"
#include "core/util/parallel.h"

namespace {

constexpr const char* kUsage =
    "usage: longrope-bench-model model SHAPE TYPE OUT.gguf [--seed N]\n"
    "       longrope-bench-model shard MODEL.gguf OUT.h5 [--docs N] [--tokens N] [--seed N]\n"
    "       longrope-bench-model shapes\n"
    "       longrope-bench-model gemm SHAPE TYPE [--tokens N] [--reps N] [--seed N]\n"
    "       longrope-bench-model fma [--threads N]   (pure FMA loop, 1..N threads, each path)\n"
    "       longrope-bench-model attention [--tokens N] [--head-dim D] [--heads H]\n"
    "                            [--kv-heads K] [--threads N] [--reps N] [--int8 1]\n"
    "TYPE: F32, F16, Q8_0 or Q4_K_M (llama.cpp's mix); see scripts/make-bench-model.sh\n";

// Splits `args` into positionals and `--name value` options (names already in `opts`).
std::vector<std::string> parse(const std::vector<std::string>& args,
                               std::map<std::string, long long>& opts) {
  std::vector<std::string> pos;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].rfind("--", 0) != 0) {
      pos.push_back(args[i]);
      continue;
    }
    const std::string name = args[i].substr(2);
    if (!opts.count(name) || i + 1 == args.size())
      lr::fail(lr::ErrorKind::InvalidArgument, "unknown option or missing value: " + args[i]);
    char* end = nullptr;
    const long long v = std::strtoll(args[++i].c_str(), &end, 10);
    if (args[i].empty() || *end != '\0' || v < 0)
      lr::fail(lr::ErrorKind::InvalidArgument, "bad value '" + args[i] + "' for " + args[i - 1]);
    opts[name] = v;
  }
  return pos;
}

int run(const std::vector<std::string>& args) {
  using namespace lr::bench;
  if (args.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string cmd = args[0];
  std::map<std::string, long long> opts = {
      {"seed", 0},  {"docs", 5},     {"tokens", cmd == "shard" ? 16384 : 2048},
      {"reps", 3},  {"threads", 0},  {"head-dim", 64},
      {"heads", 7}, {"kv-heads", 1}, {"int8", 0}};
  const auto pos = parse({args.begin() + 1, args.end()}, opts);
  if (cmd == "shapes" && pos.empty()) {
    for (const auto& s : shapes())
      std::printf(
          "%-14s hidden %5d, %2d layers, %2d/%2d heads, head_dim %3d, FFN %5d, vocab %d: "
          "%.1fM parameters\n",
          s.name.c_str(), s.hidden, s.layers, s.heads, s.kv_heads, s.head_dim(), s.ffn, s.vocab,
          s.params() / 1e6);
    return 0;
  }
  if (cmd == "model" && pos.size() == 3) {
    const Shape& s = shape_by_name(pos[0]);
    const FileType ft = file_type_by_name(pos[1]);
    write_model(s, ft, static_cast<uint64_t>(opts["seed"]), pos[2]);
    const lr::GgufFile back(pos[2]);
    std::map<std::string, int> types;  // tensors per element type, as read back
    for (const auto& t : back.tensor_infos()) ++types[lr::ggml_type_name(t.type)];
    std::string mix;
    for (const auto& [name, n] : types)
      mix.append(" ").append(std::to_string(n)).append("×" + name);
    std::printf("%s: %s %s, %.1fM parameters, %.1f MiB;%s\n", pos[2].c_str(), s.name.c_str(),
                file_type_name(ft), s.params() / 1e6,
                std::filesystem::file_size(pos[2]) / 1048576.0, mix.c_str());
    return 0;
  }
  if (cmd == "shard" && pos.size() == 2) {
    if (opts["docs"] < 1 || opts["tokens"] < 1 || opts["tokens"] > (1 << 24))
      lr::fail(lr::ErrorKind::InvalidArgument, "--docs and --tokens must be in 1..2^24");
    write_random_shard(pos[0], static_cast<int>(opts["docs"]), static_cast<int>(opts["tokens"]),
                       static_cast<uint64_t>(opts["seed"]), pos[1]);
    std::printf("%s: %lld documents × %lld random ids\n", pos[1].c_str(), opts["docs"],
                opts["tokens"]);
    return 0;
  }
  if (cmd == "gemm" && pos.size() == 2) {
    const Shape& s = shape_by_name(pos[0]);
    const int tokens = static_cast<int>(opts["tokens"]), reps = static_cast<int>(opts["reps"]);
    if (tokens < 1 || tokens > (1 << 16) || reps < 1)
      lr::fail(lr::ErrorKind::InvalidArgument, "--tokens must be in 1..65536, --reps >= 1");
    const auto rows = bench_gemms(s, file_type_by_name(pos[1]), tokens, reps,
                                  static_cast<uint64_t>(opts["seed"]));
    std::printf("matrix,type,rows,cols,layers,tokens,seconds,gflops\n");
    for (const auto& r : rows)
      std::printf("%s,%s,%lld,%lld,%d,%d,%.6f,%.2f\n", r.matrix.c_str(), r.type.c_str(),
                  static_cast<long long>(r.rows), static_cast<long long>(r.cols), r.layers, tokens,
                  r.seconds, r.gflops);
    std::printf("all layers,%s,,,%d,%d,,%.2f\n", pos[1].c_str(), s.layers, tokens,
                weighted_gflops(rows, tokens));
    return 0;
  }
  const int threads = opts["threads"] > 0 ? static_cast<int>(opts["threads"]) : lr::max_threads();
  const char* path = lr::kernel_path_name(lr::active_kernel_path());
  if (cmd == "fma" && pos.empty()) {  // every path this CPU runs, then the active one again
    std::printf("path,threads,gflops,per_thread,vs_1_thread\n");
    for (lr::KernelPath p : lr::supported_kernel_paths()) {
      lr::set_kernel_path(lr::kernel_path_name(p));
      double one = 0;
      for (int t = 1; t <= threads; ++t) {
        const double g = fma_peak_gflops(t);
        if (t == 1) one = g;
        std::printf("%s,%d,%.2f,%.2f,%.3f\n", lr::kernel_path_name(p), t, g, g / t, g / one);
      }
    }
    lr::set_kernel_path(path);
    return 0;
  }
  if (cmd == "attention" && pos.empty()) {
    AttentionCase c;
    c.tokens = static_cast<int>(opts["tokens"]);
    c.head_dim = static_cast<int>(opts["head-dim"]);
    c.heads = static_cast<int>(opts["heads"]);
    c.kv_heads = static_cast<int>(opts["kv-heads"]);
    if (c.tokens > (1 << 20) || c.head_dim > 1024 || c.heads > 256)
      lr::fail(lr::ErrorKind::InvalidArgument, "attention: tokens <= 2^20, head_dim <= 1024");
    lr::set_threads(threads);
    const double peak = fma_peak_gflops(threads);
    if (opts["int8"]) lr::set_compute_precision(lr::Compute::Int8);  // --compute int8's kernel
    const AttentionTiming t = bench_attention(c, static_cast<int>(opts["reps"]));
    std::printf(
        "path,compute,threads,tokens,head_dim,heads,kv_heads,seconds,gflops,fma_peak_gflops,"
        "pct_of_peak\n%s,%s,%d,%d,%d,%d,%d,%.4f,%.2f,%.2f,%.1f\n",
        path, lr::compute_name(lr::compute_precision()), threads, c.tokens, c.head_dim, c.heads,
        c.kv_heads, t.seconds, t.gflops, peak, 100.0 * t.gflops / peak);
    return 0;
  }
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run({argv + 1, argv + argc});
  } catch (const lr::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return lr::exit_code(e.kind());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
