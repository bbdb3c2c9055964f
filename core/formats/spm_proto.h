// Reading a serialized SentencePiece ModelProto without libprotobuf: length-delimited fields,
// and a check of the normalizer's precompiled character map before libsentencepiece trusts it.
#pragma once
#include <string>
#include <vector>

namespace lr {

// Every occurrence of length-delimited field `field` of protobuf message `msg`, as raw bytes
// (protobuf merges repeated occurrences of a message field; callers see them all). Stops at the
// first malformed key or length.
std::vector<std::string> proto_fields(const std::string& msg, int field);

// Checks every precompiled_charsmap of the normalizer and denormalizer specs of `proto`:
// libsentencepiece 0.1.97 walks the map's darts-clone trie and its string table without bounds
// checks, so a corrupt map makes it read outside the model (fuzzing: a SEGV and a
// heap-use-after-free in Normalizer::NormalizePrefix). Verifies that every trie position a
// lookup of any byte string can read lies inside the trie, every value points into the
// string table, and the table ends with a NUL; throws Format naming `path` otherwise.
void check_spm_charsmaps(const std::string& proto, const std::string& path);

}  // namespace lr
