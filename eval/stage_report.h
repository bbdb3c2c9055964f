// The forward pass's stage timers as a table (eval ppl --profile) and as JSON.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "core/engine/stage_times.h"

namespace lr {

// One line per stage with time: seconds, share of `wall` (the whole length's wall time),
// GFLOP/s for the stages that count FLOPs; then what the stages leave out of `wall`
// (tokenization of the pass, scheduling, the scorer's own work).
std::string stage_table(const StageTimes& t, double wall);
// {stage: {seconds, gflops (null without FLOPs)}}
nlohmann::json stage_json(const StageTimes& t);

}  // namespace lr
