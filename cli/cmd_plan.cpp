// `longrope plan`: weights, serving KV cache and our evaluation's peak memory per length vs a
// device; `plan --search` (a search's cost) is in cmd_plan_search.cpp.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/engine/plan_report.h"
#include "core/model/model_header.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace lr::cli {

int cmd_plan(const Args& args) {
  for (const std::string& a : args)
    if (a == "--search") return cmd_plan_search(args);
  po::options_description d("plan options");
  d.add_options()("model", po::value<std::string>()->required(),
                  "model (HF folder, GGUF, llama2.c .bin) or a bare HF config.json")(
      "num-tokens", po::value<std::string>()->required(), "lengths, e.g. 4096,16384")(
      "device-mem", po::value<std::string>()->default_value("16GiB"),
      "device memory (default: an RK3588 board with 16 GB)")(
      "os-reserve", po::value<std::string>()->default_value("1.5GiB"),
      "memory kept for the OS and other processes")(
      "kv-type", po::value<std::string>()->default_value("f16"), "serving KV cache: f16 | q8_0")(
      "device-threads", po::value<int>()->default_value(8),
      "threads of our evaluation on the device (attention scratch; RK3588: 8 cores)")(
      "json", po::value<std::string>(), "also write the plan as JSON to this file (- = stdout)");
  d.add(common_options());
  po::variables_map vm;
  if (!parse(args, d, vm,
             "usage: longrope plan --model M|config.json --num-tokens N[,N...] "
             "[--device-mem 16GiB] [--kv-type f16|q8_0]\n"
             "       longrope plan --search --model M --target-length N [search options]: a "
             "search's cost (longrope plan --search --help)"))
    return 0;
  apply_common(vm);
  PlanDevice dev;
  dev.lengths = parse_int_list(vm["num-tokens"].as<std::string>(), "--num-tokens");
  dev.memory = parse_byte_size(vm["device-mem"].as<std::string>(), "--device-mem");
  dev.os_reserve = parse_byte_size(vm["os-reserve"].as<std::string>(), "--os-reserve");
  dev.kv = parse_kv_type(vm["kv-type"].as<std::string>());
  dev.threads = vm["device-threads"].as<int>();
  dev.model_path = vm["model"].as<std::string>();
  check_plan_device(dev);
  const PlanReport r = plan_report(read_model_header(dev.model_path), dev);
  const std::string out = vm.count("json") ? vm["json"].as<std::string>() : "";
  if (out != "-") std::cout << r.text;
  if (!out.empty()) {
    if (out == "-") {
      std::cout << r.json.dump(2) << "\n";
    } else {
      write_file_atomically(out, r.json.dump(2) + "\n");
    }
  }
  return 0;
}

}  // namespace lr::cli
