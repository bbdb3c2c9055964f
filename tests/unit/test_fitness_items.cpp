// Fitness items: the PPL items are eval ppl's documents (same bits), needle items score the
// key's tokens, and the needle fitness sees retrieval (low inside the trained context).
#include <cmath>

#include "core/tokenizer/tokenizer_factory.h"
#include "eval/passkey.h"
#include "eval/perplexity.h"
#include "search/evaluator.h"
#include "search/fitness_items.h"
#include "search/race.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

// pg19-like/valid tokenized for `model`, documents in name order.
Shard pg19_valid_shard(const Model& model) {
  auto tok = load_tokenizer(model.tokenizer_path);
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(test::shared("data/pg19-like/valid")))
    files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return build_shard(*tok, model.tokenizer_path, files, 0, true);
}

// eval ppl's options for 3 documents (or chunks) under YaRN at s = 2 from L = 256.
PplOptions yarn2_options(PplMode mode) {
  PplOptions o;
  o.samples = 3;
  o.mode = mode;
  o.rope.kind = RopeKind::Yarn;
  o.rope.factor = 2.0;
  o.rope.original_max_position = 256;
  o.fixed_scale = true;
  o.quiet = true;
  return o;
}

TEST(FitnessItems, PplItemsAreEvalPplBitForBit) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  REQUIRE_SHARED("data/pg19-like/valid");
  auto model = load_model(test::shared("models/fixture-llama-5m"));
  const Shard shard = pg19_valid_shard(*model);
  Engine engine(*model);
  const PplOptions o = yarn2_options(PplMode::Truncate);
  const RopeScaling& r = o.rope;
  const LengthResult want = evaluate_length(engine, shard, o, 512);
  const auto items = ppl_items(model->config, shard, 3, 512);
  ASSERT_EQ(items.size(), 3u);
  std::vector<double> nll;
  long tokens = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].name, want.docs[i].name);
    EXPECT_EQ(items[i].tokens.size(), 512u);
    nll.push_back(item_nll(engine, items[i], r, tokens));
  }
  EXPECT_EQ(ppl_of(nll), want.ppl);  // bit for bit: the search scores what eval ppl reports
  EXPECT_EQ(tokens, want.tokens_processed);
}

// The llamacpp items are eval ppl --mode llamacpp's chunks: the same tokens, the same scored
// positions; exp(mean of the chunk means) equals that mode's exp(total NLL / tokens) up to the
// summation order (1e-12 relative).
TEST(FitnessItems, LlamaCppItemsAreEvalPplLlamaCppMode) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  REQUIRE_SHARED("data/pg19-like/valid");
  auto model = load_model(test::shared("models/fixture-llama-5m"));
  const Shard shard = pg19_valid_shard(*model);
  Engine engine(*model);
  const PplOptions o = yarn2_options(PplMode::LlamaCpp);
  const RopeScaling& r = o.rope;
  const LengthResult want = evaluate_length(engine, shard, o, 512);
  const auto items = document_items(FitnessKind::LlamaCpp, model->config, shard, 3, 512);
  ASSERT_EQ(items.size(), 3u);
  ASSERT_EQ(want.docs.size(), 3u);
  std::vector<double> nll;
  long tokens = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].name, want.docs[i].name);
    EXPECT_EQ(items[i].tokens.size(), 512u);
    EXPECT_EQ(items[i].tokens[0], model->config.bos_id);
    const double m = item_nll(engine, items[i], r, tokens);
    EXPECT_NEAR(m, want.docs[i].nll / want.docs[i].tokens, 1e-12 * m);
    EXPECT_EQ(want.docs[i].tokens, 255);  // positions 256..510 predict the next token
    nll.push_back(m);
  }
  EXPECT_NEAR(ppl_of(nll), want.ppl, 1e-12 * want.ppl);
  EXPECT_EQ(tokens, want.tokens_processed);
  // Not the Truncate documents: chunk 1 starts inside the joined stream.
  const auto docs = ppl_items(model->config, shard, 3, 512);
  EXPECT_NE(items[1].tokens, docs[1].tokens);
  EXPECT_EQ(parse_fitness_kind("llamacpp"), FitnessKind::LlamaCpp);
  EXPECT_STREQ(fitness_kind_name(FitnessKind::LlamaCpp), "llamacpp");
}

// The short objective is eval ppl at the short length under the deployed scaling, bit for bit.
TEST(FitnessItems, ShortObjectiveIsEvalPplBitForBit) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  REQUIRE_SHARED("data/pg19-like/valid");
  auto model = load_model(test::shared("models/fixture-llama-5m"));
  const Shard shard = pg19_valid_shard(*model);
  const int half = model->config.head_dim / 2;
  FitnessSpec spec;
  spec.target_length = 512;
  spec.original_length = 256;
  spec.samples = 2;
  spec.short_length = 256;
  spec.short_weight = 1.0;
  Individual ind;
  ind.lambda.assign(static_cast<size_t>(half), 1.5);
  for (int i = 0; i < half; ++i) ind.lambda[static_cast<size_t>(i)] += 0.02 * i;
  ind.start_tokens = 4;
  auto ev =
      make_local_evaluator(*model, ppl_items(model->config, shard, 2, 512), shard, spec, 1, 1);
  Fitness got;
  ev->evaluate({ind}, Race{}, [&](size_t, const Fitness& f) { got = f; });
  Engine engine(*model);
  PplOptions o;
  o.samples = 2;
  o.fixed_scale = true;
  o.quiet = true;
  o.rope = spec.scaling_for(ind, 512);
  const LengthResult want_long = evaluate_length(engine, shard, o, 512);
  o.rope = spec.scaling_for(ind, 256);
  const LengthResult want_short = evaluate_length(engine, shard, o, 256);
  EXPECT_EQ(got.ppl, want_long.ppl);
  EXPECT_EQ(got.short_ppl, want_short.ppl);
  EXPECT_GT(got.short_ppl, 1.0);
  EXPECT_EQ(got.tokens, want_long.tokens_processed + want_short.tokens_processed);
}

TEST(FitnessItems, NeedleItemsScoreTheKeyAndSeeRetrieval) {
  REQUIRE_SHARED("models/fixture-passkey-3m");
  auto model = load_model(test::shared("models/fixture-passkey-3m"));
  auto tok = load_tokenizer(model->tokenizer_path);
  const ModelConfig& c = model->config;
  const auto items = needle_items(*tok, c, 4, 250, 0);
  ASSERT_EQ(items.size(), 4u);
  Engine engine(*model);
  std::vector<double> nll;
  long tokens = 0;
  for (const auto& it : items) {
    // The scored tokens are the key, and the prompt is eval passkey's text.
    const std::vector<int> answer(it.tokens.begin() + it.from + 1, it.tokens.end());
    const std::string key =
        it.name.substr(it.name.find("key ") + 4, it.name.find(" round") - it.name.find("key ") - 4);
    std::string text;
    for (int id : answer) text += tok->decode_piece(id);
    while (!text.empty() && text.front() == ' ') text.erase(0, 1);
    EXPECT_EQ(text, key) << it.name;
    EXPECT_LE(it.from + 1, 250);
    nll.push_back(item_nll(engine, it, RopeScaling{}, tokens));
  }
  // The model retrieves inside its 256 trained tokens: the key costs little.
  EXPECT_LT(ppl_of(nll), 1.5);
  // At 1024 tokens without scaling it does not: the needle fitness is far higher.
  const auto far = needle_items(*tok, c, 4, 1024, 0);
  std::vector<double> far_nll;
  for (const auto& it : far) far_nll.push_back(item_nll(engine, it, RopeScaling{}, tokens));
  EXPECT_GT(ppl_of(far_nll), 5 * ppl_of(nll));
  // Another seed draws other keys; the default stream is not eval passkey's (seed 0, random).
  EXPECT_NE(needle_items(*tok, c, 1, 250, 1)[0].name, items[0].name);
  std::mt19937_64 eval_rng = passkey_cell_rng(0, 250, -1.0);
  EXPECT_EQ(items[0].name.find("key " + std::to_string(1 + eval_rng() % 50000) + " "),
            std::string::npos);
}

}  // namespace
}  // namespace lr
