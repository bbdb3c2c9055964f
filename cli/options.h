// Option groups shared by subcommands: declared once, each tool pulls in the ones it needs.
#pragma once
#include <boost/program_options.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/model/model.h"
#include "core/rope/rope.h"
#include "core/tokenizer/tokenizer.h"

namespace lr {
struct Shard;
}

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

// The tokenizer that belongs to a model (or --tokenizer when given).
std::unique_ptr<Tokenizer> model_tokenizer(const Model& m, const std::string& override_path);

// Refuses a shard tokenized with another vocabulary than the model's (Data error).
void check_shard_tokenizer(const Shard& s, const Model& m, const std::string& tok_override,
                           const std::string& shard_path);

// "256,512" -> {256, 512}; throws InvalidArgument on anything else.
std::vector<int> parse_int_list(const std::string& s, const std::string& option);

}  // namespace lr::cli
