// The two elementwise kernels of GroupNorm's forward pass with AVX-512, bit-identical to
// their Swift twins in `Elementwise` (16-wide SIMD compiled to SSE): one 16-lane
// accumulator per sum, lane j holding elements j, j+16, ...; multiply and add rounded
// separately; lane sums added in order from -0; then the scalar tail in order.
//
// Legend: count = number of elements; buffers contiguous.
#include "CKernels.h"

// Never contract a * b + c into one rounding: the Swift code has no FMA.
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__)
#include <immintrin.h>

#define CK_AVX512 __attribute__((target("avx512f")))

/// SIMD.sum() of Swift: lanes added one after another, starting from -0.
static inline CK_AVX512 float sum_lanes_in_order(__m512 v) {
    float lanes[16];
    _mm512_storeu_ps(lanes, v);
    float total = -0.0f;
    for (int j = 0; j < 16; j++) total += lanes[j];
    return total;
}

CK_AVX512 void ck_shifted_moments_avx512(const float *x, float shift, ptrdiff_t count, float *sum, float *squares) {
    __m512 s = _mm512_setzero_ps(), q = _mm512_setzero_ps();
    const __m512 c = _mm512_set1_ps(shift);
    ptrdiff_t i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m512 d = _mm512_sub_ps(_mm512_loadu_ps(x + i), c);
        s = _mm512_add_ps(s, d);
        q = _mm512_add_ps(q, _mm512_mul_ps(d, d));
    }
    float total = sum_lanes_in_order(s), total_squares = sum_lanes_in_order(q);
    for (; i < count; i++) {
        const float d = x[i] - shift;
        total += d;
        const float square = d * d;
        total_squares += square;
    }
    *sum = total;
    *squares = total_squares;
}

CK_AVX512 void ck_scale_shift_avx512(const float *x, float scale, float shift, float *out, ptrdiff_t count) {
    const __m512 s = _mm512_set1_ps(scale), b = _mm512_set1_ps(shift);
    ptrdiff_t i = 0;
    for (; i + 16 <= count; i += 16) {
        _mm512_storeu_ps(out + i, _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(x + i), s), b));
    }
    if (i < count) {   // the same two roundings per element as the scalar tail
        const __mmask16 left = (__mmask16)((1u << (count - i)) - 1);
        const __m512 v = _mm512_maskz_loadu_ps(left, x + i);
        _mm512_mask_storeu_ps(out + i, left, _mm512_add_ps(_mm512_mul_ps(v, s), b));
    }
}

#else

void ck_shifted_moments_avx512(const float *x, float shift, ptrdiff_t count, float *sum, float *squares) {
    __builtin_trap();   // never called: ck_cpu_has_avx512f() is false here
}

void ck_scale_shift_avx512(const float *x, float scale, float shift, float *out, ptrdiff_t count) {
    __builtin_trap();
}

#endif
