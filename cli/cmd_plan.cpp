// `longrope plan`: weights, serving KV cache and our evaluation's peak memory per length vs a
// device.
#include <cstdarg>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/engine/memory_plan.h"
#include "core/model/model_header.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace lr::cli {

namespace {

using nlohmann::json;

// "812.3 MiB" below 1 GiB, else "13.48 GiB".
std::string human(uint64_t b) {
  if (b >= (1ull << 30)) return gib(b);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", b / 1048576.0);
  return buf;
}

// printf into a string (the table goes to stdout unless the JSON does).
std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  va_list ap, ap2;
  va_start(ap, f);
  va_copy(ap2, ap);
  std::string s(std::vsnprintf(nullptr, 0, f, ap), '\0');
  va_end(ap);
  std::vsnprintf(s.data(), s.size() + 1, f, ap2);
  va_end(ap2);
  return s;
}

std::string verdict(uint64_t need, uint64_t usable) {
  return need <= usable ? "fits (" + human(usable - need) + " free)"
                        : "does not fit: needs " + human(need - usable) + " more";
}

}  // namespace

int cmd_plan(const Args& args) {
  po::options_description d("plan options");
  d.add_options()("model", po::value<std::string>()->required(),
                  "model (HF folder, GGUF, llama2.c .bin) or a bare HF config.json")(
      "num-tokens", po::value<std::string>()->required(), "lengths, e.g. 4096,16384")(
      "device-mem", po::value<std::string>()->default_value("16GiB"),
      "device memory (default: an RK3588 board with 16 GB)")(
      "os-reserve", po::value<std::string>()->default_value("1.5GiB"),
      "memory kept for the OS and other processes")(
      "kv-type", po::value<std::string>()->default_value("f16"), "serving KV cache: f16 | q8_0")(
      "device-threads", po::value<int>()->default_value(8),
      "threads of our evaluation on the device (attention scratch; RK3588: 8 cores)")(
      "json", po::value<std::string>(), "also write the plan as JSON to this file (- = stdout)");
  d.add(common_options());
  po::variables_map vm;
  if (!parse(args, d, vm,
             "usage: longrope plan --model M|config.json --num-tokens N[,N...] "
             "[--device-mem 16GiB] [--kv-type f16|q8_0]"))
    return 0;
  apply_common(vm);
  const auto lengths = parse_int_list(vm["num-tokens"].as<std::string>(), "--num-tokens");
  const uint64_t mem = parse_byte_size(vm["device-mem"].as<std::string>(), "--device-mem");
  const uint64_t reserve = parse_byte_size(vm["os-reserve"].as<std::string>(), "--os-reserve");
  if (reserve >= mem)
    fail(ErrorKind::InvalidArgument, "--os-reserve must be smaller than --device-mem");
  const KvType kv = parse_kv_type(vm["kv-type"].as<std::string>());
  const int threads = vm["device-threads"].as<int>();
  if (threads < 1) fail(ErrorKind::InvalidArgument, "--device-threads must be >= 1");
  const std::string path = vm["model"].as<std::string>();
  const ModelHeader h = read_model_header(path);
  const ModelConfig& c = h.config;
  const uint64_t usable = mem - reserve;
  const uint64_t held = h.engine_bytes;

  json j = {{"model", path},
            {"source", h.source},
            {"shape",
             {{"n_layers", c.n_layers},
              {"dim", c.dim},
              {"hidden_dim", c.hidden_dim},
              {"n_heads", c.n_heads},
              {"n_kv_heads", c.n_kv_heads},
              {"head_dim", c.head_dim},
              {"vocab_size", c.vocab_size},
              {"tied_output", c.tied_output},
              {"trained_context", c.max_position}}},
            {"parameters", parameter_count(c)},
            {"weights_stored_bytes", h.stored_bytes},
            {"weights_stored_estimated", h.stored_estimated},
            {"weights_stored_note", h.stored_note},
            {"weights_engine_bytes", held},
            {"engine_note", h.engine_note},
            {"device",
             {{"memory_bytes", mem},
              {"os_reserve_bytes", reserve},
              {"usable_bytes", usable},
              {"threads", threads}}},
            {"kv_type", kv_type_name(kv)},
            {"lengths", json::array()}};

  std::string t;
  t +=
      fmt("model      %s (%s): %d layers, dim %d, %d heads / %d KV heads x %d, FFN %d, "
          "vocab %d, %s output\n",
          path.c_str(), h.source.c_str(), c.n_layers, c.dim, c.n_heads, c.n_kv_heads, c.head_dim,
          c.hidden_dim, c.vocab_size, c.tied_output ? "tied" : "untied");
  t += fmt("parameters %llu\n", static_cast<unsigned long long>(parameter_count(c)));
  t += fmt("weights    %s as stored (%s); %s as our engine holds them (matrices as stored)\n",
           human(h.stored_bytes).c_str(), h.stored_note.c_str(), human(held).c_str());
  t += fmt(
      "device     %s - %s reserved for the OS = %s usable; KV cache %s; "
      "our evaluation with %d threads\n\n",
      human(mem).c_str(), human(reserve).c_str(), human(usable).c_str(), kv_type_name(kv), threads);
  t += fmt("%8s  %11s  %11s  %-34s  %11s  %s\n", "tokens", "KV cache", "serving", "verdict",
           "eval peak", "verdict");
  for (int n : lengths) {
    const uint64_t kvb = kv_cache_bytes(c, n, kv);
    const uint64_t serve = h.stored_bytes + kvb;
    const EvalPeak p = eval_peak(c, n, threads, held);
    t += fmt("%8d  %11s  %11s  %-34s  %11s  %s\n", n, human(kvb).c_str(), human(serve).c_str(),
             verdict(serve, usable).c_str(), human(p.total()).c_str(),
             verdict(p.total(), usable).c_str());
    j["lengths"].push_back(
        {{"tokens", n},
         {"kv_cache_bytes", kvb},
         {"serving_bytes", serve},
         {"serving_fits", serve <= usable},
         {"serving_free_bytes", static_cast<int64_t>(usable) - static_cast<int64_t>(serve)},
         {"eval",
          {{"weights", p.weights},
           {"activations", p.activations},
           {"rope_table", p.rope_table},
           {"attention_scratch", p.attention_scratch},
           {"sequence", p.sequence},
           {"total", p.total()}}},
         {"eval_fits", p.total() <= usable},
         {"eval_free_bytes", static_cast<int64_t>(usable) - static_cast<int64_t>(p.total())}});
  }
  t +=
      fmt("\nserving = weights as stored + KV cache (layers x KV heads x head_dim x tokens x 2 x "
          "%s)\n",
          kv == KvType::F16 ? "2 bytes" : "34/32 bytes");
  t +=
      fmt("eval peak = weights as held + activations + RoPE table + attention scratch + "
          "tokens/log-probs:\n");
  for (int n : lengths) {
    const EvalPeak p = eval_peak(c, n, threads, held);
    t += fmt("%8d  = %s + %s + %s + %s + %s\n", n, human(p.weights).c_str(),
             human(p.activations).c_str(), human(p.rope_table).c_str(),
             human(p.attention_scratch).c_str(), human(p.sequence).c_str());
  }
  t += fmt("(not counted: the shard's tokens, the tokenizer, libraries and allocator slack)\n");
  if (!h.engine_note.empty())
    t += fmt("note: %s, so the eval peak is for the same shape in a type it reads\n",
             h.engine_note.c_str());
  const std::string out = vm.count("json") ? vm["json"].as<std::string>() : "";
  if (out != "-") std::cout << t;
  if (!out.empty()) {
    if (out == "-") {
      std::cout << j.dump(2) << "\n";
    } else {
      write_file_atomically(out, j.dump(2) + "\n");
    }
  }
  return 0;
}

}  // namespace lr::cli
