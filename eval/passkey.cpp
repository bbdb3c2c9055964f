// Passkey prompts (llama.cpp's text), length fitting, seeded keys, greedy answers and scoring.
#include "eval/passkey.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "core/engine/generate.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "eval/perplexity.h"
#include "eval/progress.h"

namespace lr {

namespace {

const char* kPrefix =
    "There is an important info hidden inside a lot of irrelevant text. Find it and memorize "
    "them. I will quiz you about the important information there.";
const char* kFiller =
    " The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";
const char* kSuffix = " What is the pass key? The pass key is";
constexpr int kProbeKey = 50000;  // the widest key: prompts with any key are no longer

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string key_sentence(int key) {
  const std::string k = std::to_string(key);
  return " The pass key is " + k + ". Remember it. " + k + " is the pass key.";
}

std::string depth_label(double depth) {
  if (depth < 0) return "random";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", depth);
  return buf;
}

// Writes one prompt's text (no trailing newline) and returns the file name.
std::string save_prompt(const std::string& dir, const PasskeyTrial& t, int index,
                        const std::string& text) {
  char name[96];
  std::snprintf(name, sizeof name, "passkey_L%d_d%s_%03d.txt", t.length,
                depth_label(t.depth).c_str(), index);
  const std::string path = dir + "/" + name;
  write_file_atomically(path, text);
  return name;
}

}  // namespace

std::string passkey_prompt(int n_rounds, int insert_round, int key) {
  if (n_rounds < 1 || insert_round < 0 || insert_round > n_rounds)
    fail(ErrorKind::InvalidArgument, "passkey prompt: insertion round " +
                                         std::to_string(insert_round) + " outside 0.." +
                                         std::to_string(n_rounds));
  std::string p = kPrefix;
  for (int i = 0; i < n_rounds; ++i) {
    if (i == insert_round) p += key_sentence(key);
    p += kFiller;
  }
  if (insert_round == n_rounds) p += key_sentence(key);
  return p + kSuffix;
}

int depth_round(double depth, int n_rounds) {
  if (!(depth >= 0 && depth <= 100)) fail(ErrorKind::InvalidArgument, "depth must be in 0..100");
  return static_cast<int>(std::lround(depth * n_rounds / 100.0));
}

std::optional<long long> parse_answer(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && !(text[i] >= '0' && text[i] <= '9')) ++i;
  if (i == text.size()) return std::nullopt;
  long long v = 0;
  int digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits)
    v = digits < 18 ? v * 10 + (text[i] - '0') : std::numeric_limits<long long>::max();
  return v;
}

std::vector<int> passkey_tokens(const Tokenizer& tok, const ModelConfig& c,
                                const std::string& text) {
  std::vector<int> ids;
  if (c.add_bos && c.bos_id >= 0) ids.push_back(c.bos_id);
  const auto body = tok.encode(text);
  ids.insert(ids.end(), body.begin(), body.end());
  return ids;
}

int rounds_for_length(const Tokenizer& tok, const ModelConfig& c, int length) {
  auto count = [&](int n) {
    return static_cast<int>(passkey_tokens(tok, c, passkey_prompt(n, 0, kProbeKey)).size());
  };
  const int one = count(1);
  if (one > length)
    fail(ErrorKind::Data, "--num-tokens " + std::to_string(length) +
                              " is too small: the passkey prompt with one filler round has " +
                              std::to_string(one) + " tokens");
  int lo = 1, hi = 2;  // invariant: count(lo) <= length
  while (count(hi) <= length) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {  // count(lo) <= length < count(hi)
    const int mid = lo + (hi - lo) / 2;
    (count(mid) <= length ? lo : hi) = mid;
  }
  return lo;
}

std::mt19937_64 passkey_cell_rng(uint64_t seed, int length, double depth) {
  const uint64_t d = depth < 0 ? 0xffffffffULL : static_cast<uint64_t>(std::llround(depth * 1000));
  uint64_t h = splitmix64(seed);
  h = splitmix64(h ^ static_cast<uint64_t>(length));
  h = splitmix64(h ^ d);
  return std::mt19937_64(h);
}

PasskeyResult run_passkey(Engine& engine, const Tokenizer& tok, const PasskeyOptions& opt) {
  if (opt.samples < 1) fail(ErrorKind::InvalidArgument, "--samples must be >= 1");
  if (opt.max_new_tokens < 1) fail(ErrorKind::InvalidArgument, "max_new_tokens must be >= 1");
  for (double d : opt.depths)
    if (!(d >= 0 && d <= 100))
      fail(ErrorKind::InvalidArgument, "--depths values must be in 0..100");
  if (!opt.save_prompts_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(opt.save_prompts_dir, ec);
    if (ec) fail(ErrorKind::Io, "cannot create '" + opt.save_prompts_dir + "': " + ec.message());
  }
  const ModelConfig& c = engine.model().config;
  const int eos = c.eos_id >= 0 ? c.eos_id : tok.eos_id();
  std::vector<double> depths = opt.depths;
  if (depths.empty()) depths.push_back(-1);
  std::vector<int> rounds;  // fitted first, so a too-small length fails before any work
  for (int len : opt.lengths) rounds.push_back(rounds_for_length(tok, c, len));

  PasskeyResult res;
  const double total = static_cast<double>(opt.lengths.size() * depths.size() * opt.samples);
  Progress prog("passkey", total, "prompts", opt.quiet);
  for (size_t li = 0; li < opt.lengths.size(); ++li) {
    RopeScaling r = opt.rope;
    if (!opt.fixed_scale) r.factor = scale_for_length(c, r, opt.lengths[li]);
    for (double depth : depths) {
      PasskeyCell cell{opt.lengths[li], depth, r.factor, rounds[li]};
      std::mt19937_64 rng = passkey_cell_rng(opt.seed, cell.length, depth);
      const auto t0 = std::chrono::steady_clock::now();
      for (int s = 0; s < opt.samples; ++s) {
        PasskeyTrial t;
        t.length = cell.length;
        t.depth = depth;
        t.n_rounds = cell.n_rounds;
        t.key = 1 + static_cast<int>(rng() % 50000);
        t.insert_round = depth < 0 ? static_cast<int>(rng() % static_cast<uint64_t>(t.n_rounds))
                                   : depth_round(depth, t.n_rounds);
        const std::string text = passkey_prompt(t.n_rounds, t.insert_round, t.key);
        const auto prompt = passkey_tokens(tok, c, text);
        t.prompt_tokens = static_cast<int>(prompt.size());
        if (!opt.save_prompts_dir.empty())
          t.prompt_file = save_prompt(opt.save_prompts_dir, t, s, text);
        GenerateOptions g;
        g.max_new_tokens = opt.max_new_tokens;
        g.eos_id = eos;
        g.select_len = t.prompt_tokens + opt.max_new_tokens;  // one factor set for the sequence
        const Generation out = generate_greedy(engine, prompt, r, g);
        t.generated = out.tokens;
        for (int id : out.tokens)
          if (id != eos) t.text += tok.decode_piece(id);
        t.answer = parse_answer(t.text);
        t.correct = t.answer && *t.answer == t.key;
        cell.correct += t.correct;
        ++cell.samples;
        cell.tokens_processed += t.prompt_tokens + static_cast<long>(out.tokens.size());
        res.trials.push_back(std::move(t));
        prog.update(static_cast<double>(res.trials.size()));
      }
      cell.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      res.cells.push_back(cell);
    }
  }
  prog.finish();
  return res;
}

}  // namespace lr
