// The AVX2 twin of moments.c: GroupNorm's two elementwise kernels, bit-identical to their
// Swift twins in `Elementwise` (16-wide SIMD). The 16 lane sums of the Swift code are two
// 8-lane vectors here (lanes 0-7 and 8-15), lane j holding elements j, j+16, ...; multiply
// and add rounded separately; lane sums added in order from -0; then the scalar tail.
//
// Legend: count = number of elements; buffers contiguous.
#include "CKernels.h"
#include "avx2_lanes.h"

// Never contract a * b + c into one rounding: the Swift code has no FMA.
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__)

/// SIMD16.sum() of Swift over the lanes (low, high): added one after another from -0.
CK_AVX2_INLINE float sum_lanes_in_order(__m256 low, __m256 high) {
    float lanes[16];
    _mm256_storeu_ps(lanes, low);
    _mm256_storeu_ps(lanes + 8, high);
    float total = -0.0f;
    for (int j = 0; j < 16; j++) total += lanes[j];
    return total;
}

CK_AVX2 void ck_shifted_moments_avx2(const float *x, float shift, ptrdiff_t count, float *sum, float *squares) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), q0 = _mm256_setzero_ps(), q1 = _mm256_setzero_ps();
    const __m256 c = _mm256_set1_ps(shift);
    ptrdiff_t i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), c);
        const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), c);
        s0 = _mm256_add_ps(s0, d0);
        s1 = _mm256_add_ps(s1, d1);
        q0 = _mm256_add_ps(q0, _mm256_mul_ps(d0, d0));
        q1 = _mm256_add_ps(q1, _mm256_mul_ps(d1, d1));
    }
    float total = sum_lanes_in_order(s0, s1), total_squares = sum_lanes_in_order(q0, q1);
    for (; i < count; i++) {
        const float d = x[i] - shift;
        total += d;
        const float square = d * d;
        total_squares += square;
    }
    *sum = total;
    *squares = total_squares;
}

CK_AVX2 void ck_scale_shift_avx2(const float *x, float scale, float shift, float *out, ptrdiff_t count) {
    const __m256 s = _mm256_set1_ps(scale), b = _mm256_set1_ps(shift);
    ptrdiff_t i = 0;
    for (; i + 8 <= count; i += 8) {
        _mm256_storeu_ps(out + i, _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), s), b));
    }
    for (; i < count; i++) {   // the same two roundings per element
        const float product = x[i] * scale;
        out[i] = product + shift;
    }
}

#else

void ck_shifted_moments_avx2(const float *x, float shift, ptrdiff_t count, float *sum, float *squares) {
    __builtin_trap();   // never called: ck_cpu_has_avx2() is false here
}

void ck_scale_shift_avx2(const float *x, float scale, float shift, float *out, ptrdiff_t count) {
    __builtin_trap();
}

#endif
