// Factor file parsing (CSV / JSON) and constraint checks.
#include "core/rope/factors.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/util/error.h"
#include "core/util/json_int.h"
#include "core/util/mapped_file.h"
#include "core/util/strformat.h"

namespace lr {

static std::vector<double> json_row(const nlohmann::json& a, const std::string& path) {
  std::vector<double> row;
  for (const auto& v : a) {
    if (v.is_number())
      row.push_back(v.get<double>());
    else if (v.is_string() && (v == "nan" || v == "NaN"))
      row.push_back(std::nan(""));
    else
      fail(ErrorKind::Data, path + ": factor " + std::to_string(row.size()) + " is not a number");
  }
  return row;
}

// One row, or one row per layer.
static std::vector<std::vector<double>> json_rows(const nlohmann::json& arr,
                                                  const std::string& path) {
  if (!arr.is_array()) fail(ErrorKind::Format, path + ": factors must be an array");
  std::vector<std::vector<double>> rows;
  if (!arr.empty() && arr[0].is_array()) {
    for (const auto& r : arr) rows.push_back(json_row(r, path));
  } else {
    rows.push_back(json_row(arr, path));
  }
  return rows;
}

static FactorFile parse_json(const std::string& text, const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    fail(ErrorKind::Format, path + ": not valid JSON: " + e.what());
  }
  FactorFile f;
  nlohmann::json arr = j;
  if (j.is_object()) {
    for (const char* key : {"long_factor", "factors", "rescale_factors", "lambda"}) {
      if (j.contains(key)) {
        arr = j[key];
        break;
      }
    }
    if (arr.is_object()) fail(ErrorKind::Format, path + ": no \"factors\" array in the JSON");
    try {
      if (j.contains("start_tokens"))
        f.start_tokens = json_int(j["start_tokens"], path + ": start_tokens");
      if (j.contains("mscale")) {
        const auto& m = j["mscale"];
        if (m.is_string()) {
          f.mscale = m.get<std::string>();
        } else {  // every digit: a searched --search-mscale factor must come back exactly
          f.mscale = exact_text(m.get<double>());
        }
      }
      if (j.contains("target_length"))
        f.target_length = json_int(j["target_length"], path + ": target_length");
      if (j.contains("original_max_position"))
        f.original_max_position =
            json_int(j["original_max_position"], path + ": original_max_position");
    } catch (const nlohmann::json::exception& e) {
      fail(ErrorKind::Format, path + ": " + e.what());
    }
    for (const char* key : {"short_factor", "short_factors"})
      if (j.contains(key)) f.short_rows = json_rows(j[key], path);
  }
  f.rows = json_rows(arr, path);
  return f;
}

static double parse_number(const std::string& tok, const std::string& path, int line) {
  char* end = nullptr;
  const double v = std::strtod(tok.c_str(), &end);
  if (tok.empty() || *end != '\0')
    fail(ErrorKind::Data, path + ":" + std::to_string(line) + ": '" + tok + "' is not a number");
  return v;
}

static FactorFile parse_csv(const std::string& text, const std::string& path) {
  FactorFile f;
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  std::vector<double> single;  // one value per line
  while (std::getline(in, line)) {
    ++lineno;
    std::string clean;
    for (char ch : line)
      if (!std::isspace(static_cast<unsigned char>(ch))) clean += ch;
    if (clean.empty() || clean[0] == '#') continue;
    std::vector<double> vals;
    std::stringstream ls(clean);
    std::string tok;
    while (std::getline(ls, tok, ',')) {
      if (!tok.empty()) vals.push_back(parse_number(tok, path, lineno));
    }
    if (vals.size() == 1)
      single.push_back(vals[0]);
    else if (!vals.empty())
      f.rows.push_back(vals);
  }
  if (!single.empty() && !f.rows.empty())
    fail(ErrorKind::Data, path + ": mixes one-value lines with multi-value rows");
  if (!single.empty()) f.rows.push_back(single);
  return f;
}

FactorFile read_factor_file(const std::string& path) {
  if (!std::filesystem::exists(path))
    fail(ErrorKind::Io, "factor file '" + path + "' does not exist");
  const std::string text = read_text_file(path);
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) fail(ErrorKind::Data, path + ": factor file is empty");
  FactorFile f =
      (text[first] == '{' || text[first] == '[') ? parse_json(text, path) : parse_csv(text, path);
  if (f.rows.empty() || f.rows[0].empty()) fail(ErrorKind::Data, path + ": factor file is empty");
  return f;
}

void validate_factors(const std::vector<std::vector<double>>& rows, int half, int n_layers,
                      const FactorChecks& checks, const std::string& src) {
  if (rows.empty()) fail(ErrorKind::Data, src + ": no factors");
  if (rows.size() != 1 && static_cast<int>(rows.size()) != n_layers)
    fail(ErrorKind::Data, src + ": " + std::to_string(rows.size()) +
                              " factor rows; expected 1 or one per layer (" +
                              std::to_string(n_layers) + ")");
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    const std::string where = rows.size() > 1 ? " (row " + std::to_string(r) + ")" : "";
    if (static_cast<int>(row.size()) != half)
      fail(ErrorKind::Data,
           src + where + ": " + std::to_string(row.size()) +
               " factors, but the model needs head_dim/2 = " + std::to_string(half));
    for (int i = 0; i < half; ++i) {
      if (!std::isfinite(row[i]))
        fail(ErrorKind::Data, src + where + ": factor " + std::to_string(i) + " is not finite");
      if (!checks.allow_below_one && row[i] < 1.0)
        fail(ErrorKind::Data, src + where + ": factor " + std::to_string(i) + " = " +
                                  std::to_string(row[i]) +
                                  " is below 1 (pass --allow-below-one to accept)");
      if (checks.monotonic && i > 0 && row[i] < row[i - 1])
        fail(ErrorKind::Data, src + where + ": factors are not non-decreasing at index " +
                                  std::to_string(i) + " (" + std::to_string(row[i - 1]) + " > " +
                                  std::to_string(row[i]) +
                                  "; pass --no-monotonic-check to accept)");
    }
  }
}

}  // namespace lr
