// The row loops of stride-2 im2col and col2im with AVX-512: a gather of the even elements
// of a source row and its adjoint, a scatter-add onto the even elements of a destination
// row. A copy and one rounded add per element, so bit-identical to the Swift loops
// `dst[ox] = src[ox * 2]` and `dst[ox * 2] += src[ox]`.
//
// A row's last element may be the last float of its tensor, so no lane past element
// 2*(count-1) of the strided side is ever loaded or stored (masked tails), and the odd
// elements between the strided ones are never written.
#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define CK_AVX512 __attribute__((target("avx512f")))

/// The first n lanes (0 <= n, n >= 16 gives all 16).
static inline __mmask16 first_lanes(ptrdiff_t n) {
    if (n <= 0) return 0;
    return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}

/// Even lanes of a 16-float block of the strided side.
static const __mmask16 even_lanes = 0x5555;

CK_AVX512 void ck_gather_stride2_avx512(const float *src, float *dst, ptrdiff_t count) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    ptrdiff_t i = 0;
    // Full loads read src[2i ... 2i+31]; 2i+31 < 2*(count-1) while i + 16 < count.
    for (; i + 16 < count; i += 16) {
        const __m512 low = _mm512_loadu_ps(src + 2 * i), high = _mm512_loadu_ps(src + 2 * i + 16);
        _mm512_storeu_ps(dst + i, _mm512_permutex2var_ps(low, even, high));
    }
    const ptrdiff_t left = count - i;   // 0 ... 16 outputs, inputs 2i ... 2i + 2*(left-1)
    if (left > 0) {
        const __m512 low = _mm512_maskz_loadu_ps(first_lanes(2 * left - 1), src + 2 * i);
        const __m512 high = _mm512_maskz_loadu_ps(first_lanes(2 * left - 17), src + 2 * i + 16);
        _mm512_mask_storeu_ps(dst + i, first_lanes(left), _mm512_permutex2var_ps(low, even, high));
    }
}

/// dst[2j] += v[j] for j < 16 (dst [32]), only where the lane of dst ... dst+15 (`in_low`)
/// or dst+16 ... dst+31 (`in_high`) lies in the row; odd elements are neither read nor written.
static inline CK_AVX512 void add_to_even(float *dst, __m512 v, __mmask16 in_low, __mmask16 in_high) {
    const __m512i low_half = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    const __m512i high_half = _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
    const __mmask16 low = in_low & even_lanes, high = in_high & even_lanes;
    const __m512 a = _mm512_maskz_loadu_ps(low, dst), b = _mm512_maskz_loadu_ps(high, dst + 16);
    _mm512_mask_storeu_ps(dst, low, _mm512_add_ps(_mm512_permutexvar_ps(low_half, v), a));
    _mm512_mask_storeu_ps(dst + 16, high, _mm512_add_ps(_mm512_permutexvar_ps(high_half, v), b));
}

CK_AVX512 void ck_scatter_add_stride2_avx512(const float *src, float *dst, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + 16 <= count; i += 16) add_to_even(dst + 2 * i, _mm512_loadu_ps(src + i), 0xFFFF, 0xFFFF);
    const ptrdiff_t left = count - i;   // 0 ..< 16 inputs, outputs 2i ... 2i + 2*(left-1)
    if (left > 0) {
        add_to_even(dst + 2 * i, _mm512_maskz_loadu_ps(first_lanes(left), src + i),
                    first_lanes(2 * left - 1), first_lanes(2 * left - 17));
    }
}

#else

void ck_gather_stride2_avx512(const float *src, float *dst, ptrdiff_t count) {
    __builtin_trap();   // never called: ck_cpu_has_avx512f() is false here
}

void ck_scatter_add_stride2_avx512(const float *src, float *dst, ptrdiff_t count) {
    __builtin_trap();   // never called: ck_cpu_has_avx512f() is false here
}

#endif
