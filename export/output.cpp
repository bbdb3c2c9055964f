// Export outputs: record, ownership test, csv/json factor files (written atomically).
#include "export/output.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/formats/gguf.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"
#include "longrope/version.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lr {

ExportFormat parse_export_format(const std::string& s) {
  if (s == "csv") return ExportFormat::Csv;
  if (s == "json") return ExportFormat::Json;
  if (s == "hf") return ExportFormat::Hf;
  if (s == "gguf") return ExportFormat::Gguf;
  if (s == "rkllm") return ExportFormat::Rkllm;
  fail(ErrorKind::InvalidArgument, "unknown --format '" + s + "' (csv, json, hf, gguf, rkllm)");
}

const char* export_format_name(ExportFormat f) {
  switch (f) {
    case ExportFormat::Csv:
      return "csv";
    case ExportFormat::Json:
      return "json";
    case ExportFormat::Hf:
      return "hf";
    case ExportFormat::Gguf:
      return "gguf";
    case ExportFormat::Rkllm:
      return "rkllm";
  }
  return "?";
}

nlohmann::ordered_json export_record(const ExportSource& s, ExportFormat f,
                                     const std::string& model) {
  nlohmann::ordered_json j;
  j["kind"] = "longrope-export";
  j["format_version"] = 1;
  j["format"] = export_format_name(f);
  if (s.long_rows.size() == 1)
    j["long_factor"] = s.long_rows[0];
  else
    j["long_factor"] = s.long_rows;
  j["short_factor"] = s.short_factors;
  j["short_factor_source"] = s.short_origin;
  j["start_tokens"] = s.start_tokens;
  j["mscale"] = s.mscale_rule;
  j["attention_factor"] = s.mscale();
  j["scale"] = s.scale();
  j["target_length"] = s.target_length;
  j["original_max_position"] = s.original_max_position;
  if (s.ppl) j["ppl"] = *s.ppl;
  if (s.short_ppl) j["short_ppl"] = *s.short_ppl;
  nlohmann::ordered_json p;
  p["source_file"] = s.source_file;
  p["archive"] = s.archive_path;
  p["individual_id"] = s.id;
  if (!s.pick.empty()) p["pick"] = s.pick;
  p["ppl"] = s.ppl ? nlohmann::ordered_json(*s.ppl) : nlohmann::ordered_json(nullptr);
  p["model"] = model;
  p["toolkit"] = std::string("longrope ") + kVersion + " (" + kGitSha + ")";
  j["provenance"] = p;
  return j;
}

bool check_output_replaceable(const std::string& path, bool overwrite) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return false;
  if (!overwrite)
    fail(ErrorKind::Io, path + " exists; remove it, choose another --output or pass --overwrite");
  return true;
}

void write_factor_export(const ExportSource& s, ExportFormat f, const std::string& path,
                         const nlohmann::ordered_json& record) {
  if (f == ExportFormat::Json) {
    write_file_atomically(path, record.dump(2) + "\n");
    return;
  }
  if (s.long_rows.size() != 1)
    fail(ErrorKind::Unsupported,
         "per-layer factors (" + std::to_string(s.long_rows.size()) +
             " rows) cannot be written as one-per-line CSV; use --format json");
  std::string text;
  char buf[64];
  for (double v : s.long_rows[0]) {
    std::snprintf(buf, sizeof buf, "%.18e\n", v);
    text += buf;
  }
  write_file_atomically(path, text);
}

}  // namespace lr
