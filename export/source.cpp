// Loading an export source: factor file or archive individual, overrides, validation.
#include "export/source.h"

#include <cmath>
#include <cstdio>

#include "core/rope/factors.h"
#include "core/rope/rope.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"
#include "core/util/strformat.h"
#include "search/archive.h"
#include "search/pareto.h"

namespace lr {

double ExportSource::mscale() const {
  RopeScaling r;
  parse_mscale(mscale_rule, r);
  return rule_mscale(r.mscale, r.mscale_value, scale(), original_max_position);
}

namespace {

void from_factor_file(const SourceRequest& req, ExportSource& s) {
  const FactorFile f = read_factor_file(req.factors_path);
  s.source_file = req.factors_path;
  s.long_rows = f.rows;
  if (!f.short_rows.empty()) {
    if (f.short_rows.size() != 1)
      fail(ErrorKind::Unsupported,
           req.factors_path + ": per-layer short factors cannot be exported");
    s.short_factors = f.short_rows[0];
    s.short_origin = "short_factor of " + req.factors_path;
  }
  if (f.start_tokens) s.start_tokens = *f.start_tokens;
  if (f.mscale) s.mscale_rule = *f.mscale;
  if (f.target_length) s.target_length = *f.target_length;
  if (f.original_max_position) s.original_max_position = *f.original_max_position;
  const std::string text = read_text_file(req.factors_path);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    const auto j = nlohmann::json::parse(text);  // read_factor_file already checked it
    if (j.contains("ppl") && j["ppl"].is_number()) s.ppl = j["ppl"].get<double>();
    if (j.contains("id") && j["id"].is_number_integer()) s.id = j["id"].get<int64_t>();
  }
}

void from_archive(const SourceRequest& req, ExportSource& s) {
  const ArchiveData a = read_archive(req.archive_path);
  if (a.individuals.empty()) fail(ErrorKind::Data, req.archive_path + ": no evaluated individual");
  const Individual* pick = nullptr;
  Individual picked;  // by --pick (search/pareto.h)
  if (!req.pick.empty()) {
    if (req.id >= 0) fail(ErrorKind::InvalidArgument, "--pick and --id: give one of them");
    picked = pick_individual(a.individuals, req.pick, req.archive_path + ": --pick");
    pick = &picked;
    s.pick = req.pick;
  }
  const int64_t want = req.id >= 0 ? req.id : a.final_best;
  if (!pick)
    for (const auto& ind : a.individuals)
      if (want >= 0 ? ind.id == want : (!pick || ind.ppl < pick->ppl)) pick = &ind;
  if (!pick || (req.pick.empty() && want >= 0 && pick->id != want))
    fail(ErrorKind::InvalidArgument,
         req.archive_path + ": no individual with id " + std::to_string(want));
  s.archive_path = req.archive_path;
  s.archive_config = a.config;
  s.id = pick->id;
  s.long_rows = {pick->lambda};
  s.start_tokens = pick->start_tokens;
  s.ppl = pick->ppl;
  if (pick->short_ppl > 0) s.short_ppl = pick->short_ppl;
  const auto& c = a.config;
  try {
    s.target_length = c.value("target_length", 0);
    s.original_max_position = c.value("original_length", c.value("original_max_position", 0));
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::Format,
         req.archive_path + ": bad lengths in the config attribute: " + e.what());
  }
  if (c.contains("mscale") && c["mscale"].is_string()) s.mscale_rule = c["mscale"];
  if (pick->mscale > 0) s.mscale_rule = exact_text(pick->mscale);  // searched (--search-mscale)
}

}  // namespace

ExportSource load_export_source(const SourceRequest& req) {
  ExportSource s;
  if (req.factors_path.empty() == req.archive_path.empty())
    fail(ErrorKind::InvalidArgument,
         "export needs exactly one of --factors FILE or --archive A.h5");
  if (!req.pick.empty() && req.archive_path.empty())
    fail(ErrorKind::InvalidArgument, "--pick chooses a member of an archive: give --archive A.h5");
  if (!req.archive_path.empty())
    from_archive(req, s);
  else
    from_factor_file(req, s);
  if (req.target_length > 0) s.target_length = req.target_length;
  if (req.original_max_position > 0) s.original_max_position = req.original_max_position;
  if (!req.mscale.empty()) s.mscale_rule = req.mscale;
  RopeScaling check;
  parse_mscale(s.mscale_rule, check);
  const std::string src = s.archive_path.empty() ? s.source_file : s.archive_path;
  if (s.target_length <= 0 || s.original_max_position <= 0)
    fail(ErrorKind::InvalidArgument,
         src +
             ": the source does not state its lengths: pass --target-length T and "
             "--original-max-position L");
  if (s.target_length < s.original_max_position)
    fail(ErrorKind::InvalidArgument, src + ": target length " + std::to_string(s.target_length) +
                                         " is below the original length " +
                                         std::to_string(s.original_max_position));
  const int half = static_cast<int>(s.long_rows.at(0).size());
  validate_factors(s.long_rows, half, static_cast<int>(s.long_rows.size()), {}, src);
  if (!req.short_factors_path.empty()) {
    const FactorFile f = read_factor_file(req.short_factors_path);
    if (f.rows.size() != 1)
      fail(ErrorKind::Unsupported,
           req.short_factors_path + ": per-layer short factors cannot be exported");
    s.short_factors = f.rows[0];
    s.short_origin = req.short_factors_path;
  }
  if (s.short_factors.empty()) {
    s.short_factors.assign(half, 1.0);
    s.short_origin =
        "ones (no short factors given: the original frequencies within L, times the attention "
        "factor)";
  }
  const std::string short_src = req.short_factors_path.empty() ? src : req.short_factors_path;
  FactorChecks short_checks;
  short_checks.monotonic = false;  // deployed short factors need not be monotonic
  validate_factors({s.short_factors}, half, 1, short_checks, short_src + " (short factors)");
  if (s.start_tokens < 0) fail(ErrorKind::Data, src + ": start_tokens is negative");
  return s;
}

}  // namespace lr
