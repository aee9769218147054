// Partial loads and stores and the shuffles the AVX2 kernels share (8 floats per vector).
// AVX2's masked moves (vmaskmovps) are slow on AMD Zen (the masked stores most of all;
// measured: they took 40% of the Winograd input transform), so row edges are loaded with a
// full load inside the row and a lane permutation, and partial vectors are stored in 4-, 2-
// and 1-float pieces. Nothing outside the given row or count is read or written.
#ifndef CK_AVX2_LANES_H
#define CK_AVX2_LANES_H

#if defined(__x86_64__)
#include <immintrin.h>
#include <stddef.h>

// No "fma" here on purpose: without it the compiler cannot fuse a multiply and an add,
// whatever the contraction setting. The CPU check (ck_cpu_has_avx2) still requires FMA.
#define CK_AVX2 __attribute__((target("avx2")))
#define CK_AVX2_INLINE static inline __attribute__((always_inline)) CK_AVX2

/// row[x + l] for the lanes l with 0 <= x + l < w, `fill` in the others; reads row[0 ..< w] only.
CK_AVX2_INLINE __m256 ck8_load_clipped(const float *row, ptrdiff_t x, ptrdiff_t w, __m256 fill) {
    if (x >= 0 && x + 8 <= w) return _mm256_loadu_ps(row + x);
    if (x <= -8 || x >= w) return fill;
    if (w >= 8) {
        // One full load inside the row (its first or last 8 floats), lanes moved into place.
        const ptrdiff_t start = x < 0 ? 0 : w - 8;
        const __m256i source = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                                _mm256_set1_epi32((int)(x - start)));
        const __m256 moved = _mm256_permutevar8x32_ps(_mm256_loadu_ps(row + start), source);
        const __m256i inside = _mm256_and_si256(_mm256_cmpgt_epi32(source, _mm256_set1_epi32(-1)),
                                                _mm256_cmpgt_epi32(_mm256_set1_epi32(8), source));
        return _mm256_blendv_ps(fill, moved, _mm256_castsi256_ps(inside));
    }
    float lanes[8];   // a row narrower than a vector
    _mm256_storeu_ps(lanes, fill);
    for (int l = 0; l < 8; l++) {
        if (x + l >= 0 && x + l < w) lanes[l] = row[x + l];
    }
    return _mm256_loadu_ps(lanes);
}

/// How to load columns x ... x + 7 of rows of width w >= 8, zero outside 0 ..< w: one full
/// load inside the row at `start`, lanes moved by `source`, kept where `keep`. Worked out
/// once for the same columns of many rows (a plain load has start = x, source = identity).
typedef struct { ptrdiff_t start; __m256i source; __m256 keep; } ck8_columns;

CK_AVX2_INLINE ck8_columns ck8_columns_at(ptrdiff_t x, ptrdiff_t w) {
    const ptrdiff_t start = x < 0 ? 0 : (x + 8 > w ? w - 8 : x);
    const ptrdiff_t move = x - start < -8 ? -8 : (x - start > 8 ? 8 : x - start);
    const __m256i source = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)move));
    const __m256i keep = _mm256_and_si256(_mm256_cmpgt_epi32(source, _mm256_set1_epi32(-1)),
                                          _mm256_cmpgt_epi32(_mm256_set1_epi32(8), source));
    return (ck8_columns){ start, source, _mm256_castsi256_ps(keep) };
}

/// The planned columns of `row`.
CK_AVX2_INLINE __m256 ck8_load_columns(const float *row, ck8_columns columns) {
    return _mm256_and_ps(_mm256_permutevar8x32_ps(_mm256_loadu_ps(row + columns.start), columns.source), columns.keep);
}

/// p[0 ..< n] (0 <= n <= 4) in the first lanes, +0.0 in the others.
CK_AVX2_INLINE __m128 ck4_load_first(const float *p, ptrdiff_t n) {
    if (n >= 4) return _mm_loadu_ps(p);
    if (n == 3) return _mm_movelh_ps(_mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)p), _mm_load_ss(p + 2));
    if (n == 2) return _mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)p);
    if (n == 1) return _mm_load_ss(p);
    return _mm_setzero_ps();
}

/// p[0 ..< n] (n >= 0; 8 or more: a full vector) in the first lanes, +0.0 in the others.
CK_AVX2_INLINE __m256 ck8_load_first(const float *p, ptrdiff_t n) {
    if (n >= 8) return _mm256_loadu_ps(p);
    if (n > 4) return _mm256_set_m128(ck4_load_first(p + 4, n - 4), _mm_loadu_ps(p));
    return _mm256_set_m128(_mm_setzero_ps(), ck4_load_first(p, n));
}

/// p[l] = v[l] for l < n (n >= 0; 8 or more: a full vector); nothing past p[n - 1] is written.
/// A copy of bits (also for int32 lanes cast to float).
CK_AVX2_INLINE void ck8_store_first(float *p, __m256 v, ptrdiff_t n) {
    if (n >= 8) { _mm256_storeu_ps(p, v); return; }
    __m128 part = _mm256_castps256_ps128(v);
    if (n >= 4) { _mm_storeu_ps(p, part); part = _mm256_extractf128_ps(v, 1); p += 4; n -= 4; }
    if (n >= 2) { _mm_storel_pi((__m64 *)p, part); part = _mm_movehl_ps(part, part); p += 2; n -= 2; }
    if (n >= 1) _mm_store_ss(p, part);
}

/// -v by flipping the sign bit (as Swift's prefix minus, never 0 - v). The result is opaque
/// to the optimiser: it would otherwise fold (-a) + b into b - a, which gives a NaN `a` the
/// other sign than the Swift code (-NaN + b keeps the flipped sign; b - NaN keeps NaN's own).
CK_AVX2_INLINE __m256 ck8_negate(__m256 v) {
    __m256 negated = _mm256_xor_ps(v, _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u)));
    __asm__("" : "+x"(negated));
    return negated;
}

/// The even lanes of the 16 floats (a, b): a0 a2 a4 a6 b0 b2 b4 b6.
CK_AVX2_INLINE __m256 ck8_even(__m256 a, __m256 b) {
    const __m256 mixed = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));   // a0 a2 b0 b2 | a4 a6 b4 b6
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), _MM_SHUFFLE(3, 1, 2, 0)));
}

/// The odd lanes of the 16 floats (a, b): a1 a3 a5 a7 b1 b3 b5 b7.
CK_AVX2_INLINE __m256 ck8_odd(__m256 a, __m256 b) {
    const __m256 mixed = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));   // a1 a3 b1 b3 | a5 a7 b5 b7
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), _MM_SHUFFLE(3, 1, 2, 0)));
}

/// Lanes 0-3 of l and r interleaved: l0 r0 l1 r1 l2 r2 l3 r3 (the first half of 16 floats).
CK_AVX2_INLINE __m256 ck8_interleave_low(__m256 l, __m256 r) {
    return _mm256_permute2f128_ps(_mm256_unpacklo_ps(l, r), _mm256_unpackhi_ps(l, r), 0x20);
}

/// Lanes 4-7 of l and r interleaved: l4 r4 l5 r5 l6 r6 l7 r7 (the second half of 16 floats).
CK_AVX2_INLINE __m256 ck8_interleave_high(__m256 l, __m256 r) {
    return _mm256_permute2f128_ps(_mm256_unpacklo_ps(l, r), _mm256_unpackhi_ps(l, r), 0x31);
}

#endif
#endif
