// The AVX2 twin of stride2_rows.c: the gather of the even elements of a stride-2 im2col
// row and its adjoint, the scatter-add onto the even elements of a col2im row, 8 outputs
// per step. A copy and one rounded add per element, so bit-identical to the Swift loops
// `dst[ox] = src[ox * 2]` and `dst[ox * 2] += src[ox]`.
//
// A row's last element may be the last float of its tensor, so nothing past element
// 2*(count-1) of the strided side is ever loaded or stored (the last block is done one
// element at a time). The scatter-add loads 16 floats of the destination and stores them
// back with the odd ones unchanged (a blend: the same bits; AVX2's masked stores are slow
// on AMD), so it must not run while another thread writes those odd elements; col2im's
// threads own whole planes.
#include "CKernels.h"
#include "avx2_lanes.h"

#if defined(__x86_64__)

CK_AVX2 void ck_gather_stride2_avx2(const float *src, float *dst, ptrdiff_t count) {
    ptrdiff_t i = 0;
    // Full loads read src[2i ... 2i+15]; 2i+15 < 2*(count-1) while i + 8 < count.
    for (; i + 8 < count; i += 8) {
        _mm256_storeu_ps(dst + i, ck8_even(_mm256_loadu_ps(src + 2 * i), _mm256_loadu_ps(src + 2 * i + 8)));
    }
    for (; i < count; i++) dst[i] = src[2 * i];
}

CK_AVX2 void ck_scatter_add_stride2_avx2(const float *src, float *dst, ptrdiff_t count) {
    ptrdiff_t i = 0;
    // Blocks touch dst[2i ... 2i+15]; 2i+15 < 2*(count-1) while i + 8 < count.
    for (; i + 8 < count; i += 8) {
        const __m256 v = _mm256_loadu_ps(src + i);
        float *block = dst + 2 * i;
        // dst[2j] + v[j] in the even lanes of the block's two halves, the odd lanes as they were.
        const __m256 low = _mm256_loadu_ps(block), high = _mm256_loadu_ps(block + 8);
        _mm256_storeu_ps(block, _mm256_blend_ps(_mm256_add_ps(low, ck8_interleave_low(v, v)), low, 0xAA));
        _mm256_storeu_ps(block + 8, _mm256_blend_ps(_mm256_add_ps(high, ck8_interleave_high(v, v)), high, 0xAA));
    }
    for (; i < count; i++) dst[2 * i] += src[i];
}

#else

void ck_gather_stride2_avx2(const float *src, float *dst, ptrdiff_t count) {
    __builtin_trap();   // never called: ck_cpu_has_avx2() is false here
}

void ck_scatter_add_stride2_avx2(const float *src, float *dst, ptrdiff_t count) {
    __builtin_trap();   // never called: ck_cpu_has_avx2() is false here
}

#endif
