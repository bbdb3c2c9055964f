// The kernels' one dispatcher: chooses the kernel path (cpuid at run time, NEON at build, or
// forced) and the quantized-dot path.
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "core/kernels/compute.h"
#include "core/kernels/kernels.h"
#include "core/kernels/qdot.h"
#include "core/util/error.h"

namespace lr {

namespace {

#if defined(__x86_64__) || defined(__i386__)
constexpr bool kX86 = true;
#else
constexpr bool kX86 = false;
#endif

bool cpu_has(KernelPath p) {
  switch (p) {
    case KernelPath::Scalar:
      return true;
#if defined(__x86_64__) || defined(__i386__)
    case KernelPath::Avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case KernelPath::Avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") &&
             __builtin_cpu_supports("fma");
#endif
    case KernelPath::Neon:
      return kern::neon_table() != nullptr;
    default:
      return false;
  }
}

const KernelTable* table_if_supported(KernelPath p) {
  if (!cpu_has(p)) return nullptr;
  switch (p) {
    case KernelPath::Scalar:
      return kern::scalar_table();
    case KernelPath::Avx2:
      return kern::avx2_table();
    case KernelPath::Avx512:
      return kern::avx512_table();
    case KernelPath::Neon:
      return kern::neon_table();
  }
  return nullptr;
}

KernelPath parse_path(const std::string& s, const std::string& what) {
  for (KernelPath p : {KernelPath::Scalar, KernelPath::Avx2, KernelPath::Avx512, KernelPath::Neon})
    if (s == kernel_path_name(p)) return p;
  fail(ErrorKind::InvalidArgument,
       what + ": unknown kernel path '" + s + "' (scalar | avx2 | avx512 | neon | auto)");
}

const KernelTable* choose(const std::string& name, const std::string& what) {
  if (name.empty() || name == "auto") return &kernel_table(supported_kernel_paths().back());
  const KernelPath p = parse_path(name, what);
  const KernelTable* t = table_if_supported(p);
  if (!t)
    fail(
        ErrorKind::Unsupported, what + ": kernel path " + name + " is not available here (" +
                                    (kX86 ? "x86-64" : "non-x86") + " build; this CPU runs: " +
                                    [] {
                                      std::string s;
                                      for (KernelPath q : supported_kernel_paths())
                                        s += std::string(s.empty() ? "" : ", ") +
                                             kernel_path_name(q);
                                      return s;
                                    }() +
                                    ")");
  return t;
}

std::atomic<const KernelTable*>& active() {
  static std::atomic<const KernelTable*> a{nullptr};
  return a;
}

}  // namespace

const char* kernel_path_name(KernelPath p) {
  switch (p) {
    case KernelPath::Scalar:
      return "scalar";
    case KernelPath::Avx2:
      return "avx2";
    case KernelPath::Avx512:
      return "avx512";
    case KernelPath::Neon:
      return "neon";
  }
  return "?";
}

std::vector<KernelPath> supported_kernel_paths() {
  std::vector<KernelPath> out;
  for (KernelPath p : {KernelPath::Scalar, KernelPath::Avx2, KernelPath::Avx512, KernelPath::Neon})
    if (table_if_supported(p)) out.push_back(p);
  return out;
}

const KernelTable& kernel_table(KernelPath p) {
  const KernelTable* t = table_if_supported(p);
  if (!t)
    fail(ErrorKind::Unsupported,
         std::string("kernel path ") + kernel_path_name(p) + " is not available here");
  return *t;
}

const KernelTable& kernels() {
  const KernelTable* t = active().load(std::memory_order_acquire);
  if (t) return *t;
  const char* env = std::getenv("LONGROPE_KERNELS");
  t = choose(env ? env : "", std::string("LONGROPE_KERNELS=") + (env ? env : ""));
  active().store(t, std::memory_order_release);
  return *t;
}

void set_kernel_path(const std::string& name) {
  active().store(choose(name, "--kernels " + name), std::memory_order_release);
}

KernelPath active_kernel_path() { return kernels().path; }

std::string numerics_signature() {
#if defined(__x86_64__)
  const std::string arch = "x86_64";
#elif defined(__aarch64__)
  const std::string arch = "aarch64";
#else
  const std::string arch = "other";
#endif
  std::string s = "kernels-v2 " + arch + ", packed gemm";
  // int8 v2: attention in int8 too (attn_i8.h); v1 archives (products only) are refused.
  if (compute_precision() != Compute::F32)
    s += ", compute " + std::string(compute_name(compute_precision())) + " v2";
  return s;
}

// The quantized-dot path for this CPU (LONGROPE_QDOT=scalar forces the reference).
const QDotKernels& qdot_best() {
  static const QDotKernels& k = []() -> const QDotKernels& {
    const char* force = std::getenv("LONGROPE_QDOT");
    if (force && std::strcmp(force, "scalar") == 0) return kern::qdot_scalar();
    if (const QDotKernels* a = kern::qdot_avx2()) return *a;
    if (const QDotKernels* n = kern::qdot_neon()) return *n;
    return kern::qdot_scalar();
  }();
  return k;
}

size_t attention_block_scratch_floats(int head_dim) {
  return static_cast<size_t>(2 * head_dim + kAttnKeyTile) * kAttnQueryTile + 3 * kAttnQueryTile;
}

size_t attention_row_scratch_floats(int nk, int head_dim) {
  const size_t hd16 = (head_dim + 15) / 16 * 16, nk16 = (nk + 15) / 16 * 16;
  return 2 * hd16 + 16 + nk16;
}

namespace kern {
#if !(defined(__x86_64__) || defined(__i386__))
const KernelTable* avx2_table() { return nullptr; }
const KernelTable* avx512_table() { return nullptr; }
#endif
#if !defined(__aarch64__)
const KernelTable* neon_table() { return nullptr; }
#endif
}  // namespace kern

}  // namespace lr
