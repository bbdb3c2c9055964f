// SHA-256 of byte strings, hex-encoded (file and tokenizer fingerprints).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lr {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::string hex();  // finishes the hash

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

std::string sha256_hex(std::string_view s);
std::string sha256_file(const std::string& path);

}  // namespace lr
