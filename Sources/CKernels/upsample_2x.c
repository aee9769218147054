// Nearest-neighbour 2x upsampling of one plane with AVX-512: 16 inputs become two 32-float
// output rows (each value twice) per step; the row tail uses masked loads and stores.
// A copy, so exact.
//
// Legend: H x W = input plane; src [H, W], dst [2H, 2W].
#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f")))
void ck_upsample_2x_plane_avx512(const float *src, ptrdiff_t h, ptrdiff_t w, float *dst) {
    const __m512i low = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    const __m512i high = _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
    for (ptrdiff_t iy = 0; iy < h; iy++) {
        const float *line = src + iy * w;
        float *row0 = dst + 2 * iy * 2 * w, *row1 = row0 + 2 * w;
        ptrdiff_t ix = 0;
        for (; ix + 16 <= w; ix += 16) {
            const __m512 v = _mm512_loadu_ps(line + ix);
            const __m512 first = _mm512_permutexvar_ps(low, v), second = _mm512_permutexvar_ps(high, v);
            _mm512_storeu_ps(row0 + 2 * ix, first);
            _mm512_storeu_ps(row0 + 2 * ix + 16, second);
            _mm512_storeu_ps(row1 + 2 * ix, first);
            _mm512_storeu_ps(row1 + 2 * ix + 16, second);
        }
        const ptrdiff_t left = w - ix;   // 0 ..< 16 inputs, 2 * left outputs per row
        if (left > 0) {
            const __mmask16 in = (__mmask16)((1u << left) - 1);
            const __mmask16 out0 = (__mmask16)(left >= 8 ? 0xFFFFu : (1u << (2 * left)) - 1);
            const __mmask16 out1 = (__mmask16)(left > 8 ? (1u << (2 * left - 16)) - 1 : 0);
            const __m512 v = _mm512_maskz_loadu_ps(in, line + ix);
            const __m512 first = _mm512_permutexvar_ps(low, v), second = _mm512_permutexvar_ps(high, v);
            _mm512_mask_storeu_ps(row0 + 2 * ix, out0, first);
            _mm512_mask_storeu_ps(row0 + 2 * ix + 16, out1, second);
            _mm512_mask_storeu_ps(row1 + 2 * ix, out0, first);
            _mm512_mask_storeu_ps(row1 + 2 * ix + 16, out1, second);
        }
    }
}

#else

void ck_upsample_2x_plane_avx512(const float *src, ptrdiff_t h, ptrdiff_t w, float *dst) {
    __builtin_trap();   // never called: ck_cpu_has_avx512f() is false here
}

#endif
