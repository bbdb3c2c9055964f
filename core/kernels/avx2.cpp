// The avx2 kernel table: simd_body.h and simd_attention.h instantiated with the Avx2 trait.
#include "core/kernels/vec_avx2.h"
// (vec header first: the bodies below use its intrinsics)
#include "core/kernels/simd_attention.h"
#include "core/kernels/simd_body.h"
#include "core/kernels/simd_gemm.h"
#include "core/kernels/simd_peak.h"
#include "core/tensor/rope_layout.h"

namespace lr::kern {

const KernelTable* avx2_table() {
  using S = Simd<Avx2>;
  using A = SimdAttention<Avx2>;
  static const KernelTable t{
      KernelPath::Avx2,         S::rmsnorm_row,       S::rope_row,        S::swiglu,
      S::log_softmax_at,        S::exp_array,         A::block,           A::row,
      SimdPeak<Avx2>::fma_loop, SimdGemm<Avx2>::tile, SimdGemm<Avx2>::MR, SimdGemm<Avx2>::NR};
  return &t;
}

}  // namespace lr::kern
