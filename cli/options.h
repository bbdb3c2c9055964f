// Option groups shared by subcommands: declared once, each tool pulls in the ones it needs.
#pragma once
#include <boost/program_options.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/model/model.h"
#include "core/rope/rope.h"
#include "core/tokenizer/tokenizer.h"
#include "datasets/model_tokenizer.h"
#include "search/search_options.h"

namespace lr::cli {

namespace po = boost::program_options;

po::options_description common_options();  // --threads, --quiet, --help
po::options_description rope_options();    // --rope, --factors, --start-tokens, --mscale, ...

// Parses `args` against `desc`; prints help and returns false when --help was given.
bool parse(const std::vector<std::string>& args, const po::options_description& desc,
           po::variables_map& vm, const std::string& usage);

// Applies --threads; returns --quiet (also true when stderr is not a terminal, for progress).
bool apply_common(const po::variables_map& vm);

// Builds and validates the scaling for `model` from the rope option group; `model_path`
// names the model in messages.
RopeScaling rope_from_options(const po::variables_map& vm, const ModelConfig& model,
                              const std::string& model_path = "");

// A table of options (search/search_options.h) as a Boost description, in table order.
po::options_description table_options(const std::vector<SearchOption>& table,
                                      const std::string& caption);
// The options of `table` given in `vm` (not defaulted), as the table's types.
GivenOptions given_options(const po::variables_map& vm, const std::vector<SearchOption>& table);

// "256,512" -> {256, 512}; throws InvalidArgument on anything else.
std::vector<int> parse_int_list(const std::string& s, const std::string& option);

}  // namespace lr::cli
