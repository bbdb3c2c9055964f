// Fitness items: the PPL items are eval ppl's documents (same bits), needle items score the
// key's tokens, and the needle fitness sees retrieval (low inside the trained context).
#include <cmath>

#include "evaluator.h"
#include "fitness_items.h"
#include "passkey.h"
#include "perplexity.h"
#include "race.h"
#include "test_util.h"

namespace lr {
namespace {

TEST(FitnessItems, PplItemsAreEvalPplBitForBit) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  REQUIRE_SHARED("data/pg19-like/valid");
  auto model = load_model(test::shared("models/fixture-llama-5m"));
  auto tok = load_tokenizer(model->tokenizer_path);
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(test::shared("data/pg19-like/valid")))
    files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  const Shard shard = build_shard(*tok, model->tokenizer_path, files, 0, true);
  Engine engine(*model);
  RopeScaling r;
  r.kind = RopeKind::Yarn;
  r.factor = 2.0;
  r.original_max_position = 256;
  PplOptions o;
  o.samples = 3;
  o.rope = r;
  o.fixed_scale = true;
  o.quiet = true;
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
