// `longrope eval rank-precision`: a search archive's candidates in F32 and in --compute's
// precision.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/util/atomic_file.h"
#include "search/rank_precision.h"

namespace lr::cli {

int cmd_eval_rank(const Args& args) {
  po::options_description d("eval rank-precision options");
  d.add_options()("archive", po::value<std::string>()->required(), "search archive.h5")(
      "model", po::value<std::string>()->default_value(""), "model (default: the archive's)")(
      "data", po::value<std::string>()->default_value(""), "shard (default: the archive's)")(
      "candidates", po::value<int>()->default_value(200),
      "archived candidates scored (spread evenly over the run by id)")(
      "samples", po::value<int>()->default_value(0), "items per score (0: the archive's)")(
      "output", po::value<std::string>(), "CSV file: id,ppl_f32,ppl_other,rel_change")(
      "json", po::value<std::string>(), "JSON file with the summary (also printed)");
  d.add(common_options());
  po::variables_map vm;
  if (!parse(args, d, vm,
             "usage: longrope eval rank-precision --archive A.h5 --compute int8 [--candidates N] "
             "[--output rank.csv] [--json rank.json]"))
    return 0;
  RankOptions o;
  o.quiet = apply_common(vm);
  o.model = vm["model"].as<std::string>();
  o.data = vm["data"].as<std::string>();
  o.candidates = vm["candidates"].as<int>();
  o.samples = vm["samples"].as<int>();
  o.threads = vm["threads"].as<int>();
  const Compute other = compute_precision();
  const std::vector<RankRow> rows = rank_archive(vm["archive"].as<std::string>(), o, other);
  if (vm.count("output")) write_file_atomically(vm["output"].as<std::string>(), rank_csv(rows));
  const std::string summary = summary_json(rank_summary(rows), other).dump(2) + "\n";
  if (vm.count("json")) write_file_atomically(vm["json"].as<std::string>(), summary);
  std::cout << summary;
  return 0;
}

}  // namespace lr::cli
