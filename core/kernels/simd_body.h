// The row kernels (exp, RMSNorm, RoPE, SwiGLU, log-softmax) written once over a vector trait V.
#pragma once
// V is vec_avx2.h, vec_avx512.h or vec_neon.h; each instruction-set file instantiates these.
// Same operations in the same order as scalar.cpp, so every path gives the scalar path's bits.
// Include only from the instruction-set .cpp files (their trait types have internal linkage,
// so do these instances).
#include "core/kernels/exp_consts.h"
#include "core/kernels/kernels.h"

namespace lr::kern {

template <class V>
struct Simd {
  using F = typename V::F;
  using D = typename V::D;
  static constexpr int W = V::W, N16 = 16 / V::W, ND16 = 16 / V::WD;
  static constexpr int BQ = kAttnQueryTile, BK = kAttnKeyTile;

  // Attention's 2^x for x <= 0 as scalar::exp2_attn (max(lo, x) keeps a NaN x); Deg 4 is
  // scalar::exp2_i8 (--compute int8 attention).
  template <int Deg = 6>
  static F exp2_attn(F x) {
    static_assert(Deg == 4 || Deg == 6);
    using namespace expc;
    x = V::max(V::set1(kAttnLo), x);
    const F n = V::round(x);
    const F r = V::sub(x, n);
    F p = V::set1(Deg == 6 ? kP6 : kP4);
    if constexpr (Deg == 6) {
      p = V::fma(p, r, V::set1(kP5));
      p = V::fma(p, r, V::set1(kP4));
    }
    p = V::fma(p, r, V::set1(kP3));
    p = V::fma(p, r, V::set1(kP2));
    p = V::fma(p, r, V::set1(kP1));
    p = V::fma(p, r, V::set1(1.0f));
    return V::scale2n1(p, n);
  }

  static F exp(F x) {
    using namespace expc;
    x = V::clamp_lo(x, kLo);
    x = V::clamp_hi(x, kHi);
    const F n = V::round(V::mul(x, V::set1(kLog2e)));
    F r = V::fma(n, V::set1(kLn2Hi), x);
    r = V::fma(n, V::set1(kLn2Lo), r);
    F p = V::set1(kC7);
    p = V::fma(p, r, V::set1(kC6));
    p = V::fma(p, r, V::set1(kC5));
    p = V::fma(p, r, V::set1(kC4));
    p = V::fma(p, r, V::set1(kC3));
    p = V::fma(p, r, V::set1(kC2));
    p = V::fma(p, r, V::set1(1.0f));
    p = V::fma(p, r, V::set1(1.0f));
    return V::scale2n(p, n);
  }

  // 16 virtual lanes held in N16 vectors: halve the array (lanes k + k+8, ...), then the vector.
  static float reduce16(F* a) {
    for (int n = N16; n > 1; n /= 2)
      for (int i = 0; i < n / 2; ++i) a[i] = V::add(a[i], a[i + n / 2]);
    return V::tree(a[0]);
  }
  static double reduce16d(D* a) {
    for (int n = ND16; n > 1; n /= 2)
      for (int i = 0; i < n / 2; ++i) a[i] = V::dadd(a[i], a[i + n / 2]);
    return V::treed(a[0]);
  }
  static float fmax(float a, float b) { return a > b ? a : b; }
  static float hmax(F v) {
    float t[W];
    V::store(t, v);
    float m = t[0];
    for (int i = 1; i < W; ++i) m = fmax(m, t[i]);
    return m;
  }

  static void exp_array(const float* x, float* y, long n) {
    long i = 0;
    for (; i + W <= n; i += W) V::store(y + i, exp(V::load(x + i)));
    if (i < n) {
      float t[W] = {};
      for (long j = i; j < n; ++j) t[j - i] = x[j];
      V::store(t, exp(V::load(t)));
      for (long j = i; j < n; ++j) y[j] = t[j - i];
    }
  }

  static void rmsnorm_row(const float* x, const float* w, float* y, int dim, float eps) {
    D acc[ND16];
    for (auto& a : acc) a = V::dzero();
    auto add16 = [&](const float* p) {
      for (int c = 0; c < N16; ++c) {
        D d[2];
        V::to_double(V::load(p + c * W), d);
        acc[2 * c] = V::dadd(acc[2 * c], V::dmul(d[0], d[0]));
        acc[2 * c + 1] = V::dadd(acc[2 * c + 1], V::dmul(d[1], d[1]));
      }
    };
    int i = 0;
    for (; i + 16 <= dim; i += 16) add16(x + i);
    if (i < dim) {
      float t[16] = {};
      for (int j = i; j < dim; ++j) t[j - i] = x[j];
      add16(t);
    }
    const double ss = reduce16d(acc);
    const float inv = static_cast<float>(1.0 / __builtin_sqrt(ss / dim + eps));
    const F vi = V::set1(inv);
    i = 0;
    for (; i + W <= dim; i += W)
      V::store(y + i, V::mul(V::mul(V::load(x + i), vi), V::load(w + i)));
    for (; i < dim; ++i) y[i] = x[i] * inv * w[i];
  }

  static void rope_row(float* x, const float* c, const float* s, int n_heads, int head_dim,
                       RopeLayout layout) {
    const int half = head_dim / 2;
    for (int h = 0; h < n_heads; ++h) {
      float* v = x + h * head_dim;
      if (layout == RopeLayout::HalfSplit) {
        int i = 0;
        for (; i + W <= half; i += W) {
          const F x0 = V::load(v + i), x1 = V::load(v + half + i);
          const F cv = V::load(c + i), sv = V::load(s + i);
          V::store(v + i, V::sub(V::mul(x0, cv), V::mul(x1, sv)));
          V::store(v + half + i, V::add(V::mul(x0, sv), V::mul(x1, cv)));
        }
        for (; i < half; ++i) {
          const float x0 = v[i], x1 = v[i + half];
          v[i] = x0 * c[i] - x1 * s[i];
          v[i + half] = x0 * s[i] + x1 * c[i];
        }
      } else {  // pairs (2i, 2i+1): y = x * (c, c) + swap(x) * (-s, s)
        int e = 0;
        for (; e + W <= head_dim; e += W) {
          const F xv = V::load(v + e);
          const F cd = V::load_dup(c + e / 2), sd = V::neg_even(V::load_dup(s + e / 2));
          V::store(v + e, V::add(V::mul(xv, cd), V::mul(V::swap_pairs(xv), sd)));
        }
        for (int i = e / 2; i < half; ++i) {
          const float x0 = v[2 * i], x1 = v[2 * i + 1];
          v[2 * i] = x0 * c[i] - x1 * s[i];
          v[2 * i + 1] = x0 * s[i] + x1 * c[i];
        }
      }
    }
  }

  static F swiglu_v(F g, F u) {
    const F d = V::add(V::set1(1.0f), exp(V::neg(g)));
    return V::mul(V::div(g, d), u);
  }
  static void swiglu(float* g, const float* u, long n) {
    long i = 0;
    for (; i + W <= n; i += W) V::store(g + i, swiglu_v(V::load(g + i), V::load(u + i)));
    if (i < n) {
      float tg[W] = {}, tu[W] = {};
      for (long j = i; j < n; ++j) tg[j - i] = g[j], tu[j - i] = u[j];
      V::store(tg, swiglu_v(V::load(tg), V::load(tu)));
      for (long j = i; j < n; ++j) g[j] = tg[j - i];
    }
  }

  static double log_softmax_at(const float* lg, int vocab, int token) {
    F mv = V::set1(lg[0]);
    int j = 0;
    for (; j + W <= vocab; j += W) mv = V::max(mv, V::load(lg + j));
    float mx = hmax(mv);
    for (; j < vocab; ++j) mx = fmax(mx, lg[j]);
    const F vm = V::set1(mx);
    D acc[ND16];
    for (auto& a : acc) a = V::dzero();
    auto add16 = [&](const float* p) {
      for (int c = 0; c < N16; ++c) {
        D d[2];
        V::to_double(exp(V::sub(V::load(p + c * W), vm)), d);
        acc[2 * c] = V::dadd(acc[2 * c], d[0]);
        acc[2 * c + 1] = V::dadd(acc[2 * c + 1], d[1]);
      }
    };
    j = 0;
    for (; j + 16 <= vocab; j += 16) add16(lg + j);
    if (j < vocab) {
      float t[16];
      for (int i = 0; i < 16; ++i) t[i] = j + i < vocab ? lg[j + i] : -__builtin_inff();
      add16(t);
    }
    return static_cast<double>(lg[token] - mx) - log_f64(reduce16d(acc));
  }
};

}  // namespace lr::kern
