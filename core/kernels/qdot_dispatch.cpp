// The one place that picks the quantized-dot implementation for this CPU (LONGROPE_QDOT=scalar
// forces the reference).
#include <cstdlib>
#include <cstring>

#include "core/kernels/qdot.h"

namespace lr {

const QDotKernels& qdot_best() {
  static const QDotKernels& k = []() -> const QDotKernels& {
    const char* force = std::getenv("LONGROPE_QDOT");
    if (force && std::strcmp(force, "scalar") == 0) return qdot_scalar();
    if (const QDotKernels* a = qdot_avx2()) return *a;
    if (const QDotKernels* n = qdot_neon()) return *n;
    return qdot_scalar();
  }();
  return k;
}

}  // namespace lr
