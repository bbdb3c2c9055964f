// Summary of a search archive for `inspect --archive`: progress, best individual, baselines.
#include "search/archive_summary.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/rope/rope.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"
#include "search/pareto.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lr {

std::vector<BaselinePpl> read_summary_csv(const std::string& path) {
  std::vector<BaselinePpl> rows;
  std::error_code ec;
  if (!fs::exists(path, ec)) return rows;
  std::ifstream in(path);
  if (!in) fail(ErrorKind::Io, "cannot read '" + path + "'");
  std::string line;
  // The second column is the run's fitness: "ppl", or "needle_ppl" for --fitness needle.
  if (!std::getline(in, line) ||
      (line.rfind("method,ppl,", 0) != 0 && line.rfind("method,needle_ppl,", 0) != 0))
    fail(ErrorKind::Format,
         path +
             ": expected the header 'method,ppl,start_tokens' or 'method,needle_ppl,start_tokens'");
  int lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string method, ppl, st;
    std::getline(ss, method, ',');
    std::getline(ss, ppl, ',');
    std::getline(ss, st, ',');
    BaselinePpl b;
    b.method = method;
    try {
      b.ppl = std::stod(ppl);
      b.start_tokens = st.empty() ? 0 : std::stoi(st);
    } catch (const std::exception&) {
      fail(ErrorKind::Format, path + ": line " + std::to_string(lineno) + ": bad number");
    }
    rows.push_back(b);
  }
  return rows;
}

std::vector<BaselinePpl> read_result_baselines(const std::string& path) {
  std::vector<BaselinePpl> rows;
  std::error_code ec;
  if (!fs::exists(path, ec)) return rows;
  try {
    const json j = json::parse(read_text_file(path));
    if (!j.is_object() || !j.contains("baselines")) return rows;
    for (const auto& r : j.at("baselines")) {
      if (!r.contains("short_ppl")) continue;
      BaselinePpl b;
      b.method = r.at("method").get<std::string>();
      b.ppl = r.at("ppl").get<double>();
      b.start_tokens = r.value("start_tokens", 0);
      b.short_ppl = r.at("short_ppl").get<double>();
      rows.push_back(b);
    }
  } catch (const json::exception& e) {
    fail(ErrorKind::Format, path + ": malformed baselines: " + e.what());
  }
  return rows;
}

ArchiveSummary summarize_archive(const std::string& path, const ArchiveData& a,
                                 std::optional<double> rope_theta,
                                 const std::string& theta_source) {
  ArchiveSummary s;
  s.path = path;
  s.config = a.config;
  s.finished = a.final_best >= 0;
  s.half = a.half;
  s.iterations = a.iterations;
  s.individuals = a.individuals;
  s.evaluations = a.individuals.size();
  const json& c = a.config;
  double beta_fast = 32.0, beta_slow = 1.0;
  try {
    s.target_length = c.value("target_length", 0);
    s.original_length = c.value("original_length", c.value("original_max_position", 0));
    s.scale = c.value("scale", s.original_length > 0
                                   ? static_cast<double>(s.target_length) / s.original_length
                                   : 1.0);
    beta_fast = c.value("beta_fast", 32.0);
    beta_slow = c.value("beta_slow", 1.0);
  } catch (const json::exception& e) {
    fail(ErrorKind::Format, path + ": bad value in the config attribute: " + e.what());
  }
  if (!(s.scale >= 1.0 && s.scale <= 1e6))
    fail(ErrorKind::Format, path + ": config scale " + std::to_string(s.scale) + " is impossible");
  for (const auto& r : s.iterations) {
    int n = 0;
    for (const auto& ind : a.individuals) n += ind.iteration == r.iteration;
    s.evaluations_per_iteration.push_back(n);
  }
  if (a.individuals.empty()) fail(ErrorKind::Data, path + ": the archive holds no evaluation yet");
  // The final best when the run finished, else the best so far (lowest PPL, then lowest id;
  // raced-out individuals only hold an estimate and are never the best).
  auto it = std::find_if(a.individuals.begin(), a.individuals.end(),
                         [&](const Individual& i) { return i.id == a.final_best; });
  if (it == a.individuals.end())
    it = std::min_element(a.individuals.begin(), a.individuals.end(),
                          [](const Individual& x, const Individual& y) {
                            if (x.rejected != y.rejected) return y.rejected;
                            const bool xn = std::isnan(x.ppl), yn = std::isnan(y.ppl);
                            if (xn != yn) return yn;
                            return x.ppl < y.ppl || (x.ppl == y.ppl && x.id < y.id);
                          });
  s.best = *it;
  const int head_dim = 2 * s.half;
  s.pi = pi_factors(head_dim, s.scale);
  s.ntk = ntk_factors(head_dim, s.scale);
  if (!rope_theta) {
    s.yarn_note = "YaRN omitted: " + theta_source;
  } else if (s.original_length <= 0) {
    s.yarn_note = "YaRN omitted: the archive does not state the original length";
  } else {
    s.yarn = yarn_factors(head_dim, *rope_theta, s.scale, s.original_length, beta_fast, beta_slow);
    std::ostringstream os;
    os << "YaRN with rope_theta " << *rope_theta << " from " << theta_source << ", beta_fast "
       << beta_fast << ", beta_slow " << beta_slow;
    s.yarn_note = os.str();
  }
  s.baselines = read_summary_csv((fs::path(path).parent_path() / "summary.csv").string());
  s.front = pareto_front(a.individuals);
  if (!s.front.empty()) {
    s.knee_id = s.front[knee_index(s.front)].id;
    s.short_length = short_length_of(c);
    s.front_baselines =
        read_result_baselines((fs::path(path).parent_path() / "result_final.json").string());
  }
  return s;
}

namespace {
long raced_out(const ArchiveSummary& s) {
  long n = 0;
  for (const auto& i : s.individuals) n += i.rejected && !i.screened_out() ? 1 : 0;
  return n;
}
long screened_out(const ArchiveSummary& s) {
  long n = 0;
  for (const auto& i : s.individuals) n += i.screened_out() ? 1 : 0;
  return n;
}
long tokens_processed(const ArchiveSummary& s) {
  long n = 0;
  for (const auto& i : s.individuals) n += i.tokens;
  return n;
}
}  // namespace

json to_json(const ArchiveSummary& s) {
  const json& c = s.config;
  json run = json::object();
  for (const char* k : {"model",
                        "data",
                        "target_length",
                        "original_length",
                        "scale",
                        "algorithm",
                        "seed",
                        "samples",
                        "search_start_tokens",
                        "mscale",
                        "search_mscale",
                        "mscale_bounds",
                        "short_length",
                        "fitness",
                        "racing",
                        "racing_z",
                        "screen_length",
                        "screen_keep",
                        "hyperparams",
                        "toolkit"})
    if (c.contains(k)) run[k] = c[k];
  json iters = json::array();
  for (size_t i = 0; i < s.iterations.size(); ++i) {
    const auto& r = s.iterations[i];
    iters.push_back({{"iteration", r.iteration},
                     {"best_id", r.best_id},
                     {"best_ppl", r.best_ppl},
                     {"median_ppl", r.median_ppl},
                     {"population", r.population.size()},
                     {"evaluations", s.evaluations_per_iteration[i]}});
  }
  json base = json::array();
  for (const auto& b : s.baselines)
    base.push_back({{"method", b.method}, {"ppl", b.ppl}, {"start_tokens", b.start_tokens}});
  json out = {{"archive", s.path},
              {"run", run},
              {"finished", s.finished},
              {"evaluations", s.evaluations},
              {"raced_out", raced_out(s)},
              {"screened_out", screened_out(s)},
              {"tokens_processed", tokens_processed(s)},
              {"iterations", iters},
              {"best",
               {{"id", s.best.id},
                {"ppl", s.best.ppl},
                {"start_tokens", s.best.start_tokens},
                {"iteration", s.best.iteration},
                {"final", s.finished},
                {"factors", s.best.lambda}}},
              {"compare_factors",
               {{"pi", s.pi},
                {"ntk", s.ntk},
                {"yarn", s.yarn.empty() ? json(nullptr) : json(s.yarn)},
                {"note", s.yarn_note}}},
              {"summary_csv", base}};
  if (s.best.mscale > 0) out["best"]["mscale"] = s.best.mscale;  // --search-mscale runs
  if (!s.front.empty()) {
    json points = json::array();
    for (const auto& b : s.front_baselines)
      points.push_back({{"method", b.method}, {"ppl", b.ppl}, {"short_ppl", b.short_ppl}});
    out["front"] = {{"short_length", s.short_length},
                    {"knee_id", s.knee_id},
                    {"members", front_json(s.front)},
                    {"baselines", points}};
  }
  return out;
}

}  // namespace lr
