// Tokenizer loaders: picks the tokenizer a file or folder holds (SentencePiece, GGUF vocab,
// llama2.c, BPE).
#include "core/tokenizer/tokenizer_factory.h"

#include <sentencepiece_processor.h>

#include <cstring>
#include <filesystem>

#include "core/formats/gguf.h"
#include "core/formats/llama2c.h"
#include "core/formats/spm_proto.h"
#include "core/tokenizer/bpe_tokenizer.h"
#include "core/tokenizer/spm_tokenizer.h"
#include "core/util/error.h"
#include "core/util/json_int.h"
#include "core/util/mapped_file.h"
#include "core/util/sha256.h"

namespace fs = std::filesystem;

namespace lr {

namespace {

// Field 3 (normalizer_spec) of a serialized sentencepiece ModelProto, as raw bytes: the
// normaliser's name, its precompiled character map and flags ("" when absent or malformed).
std::string normalizer_spec_bytes(const std::string& proto) {
  const auto specs = proto_fields(proto, 3);
  return specs.empty() ? std::string() : specs.front();
}

class SentencePieceTokenizer : public Tokenizer {
 public:
  explicit SentencePieceTokenizer(const std::string& path) {
    const std::string bytes = read_text_file(path);
    check_spm_charsmaps(bytes, path);  // the library trusts the map (fuzzing found OOB reads)
    const auto st = sp_.LoadFromSerializedProto(bytes);
    if (!st.ok()) fail(ErrorKind::Format, path + ": not a SentencePiece model: " + st.ToString());
    for (int i = 0; i < sp_.GetPieceSize(); ++i) pieces_.push_back(sp_.IdToPiece(i));
    bos_ = sp_.bos_id();
    eos_ = sp_.eos_id();
    unk_ = sp_.unk_id();
    kind_ = "sentencepiece";
    // libsentencepiece normalises text (e.g. nmt_nfkc turns newlines into spaces): shards it
    // writes must not mix with the un-normalised llama.cpp path of the same vocabulary.
    text_rule_ = "libsentencepiece normalizer " +
                 sha256_hex(normalizer_spec_bytes(sp_.serialized_model_proto()));
  }
  std::vector<int> encode(const std::string& text) const override {
    std::vector<int> ids;
    const auto st = sp_.Encode(text, &ids);
    if (!st.ok()) fail(ErrorKind::Data, "sentencepiece: " + st.ToString());
    return ids;
  }
  std::string decode_piece(int id) const override {
    if (sp_.IsByte(id)) {
      const std::string p = sp_.IdToPiece(id);
      if (p.size() == 6 && std::isxdigit(static_cast<unsigned char>(p[3])) &&
          std::isxdigit(static_cast<unsigned char>(p[4])))
        return std::string(1, static_cast<char>(std::stoi(p.substr(3, 2), nullptr, 16)));
      return "";  // a byte piece not written <0xXX> (a corrupt model): no text
    }
    return unescape_piece(sp_.IdToPiece(id));
  }

 private:
  sentencepiece::SentencePieceProcessor sp_;
};

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& path) {
  if (!fs::exists(path)) fail(ErrorKind::Io, "tokenizer '" + path + "' does not exist");
  return std::make_unique<SentencePieceTokenizer>(path);
}

static std::unique_ptr<Tokenizer> load_gguf_tokenizer_here(const std::string& path);

std::unique_ptr<Tokenizer> load_gguf_tokenizer(const std::string& path) {
  try {  // metadata values of an unexpected type
    return load_gguf_tokenizer_here(path);
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::Format, path + ": bad tokenizer metadata: " + e.what());
  }
}

static std::unique_ptr<Tokenizer> load_gguf_tokenizer_here(const std::string& path) {
  GgufFile g(path);
  const auto& m = g.meta();
  const std::string model = m.value("tokenizer.ggml.model", std::string());
  if (model == "gpt2") return load_gguf_bpe(m, path);
  if (model != "llama") {
    fail(ErrorKind::Unsupported, path + ": embedded tokenizer '" + model +
                                     "' is not supported (supported: 'llama' SentencePiece, "
                                     "'gpt2' byte-level BPE)");
  }
  if (!m.contains("tokenizer.ggml.tokens")) fail(ErrorKind::Format, path + ": no token list");
  std::vector<std::string> pieces;
  std::vector<float> scores;
  std::vector<int> types;
  try {
    pieces = m["tokenizer.ggml.tokens"].get<std::vector<std::string>>();
    scores.assign(pieces.size(), 0.0f);
    if (m.contains("tokenizer.ggml.scores"))
      scores = m["tokenizer.ggml.scores"].get<std::vector<float>>();
    if (m.contains("tokenizer.ggml.token_type"))
      types = gguf_ints(m, "tokenizer.ggml.token_type", path);
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::Format, path + ": bad tokenizer metadata: " + e.what());
  }
  if (!types.empty() && types.size() != pieces.size())
    fail(ErrorKind::Format, path + ": tokenizer.ggml.token_type has " +
                                std::to_string(types.size()) + " entries for " +
                                std::to_string(pieces.size()) + " tokens");
  return std::make_unique<SpmTokenizer>(
      std::move(pieces), std::move(scores), gguf_int(m, "tokenizer.ggml.bos_token_id", path, -1),
      gguf_int(m, "tokenizer.ggml.eos_token_id", path, -1),
      gguf_int(m, "tokenizer.ggml.unknown_token_id", path, 0),
      m.value("tokenizer.ggml.add_space_prefix", true), "gguf-llama", std::move(types));
}

std::unique_ptr<Tokenizer> load_llama2c_tokenizer(const std::string& path, int vocab_size) {
  MappedFile f(path);
  const uint8_t* p = f.data();
  size_t off = 4, n = f.size();
  if (n < 4) fail(ErrorKind::Format, path + ": truncated llama2.c tokenizer");
  std::vector<std::string> pieces;
  std::vector<float> scores;
  while (off < n && (vocab_size <= 0 || static_cast<int>(pieces.size()) < vocab_size)) {
    if (n - off < 8) fail(ErrorKind::Format, path + ": truncated llama2.c tokenizer");
    float score;
    int32_t len;
    std::memcpy(&score, p + off, 4);
    std::memcpy(&len, p + off + 4, 4);
    off += 8;
    if (len < 0 || static_cast<size_t>(len) > n - off)
      fail(ErrorKind::Format, path + ": corrupt llama2.c tokenizer entry");
    std::string piece(reinterpret_cast<const char*>(p + off), len), norm;
    off += len;
    for (char ch : piece) {
      if (ch == ' ')
        norm += kSpacePiece;
      else
        norm += ch;
    }
    pieces.push_back(norm);
    scores.push_back(score);
  }
  if (vocab_size > 0 && static_cast<int>(pieces.size()) != vocab_size)
    fail(ErrorKind::Format, path + ": tokenizer has " + std::to_string(pieces.size()) +
                                " entries, the model expects " + std::to_string(vocab_size));
  // llama2.c: <unk>=0, <s>=1, </s>=2; a space is prepended to non-empty text.
  return std::make_unique<SpmTokenizer>(std::move(pieces), std::move(scores), 1, 2, 0, true,
                                        "llama2c");
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(ErrorKind::Io, "tokenizer '" + path + "' does not exist");
  if (fs::is_directory(path, ec)) {
    const fs::path tm = fs::path(path) / "tokenizer.model";
    if (fs::exists(tm, ec)) return load_sentencepiece(tm.string());
    if (fs::exists(fs::path(path) / "tokenizer.json", ec)) return load_hf_bpe(path);
    fail(ErrorKind::Io, path + ": no tokenizer.model or tokenizer.json in the folder");
  }
  if (is_gguf_file(path)) return load_gguf_tokenizer(path);
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".model") return load_sentencepiece(path);
  if (ext == ".json") return load_hf_bpe(path);
  if (ext == ".bin") {
    if (looks_like_llama2c_checkpoint(path)) {
      const std::string tok = find_llama2c_tokenizer(path);
      if (tok.empty())
        fail(ErrorKind::Io, path +
                                ": no tokenizer.bin beside the llama2.c model; pass "
                                "--tokenizer explicitly");
      return load_llama2c_tokenizer(tok);
    }
    return load_llama2c_tokenizer(path);
  }
  fail(ErrorKind::Format, "cannot tell the tokenizer format of '" + path + "'");
}

}  // namespace lr
