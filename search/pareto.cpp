// The long-vs-short Pareto front: non-dominated set, knee, and picking a member by rule.
#include "search/pareto.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/util/error.h"
#include "search/optimizer_settings.h"

namespace lr {

bool two_objectives(const nlohmann::json& config) {
  if (!config.is_object() || !config.contains("optimizer")) return false;
  const auto& o = config["optimizer"];
  return o.is_string() && optimizer_objectives(parse_optimizer(o.get<std::string>())) == 2;
}

int short_length_of(const nlohmann::json& config) {
  if (!config.is_object()) return 0;
  const auto n = config.find("short_length");
  if (n != config.end() && n->is_number_integer() && n->get<int>() > 0) return n->get<int>();
  const auto l = config.find("original_length");
  return two_objectives(config) && l != config.end() && l->is_number_integer() ? l->get<int>() : 0;
}

bool has_both_objectives(const Individual& ind) {
  return !ind.rejected && std::isfinite(ind.ppl) && ind.ppl > 0 && std::isfinite(ind.short_ppl) &&
         ind.short_ppl > 0;
}

bool any_short_ppl(const std::vector<Individual>& all) {
  return std::any_of(all.begin(), all.end(), has_both_objectives);
}

std::vector<Individual> pareto_front(const std::vector<Individual>& all) {
  std::vector<const Individual*> c;
  for (const auto& ind : all)
    if (has_both_objectives(ind)) c.push_back(&ind);
  std::sort(c.begin(), c.end(), [](const Individual* a, const Individual* b) {
    if (a->ppl != b->ppl) return a->ppl < b->ppl;
    if (a->short_ppl != b->short_ppl) return a->short_ppl < b->short_ppl;
    return a->id < b->id;
  });
  // Swept by long PPL: a candidate is on the front iff its short PPL is below every short PPL
  // seen so far (the first of equal long PPLs has the lowest short PPL, then the lowest id).
  std::vector<Individual> front;
  double lowest_short = std::numeric_limits<double>::infinity();
  for (const Individual* p : c)
    if (p->short_ppl < lowest_short) {
      front.push_back(*p);
      lowest_short = p->short_ppl;
    }
  return front;
}

int knee_index(const std::vector<Individual>& front) {
  const int n = static_cast<int>(front.size());
  if (n <= 2) return n == 0 ? -1 : 0;
  const double x0 = front.front().ppl, x1 = front.back().ppl;
  const double y0 = front.back().short_ppl, y1 = front.front().short_ppl;
  int knee = 0;
  double far = -std::numeric_limits<double>::infinity();
  for (int i = 0; i < n; ++i) {
    const double x = (front[i].ppl - x0) / (x1 - x0);
    const double y = (front[i].short_ppl - y0) / (y1 - y0);
    const double d = 1.0 - x - y;  // ∝ the signed distance to the line x + y = 1
    if (d > far || (d == far && front[i].id < front[knee].id)) {
      far = d;
      knee = i;
    }
  }
  return knee;
}

Individual result_individual(const nlohmann::json& config, const std::vector<Individual>& all,
                             const Individual& best) {
  if (!two_objectives(config)) return best;
  const std::vector<Individual> front = pareto_front(all);
  return front.empty() ? best : front[knee_index(front)];
}

namespace {

std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

std::vector<Individual> front_or_fail(const std::vector<Individual>& all, const std::string& what) {
  std::vector<Individual> front = pareto_front(all);
  if (front.empty())
    fail(
        ErrorKind::InvalidArgument,
        what + ": no individual has a short PPL (search with --short-length or --optimizer nsga2)");
  return front;
}

}  // namespace

Individual pick_individual(const std::vector<Individual>& all, const std::string& rule,
                           const std::string& where) {
  const std::string r = trimmed(rule);
  const std::string what = where + " " + r;
  if (r == "knee") {
    const auto front = front_or_fail(all, what);
    return front[knee_index(front)];
  }
  if (r.rfind("short<=", 0) == 0) {
    const std::string v = trimmed(r.substr(7));
    char* end = nullptr;
    const double x = v.empty() ? NAN : std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !std::isfinite(x))
      fail(ErrorKind::InvalidArgument,
           where + " '" + rule + "': malformed: short<=X needs a number X (e.g. short<=3.5)");
    const auto front = front_or_fail(all, what);
    for (const auto& m : front)  // by long PPL ascending: the first that fits
      if (m.short_ppl <= x) return m;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", front.back().short_ppl);
    fail(ErrorKind::InvalidArgument,
         what + ": no front member satisfies it (the lowest short PPL is " + buf + ")");
  }
  if (r.rfind("id=", 0) == 0) {
    const std::string v = trimmed(r.substr(3));
    char* end = nullptr;
    const long long id = v.empty() ? -1 : std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || id < 0)
      fail(ErrorKind::InvalidArgument,
           where + " '" + rule + "': malformed: id=N needs a non-negative integer N");
    for (const auto& ind : all)
      if (ind.id == id) {
        if (ind.rejected || !std::isfinite(ind.ppl))
          fail(ErrorKind::InvalidArgument,
               what + ": individual " + v + " was not evaluated in full (raced or screened out)");
        return ind;
      }
    fail(ErrorKind::InvalidArgument, what + ": no such id in the archive");
  }
  fail(ErrorKind::InvalidArgument,
       where + " '" + rule + "': malformed (expected knee, short<=X or id=N)");
}

nlohmann::json front_json(const std::vector<Individual>& front) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& m : front) {
    a.push_back({{"id", m.id}, {"ppl", m.ppl}, {"short_ppl", m.short_ppl}});
    if (m.mscale > 0) a.back()["mscale"] = m.mscale;
  }
  return a;
}

}  // namespace lr
