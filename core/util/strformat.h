// printf into a std::string (for report tables built in the libraries and printed by the CLI).
#pragma once
#include <string>

namespace lr {

std::string strformat(const char* f, ...) __attribute__((format(printf, 1, 2)));
// The shortest %g text (15 to 17 digits) that reads back as exactly v.
std::string exact_text(double v);

}  // namespace lr
