// The search options as one table: CLI name, configuration key, type, default, help, resume rule.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lr {

enum class OptionType {
  String,
  Int,
  Double,
  Uint64,
  Switch,     // a flag: given = true
  Bool,       // takes true/false
  StringList  // repeatable
};

// What `search --resume` does with an option given again.
enum class OnResume {
  Match,  // its resolved value must equal the run's (the configuration key `key`)
  Free,   // cannot change results: may differ
  Own     // checked by its own rule (--hyperparams/--set, --output-dir, --resume)
};

struct SearchOption {
  std::string name;  // CLI spelling, without "--"
  std::string key;   // key in the run configuration ("" = not recorded)
  OptionType type;
  nlohmann::json default_value;  // null for a StringList
  std::string help;
  OnResume on_resume;
  bool path;  // a file or folder: compared after resolving
};

// Every option of `longrope search` (the common ones, --threads, --quiet, --kernels, --help,
// aside: they cannot change results), in --help order.
const std::vector<SearchOption>& search_options();

// The options given on the command line (not defaulted): name -> value; a switch given is true,
// a StringList is an array of strings.
using GivenOptions = std::map<std::string, nlohmann::json>;

// The value of option `name`: the given one, else the table's default.
nlohmann::json option_value(const GivenOptions& given, const std::string& name);

// The run configuration of a new run (what the archive records to resume it): validated, the
// hyperparameters resolved (--hyperparams, else hyperparams/<algorithm>.json when present, then
// each --set). Throws InvalidArgument naming the option.
nlohmann::json config_from_options(const GivenOptions& given);

// --resume continues a run as it was configured: each option given again must resolve to the
// archived value (paths after resolving them; --hyperparams/--set by the hyperparameters they
// give); options that cannot change results may differ. Throws one InvalidArgument naming every
// differing option.
void check_resume_options(const GivenOptions& given, const nlohmann::json& config,
                          const std::string& archive);

}  // namespace lr
