// Subcommand entry points of the `longrope` binary.
#pragma once
#include <boost/program_options/variables_map.hpp>
#include <string>
#include <vector>

namespace lr::cli {

using Args = std::vector<std::string>;
int cmd_tokenize(const Args& args);
int cmd_eval_ppl(const Args& args);
int cmd_eval_passkey(const Args& args);
int cmd_eval_rank(const Args& args);  // eval rank-precision (cli/cmd_eval_rank.cpp)
int cmd_inspect(const Args& args);
int cmd_search(const Args& args);
int cmd_export(const Args& args);
int cmd_plan(const Args& args);
int cmd_plan_search(const Args& args);  // plan --search (cli/cmd_plan_search.cpp)

namespace po = boost::program_options;
// `inspect --archive` (cli/inspect_archive.cpp), called by cmd_inspect with its parsed options.
int inspect_archive(const po::variables_map& vm);

}  // namespace lr::cli
