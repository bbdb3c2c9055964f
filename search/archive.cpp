// HDF5 archive writing/reading (the second and last HDF5 module).
#include "archive.h"

#include <cstdio>
#include <fstream>

#include "error.h"
#include "h5util.h"
#include "longrope/version.h"

namespace lr {

namespace {
constexpr int kArchiveFormat = 1;
}

void write_archive(const std::string& path, const ArchiveData& a) {
  h5::write_atomically(path, [&](hid_t f) {
    h5::write_attr(f, "kind", "longrope-search-archive");
    h5::write_attr_int(f, "format_version", kArchiveFormat);
    h5::write_attr(f, "toolkit", std::string("longrope ") + kVersion + " (" + kGitSha + ")");
    h5::write_attr(f, "config", a.config.dump());
    h5::write_attr_int(f, "final_best_id", a.final_best);
    const size_t n = a.individuals.size();
    std::vector<double> lambda, ppl, short_ppl, wall;
    std::vector<int64_t> id, st, origin, p1, p2, it;
    for (const auto& ind : a.individuals) {
      lambda.insert(lambda.end(), ind.lambda.begin(), ind.lambda.end());
      id.push_back(ind.id);
      st.push_back(ind.start_tokens);
      ppl.push_back(ind.ppl);
      short_ppl.push_back(ind.short_ppl);
      origin.push_back(static_cast<int64_t>(ind.origin));
      p1.push_back(ind.parent1);
      p2.push_back(ind.parent2);
      it.push_back(ind.iteration);
      wall.push_back(ind.wall_time);
    }
    h5::Handle g{H5Gcreate2(f, "individuals", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose};
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
    h5::write_attr(g.id, "origin_codes", "0=init 1=mutation 2=crossover");
    h5::Handle gi{H5Gcreate2(f, "iterations", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose};
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
  });
}

ArchiveData read_archive(const std::string& path) {
  h5::Handle f{h5::open_read(path), H5Fclose};
  if (!h5::has_attr(f.id, "kind") || h5::read_attr(f.id, "kind", path) != "longrope-search-archive")
    fail(ErrorKind::Format, path + ": not a longrope search archive");
  if (h5::read_attr_int(f.id, "format_version", path) != kArchiveFormat)
    fail(ErrorKind::Unsupported, path + ": archive format unsupported");
  ArchiveData a;
  try {
    a.config = nlohmann::json::parse(h5::read_attr(f.id, "config", path));
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::Format, path + ": corrupt config attribute: " + e.what());
  }
  a.final_best = h5::read_attr_int(f.id, "final_best_id", path);
  h5::Handle g{H5Gopen2(f.id, "individuals", H5P_DEFAULT), H5Gclose};
  if (g.id < 0) fail(ErrorKind::Format, path + ": no individuals group");
  std::vector<hsize_t> dims;
  const auto lambda = h5::read_vec<double>(g.id, "lambda", H5T_NATIVE_DOUBLE, path, &dims);
  a.half = dims.size() == 2 ? static_cast<int>(dims[1]) : 0;
  auto i64 = [&](const char* n) { return h5::read_vec<int64_t>(g.id, n, H5T_NATIVE_INT64, path); };
  auto f64 = [&](const char* n) { return h5::read_vec<double>(g.id, n, H5T_NATIVE_DOUBLE, path); };
  const auto id = i64("id"), st = i64("start_tokens"), origin = i64("origin"), p1 = i64("parent1"),
             p2 = i64("parent2"), it = i64("iteration");
  const auto ppl = f64("ppl"), sppl = f64("short_ppl"), wall = f64("wall_time");
  const size_t n = id.size();
  if (lambda.size() != n * a.half || st.size() != n || ppl.size() != n)
    fail(ErrorKind::Format, path + ": archive datasets have inconsistent sizes");
  for (size_t i = 0; i < n; ++i) {
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
    a.individuals.push_back(ind);
  }
  // Per-iteration records (population padded with -1 to the widest iteration).
  h5::Handle gi{H5Gopen2(f.id, "iterations", H5P_DEFAULT), H5Gclose};
  if (gi.id < 0) fail(ErrorKind::Format, path + ": no iterations group");
  std::vector<hsize_t> pdims;
  const auto iter = h5::read_vec<int64_t>(gi.id, "iteration", H5T_NATIVE_INT64, path);
  const auto best = h5::read_vec<int64_t>(gi.id, "best_id", H5T_NATIVE_INT64, path);
  const auto best_ppl = h5::read_vec<double>(gi.id, "best_ppl", H5T_NATIVE_DOUBLE, path);
  const auto med = h5::read_vec<double>(gi.id, "median_ppl", H5T_NATIVE_DOUBLE, path);
  const auto pop = h5::read_vec<int64_t>(gi.id, "population", H5T_NATIVE_INT64, path, &pdims);
  const size_t width = pdims.size() == 2 ? pdims[1] : 0;
  if (best.size() != iter.size() || best_ppl.size() != iter.size() || med.size() != iter.size() ||
      pop.size() != iter.size() * width)
    fail(ErrorKind::Format, path + ": iteration datasets have inconsistent sizes");
  for (size_t i = 0; i < iter.size(); ++i) {
    IterationRecord r;
    r.iteration = static_cast<int>(iter[i]);
    r.best_id = best[i];
    r.best_ppl = best_ppl[i];
    r.median_ppl = med[i];
    for (size_t k = 0; k < width; ++k)
      if (pop[i * width + k] >= 0) r.population.push_back(pop[i * width + k]);
    a.iterations.push_back(std::move(r));
  }
  return a;
}

void write_factors_csv(const std::string& path, const std::vector<double>& lambda) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) fail(ErrorKind::Io, "cannot write '" + tmp + "'");
    char buf[64];
    for (double v : lambda) {
      std::snprintf(buf, sizeof buf, "%.18e\n", v);
      out << buf;
    }
  }
  std::rename(tmp.c_str(), path.c_str());
}

bool check_archive_numerics(const nlohmann::json& config, const std::string& numerics,
                            const std::string& kernel_path, const std::string& path) {
  if (!config.contains("numerics")) return false;
  const std::string theirs = config["numerics"].get<std::string>();
  if (theirs != numerics)
    fail(ErrorKind::Unsupported, path + ": this run was scored with different numerics (" + theirs +
                                     ", kernels " + config.value("kernels", "?") +
                                     ") than this build computes (" + numerics + ", kernels " +
                                     kernel_path +
                                     "): resume it with a build like the original's (see README, "
                                     "Kernels)");
  return true;
}

}  // namespace lr
