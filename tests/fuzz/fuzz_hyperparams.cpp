// Fuzz target: a hyperparameter JSON file, loaded and validated.
#include "search/hyperparams.h"
#include "tests/fuzz/fuzz_util.h"

LONGROPE_FUZZ_TARGET(hyperparams) {
  const std::string path = lr::fuzz::write_file("hp.json", data, size);
  return lr::fuzz::expect_clean([&] {
    const lr::HyperParams hp = lr::load_hyperparams(path);
    hp.validate();
    hp.to_json().dump();
  });
}
