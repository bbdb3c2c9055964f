// printf into a std::string (for report tables built in the libraries and printed by the CLI).
#pragma once
#include <string>

namespace lr {

std::string strformat(const char* f, ...) __attribute__((format(printf, 1, 2)));

}  // namespace lr
