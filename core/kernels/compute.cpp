// The process-wide precision of the matrix products.
#include "core/kernels/compute.h"

#include <atomic>

#include "core/util/error.h"

namespace lr {

namespace {
std::atomic<int> g_compute{static_cast<int>(Compute::F32)};
}  // namespace

Compute compute_precision() { return static_cast<Compute>(g_compute.load()); }
void set_compute_precision(Compute c) { g_compute.store(static_cast<int>(c)); }
const char* compute_name(Compute c) { return c == Compute::F32 ? "f32" : "int8"; }

Compute parse_compute(const std::string& name) {
  if (name == "f32") return Compute::F32;
  if (name == "int8") return Compute::Int8;
  if (name == "bf16")
    fail(ErrorKind::Unsupported, "--compute bf16 is not built yet (use f32 or int8)");
  fail(ErrorKind::InvalidArgument, "bad --compute '" + name + "' (use f32 or int8)");
}

}  // namespace lr
