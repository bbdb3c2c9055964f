// HDF5 archive writing/reading (the second and last HDF5 module).
#include "search/archive.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "core/util/error.h"
#include "core/util/sha256.h"
#include "datasets/h5util.h"
#include "longrope/version.h"

namespace lr {

namespace {
constexpr int kArchiveFormat = 1;
constexpr hsize_t kMaxHalf = 1 << 16;  // head_dim / 2 of any real model is far below

// SHA-256 over everything the archive holds (HDF5 has no checksums on raw data): the config
// text, the final id and every dataset's bytes in a fixed order. Stored as content_sha256.
struct ContentHash {
  Sha256 h;
  template <typename T>
  void add(const std::vector<T>& v) {
    const uint64_t n = v.size();
    h.update(&n, sizeof n);
    if (n) h.update(v.data(), n * sizeof(T));
  }
};

using I64s = std::vector<int64_t>;
using F64s = std::vector<double>;
// The datasets that content_sha256 covers, in its order; the racing records (absent from
// archives before racing) go last and are left out when null, then the screen PPLs (absent
// before the length screen) likewise, then the searched attention factors (--search-mscale runs
// only), then the F32 re-judgements (runs that re-judged finalists only).
struct Contents {
  std::vector<const I64s*> ints;
  std::vector<const F64s*> reals;
  const I64s *rejected = nullptr, *tokens = nullptr, *scored = nullptr;
  const F64s* items = nullptr;
  const F64s* screen = nullptr;
  const F64s* mscale = nullptr;
  const F64s *ppl_f32 = nullptr, *short_f32 = nullptr;
};
std::string content_sha256(const std::string& config_text, int64_t final_best, const Contents& c) {
  ContentHash ch;
  ch.h.update(config_text);
  ch.h.update(&final_best, sizeof final_best);
  for (const auto* v : c.ints) ch.add(*v);
  for (const auto* v : c.reals) ch.add(*v);
  if (c.rejected) {
    ch.add(*c.rejected);
    ch.add(*c.tokens);
    ch.add(*c.scored);
    ch.add(*c.items);
  }
  if (c.screen) ch.add(*c.screen);
  if (c.mscale) ch.add(*c.mscale);
  if (c.ppl_f32) {
    ch.add(*c.ppl_f32);
    ch.add(*c.short_f32);
  }
  return ch.h.hex();
}
}  // namespace

void write_archive(const std::string& path, const ArchiveData& a) {
  h5::write_atomically(path, [&](hid_t f) {
    h5::write_attr(f, "kind", "longrope-search-archive");
    h5::write_attr_int(f, "format_version", kArchiveFormat);
    h5::write_attr(f, "toolkit", std::string("longrope ") + kVersion + " (" + kGitSha + ")");
    h5::write_attr(f, "config", a.config.dump());
    h5::write_attr_int(f, "final_best_id", a.final_best);
    const size_t n = a.individuals.size();
    std::vector<double> lambda, ppl, short_ppl, wall, items, screen, mscale, ppl_f32, short_f32;
    bool any_mscale = false;  // the dataset is written for --search-mscale runs only
    bool any_f32 = false;     // the F32 re-judgements: for runs that re-judged only
    std::vector<int64_t> id, st, origin, p1, p2, it, rejected, tokens, scored;
    size_t n_items = 0;  // widest per-item record; shorter ones padded with NaN
    for (const auto& ind : a.individuals) n_items = std::max(n_items, ind.item_nll.size());
    for (const auto& ind : a.individuals) {
      for (size_t k = 0; k < n_items; ++k)
        items.push_back(k < ind.item_nll.size() ? ind.item_nll[k] : std::nan(""));
      rejected.push_back(ind.rejected ? 1 : 0);
      tokens.push_back(ind.tokens);
      scored.push_back(static_cast<int64_t>(ind.item_nll.size()));
      lambda.insert(lambda.end(), ind.lambda.begin(), ind.lambda.end());
      id.push_back(ind.id);
      st.push_back(ind.start_tokens);
      ppl.push_back(ind.ppl);
      short_ppl.push_back(ind.short_ppl);
      screen.push_back(ind.screen_ppl);
      mscale.push_back(ind.mscale);
      any_mscale = any_mscale || ind.mscale != 0;
      ppl_f32.push_back(ind.ppl_f32);
      short_f32.push_back(ind.short_ppl_f32);
      any_f32 = any_f32 || ind.ppl_f32 != 0;
      origin.push_back(static_cast<int64_t>(ind.origin));
      p1.push_back(ind.parent1);
      p2.push_back(ind.parent2);
      it.push_back(ind.iteration);
      wall.push_back(ind.wall_time);
    }
    h5::Handle g{h5::create_group(f, "individuals"), H5Gclose};
    h5::write_raw(g.id, "lambda", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE,
                  {n, static_cast<hsize_t>(a.half)}, lambda.data());
    auto i64 = [&](const char* name, const std::vector<int64_t>& v) {
      h5::write_vec(g.id, name, H5T_NATIVE_INT64, H5T_STD_I64LE, v);
    };
    auto f64 = [&](const char* name, const std::vector<double>& v) {
      h5::write_vec(g.id, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, v);
    };
    i64("id", id);
    i64("start_tokens", st);
    f64("ppl", ppl);
    f64("short_ppl", short_ppl);
    i64("origin", origin);
    i64("parent1", p1);
    i64("parent2", p2);
    i64("iteration", it);
    f64("wall_time", wall);
    i64("rejected", rejected);
    i64("tokens", tokens);
    i64("items_scored", scored);
    h5::write_raw(g.id, "item_nll", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, {n, n_items}, items.data());
    f64("screen_ppl", screen);
    if (any_mscale) f64("mscale", mscale);
    if (any_f32) {
      f64("ppl_f32", ppl_f32);
      f64("short_ppl_f32", short_f32);
    }
    h5::write_attr(g.id, "origin_codes", "0=init 1=mutation 2=crossover 3=optimizer");
    h5::Handle gi{h5::create_group(f, "iterations"), H5Gclose};
    std::vector<int64_t> iter, best, pop;
    std::vector<double> best_ppl, med;
    size_t width = 0;
    for (const auto& r : a.iterations) width = std::max(width, r.population.size());
    for (const auto& r : a.iterations) {
      iter.push_back(r.iteration);
      best.push_back(r.best_id);
      best_ppl.push_back(r.best_ppl);
      med.push_back(r.median_ppl);
      for (size_t k = 0; k < width; ++k)
        pop.push_back(k < r.population.size() ? r.population[k] : -1);
    }
    h5::write_vec(gi.id, "iteration", H5T_NATIVE_INT64, H5T_STD_I64LE, iter);
    h5::write_vec(gi.id, "best_id", H5T_NATIVE_INT64, H5T_STD_I64LE, best);
    h5::write_vec(gi.id, "best_ppl", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, best_ppl);
    h5::write_vec(gi.id, "median_ppl", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, med);
    h5::write_raw(gi.id, "population", H5T_NATIVE_INT64, H5T_STD_I64LE,
                  {a.iterations.size(), width}, pop.data());
    const Contents c{{&id, &st, &origin, &p1, &p2, &it, &iter, &best, &pop},
                     {&lambda, &ppl, &short_ppl, &wall, &best_ppl, &med},
                     &rejected,
                     &tokens,
                     &scored,
                     &items,
                     &screen,
                     any_mscale ? &mscale : nullptr,
                     any_f32 ? &ppl_f32 : nullptr,
                     any_f32 ? &short_f32 : nullptr};
    h5::write_attr(f, "content_sha256", content_sha256(a.config.dump(), a.final_best, c));
  });
}

namespace {
ArchiveData read_archive_here(const std::string& path) {
  h5::Handle f{h5::open_read(path), H5Fclose};
  if (!h5::has_attr(f.id, "kind") || h5::read_attr(f.id, "kind", path) != "longrope-search-archive")
    fail(ErrorKind::Format, path + ": not a longrope search archive");
  // Archives without the attribute are version 1.
  const long long version =
      h5::has_attr(f.id, "format_version") ? h5::read_attr_int(f.id, "format_version", path) : 1;
  if (version != kArchiveFormat)
    fail(ErrorKind::Unsupported, path + ": archive format version " + std::to_string(version) +
                                     " unsupported (this build reads version " +
                                     std::to_string(kArchiveFormat) + ")");
  ArchiveData a;
  const std::string config_text = h5::read_attr(f.id, "config", path);
  try {
    a.config = nlohmann::json::parse(config_text);
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::Format, path + ": corrupt config attribute: " + e.what());
  }
  if (!a.config.is_object()) fail(ErrorKind::Format, path + ": config attribute is not an object");
  a.final_best = h5::read_attr_int(f.id, "final_best_id", path);
  h5::Handle g{H5Gopen2(f.id, "individuals", H5P_DEFAULT), H5Gclose};
  if (g.id < 0) fail(ErrorKind::Format, path + ": no individuals group");
  std::vector<hsize_t> dims;
  const auto lambda = h5::read_vec<double>(g.id, "lambda", H5T_NATIVE_DOUBLE, path, &dims);
  if (dims.size() != 2 || dims[1] < 1 || dims[1] > kMaxHalf)
    fail(ErrorKind::Format, path + ": individuals/lambda is not an (n, head_dim/2) matrix");
  a.half = static_cast<int>(dims[1]);
  const size_t n = dims[0];
  // Every per-individual dataset: 1-D with exactly n entries.
  auto sized = [&](auto v, const char* name) {
    if (v.size() != n)
      fail(ErrorKind::Format, path + ": individuals/" + name + " has " + std::to_string(v.size()) +
                                  " entries, lambda has " + std::to_string(n) + " rows");
    return v;
  };
  auto i64 = [&](const char* name) {
    std::vector<hsize_t> d;
    auto v = h5::read_vec<int64_t>(g.id, name, H5T_NATIVE_INT64, path, &d);
    if (d.size() != 1) fail(ErrorKind::Format, path + ": individuals/" + name + " is not 1-D");
    return sized(std::move(v), name);
  };
  auto f64 = [&](const char* name) {
    std::vector<hsize_t> d;
    auto v = h5::read_vec<double>(g.id, name, H5T_NATIVE_DOUBLE, path, &d);
    if (d.size() != 1) fail(ErrorKind::Format, path + ": individuals/" + name + " is not 1-D");
    return sized(std::move(v), name);
  };
  const auto id = i64("id"), st = i64("start_tokens"), origin = i64("origin"), p1 = i64("parent1"),
             p2 = i64("parent2"), it = i64("iteration");
  const auto ppl = f64("ppl"), sppl = f64("short_ppl"), wall = f64("wall_time");
  // Racing records (absent in archives from before racing: every evaluation complete).
  const bool racing_records = H5Lexists(g.id, "item_nll", H5P_DEFAULT) > 0;
  std::vector<int64_t> rejected, tokens, scored;
  std::vector<double> items;
  size_t n_items = 0;
  if (racing_records) {
    rejected = i64("rejected");
    tokens = i64("tokens");
    scored = i64("items_scored");
    std::vector<hsize_t> d;
    items = h5::read_vec<double>(g.id, "item_nll", H5T_NATIVE_DOUBLE, path, &d);
    if (d.size() != 2 || d[0] != n)
      fail(ErrorKind::Format, path + ": individuals/item_nll is not an (n, items) matrix");
    n_items = d[1];
  }
  // Length-screen records (absent in archives from before the screen: none screened).
  const bool screen_records = H5Lexists(g.id, "screen_ppl", H5P_DEFAULT) > 0;
  const std::vector<double> screen = screen_records ? f64("screen_ppl") : std::vector<double>(n);
  // Searched attention factors (--search-mscale runs only; elsewhere 0, the run's rule).
  const bool mscale_records = H5Lexists(g.id, "mscale", H5P_DEFAULT) > 0;
  const std::vector<double> mscale = mscale_records ? f64("mscale") : std::vector<double>(n);
  // F32 re-judgements (runs that re-judged finalists only; elsewhere 0, not re-judged).
  const bool f32_records = H5Lexists(g.id, "ppl_f32", H5P_DEFAULT) > 0;
  const std::vector<double> ppl_f32 = f32_records ? f64("ppl_f32") : std::vector<double>(n);
  const std::vector<double> short_f32 = f32_records ? f64("short_ppl_f32") : std::vector<double>(n);
  for (size_t i = 0; i < n; ++i) {
    const bool ok = id[i] >= 0 && (i == 0 || id[i] > id[i - 1]) && st[i] >= 0 &&
                    st[i] <= INT32_MAX && origin[i] >= 0 && origin[i] <= 3 && it[i] >= 0 &&
                    it[i] <= INT32_MAX;
    if (!ok)
      fail(ErrorKind::Format, path + ": individual " + std::to_string(i) +
                                  " has an impossible id, n̂, origin or iteration: corrupt");
    Individual ind;
    ind.id = id[i];
    ind.lambda.assign(lambda.begin() + i * a.half, lambda.begin() + (i + 1) * a.half);
    ind.start_tokens = static_cast<int>(st[i]);
    ind.ppl = ppl[i];
    ind.short_ppl = sppl[i];
    ind.origin = static_cast<Origin>(origin[i]);
    ind.parent1 = p1[i];
    ind.parent2 = p2[i];
    ind.iteration = static_cast<int>(it[i]);
    ind.wall_time = wall[i];
    if (racing_records) {
      if ((rejected[i] != 0 && rejected[i] != 1) || tokens[i] < 0 || scored[i] < 0 ||
          static_cast<uint64_t>(scored[i]) > n_items)
        fail(ErrorKind::Format, path + ": individual " + std::to_string(i) +
                                    " has an impossible racing record: corrupt");
      ind.rejected = rejected[i] == 1;
      ind.tokens = tokens[i];
      ind.item_nll.assign(items.begin() + i * n_items, items.begin() + i * n_items + scored[i]);
    }
    if (!(screen[i] >= 0) || std::isinf(screen[i]))
      fail(ErrorKind::Format,
           path + ": individual " + std::to_string(i) + " has an impossible screen PPL: corrupt");
    ind.screen_ppl = screen[i];
    if (!(mscale[i] >= 0) || std::isinf(mscale[i]))
      fail(ErrorKind::Format, path + ": individual " + std::to_string(i) +
                                  " has an impossible attention factor: corrupt");
    ind.mscale = mscale[i];
    if (ppl_f32[i] < 0 || short_f32[i] < 0)
      fail(ErrorKind::Format,
           path + ": individual " + std::to_string(i) + " has a negative F32 PPL: corrupt");
    ind.ppl_f32 = ppl_f32[i];
    ind.short_ppl_f32 = short_f32[i];
    a.individuals.push_back(ind);
  }
  // Per-iteration records (population padded with -1 to the widest iteration).
  h5::Handle gi{H5Gopen2(f.id, "iterations", H5P_DEFAULT), H5Gclose};
  if (gi.id < 0) fail(ErrorKind::Format, path + ": no iterations group");
  std::vector<hsize_t> d1, d2, d3, d4, pdims;
  const auto iter = h5::read_vec<int64_t>(gi.id, "iteration", H5T_NATIVE_INT64, path, &d1);
  const auto best = h5::read_vec<int64_t>(gi.id, "best_id", H5T_NATIVE_INT64, path, &d2);
  const auto best_ppl = h5::read_vec<double>(gi.id, "best_ppl", H5T_NATIVE_DOUBLE, path, &d3);
  const auto med = h5::read_vec<double>(gi.id, "median_ppl", H5T_NATIVE_DOUBLE, path, &d4);
  const auto pop = h5::read_vec<int64_t>(gi.id, "population", H5T_NATIVE_INT64, path, &pdims);
  const size_t width = pdims.size() == 2 ? pdims[1] : 0;
  if (d1.size() != 1 || d2.size() != 1 || d3.size() != 1 || d4.size() != 1 || pdims.size() != 2 ||
      pdims[0] != iter.size() || best.size() != iter.size() || best_ppl.size() != iter.size() ||
      med.size() != iter.size())
    fail(ErrorKind::Format, path + ": iteration datasets have inconsistent sizes or ranks");
  for (size_t i = 0; i < iter.size(); ++i) {
    if (iter[i] < 0 || iter[i] > INT32_MAX)
      fail(ErrorKind::Format, path + ": iteration record " + std::to_string(i) + " is corrupt");
    IterationRecord r;
    r.iteration = static_cast<int>(iter[i]);
    r.best_id = best[i];
    r.best_ppl = best_ppl[i];
    r.median_ppl = med[i];
    for (size_t k = 0; k < width; ++k)
      if (pop[i * width + k] >= 0) r.population.push_back(pop[i * width + k]);
    a.iterations.push_back(std::move(r));
  }
  if (h5::has_attr(f.id, "content_sha256")) {  // archives before it have none
    Contents c{{&id, &st, &origin, &p1, &p2, &it, &iter, &best, &pop},
               {&lambda, &ppl, &sppl, &wall, &best_ppl, &med}};
    if (racing_records) {
      c.rejected = &rejected;
      c.tokens = &tokens;
      c.scored = &scored;
      c.items = &items;
    }
    if (screen_records) c.screen = &screen;
    if (mscale_records) c.mscale = &mscale;
    if (f32_records) {
      c.ppl_f32 = &ppl_f32;
      c.short_f32 = &short_f32;
    }
    if (content_sha256(config_text, a.final_best, c) != h5::read_attr(f.id, "content_sha256", path))
      fail(ErrorKind::Format, path + ": content checksum mismatch: the archive is corrupt");
  }
  return a;
}
}  // namespace

ArchiveData read_archive(const std::string& path) {
  h5::check_isolated(path, [&] { read_archive_here(path); });
  return read_archive_here(path);
}

void write_factors_csv(const std::string& path, const std::vector<double>& lambda) {
  std::string text;
  char buf[64];
  for (double v : lambda) {
    std::snprintf(buf, sizeof buf, "%.18e\n", v);
    text += buf;
  }
  write_file_atomically(path, text);
}

bool check_archive_numerics(const nlohmann::json& config, const std::string& numerics,
                            const std::string& kernel_path, const std::string& path) {
  if (!config.contains("numerics")) return false;
  const std::string theirs = config["numerics"].get<std::string>();
  if (theirs != numerics)
    fail(ErrorKind::Unsupported,
         path + ": this run was scored with different numerics (" + theirs + ", kernels " +
             config.value("kernels", "?") + ") than this build computes (" + numerics +
             ", kernels " + kernel_path +
             "): resume it with a build like the original's and its --compute (see "
             "docs/kernels.md, Search archives and MPI)");
  return true;
}

}  // namespace lr
