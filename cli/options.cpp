// Shared option groups and their interpretation.
#include "cli/options.h"

#include <iostream>
#include <optional>
#include <sstream>

#include "core/kernels/gemm_i8.h"
#include "core/kernels/kernels.h"
#include "core/rope/factors.h"
#include "core/util/error.h"
#include "core/util/parallel.h"

namespace lr::cli {

using nlohmann::json;

po::options_description common_options() {
  po::options_description d("Common options");
  d.add_options()("help,h", "show this help")("threads", po::value<int>()->default_value(0),
                                              "worker threads (0 = all cores)")(
      "quiet,q", po::bool_switch(), "no progress output on stderr")(
      "kernels", po::value<std::string>()->default_value("auto"),
      "kernel path: auto | scalar | avx2 | avx512 | neon (default: LONGROPE_KERNELS, else the "
      "best this CPU runs; every path gives the same bits)")(
      "compute", po::value<std::string>()->default_value("f32"),
      "precision of the matrix products: f32 | int8 (int8 blocks of 32 with float scales: "
      "AVX-512 VNNI, or --kernels scalar; attention stays f32)");
  return d;
}

po::options_description rope_options() {
  po::options_description d("RoPE scaling");
  d.add_options()("rope", po::value<std::string>()->default_value("none"),
                  "none | linear | ntk | dynamic-ntk | yarn | longrope")(
      "original-max-position", po::value<int>()->default_value(0),
      "trained context L (0 = the model's); the scale is s = length / L")(
      "scale", po::value<double>(), "use this s at every length instead of length / L")(
      "factors", po::value<std::string>(), "LongRoPE factors: CSV (one per line) or JSON")(
      "start-tokens", po::value<int>(), "positions below this keep the original RoPE")(
      "mscale", po::value<std::string>(), "su | yarn | one | a number (default: per method)")(
      "beta-fast", po::value<double>()->default_value(32.0), "YaRN beta_fast")(
      "beta-slow", po::value<double>()->default_value(1.0), "YaRN beta_slow")(
      "dynamic-factor", po::value<double>()->default_value(1.0), "dynamic-NTK factor (HF)")(
      "target-length", po::value<int>(),
      "deployed rule (HF/vLLM): s = T / L at every length (mscale), short factors up to L")(
      "short-factors", po::value<std::string>(),
      "LongRoPE short factors (used while the sequence fits L; needs --target-length)")(
      "replace-file-factors", po::bool_switch(),
      "ignore the RoPE factors / attention factor the model file carries")(
      "allow-below-one", po::bool_switch(), "accept LongRoPE factors below 1")(
      "no-monotonic-check", po::bool_switch(), "accept non-monotonic LongRoPE factors");
  return d;
}

bool parse(const std::vector<std::string>& args, const po::options_description& desc,
           po::variables_map& vm, const std::string& usage) {
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (vm.count("help")) {
      std::cout << usage << "\n\n" << desc << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    fail(ErrorKind::InvalidArgument, std::string(e.what()) + " (see --help)");
  }
  return true;
}

bool apply_common(const po::variables_map& vm) {
  const int t = vm["threads"].as<int>();
  if (t < 0) fail(ErrorKind::InvalidArgument, "--threads must be >= 0");
  set_threads(t);
  const std::string k = vm["kernels"].as<std::string>();
  if (k != "auto")
    set_kernel_path(k);
  else
    kernels();  // resolves LONGROPE_KERNELS now, so a bad value is one clear error
  const Compute c = parse_compute(vm["compute"].as<std::string>());
  std::string why;
  if (c == Compute::Int8 && !int8_supported(&why)) fail(ErrorKind::Unsupported, why);
  set_compute_precision(c);
  return vm["quiet"].as<bool>();
}

RopeScaling rope_from_options(const po::variables_map& vm, const ModelConfig& c,
                              const std::string& model_path) {
  RopeScaling r;
  r.kind = parse_rope_kind(vm["rope"].as<std::string>());
  r.original_max_position = vm["original-max-position"].as<int>();
  if (r.original_max_position < 0)
    fail(ErrorKind::InvalidArgument, "--original-max-position must be >= 0");
  r.beta_fast = vm["beta-fast"].as<double>();
  r.beta_slow = vm["beta-slow"].as<double>();
  r.dynamic_factor = vm["dynamic-factor"].as<double>();
  if (vm.count("scale")) {
    r.factor = vm["scale"].as<double>();
    if (!(r.factor > 0) || !std::isfinite(r.factor))
      fail(ErrorKind::InvalidArgument, "--scale must be a positive number");
  }
  r.replace_file_factors = vm["replace-file-factors"].as<bool>();
  FactorChecks checks;
  checks.allow_below_one = vm["allow-below-one"].as<bool>();
  checks.monotonic = !vm["no-monotonic-check"].as<bool>();
  // A factor file named by `option` (needs --rope longrope), validated for this model.
  auto factor_option = [&](const char* option) {
    if (r.kind != RopeKind::LongRope)
      fail(ErrorKind::InvalidArgument, std::string("--") + option + " needs --rope longrope");
    const std::string path = vm[option].as<std::string>();
    FactorFile f = read_factor_file(path);
    validate_factors(f.rows, c.head_dim / 2, c.n_layers, checks, path);
    if (!f.short_rows.empty())
      validate_factors(f.short_rows, c.head_dim / 2, c.n_layers, checks, path + " (short)");
    return f;
  };
  std::optional<int> file_target;
  if (vm.count("factors")) {
    const FactorFile f = factor_option("factors");
    r.factors = f.rows;
    if (!f.short_rows.empty()) {
      r.short_factors = f.short_rows;
      file_target = f.target_length;  // a long/short pair is deployed at its target length
    }
    if (f.start_tokens) r.start_tokens = *f.start_tokens;
    if (f.mscale) parse_mscale(*f.mscale, r);
  } else if (r.kind == RopeKind::LongRope) {
    fail(ErrorKind::InvalidArgument, "--rope longrope needs --factors FILE");
  }
  if (vm.count("short-factors")) r.short_factors = factor_option("short-factors").rows;
  if (vm.count("target-length")) {
    if (vm.count("scale"))
      fail(ErrorKind::InvalidArgument, "--target-length and --scale exclude each other");
    r.target_length = vm["target-length"].as<int>();
    if (r.target_length <= 0) fail(ErrorKind::InvalidArgument, "--target-length must be > 0");
  } else if (file_target) {
    r.target_length = *file_target;
  }
  if (!r.short_factors.empty() && r.target_length <= 0)
    fail(ErrorKind::InvalidArgument,
         "short factors need --target-length (the deployed rule picks them by length)");
  if (r.kind == RopeKind::LongRope && c.has_file_rope_factors() && !r.replace_file_factors)
    fail(ErrorKind::InvalidArgument,
         (model_path.empty() ? std::string("the model") : model_path) +
             " already carries per-dimension RoPE factors (rope_freqs / rope_scaling): "
             "--rope longrope would apply factors twice; pass --replace-file-factors to use "
             "yours instead of the file's");
  if (vm.count("start-tokens")) r.start_tokens = vm["start-tokens"].as<int>();
  if (r.start_tokens < 0) fail(ErrorKind::InvalidArgument, "--start-tokens must be >= 0");
  if (vm.count("mscale")) parse_mscale(vm["mscale"].as<std::string>(), r);
  const bool needs_L = r.kind == RopeKind::Yarn || r.kind == RopeKind::LongRope ||
                       r.kind == RopeKind::DynamicNtk || !vm.count("scale") || r.target_length > 0;
  if (needs_L && r.kind != RopeKind::None && r.original_max_position == 0 && c.max_position <= 0)
    fail(ErrorKind::InvalidArgument,
         "the model does not state its trained context: pass --original-max-position");
  return r;
}

po::options_description table_options(const std::vector<SearchOption>& table,
                                      const std::string& caption) {
  po::options_description d(caption);
  for (const SearchOption& o : table) {
    const json& v = o.default_value;
    switch (o.type) {
      case OptionType::String:
        d.add_options()(o.name.c_str(),
                        po::value<std::string>()->default_value(v.get<std::string>()),
                        o.help.c_str());
        break;
      case OptionType::Int:
        d.add_options()(o.name.c_str(), po::value<int>()->default_value(v.get<int>()),
                        o.help.c_str());
        break;
      case OptionType::Double:
        d.add_options()(o.name.c_str(), po::value<double>()->default_value(v.get<double>()),
                        o.help.c_str());
        break;
      case OptionType::Uint64:
        d.add_options()(o.name.c_str(), po::value<uint64_t>()->default_value(v.get<uint64_t>()),
                        o.help.c_str());
        break;
      case OptionType::Switch:
        d.add_options()(o.name.c_str(), po::bool_switch(), o.help.c_str());
        break;
      case OptionType::Bool:
        d.add_options()(o.name.c_str(), po::value<bool>()->default_value(v.get<bool>()),
                        o.help.c_str());
        break;
      case OptionType::StringList:
        d.add_options()(o.name.c_str(), po::value<std::vector<std::string>>()->composing(),
                        o.help.c_str());
        break;
    }
  }
  return d;
}

GivenOptions given_options(const po::variables_map& vm, const std::vector<SearchOption>& table) {
  GivenOptions g;
  for (const SearchOption& o : table) {
    if (!vm.count(o.name) || vm[o.name].defaulted()) continue;
    const auto& v = vm[o.name];
    switch (o.type) {
      case OptionType::String:
        g[o.name] = v.as<std::string>();
        break;
      case OptionType::Int:
        g[o.name] = v.as<int>();
        break;
      case OptionType::Double:
        g[o.name] = v.as<double>();
        break;
      case OptionType::Uint64:
        g[o.name] = v.as<uint64_t>();
        break;
      case OptionType::Switch:
      case OptionType::Bool:
        g[o.name] = v.as<bool>();
        break;
      case OptionType::StringList:
        g[o.name] = v.as<std::vector<std::string>>();
        break;
    }
  }
  return g;
}

std::vector<int> parse_int_list(const std::string& s, const std::string& option) {
  std::vector<int> out;
  std::stringstream ss(s);
  std::string tok;
  while (std::getline(ss, tok, ',')) {
    char* end = nullptr;
    const long v = std::strtol(tok.c_str(), &end, 10);
    if (tok.empty() || *end != '\0' || v <= 0 || v > (1L << 24))
      fail(ErrorKind::InvalidArgument, "bad value '" + tok + "' in --" + option);
    out.push_back(static_cast<int>(v));
  }
  if (out.empty()) fail(ErrorKind::InvalidArgument, "--" + option + " is empty");
  return out;
}

}  // namespace lr::cli
