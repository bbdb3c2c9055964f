// The tokenizer that belongs to a model, and the check that a shard was tokenized with it.
#pragma once
#include <memory>
#include <string>

#include "core/model/model.h"
#include "core/tokenizer/tokenizer.h"
#include "datasets/shard.h"

namespace lr {

// The tokenizer that belongs to a model (or `override_path` when not empty).
std::unique_ptr<Tokenizer> model_tokenizer(const Model& m, const std::string& override_path);

// Refuses a shard tokenized with another vocabulary than the model's (Data error).
void check_shard_tokenizer(const Shard& s, const Model& m, const std::string& tok_override,
                           const std::string& shard_path);

}  // namespace lr
