// Pre-tokenizers: a catalogue entry or a tokenizer.json's steps compiled and split with PCRE2.
#include "core/tokenizer/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "core/tokenizer/pretokenizer_catalogue.h"
#include "core/util/error.h"

namespace lr {

namespace {

// `\s` / `\S` as Unicode White_Space, the set llama.cpp's tables (and its '\v' trick) use;
// PCRE2's own \s also takes U+180E.
std::string translate(const std::string& re) {
  std::string out;
  for (size_t i = 0; i < re.size(); ++i) {
    if (re[i] == '\\' && i + 1 < re.size()) {
      const char c = re[++i];
      if (c == 's')
        out += "\\p{White_Space}";
      else if (c == 'S')
        out += "\\P{White_Space}";
      else
        out += {'\\', c};
    } else {
      out += re[i];
    }
  }
  return out;
}

std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  pcre2_get_error_message(code, buf, sizeof buf);
  return reinterpret_cast<const char*>(buf);
}

}  // namespace

std::vector<std::string> pretokenizer_names() {
  std::vector<std::string> out;
  for (const auto& n : pretokenizer_catalogue())
    out.insert(out.end(), n.names.begin(), n.names.end());
  return out;
}

PreTokenizerSpec pretokenizer_spec(const std::string& pre, const std::string& where) {
  const std::string name = pre.empty() ? "default" : pre;
  for (const auto& n : pretokenizer_catalogue())
    for (const auto& alias : n.names)
      if (alias == name) return {name, n.regexes, n.ignore_merges, n.add_bos};
  fail(ErrorKind::Unsupported,
       where + ": pre-tokenizer '" + pre +
           "' is not supported (supported: gpt-2, llama-bpe, qwen2, deepseek-llm, "
           "deepseek-coder, starcoder, falcon and their llama.cpp aliases; see docs/formats.md)");
}

namespace {

// One tokenizer.json pre-tokenizer step as regexes appended to `out`.
void hf_step(const nlohmann::json& p, std::vector<std::string>& out, const std::string& where) {
  const std::string type = p.value("type", std::string());
  auto refuse = [&](const std::string& what) {
    fail(ErrorKind::Unsupported, where + ": tokenizer.json pre_tokenizer " + what +
                                     " is not supported (Sequence, Split with behavior "
                                     "Isolated, ByteLevel, Digits, Punctuation are)");
  };
  if (type == "Sequence") {
    for (const auto& q : p.at("pretokenizers")) hf_step(q, out, where);
  } else if (type == "ByteLevel") {
    if (p.value("add_prefix_space", false)) refuse("ByteLevel with add_prefix_space");
    if (p.value("use_regex", true))
      out.push_back(gpt2_regex());  // HF's `|\s+` tail splits the same
  } else if (type == "Split") {
    if (p.value("behavior", std::string()) != "Isolated" || p.value("invert", false))
      refuse("Split with behavior '" + p.value("behavior", std::string()) + "'" +
             (p.value("invert", false) ? " inverted" : ""));
    const auto& pat = p.at("pattern");
    std::string re;
    if (pat.contains("Regex")) {
      re = pat["Regex"].get<std::string>();
      const std::string ci = "(?i:'s|'t|'re|'ve|'m|'ll|'d)";  // llama.cpp's spelling of it
      for (size_t at; (at = re.find(ci)) != std::string::npos;)
        re.replace(at, ci.size(), contractions_regex());
    } else {
      for (char c : pat.at("String").get<std::string>()) {  // a literal: escape punctuation
        if (static_cast<unsigned char>(c) < 0x80 && !std::isalnum(static_cast<unsigned char>(c)))
          re += '\\';
        re += c;
      }
    }
    out.push_back(re);
  } else if (type == "Digits") {
    out.push_back(p.value("individual_digits", false) ? R"(\p{N})" : R"(\p{N}+)");
  } else if (type == "Punctuation") {
    const std::string b = p.value("behavior", std::string("Isolated"));
    const std::string cls = R"([\p{P}!-/:-@\[-`{-~])";  // Rust: ASCII or Unicode punctuation
    if (b == "Isolated")
      out.push_back(cls);
    else if (b == "Contiguous")
      out.push_back(cls + "+");
    else
      refuse("Punctuation with behavior '" + b + "'");
  } else {
    refuse("'" + type + "'");
  }
}

}  // namespace

PreTokenizerSpec pretokenizer_spec_from_hf(const nlohmann::json& pre, const std::string& where) {
  PreTokenizerSpec spec{"custom", {}, false, false};
  if (!pre.is_null()) hf_step(pre, spec.regexes, where);
  for (const auto& n : pretokenizer_catalogue()) {
    if (n.regexes == spec.regexes) {
      spec.name = n.names.front();
      break;
    }
  }
  return spec;
}

std::string sanitize_utf8(std::string_view s) {
  static const std::string kReplacement = "\xef\xbf\xbd";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    const size_t len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    uint32_t cp = ok ? c & (0x7f >> len) : 0;
    for (size_t k = 1; ok && k < len; ++k) {
      const unsigned char d = s[i + k];
      ok = (d & 0xc0) == 0x80;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (!ok) {  // llama.cpp: U+FFFD, then carry on at the next byte
      out += kReplacement;
      ++i;
      continue;
    }
    if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
      out += kReplacement;
    } else if (cp < 0x80) {  // overlong forms: llama.cpp re-encodes the code point
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

struct PreTokenizer::Impl {
  std::string name;
  std::vector<pcre2_code*> codes;
  ~Impl() {
    for (auto* c : codes) pcre2_code_free(c);
  }
};

PreTokenizer::PreTokenizer(const PreTokenizerSpec& spec) : impl_(std::make_unique<Impl>()) {
  impl_->name = spec.name;
  for (const auto& re : spec.regexes) {
    const std::string pat = translate(re);
    int err = 0;
    PCRE2_SIZE at = 0;
    pcre2_code* code =
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pat.data()), pat.size(),
                      PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &err, &at, nullptr);
    if (!code)
      fail(ErrorKind::Format, "pre-tokenizer '" + spec.name + "': bad regex '" + re +
                                  "' at offset " + std::to_string(at) + ": " + pcre2_message(err));
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // the interpreter runs if JIT is unavailable
    impl_->codes.push_back(code);
  }
}

PreTokenizer::~PreTokenizer() = default;

std::vector<std::string_view> PreTokenizer::split(std::string_view text) const {
  struct Span {
    size_t off, len;
  };
  std::vector<Span> pieces, next;
  if (!text.empty()) pieces.push_back({0, text.size()});
  // One JIT stack per thread (8 MiB at most) for every split; matching is otherwise stateless.
  struct Context {
    pcre2_match_context* m = pcre2_match_context_create(nullptr);
    pcre2_jit_stack* j = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
    Context() { pcre2_jit_stack_assign(m, nullptr, j); }
    ~Context() {
      pcre2_match_context_free(m);
      pcre2_jit_stack_free(j);
    }
  };
  thread_local Context ctx;
  pcre2_match_context* mctx = ctx.m;
  for (pcre2_code* code : impl_->codes) {
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
    next.clear();
    next.reserve(pieces.size() * 2);
    for (const Span& p : pieces) {
      const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data() + p.off);
      size_t pos = 0, last = 0;
      while (pos < p.len) {
        const int rc = pcre2_match(code, subject, p.len, pos, PCRE2_NO_UTF_CHECK, md, mctx);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
          pcre2_match_data_free(md);
          fail(ErrorKind::Data, "pre-tokenizer '" + impl_->name + "': " + pcre2_message(rc));
        }
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
        const size_t s = ov[0], e = ov[1];
        if (s > last) next.push_back({p.off + last, s - last});  // text between matches
        if (e > s) {
          next.push_back({p.off + s, e - s});
          last = pos = e;
        } else {  // empty match: step over one character
          last = s;
          pos = s + 1;
          while (pos < p.len && (static_cast<unsigned char>(text[p.off + pos]) & 0xc0) == 0x80)
            ++pos;
        }
      }
      if (last < p.len) next.push_back({p.off + last, p.len - last});
    }
    pcre2_match_data_free(md);
    pieces.swap(next);
  }
  std::vector<std::string_view> out;
  out.reserve(pieces.size());
  for (const Span& p : pieces) out.push_back(text.substr(p.off, p.len));
  return out;
}

}  // namespace lr
