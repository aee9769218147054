// The AVX2 twin of upsample_2x.c: nearest-neighbour 2x upsampling of one plane, 8 inputs
// becoming two 16-float output rows (each value twice) per step; the row tail one value
// at a time. A copy, so exact.
//
// Legend: H x W = input plane; src [H, W], dst [2H, 2W].
#include "CKernels.h"
#include "avx2_lanes.h"

#if defined(__x86_64__)

CK_AVX2 void ck_upsample_2x_plane_avx2(const float *src, ptrdiff_t h, ptrdiff_t w, float *dst) {
    for (ptrdiff_t iy = 0; iy < h; iy++) {
        const float *line = src + iy * w;
        float *row0 = dst + 2 * iy * 2 * w, *row1 = row0 + 2 * w;
        ptrdiff_t ix = 0;
        for (; ix + 8 <= w; ix += 8) {
            const __m256 v = _mm256_loadu_ps(line + ix);
            const __m256 first = ck8_interleave_low(v, v), second = ck8_interleave_high(v, v);
            _mm256_storeu_ps(row0 + 2 * ix, first);
            _mm256_storeu_ps(row0 + 2 * ix + 8, second);
            _mm256_storeu_ps(row1 + 2 * ix, first);
            _mm256_storeu_ps(row1 + 2 * ix + 8, second);
        }
        for (; ix < w; ix++) {
            const float v = line[ix];
            row0[2 * ix] = v; row0[2 * ix + 1] = v;
            row1[2 * ix] = v; row1[2 * ix + 1] = v;
        }
    }
}

#else

void ck_upsample_2x_plane_avx2(const float *src, ptrdiff_t h, ptrdiff_t w, float *dst) {
    __builtin_trap();   // never called: ck_cpu_has_avx2() is false here
}

#endif
