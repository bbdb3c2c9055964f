// `longrope tokenize`: text files -> HDF5 shard.
#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/tokenizer/tokenizer_factory.h"
#include "core/util/error.h"
#include "datasets/shard.h"

namespace lr::cli {

int cmd_tokenize(const Args& args) {
  po::options_description d("tokenize options");
  d.add_options()("tokenizer", po::value<std::string>()->required(),
                  "tokenizer.model/.json, tokenizer.bin, .gguf, HF folder or llama2.c model")(
      "input", po::value<std::vector<std::string>>()->multitoken()->required(),
      "text files and/or folders (read recursively, sorted)")(
      "output", po::value<std::string>()->required(), "shard to write (.h5)")(
      "min-tokens", po::value<int>()->default_value(0), "drop documents with fewer tokens");
  d.add(common_options());
  po::variables_map vm;
  if (!parse(args, d, vm,
             "usage: longrope tokenize --tokenizer T --input DIR_OR_FILES... "
             "--output shard.h5 [--min-tokens N]"))
    return 0;
  const bool quiet = apply_common(vm);
  const std::string tpath = vm["tokenizer"].as<std::string>();
  auto tok = load_tokenizer(tpath);
  const Shard s = build_shard(*tok, tpath, vm["input"].as<std::vector<std::string>>(),
                              vm["min-tokens"].as<int>(), quiet);
  write_shard(vm["output"].as<std::string>(), s);
  std::cout << "wrote " << vm["output"].as<std::string>() << ": " << s.num_docs() << " documents, "
            << s.tokens.size() << " tokens (tokenizer " << tok->kind() << ", fingerprint "
            << s.tokenizer_fingerprint.substr(0, 12) << ")\n";
  for (int i = 0; i < s.num_docs(); ++i)
    std::cout << "  " << s.names[i] << "\t" << s.doc(i).size() << "\n";
  return 0;
}

}  // namespace lr::cli
