// The memory plan as a report: a text table and a JSON document for `longrope plan`.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/engine/memory_plan.h"
#include "core/model/model_header.h"

namespace lr {

// The device and the question: which lengths fit, serving (weights + KV cache) and evaluating.
struct PlanDevice {
  std::string model_path;   // as the user named it (for the report)
  uint64_t memory = 0;      // device memory
  uint64_t os_reserve = 0;  // kept for the OS; must be < memory
  KvType kv = KvType::F16;  // serving KV cache type
  int threads = 8;          // threads of our evaluation on the device
  std::vector<int> lengths;
};

struct PlanReport {
  nlohmann::json json;  // schema: docs/cli.md, "plan"
  std::string text;     // the table printed on stdout
};

// Throws InvalidArgument when os_reserve >= memory or threads < 1.
void check_plan_device(const PlanDevice& d);
// The report (checks `d` first).
PlanReport plan_report(const ModelHeader& h, const PlanDevice& d);

}  // namespace lr
