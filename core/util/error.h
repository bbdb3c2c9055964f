// Typed errors with context; the CLI turns them into one clear line and a non-zero exit.
#pragma once
#include <stdexcept>
#include <string>

namespace lr {

enum class ErrorKind { Io, Format, Unsupported, InvalidArgument, Data };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

[[noreturn]] inline void fail(ErrorKind kind, const std::string& msg) { throw Error(kind, msg); }

// Exit codes used by the CLI for each kind (documented in README.md, "Exit codes").
inline int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Io:
      return 3;
    case ErrorKind::Format:
      return 4;
    case ErrorKind::Unsupported:
      return 5;
    case ErrorKind::InvalidArgument:
      return 2;
    case ErrorKind::Data:
      return 6;
  }
  return 1;
}

}  // namespace lr
