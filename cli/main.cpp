// `longrope` CLI: git-style subcommands; errors become one line and a non-zero exit.
#include <csignal>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/kernels/kernels.h"
#include "core/util/error.h"
#include "longrope/version.h"

namespace {

const char* kUsage = R"(usage: longrope <command> [options]   (longrope <command> --help)

commands:
  tokenize      tokenize text files into an HDF5 shard
  eval ppl      perplexity of a model over a shard, with any RoPE scaling
  eval passkey  passkey retrieval accuracy (llama.cpp's prompt) over lengths and depths
  eval rank-precision  a search archive's candidates in F32 and in --compute's precision
  search        evolutionary search of LongRoPE factors and start tokens (resumable)
  inspect       describe a model (--model) or a search run (--archive, --plot)
  export        write searched factors as csv, json, an HF or RKLLM folder, or a GGUF
  plan          memory of weights, serving KV cache and our evaluation vs a device
  version       print the version, the kernel path and the numerics signature)";

int run(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::cout << kUsage << "\n";
    return argc < 2 ? 2 : 0;
  }
  const std::string cmd = argv[1];
  lr::cli::Args rest(argv + 2, argv + argc);
  if (cmd == "tokenize") return lr::cli::cmd_tokenize(rest);
  if (cmd == "inspect") return lr::cli::cmd_inspect(rest);
  if (cmd == "search") return lr::cli::cmd_search(rest);
  if (cmd == "plan") return lr::cli::cmd_plan(rest);
  if (cmd == "version" || cmd == "--version") {
    std::cout << "longrope " << lr::kVersion << " (" << lr::kGitSha << ")\n";
    std::string paths;
    for (lr::KernelPath p : lr::supported_kernel_paths())
      paths += std::string(paths.empty() ? "" : " ") + lr::kernel_path_name(p);
    std::cout << "kernels: " << lr::kernel_path_name(lr::active_kernel_path())
              << " (this CPU runs: " << paths << ")\nnumerics: " << lr::numerics_signature()
              << "\n";
    return 0;
  }
  if (cmd == "eval") {
    if (rest.empty() || rest[0] == "--help" || rest[0] == "-h") {
      std::cout << "usage: longrope eval ppl|passkey|rank-precision [options]\n";
      return rest.empty() ? 2 : 0;
    }
    const std::string sub = rest[0];
    rest.erase(rest.begin());
    if (sub == "ppl") return lr::cli::cmd_eval_ppl(rest);
    if (sub == "passkey") return lr::cli::cmd_eval_passkey(rest);
    if (sub == "rank-precision") return lr::cli::cmd_eval_rank(rest);
    lr::fail(lr::ErrorKind::InvalidArgument,
             "unknown eval mode '" + sub + "' (try: eval ppl, eval passkey, eval rank-precision)");
  }
  if (cmd == "export") return lr::cli::cmd_export(rest);
  lr::fail(lr::ErrorKind::InvalidArgument, "unknown command '" + cmd + "' (see longrope --help)");
}

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) makes writes fail with EFBIG, reported as an error, instead
  // of killing the process half-way through a file.
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    return run(argc, argv);
  } catch (const lr::Error& e) {
    std::cerr << "longrope: error: " << e.what() << "\n";
    return lr::exit_code(e.kind());
  } catch (const std::bad_alloc&) {
    std::cerr << "longrope: error: out of memory\n";
    return 1;
  } catch (const nlohmann::json::exception& e) {  // a JSON value not checked where it was read
    std::cerr << "longrope: error: unexpected JSON content: " << e.what() << "\n";
    return lr::exit_code(lr::ErrorKind::Format);
  } catch (const std::exception& e) {
    std::cerr << "longrope: error: " << e.what() << "\n";
    return 1;
  }
}
