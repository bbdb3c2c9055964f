// Runs a parse of an untrusted file in a forked, memory-capped, time-limited child process.
#pragma once
#include <functional>
#include <string>

namespace lr {

// What the messages call the file and the code that reads it.
struct IsolationLabels {
  std::string file = "file";            // "corrupt <file> (...)", e.g. "HDF5 file"
  std::string library = "the library";  // "<library> crashed reading it", e.g. "the HDF5 library"
};

// Runs `parse` (which reads `path`) first in a forked child process, so that a crash or a hang
// of a third-party parser on a hostile file becomes a Format error naming `path`, and an
// lr::Error thrown in the child is rethrown here (same kind and message). The child's address
// space is capped (what the process maps now + 1 GiB + 4 x the file; not under ASan), so a
// corrupt length makes an allocation fail there instead of filling memory; it gets
// 10 s + 1 s per 10 MB of the file. Only when the child succeeded does the caller parse the
// file itself. Skipped (returns at once) under MPI, where Open MPI warns about fork.
void parse_isolated(const std::string& path, const std::function<void()>& parse,
                    const IsolationLabels& labels);

// Whether parse_isolated caps the child's address space in this build (false under ASan, whose
// shadow memory needs terabytes of address space).
bool isolation_caps_memory();

}  // namespace lr
