// im2col and col2im rows of stride-1 convolutions with AVX-512. A row of the column matrix
// is the plane shifted by (ky - P, kx - P) with zeros outside it; each output row is one
// masked load (masked-off lanes neither read memory nor fault) and one store per 16
// columns, instead of a memmove and two memsets per output row. col2im adds the same
// lanes back with one rounding per element, in the same row order as the Swift loop, so
// both are bit-identical to `Im2Col.im2col` / `Im2Col.col2im`.
//
// Legend: H x W = input plane, OH x OW = output plane, P = padding, (ky, kx) = kernel tap;
// output column ox reads input column ix = ox - P + kx, valid for 0 <= ix < W.
#include "CKernelsIm2ColRows.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define CK_AVX512 __attribute__((target("avx512f")))

/// Lanes j of the 16 columns from `first` whose input column lies in [low, high).
static inline __mmask16 lanes_between(ptrdiff_t first, ptrdiff_t low, ptrdiff_t high) {
    const ptrdiff_t from = low > first ? low - first : 0;
    const ptrdiff_t to = high - first < 16 ? high - first : 16;
    if (to <= from) return 0;
    return (__mmask16)(((1u << to) - 1) & ~((1u << from) - 1));
}

CK_AVX512 void ck_im2col_stride1_row_avx512(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t oh, ptrdiff_t ow,
                                            ptrdiff_t padding, ptrdiff_t ky, ptrdiff_t kx, float *out) {
    // Output columns [low, high) read inside the plane.
    const ptrdiff_t shift = kx - padding;
    const ptrdiff_t low = shift < 0 ? -shift : 0;
    const ptrdiff_t high = w - shift < ow ? w - shift : ow;
    for (ptrdiff_t oy = 0; oy < oh; oy++) {
        float *dst = out + oy * ow;
        const ptrdiff_t iy = oy - padding + ky;
        const int inside = iy >= 0 && iy < h;
        const float *src = plane + iy * w + shift;   // src[ox] is input column ox + shift
        ptrdiff_t ox = 0;
        for (; ox + 16 <= ow; ox += 16) {
            const __mmask16 valid = inside ? lanes_between(ox, low, high) : 0;
            _mm512_storeu_ps(dst + ox, _mm512_maskz_loadu_ps(valid, src + ox));
        }
        if (ox < ow) {
            const __mmask16 tail = (__mmask16)((1u << (ow - ox)) - 1);
            const __mmask16 valid = inside ? (__mmask16)(lanes_between(ox, low, high) & tail) : 0;
            _mm512_mask_storeu_ps(dst + ox, tail, _mm512_maskz_loadu_ps(valid, src + ox));
        }
    }
}

CK_AVX512 void ck_col2im_stride1_row_avx512(const float *line, ptrdiff_t h, ptrdiff_t w, ptrdiff_t oh, ptrdiff_t ow,
                                            ptrdiff_t padding, ptrdiff_t ky, ptrdiff_t kx, float *plane) {
    const ptrdiff_t shift = kx - padding;
    const ptrdiff_t low = shift < 0 ? -shift : 0;
    const ptrdiff_t high = w - shift < ow ? w - shift : ow;
    if (high <= low) return;
    for (ptrdiff_t oy = 0; oy < oh; oy++) {
        const ptrdiff_t iy = oy - padding + ky;
        if (iy < 0 || iy >= h) continue;
        const float *src = line + oy * ow;
        float *dst = plane + iy * w + shift;   // dst[ox] is input column ox + shift
        for (ptrdiff_t ox = low - low % 16; ox < high; ox += 16) {
            const __mmask16 valid = lanes_between(ox, low, high);
            const __m512 sum = _mm512_add_ps(_mm512_maskz_loadu_ps(valid, dst + ox), _mm512_maskz_loadu_ps(valid, src + ox));
            _mm512_mask_storeu_ps(dst + ox, valid, sum);
        }
    }
}

#else

void ck_im2col_stride1_row_avx512(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t oh, ptrdiff_t ow,
                                  ptrdiff_t padding, ptrdiff_t ky, ptrdiff_t kx, float *out) {
    (void)plane; (void)h; (void)w; (void)oh; (void)ow; (void)padding; (void)ky; (void)kx; (void)out;
    __builtin_trap();
}

void ck_col2im_stride1_row_avx512(const float *line, ptrdiff_t h, ptrdiff_t w, ptrdiff_t oh, ptrdiff_t ow,
                                  ptrdiff_t padding, ptrdiff_t ky, ptrdiff_t kx, float *plane) {
    (void)line; (void)h; (void)w; (void)oh; (void)ow; (void)padding; (void)ky; (void)kx; (void)plane;
    __builtin_trap();
}

#endif
