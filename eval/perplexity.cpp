// Scoring rules for each perplexity mode; all share Engine::logprobs.
#include "eval/perplexity.h"

#include <chrono>
#include <cmath>
#include <iostream>

#include "core/util/error.h"
#include "eval/progress.h"

namespace lr {

double scale_for_length(const ModelConfig& c, const RopeScaling& r, int length) {
  const int L = r.original_max_position > 0 ? r.original_max_position : c.max_position;
  if (L <= 0) return 1.0;
  if (r.target_length > 0) return static_cast<double>(r.target_length) / L;  // deployed rule
  return std::max(1.0, static_cast<double>(length) / L);
}

namespace {

// Tokens a window of `length` takes from a document: length - 1 when BOS is prepended.
int doc_tokens_needed(const ModelConfig& c, int length) {
  return c.add_bos && c.bos_id >= 0 ? length - 1 : length;
}

// The first `samples` documents (0 = all) with at least `need` tokens; throws Data when none.
std::vector<int> pick_documents(const Shard& sh, int need, int samples, int length, bool quiet) {
  std::vector<int> picked;
  long longest = 0;
  for (int d = 0; d < sh.num_docs(); ++d) {
    longest = std::max<long>(longest, static_cast<long>(sh.doc(d).size()));
    if (static_cast<int>(sh.doc(d).size()) >= need) picked.push_back(d);
    if (samples > 0 && static_cast<int>(picked.size()) == samples) break;
  }
  if (picked.empty())
    fail(ErrorKind::Data, "no document has the " + std::to_string(need) + " tokens needed for " +
                              std::to_string(length) + " (longest has " + std::to_string(longest) +
                              ")");
  if (samples > 0 && static_cast<int>(picked.size()) < samples && !quiet)
    std::cerr << "note: only " << picked.size() << " of " << samples << " requested documents have "
              << need << " tokens\n";
  return picked;
}

}  // namespace

std::vector<int> truncate_documents(const ModelConfig& c, const Shard& sh, int samples, int length,
                                    bool quiet) {
  return pick_documents(sh, doc_tokens_needed(c, length), samples, length, quiet);
}

std::vector<int> truncate_sequence(const ModelConfig& c, const Shard& sh, int d, int length) {
  const int need = doc_tokens_needed(c, length);
  std::vector<int> seq;
  seq.reserve(static_cast<size_t>(need) + 1);
  if (c.add_bos && c.bos_id >= 0) seq.push_back(c.bos_id);
  const auto doc = sh.doc(d);
  for (int i = 0; i < need; ++i) seq.push_back(doc[i]);
  return seq;
}

std::vector<std::vector<int>> llamacpp_chunks(const ModelConfig& c, const Shard& sh, int samples,
                                              int length) {
  const bool bos = c.add_bos && c.bos_id >= 0;
  std::vector<int> stream;
  stream.reserve(sh.tokens.size() + 1);
  if (bos) stream.push_back(c.bos_id);
  stream.insert(stream.end(), sh.tokens.begin(), sh.tokens.end());
  const long n_chunks_all = static_cast<long>(stream.size()) / length;
  if (n_chunks_all < 1)
    fail(ErrorKind::Data, "the shard holds " + std::to_string(stream.size()) +
                              " tokens: fewer than one chunk of " + std::to_string(length));
  const long n = samples > 0 ? std::min<long>(samples, n_chunks_all) : n_chunks_all;
  std::vector<std::vector<int>> chunks;
  for (long i = 0; i < n; ++i) {
    chunks.emplace_back(stream.begin() + i * length, stream.begin() + (i + 1) * length);
    if (bos) chunks.back()[0] = c.bos_id;
  }
  return chunks;
}

namespace {

// Runs one sequence and accounts its tokens and FLOPs in `res`.
std::vector<double> score(Engine& e, const std::vector<int>& seq, const RopeScaling& r, int from,
                          LengthResult& res) {
  auto lp = e.logprobs(seq, r, from);
  res.tokens_processed += static_cast<long>(seq.size());
  res.flops +=
      prefill_flops(e.model().config, static_cast<long>(seq.size()), static_cast<long>(lp.size()));
  return lp;
}

// Truncate: [BOS] + the first length-1 tokens (length tokens without BOS); all scored.
// PPL = exp(mean over documents of the per-document mean NLL), as the original repos do.
void run_truncate(Engine& e, const Shard& sh, const PplOptions& o, int length, const RopeScaling& r,
                  LengthResult& res) {
  const ModelConfig& c = e.model().config;
  const auto picked = truncate_documents(c, sh, o.samples, length, o.quiet);
  Progress prog("ppl@" + std::to_string(length), static_cast<double>(picked.size()) * length, "tok",
                o.quiet);
  double mean_sum = 0;
  for (int d : picked) {
    const auto lp = score(e, truncate_sequence(c, sh, d, length), r, 0, res);
    DocScore ds{sh.names[d], static_cast<long>(lp.size()), 0.0};
    for (double v : lp) ds.nll -= v;
    mean_sum += ds.nll / ds.tokens;
    res.docs.push_back(ds);
    prog.update(static_cast<double>(res.tokens_processed));
  }
  res.ppl = std::exp(mean_sum / picked.size());
}

// Sliding: windows of `length` ([BOS] + length-1 tokens), start every `stride` tokens; each
// window scores only tokens not scored before. PPL = exp(mean of per-window mean NLL).
void run_sliding(Engine& e, const Shard& sh, const PplOptions& o, int length, const RopeScaling& r,
                 LengthResult& res) {
  const ModelConfig& c = e.model().config;
  const bool bos = c.add_bos && c.bos_id >= 0;
  const int max_tok = doc_tokens_needed(c, length);
  if (o.stride <= 0 || o.stride > max_tok)
    fail(ErrorKind::InvalidArgument, "--sliding-window must be in 1.." + std::to_string(max_tok));
  const auto picked = pick_documents(sh, max_tok, o.samples, length, o.quiet);
  double total = 0;
  for (int d : picked) total += static_cast<double>(sh.doc(d).size());
  Progress prog("ppl@" + std::to_string(length) + " sliding", total, "tok", o.quiet);
  double window_mean_sum = 0;
  long windows = 0, done = 0;
  for (int d : picked) {
    auto doc = sh.doc(d);
    const long n = static_cast<long>(doc.size());
    DocScore ds{sh.names[d], 0, 0.0};
    long prev_end = 0;
    for (long begin = 0; begin < n; begin += o.stride) {
      const long end = std::min(begin + max_tok, n);
      const long trg = end - prev_end;
      std::vector<int> seq;
      if (bos) seq.push_back(c.bos_id);
      seq.insert(seq.end(), doc.begin() + begin, doc.begin() + end);
      const int m = static_cast<int>(seq.size());
      const int from = std::max(0, m - 1 - static_cast<int>(trg));
      if (m >= 2) {
        const auto lp = score(e, seq, r, from, res);
        double nll = 0;
        for (double v : lp) nll -= v;
        ds.nll += nll;
        ds.tokens += static_cast<long>(lp.size());
        window_mean_sum += nll / lp.size();
        ++windows;
      }
      done = prev_end = end;
      prog.update(static_cast<double>(done));
      if (end == n) break;
    }
    res.docs.push_back(ds);
  }
  res.ppl = std::exp(window_mean_sum / windows);
}

// llama.cpp's llama-perplexity over llamacpp_chunks (as llama.cpp tokenizes its input file).
// PPL = exp(total NLL / total scored tokens).
void run_llamacpp(Engine& e, const Shard& sh, const PplOptions& o, int length, const RopeScaling& r,
                  LengthResult& res) {
  const auto chunks = llamacpp_chunks(e.model().config, sh, o.samples, length);
  Progress prog("ppl@" + std::to_string(length) + " llamacpp",
                static_cast<double>(chunks.size()) * length, "tok", o.quiet);
  double nll = 0;
  long count = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const auto lp = score(e, chunks[i], r, length / 2, res);
    DocScore ds{"chunk" + std::to_string(i), static_cast<long>(lp.size()), 0.0};
    for (double v : lp) ds.nll -= v;
    nll += ds.nll;
    count += ds.tokens;
    res.docs.push_back(ds);
    prog.update(static_cast<double>(res.tokens_processed));
  }
  res.ppl = std::exp(nll / count);
}

}  // namespace

LengthResult evaluate_length(Engine& engine, const Shard& shard, const PplOptions& opt,
                             int length) {
  if (length < 2) fail(ErrorKind::InvalidArgument, "lengths must be at least 2 tokens");
  LengthResult res;
  res.length = length;
  RopeScaling r = opt.rope;
  if (!opt.fixed_scale) r.factor = scale_for_length(engine.model().config, r, length);
  res.scale = r.factor;
  engine.reset_stage_times();
  const auto t0 = std::chrono::steady_clock::now();
  switch (opt.mode) {
    case PplMode::Truncate:
      run_truncate(engine, shard, opt, length, r, res);
      break;
    case PplMode::Sliding:
      run_sliding(engine, shard, opt, length, r, res);
      break;
    case PplMode::LlamaCpp:
      run_llamacpp(engine, shard, opt, length, r, res);
      break;
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  res.stages = engine.stage_times();
  return res;
}

}  // namespace lr
