// Subcommand entry points of the `longrope` binary.
#pragma once
#include <string>
#include <vector>

namespace lr::cli {

using Args = std::vector<std::string>;
int cmd_tokenize(const Args& args);
int cmd_eval_ppl(const Args& args);
int cmd_eval_passkey(const Args& args);
int cmd_inspect(const Args& args);
int cmd_search(const Args& args);
int cmd_export(const Args& args);

}  // namespace lr::cli
