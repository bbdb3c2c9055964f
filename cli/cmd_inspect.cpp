// `longrope inspect`: a model's description and tokenizer (JSON), or a search archive.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/util/error.h"

namespace lr::cli {

int cmd_inspect(const Args& args) {
  po::options_description d("inspect options");
  d.add_options()("model", po::value<std::string>(),
                  "model to describe (with --archive: the model whose rope_theta YaRN uses)")(
      "tokenizer", po::value<std::string>()->default_value(""), "tokenizer override")(
      "archive", po::value<std::string>(), "search archive.h5 to summarise")(
      "json", po::bool_switch(), "with --archive: print JSON instead of text")(
      "plot", po::value<std::string>(),
      "with --archive: draw factors and PPL per iteration into a .png or .svg (gnuplot)")(
      "plot-script", po::value<std::string>(),
      "with --plot: keep the gnuplot script (data inline) here, to restyle and rerun");
  d.add(common_options());
  po::variables_map vm;
  if (!parse(
          args, d, vm,
          "usage: longrope inspect --model M\n"
          "       longrope inspect --archive A.h5 [--json] [--plot out.png|out.svg] [--model M]"))
    return 0;
  apply_common(vm);
  if (vm.count("archive")) {
    try {
      return inspect_archive(vm);
    } catch (const nlohmann::json::exception& e) {  // a config value of an unexpected type
      fail(ErrorKind::Format,
           vm["archive"].as<std::string>() + ": bad value in the config attribute: " + e.what());
    }
  }
  if (vm.count("plot") || vm.count("plot-script") || vm["json"].as<bool>())
    fail(ErrorKind::InvalidArgument, "--json, --plot and --plot-script need --archive");
  if (!vm.count("model")) fail(ErrorKind::InvalidArgument, "inspect needs --model or --archive");
  auto m = load_model(vm["model"].as<std::string>());
  const ModelConfig& c = m->config;
  nlohmann::json j = {
      {"format", c.format},
      {"arch", c.arch},
      {"dim", c.dim},
      {"hidden_dim", c.hidden_dim},
      {"n_layers", c.n_layers},
      {"n_heads", c.n_heads},
      {"n_kv_heads", c.n_kv_heads},
      {"head_dim", c.head_dim},
      {"rotary_pairs", c.head_dim / 2},
      {"vocab_size", c.vocab_size},
      {"trained_context", c.max_position},
      {"declared_context", c.context_length > 0 ? c.context_length : c.max_position},
      {"file_rope_factors",
       {{"long", c.rope_freq_factors},
        {"short", c.rope_short_factors},
        {"attn_factor", c.rope_attn_factor}}},
      {"rope_theta", c.rope_theta},
      {"norm_eps", c.norm_eps},
      {"rope_layout",
       c.rope_layout == RopeLayout::Adjacent ? "adjacent (2i,2i+1)" : "half-split (i,i+d/2)"},
      {"tied_output", c.tied_output},
      {"bos_id", c.bos_id},
      {"eos_id", c.eos_id},
      {"weights_mib", m->weights.bytes / 1048576.0}};
  try {
    auto tok = model_tokenizer(*m, vm["tokenizer"].as<std::string>());
    j["tokenizer"] = {
        {"kind", tok->kind()}, {"vocab", tok->vocab_size()}, {"fingerprint", tok->fingerprint()}};
  } catch (const std::exception& e) {
    j["tokenizer"] = std::string("unavailable: ") + e.what();
  }
  std::cout << j.dump(2) << "\n";
  return 0;
}

}  // namespace lr::cli
