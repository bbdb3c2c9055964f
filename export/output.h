// Export outputs: the record, the "written by us" test, csv/json factor files.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "export/source.h"

namespace lr {

enum class ExportFormat { Csv, Json, Hf, Gguf, Rkllm };
ExportFormat parse_export_format(const std::string& s);  // csv | json | hf | gguf | rkllm
const char* export_format_name(ExportFormat f);

// The export record (schema in results/README.md): factors, n̂, mscale, lengths, provenance.
nlohmann::ordered_json export_record(const ExportSource& s, ExportFormat f,
                                     const std::string& model);

// Whether `path` exists (and will be replaced). An existing `path` is refused (Io error naming
// it) unless `overwrite`.
bool check_output_replaceable(const std::string& path, bool overwrite = false);

// csv: long factors one per line, as result_final.csv; json: the record.
void write_factor_export(const ExportSource& s, ExportFormat f, const std::string& path,
                         const nlohmann::ordered_json& record);

inline constexpr const char* kExportMarker = "longrope_export.json";  // inside exported folders
inline constexpr const char* kGgufExportKey = "longrope.export";      // in exported GGUFs

}  // namespace lr
