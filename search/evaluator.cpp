// Local evaluator: a pool of engines over one shared, read-only model.
#include "search/evaluator.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>
#include <thread>

#include "core/engine/forward.h"
#include "core/util/error.h"
#include "core/util/parallel.h"

namespace lr {

RopeScaling FitnessSpec::scaling_for(const Genome& ind, int length) const {
  RopeScaling r;
  r.kind = RopeKind::LongRope;
  r.factors = {ind.lambda};
  r.start_tokens = ind.start_tokens;
  r.original_max_position = original_length;
  r.factor = std::max(1.0, static_cast<double>(length) / original_length);
  r.mscale = mscale;
  r.mscale_value = mscale_value;
  if (ind.mscale > 0) {  // searched (--search-mscale): this candidate's own attention factor
    r.mscale = MscaleKind::Fixed;
    r.mscale_value = ind.mscale;
  }
  if (single_set && length < target_length) r.target_length = target_length;
  if (short_search()) {  // exactly as deployed: the length picks the set
    r.factors = {long_factors};
    r.short_factors = {ind.lambda};
    r.start_tokens = 0;
    r.target_length = target_length;
  }
  return r;
}

double FitnessSpec::combine(const Fitness& f) const {
  if (short_length > 0 && short_max_ppl > 0 && f.short_ppl > short_max_ppl)
    return std::numeric_limits<double>::infinity();
  return f.ppl + (short_length > 0 ? short_weight * f.short_ppl : 0.0);
}

namespace {

class LocalEvaluator : public Evaluator {
 public:
  LocalEvaluator(const Model& m, std::vector<FitnessItem> items, const Shard& s,
                 const FitnessSpec& spec, int threads, int parallel)
      : items_(std::move(items)), spec_(spec) {
    if (items_.empty()) fail(ErrorKind::InvalidArgument, "search: no fitness items");
    // The short objective scores --data at the short length: llama.cpp chunks under that
    // fitness, else eval ppl's documents (a needle search's short objective included).
    if (spec_.short_length > 0)
      short_items_ = document_items(
          spec_.kind == FitnessKind::LlamaCpp ? FitnessKind::LlamaCpp : FitnessKind::Ppl, m.config,
          s, spec_.samples, spec_.short_length);
    if (parallel < 1) fail(ErrorKind::InvalidArgument, "--parallel-candidates must be >= 1");
    if (threads <= 0) threads = max_threads();
    parallel_ = std::min(parallel, threads);
    threads_each_ = std::max(1, threads / parallel_);
    for (int i = 0; i < parallel_; ++i) engines_.push_back(std::make_unique<Engine>(m));
  }

  void evaluate(const std::vector<Individual>& batch, const Race& race,
                const OnResult& done) override {
    std::atomic<size_t> next{0};
    std::mutex mu;
    std::exception_ptr error;
    auto work = [&](int w) {
      set_worker_threads(threads_each_);
      for (size_t i; (i = next.fetch_add(1)) < batch.size();) {
        try {
          Fitness f = score(*engines_[w], items_,
                            spec_.scaling_for(batch[i], spec_.fitness_length()), race);
          if (spec_.short_length > 0 && !f.rejected) {
            const Fitness sf = score(*engines_[w], short_items_,
                                     spec_.scaling_for(batch[i], spec_.short_length), Race{});
            f.short_ppl = sf.ppl;
            f.tokens += sf.tokens;
          }
          std::lock_guard<std::mutex> lock(mu);
          done(i, f);
        } catch (...) {
          std::lock_guard<std::mutex> lock(mu);
          if (!error) error = std::current_exception();
          next = batch.size();
        }
      }
    };
    if (parallel_ == 1) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      for (int w = 0; w < parallel_; ++w) pool.emplace_back(work, w);
      for (auto& t : pool) t.join();
    }
    if (error) std::rethrow_exception(error);
  }

  double evaluate_scaling(const RopeScaling& r) override {
    set_worker_threads(threads_each_ * parallel_);
    return score(*engines_[0], items_, r, Race{}).ppl;
  }

 private:
  static Fitness score(Engine& e, const std::vector<FitnessItem>& items, const RopeScaling& r,
                       const Race& race) {
    const ItemScores s = score_items(
        items.size(), [&](size_t i, long& tokens) { return item_nll(e, items[i], r, tokens); },
        race);
    Fitness f;
    f.item_nll = s.nll;
    f.rejected = s.rejected;
    f.tokens = s.tokens;
    f.ppl = ppl_of(s.nll);
    return f;
  }

  std::vector<FitnessItem> items_, short_items_;
  FitnessSpec spec_;
  int parallel_ = 1, threads_each_ = 1;
  std::vector<std::unique_ptr<Engine>> engines_;
};

}  // namespace

std::unique_ptr<Evaluator> make_local_evaluator(const Model& model, std::vector<FitnessItem> items,
                                                const Shard& shard, const FitnessSpec& spec,
                                                int threads, int parallel) {
  return std::make_unique<LocalEvaluator>(model, std::move(items), shard, spec, threads, parallel);
}

}  // namespace lr
