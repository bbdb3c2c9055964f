// The avx512 kernel table: simd_body.h and simd_attention.h instantiated with the Avx512 trait.
#include "core/kernels/vec_avx512.h"
// (vec header first: the bodies below use its intrinsics)
#include "core/kernels/simd_attention.h"
#include "core/kernels/simd_body.h"
#include "core/kernels/simd_gemm.h"
#include "core/kernels/simd_peak.h"
#include "core/tensor/rope_layout.h"

namespace lr::kern {

const KernelTable* avx512_table() {
  using S = Simd<Avx512>;
  using A = SimdAttention<Avx512>;
  static const KernelTable t{KernelPath::Avx512,
                             S::rmsnorm_row,
                             S::rope_row,
                             S::swiglu,
                             S::log_softmax_at,
                             S::exp_array,
                             A::block,
                             A::row,
                             SimdPeak<Avx512>::fma_loop,
                             SimdGemm<Avx512>::tile,
                             SimdGemm<Avx512>::MR,
                             SimdGemm<Avx512>::NR};
  return &t;
}

}  // namespace lr::kern
