// Fuzz target: GGUF header, metadata and tensor directory, then the model config and tokenizer.
#include "core/formats/gguf.h"
#include "core/model/model.h"
#include "core/tokenizer/tokenizer_factory.h"
#include "tests/fuzz/fuzz_util.h"

LONGROPE_FUZZ_TARGET(gguf) {
  const std::string path = lr::fuzz::write_file("in.gguf", data, size);
  return lr::fuzz::expect_clean([&] {
    lr::GgufFile g(path);
    lr::fuzz::expect_clean([&] {  // as load_model and read_model_header call it
      lr::with_gguf_metadata_errors(path, [&] { return lr::gguf_model_config(g); });
    });
    auto tok = lr::load_gguf_tokenizer(path);
    tok->encode("Hello world, 12 tokens\n\tÿ");
  });
}
