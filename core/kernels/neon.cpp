// The neon kernel table: simd_body.h and simd_attention.h instantiated with the Neon trait.
#include "core/kernels/vec_neon.h"
// (vec header first: the bodies below use its intrinsics)
#include "core/kernels/simd_attention.h"
#include "core/kernels/simd_body.h"
#include "core/kernels/simd_gemm.h"
#include "core/kernels/simd_peak.h"
#include "core/tensor/rope_layout.h"

namespace lr::kern {

const KernelTable* neon_table() {
  using S = Simd<Neon>;
  using A = SimdAttention<Neon>;
  static const KernelTable t{
      KernelPath::Neon,         S::rmsnorm_row,       S::rope_row,        S::swiglu,
      S::log_softmax_at,        S::exp_array,         A::block,           A::row,
      SimdPeak<Neon>::fma_loop, SimdGemm<Neon>::tile, SimdGemm<Neon>::MR, SimdGemm<Neon>::NR};
  return &t;
}

}  // namespace lr::kern
