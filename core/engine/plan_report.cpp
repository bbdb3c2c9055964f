// The memory plan as a report: per length, serving and evaluation memory against a device.
#include "core/engine/plan_report.h"

#include <cstdio>

#include "core/util/error.h"
#include "core/util/strformat.h"

namespace lr {

namespace {

using nlohmann::json;

// "812.3 MiB" below 1 GiB, else "13.48 GiB".
std::string human(uint64_t b) {
  if (b >= (1ull << 30)) return gib(b);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", b / 1048576.0);
  return buf;
}

std::string verdict(uint64_t need, uint64_t usable) {
  return need <= usable ? "fits (" + human(usable - need) + " free)"
                        : "does not fit: needs " + human(need - usable) + " more";
}

}  // namespace

void check_plan_device(const PlanDevice& d) {
  if (d.os_reserve >= d.memory)
    fail(ErrorKind::InvalidArgument, "--os-reserve must be smaller than --device-mem");
  if (d.threads < 1) fail(ErrorKind::InvalidArgument, "--device-threads must be >= 1");
}

PlanReport plan_report(const ModelHeader& h, const PlanDevice& d) {
  check_plan_device(d);
  const ModelConfig& c = h.config;
  const uint64_t mem = d.memory, reserve = d.os_reserve, usable = mem - reserve;
  const KvType kv = d.kv;
  const int threads = d.threads;
  const std::string& path = d.model_path;
  const uint64_t held = h.engine_bytes;

  PlanReport r;
  json& j = r.json;
  j = {{"model", path},
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

  std::string& t = r.text;
  t += strformat(
      "model      %s (%s): %d layers, dim %d, %d heads / %d KV heads x %d, FFN %d, "
      "vocab %d, %s output\n",
      path.c_str(), h.source.c_str(), c.n_layers, c.dim, c.n_heads, c.n_kv_heads, c.head_dim,
      c.hidden_dim, c.vocab_size, c.tied_output ? "tied" : "untied");
  t += strformat("parameters %llu\n", static_cast<unsigned long long>(parameter_count(c)));
  t += strformat("weights    %s as stored (%s); %s as our engine holds them (matrices as stored)\n",
                 human(h.stored_bytes).c_str(), h.stored_note.c_str(), human(held).c_str());
  t += strformat(
      "device     %s - %s reserved for the OS = %s usable; KV cache %s; "
      "our evaluation with %d threads\n\n",
      human(mem).c_str(), human(reserve).c_str(), human(usable).c_str(), kv_type_name(kv), threads);
  t += strformat("%8s  %11s  %11s  %-34s  %11s  %s\n", "tokens", "KV cache", "serving", "verdict",
                 "eval peak", "verdict");
  for (int n : d.lengths) {
    const uint64_t kvb = kv_cache_bytes(c, n, kv);
    const uint64_t serve = h.stored_bytes + kvb;
    const EvalPeak p = eval_peak(c, n, threads, held);
    t += strformat("%8d  %11s  %11s  %-34s  %11s  %s\n", n, human(kvb).c_str(),
                   human(serve).c_str(), verdict(serve, usable).c_str(), human(p.total()).c_str(),
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
  t += strformat(
      "\nserving = weights as stored + KV cache (layers x KV heads x head_dim x tokens x 2 x "
      "%s)\n",
      kv == KvType::F16 ? "2 bytes" : "34/32 bytes");
  t += strformat(
      "eval peak = weights as held + activations + RoPE table + attention scratch + "
      "tokens/log-probs:\n");
  for (int n : d.lengths) {
    const EvalPeak p = eval_peak(c, n, threads, held);
    t += strformat("%8d  = %s + %s + %s + %s + %s\n", n, human(p.weights).c_str(),
                   human(p.activations).c_str(), human(p.rope_table).c_str(),
                   human(p.attention_scratch).c_str(), human(p.sequence).c_str());
  }
  t += strformat(
      "(not counted: the shard's tokens, the tokenizer, libraries and allocator slack)\n");
  if (!h.engine_note.empty())
    t += strformat("note: %s, so the eval peak is for the same shape in a type it reads\n",
                   h.engine_note.c_str());
  return r;
}

}  // namespace lr
