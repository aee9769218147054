// The AVX2 twin of stride1_rows.c: im2col and col2im rows of stride-1 convolutions, 8
// columns per step. im2col copies the row of the plane shifted by (ky - P, kx - P) with
// zeros outside it (plain loads inside, clipped loads at the edges, which read nothing
// outside the plane row); col2im adds the same lanes back with one rounding per element
// (the edge columns one at a time), in the same row order as the Swift loop. Both are
// bit-identical to `Im2Col.im2col` / `Im2Col.col2im`.
//
// Legend: H x W = input plane, OH x OW = output plane, P = padding, (ky, kx) = kernel tap;
// output column ox reads input column ix = ox - P + kx, valid for 0 <= ix < W.
#include "CKernelsIm2ColRows.h"
#include "avx2_lanes.h"

#if defined(__x86_64__)

CK_AVX2 void ck_im2col_stride1_row_avx2(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t oh, ptrdiff_t ow,
                                        ptrdiff_t padding, ptrdiff_t ky, ptrdiff_t kx, float *out) {
    const ptrdiff_t shift = kx - padding;
    for (ptrdiff_t oy = 0; oy < oh; oy++) {
        float *dst = out + oy * ow;
        const ptrdiff_t iy = oy - padding + ky;
        if (iy < 0 || iy >= h) {
            ptrdiff_t ox = 0;
            for (; ox + 8 <= ow; ox += 8) _mm256_storeu_ps(dst + ox, _mm256_setzero_ps());
            for (; ox < ow; ox++) dst[ox] = 0;
            continue;
        }
        const float *row = plane + iy * w;   // output column ox reads row[ox + shift]
        for (ptrdiff_t ox = 0; ox < ow; ox += 8) {
            ck8_store_first(dst + ox, ck8_load_clipped(row, ox + shift, w, _mm256_setzero_ps()), ow - ox);
        }
    }
}

CK_AVX2 void ck_col2im_stride1_row_avx2(const float *line, ptrdiff_t h, ptrdiff_t w, ptrdiff_t oh, ptrdiff_t ow,
                                        ptrdiff_t padding, ptrdiff_t ky, ptrdiff_t kx, float *plane) {
    // Output columns [low, high) read inside the plane.
    const ptrdiff_t shift = kx - padding;
    const ptrdiff_t low = shift < 0 ? -shift : 0;
    const ptrdiff_t high = w - shift < ow ? w - shift : ow;
    if (high <= low) return;
    for (ptrdiff_t oy = 0; oy < oh; oy++) {
        const ptrdiff_t iy = oy - padding + ky;
        if (iy < 0 || iy >= h) continue;
        const float *src = line + oy * ow;
        float *dst = plane + iy * w + shift;   // dst[ox] is input column ox + shift
        ptrdiff_t ox = low;
        for (; ox + 8 <= high; ox += 8) {
            _mm256_storeu_ps(dst + ox, _mm256_add_ps(_mm256_loadu_ps(dst + ox), _mm256_loadu_ps(src + ox)));
        }
        for (; ox < high; ox++) dst[ox] += src[ox];
    }
}

#else

void ck_im2col_stride1_row_avx2(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t oh, ptrdiff_t ow,
                                ptrdiff_t padding, ptrdiff_t ky, ptrdiff_t kx, float *out) {
    (void)plane; (void)h; (void)w; (void)oh; (void)ow; (void)padding; (void)ky; (void)kx; (void)out;
    __builtin_trap();   // never called: ck_cpu_has_avx2() is false here
}

void ck_col2im_stride1_row_avx2(const float *line, ptrdiff_t h, ptrdiff_t w, ptrdiff_t oh, ptrdiff_t ow,
                                ptrdiff_t padding, ptrdiff_t ky, ptrdiff_t kx, float *plane) {
    (void)line; (void)h; (void)w; (void)oh; (void)ow; (void)padding; (void)ky; (void)kx; (void)plane;
    __builtin_trap();   // never called: ck_cpu_has_avx2() is false here
}

#endif
