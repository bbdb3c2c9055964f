// Integers from user JSON, checked: nlohmann's get<int>() static_casts a float, undefined
// behaviour when it is out of range (fuzzing found 4e97 in a factor file, 4e45 in config.json).
#pragma once
#include <climits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/util/error.h"

namespace lr {

// `v` as an int, as get<int>() converts it (floats truncated, a non-number throws nlohmann's
// type_error), except that a number outside int's range, or NaN, is a Format error naming
// `where` (e.g. "config.json: hidden_size").
inline int json_int(const nlohmann::json& v, const std::string& where) {
  bool ok = true;
  if (v.is_number_float()) {
    const double d = v.get<double>();
    ok = d > static_cast<double>(INT_MIN) - 1.0 && d < static_cast<double>(INT_MAX) + 1.0;
  } else if (v.is_number_unsigned()) {
    ok = v.get<uint64_t>() <= static_cast<uint64_t>(INT_MAX);
  } else if (v.is_number_integer()) {
    ok = v.get<int64_t>() >= INT_MIN && v.get<int64_t>() <= INT_MAX;
  }
  if (!ok) fail(ErrorKind::Format, where + ": " + v.dump() + " is not an integer in int's range");
  return v.get<int>();
}

inline std::vector<int> json_ints(const nlohmann::json& v, const std::string& where) {
  if (!v.is_array()) return v.get<std::vector<int>>();  // throws type_error, as before
  std::vector<int> out;
  out.reserve(v.size());
  for (const auto& e : v) out.push_back(json_int(e, where));
  return out;
}

}  // namespace lr
