// Forward-pass timings at a model's shape for `plan --search`: random weights, layer views.
#include "core/engine/speed_probe.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "core/engine/forward.h"
#include "core/util/error.h"

namespace lr {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// splitmix64: a fast, seeded stream (timing only needs plausible values).
struct Stream {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  float uniform() { return static_cast<float>(next() >> 40) / static_cast<float>(1 << 24); }
};

const float* owned_values(Weights& w, size_t n, float value) {
  w.owned.emplace_back(n, value);
  w.bytes += n * sizeof(float);
  return w.owned.back().data();
}

QTensor random_matrix(Weights& w, Stream& rng, int64_t rows, int64_t cols) {
  const float half = 0.02f * std::sqrt(3.0f);  // uniform(-h, h) has standard deviation h/√3
  w.owned.emplace_back(static_cast<size_t>(rows * cols));
  for (float& v : w.owned.back()) v = (2.0f * rng.uniform() - 1.0f) * half;
  w.bytes += w.owned.back().size() * sizeof(float);
  return QTensor::f32(w.owned.back().data(), rows, cols);
}

// The best of `passes` passes of `e` on `length` random ids, wall and CPU time each (the engine
// is kept between calls, as a search keeps its own, so buffers are allocated once per length).
ForwardTiming time_pass(Engine& e, int length, int passes) {
  Stream rng{static_cast<uint64_t>(length)};
  std::vector<int> tokens(static_cast<size_t>(length));
  for (int& t : tokens)
    t = static_cast<int>(rng.next() % static_cast<uint64_t>(e.model().config.vocab_size));
  ForwardTiming best{length, 0.0, 0.0};
  for (int i = 0; i < passes; ++i) {
    const double t0 = now_s(), c0 = cpu_s();
    e.logprobs(tokens, RopeScaling{}, 0);
    const double dt = now_s() - t0, dc = cpu_s() - c0;
    best.seconds = i == 0 ? dt : std::min(best.seconds, dt);
    best.cpu_seconds = i == 0 ? dc : std::min(best.cpu_seconds, dc);
  }
  return best;
}

}  // namespace

std::unique_ptr<Model> random_weight_model(const ModelConfig& c, int layers, uint64_t seed) {
  if (layers < 1 || layers > c.n_layers)
    fail(ErrorKind::InvalidArgument, "random_weight_model: layers out of range");
  auto m = std::make_unique<Model>();
  m->config = c;
  m->config.n_layers = layers;
  m->config.rope_freq_factors.clear();
  m->config.rope_short_factors.clear();
  m->path = "(random weights)";
  Weights& w = m->weights;
  Stream rng{seed};
  w.tok_embd = random_matrix(w, rng, c.vocab_size, c.dim);
  for (int l = 0; l < layers; ++l) {
    LayerWeights L;
    L.attn_norm = owned_values(w, static_cast<size_t>(c.dim), 1.0f);
    L.ffn_norm = owned_values(w, static_cast<size_t>(c.dim), 1.0f);
    L.wq = random_matrix(w, rng, c.q_dim(), c.dim);
    L.wk = random_matrix(w, rng, c.kv_dim(), c.dim);
    L.wv = random_matrix(w, rng, c.kv_dim(), c.dim);
    L.wo = random_matrix(w, rng, c.dim, c.q_dim());
    L.w_gate = random_matrix(w, rng, c.hidden_dim, c.dim);
    L.w_up = random_matrix(w, rng, c.hidden_dim, c.dim);
    L.w_down = random_matrix(w, rng, c.dim, c.hidden_dim);
    w.layers.push_back(L);
  }
  w.out_norm = owned_values(w, static_cast<size_t>(c.dim), 1.0f);
  w.output = c.tied_output ? w.tok_embd : random_matrix(w, rng, c.vocab_size, c.dim);
  return m;
}

std::unique_ptr<Model> first_layers(const Model& m, int layers) {
  if (layers < 1 || layers > m.config.n_layers)
    fail(ErrorKind::InvalidArgument, "first_layers: layers out of range");
  auto v = std::make_unique<Model>();
  v->config = m.config;
  v->config.n_layers = layers;
  v->path = m.path;
  v->weights.tok_embd = m.weights.tok_embd;
  v->weights.layers.assign(m.weights.layers.begin(), m.weights.layers.begin() + layers);
  v->weights.out_norm = m.weights.out_norm;
  v->weights.output = m.weights.output;
  return v;
}

SpeedProbe probe_forward_speed(const ModelConfig& c, const Model* weights, double budget_s,
                               int max_length) {
  if (budget_s <= 0) fail(ErrorKind::InvalidArgument, "calibration budget must be > 0 seconds");
  const double t_begin = now_s();
  SpeedProbe p;
  // The whole model when a 1024-token pass needs under a quarter of the budget at 50 GFLOP/s.
  const bool whole = c.n_layers <= 2 || prefill_flops(c, 1024, 1024) / 5e10 < budget_s / 4;
  std::unique_ptr<Model> own_full, own_two, one, two;
  const Model* full = weights;
  if (whole) {
    if (!full) full = (own_full = random_weight_model(c, c.n_layers, 1)).get();
    p.method = std::string(weights ? "the model's own weights" : "random weights of its shape") +
               ", all " + std::to_string(c.n_layers) + " layers";
  } else {
    const Model* base = weights ? weights : (own_two = random_weight_model(c, 2, 1)).get();
    one = first_layers(*base, 1);
    two = first_layers(*base, 2);
    p.method = std::string(weights ? "the model's own weights" : "random weights of its shape") +
               ", 1 and 2 layers timed, extrapolated to " + std::to_string(c.n_layers);
  }
  const double t_start = now_s();  // the budget counts from here (weights made)
  std::unique_ptr<Engine> e_full, e_one, e_two;
  if (whole) {
    e_full = std::make_unique<Engine>(*full);
  } else {
    e_one = std::make_unique<Engine>(*one);
    e_two = std::make_unique<Engine>(*two);
  }
  // The whole model's seconds at n (best of `passes`): one model, or the layer extrapolation.
  auto pass = [&](int n, int passes) {
    if (whole) return time_pass(*e_full, n, passes);
    const ForwardTiming t1 = time_pass(*e_one, n, passes), t2 = time_pass(*e_two, n, passes);
    const int more = c.n_layers - 1;
    return ForwardTiming{n, t1.seconds + more * std::max(0.0, t2.seconds - t1.seconds),
                         t1.cpu_seconds + more * std::max(0.0, t2.cpu_seconds - t1.cpu_seconds)};
  };
  auto cost = [&](double t) {  // what timing a length once more costs (subsets: 2 short passes)
    return whole ? t : t * 3.0 / c.n_layers;
  };
  const int cap = std::max(128, max_length);
  int n = std::min(256, std::max(64, cap / 2));
  time_pass(whole ? *e_full : *e_one, std::min(n, 64), 1);  // warm-up (pages, threads)
  // Round 1 (2 passes each): lengths double up to `max_length` while the next one (2-4 times
  // this one's cost) fits the budget, so a target within reach is timed itself rather than
  // extrapolated.
  double round_cost = 0;
  for (;;) {
    const ForwardTiming ft = pass(n, 2);  // the second pass reuses the first one's buffers
    const double t = ft.seconds;
    p.samples.push_back(ft);
    round_cost += cost(t);
    const double spent = now_s() - t_start;
    if (2 * n > cap || (p.samples.size() >= 2 && spent + 6.0 * cost(t) > budget_s)) break;
    n *= 2;
  }
  // Up to two more rounds over the same lengths, the best pass of each kept: a transient load
  // spike on a shared machine then spoils one pass, not the fit.
  for (int r = 0; r < 2 && now_s() - t_start + round_cost <= budget_s; ++r)
    for (ForwardTiming& s : p.samples) {
      const ForwardTiming again = pass(s.length, 1);
      s.seconds = std::min(s.seconds, again.seconds);
      s.cpu_seconds = std::min(s.cpu_seconds, again.cpu_seconds);
    }
  p.seconds_spent = now_s() - t_begin;
  return p;
}

}  // namespace lr
