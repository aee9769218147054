// The AVX2 twin of max_pool_3x3_stride2.c: the stem's 3x3 stride-2 pad-1 max-pool of one
// plane, bit-identical to the Swift kernel `MaxPool2D.pool3x3Stride2` (outputs and argmax).
// The same algorithm with strips of 8 outputs: up to four strips side by side, walked top
// to bottom; input columns 2*ox - 1 + kx of 8 consecutive outputs are the even/odd halves
// of 16 consecutive inputs, and columns outside the plane load as -infinity, which never
// wins a strict `>`. Each input row is scanned once and merged into the two window rows it
// belongs to (a strict-`>` scan in row-major order is a scan per row merged in order).
//
// The Swift kernel scans the left edge and, on some widths, the right tail one output at
// a time, starting those outputs from index y0*W + x0 instead of 0; each lane here takes
// the start index the Swift kernel would have used (see max_pool_3x3_stride2.c), so argmax
// matches where a window holds nothing above -infinity too.
//
// Legend: H x W = input plane, OH x OW = output plane; src [H, W], dst/argmax [OH, OW].
#include "CKernels.h"
#include "max_pool_tail.h"
#include "avx2_lanes.h"

#if defined(__x86_64__)
#include <math.h>

/// Columns first ... first+7 of `row` (column 0), -infinity outside the plane.
CK_AVX2_INLINE __m256 load_columns(const float *row, ptrdiff_t first, ptrdiff_t w, int interior) {
    if (interior) return _mm256_loadu_ps(row + first);
    return ck8_load_clipped(row, first, w, _mm256_set1_ps(-INFINITY));
}

/// A scan in progress: the largest value so far and its index.
typedef struct { __m256 best; __m256i index; } window_scan;

/// Takes `v` (at `index`) where it is strictly greater, so the earlier maximum stays.
CK_AVX2_INLINE window_scan keep_first_maximum(window_scan scan, __m256 v, __m256i index) {
    const __m256 better = _mm256_cmp_ps(v, scan.best, _CMP_GT_OQ);
    const __m256 chosen = _mm256_blendv_ps(_mm256_castsi256_ps(scan.index), _mm256_castsi256_ps(index), better);
    return (window_scan){ _mm256_blendv_ps(scan.best, v, better), _mm256_castps_si256(chosen) };
}

/// `earlier` then `later` (consecutive parts of one scan, each started from -infinity).
CK_AVX2_INLINE window_scan merge(window_scan earlier, window_scan later) {
    return keep_first_maximum(earlier, later.best, later.index);
}

/// The window columns of a strip in input row iy, scanned from -infinity. Lane k reads
/// columns c - 1, c, c + 1 with c = 2*(ox0 + k). Where nothing exceeds -infinity, best is
/// -infinity and the index is meaningless: a later strict `>` never picks it, and the
/// caller replaces it.
typedef struct { ptrdiff_t base; int interior; __m256i left, middle, right; } strip_columns;

CK_AVX2_INLINE window_scan scan_row(const float *src, ptrdiff_t w, ptrdiff_t iy, const strip_columns *columns) {
    const float *row = src + iy * w;
    const ptrdiff_t base = columns->base;
    const int interior = columns->interior;
    // Columns base ... base+15 (a) and base+1 ... base+16 (b).
    const __m256 a0 = load_columns(row, base, w, interior), a1 = load_columns(row, base + 8, w, interior);
    const __m256 b0 = load_columns(row, base + 1, w, interior), b1 = load_columns(row, base + 9, w, interior);
    const __m256i row_start = _mm256_set1_epi32((int32_t)(iy * w));
    // max_ps(v, -inf) is `v > -inf ? v : -inf`: the first step of a scan from -infinity.
    window_scan scan = { _mm256_max_ps(ck8_even(a0, a1), _mm256_set1_ps(-INFINITY)), columns->left };
    scan = keep_first_maximum(scan, ck8_odd(a0, a1), columns->middle);
    scan = keep_first_maximum(scan, ck8_odd(b0, b1), columns->right);
    scan.index = _mm256_add_epi32(scan.index, row_start);
    return scan;
}

/// A strip of 8 outputs: its window columns, the lanes the Swift kernel scans as scalars
/// (ox == 0, ox >= its scalar tail) with their x0 = max(0, 2*ox - 1), how many lanes lie
/// inside the output row, and the scan of input row 2*oy - 1, shared with the row above.
typedef struct {
    ptrdiff_t ox0, outputs;
    strip_columns columns;
    __m256i scalar, x0;
    int any_scalar;
    window_scan shared_row;
} output_strip;

CK_AVX2_INLINE output_strip start_strip(ptrdiff_t ox0, ptrdiff_t w, ptrdiff_t ow, ptrdiff_t scalar_tail) {
    const __m256i one = _mm256_set1_epi32(1);
    const __m256i ox = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int32_t)ox0));
    const __m256i left = _mm256_sub_epi32(_mm256_add_epi32(ox, ox), one);   // column 2*ox - 1
    const __m256i scalar = _mm256_or_si256(_mm256_cmpeq_epi32(ox, _mm256_setzero_si256()),
                                           _mm256_cmpgt_epi32(ox, _mm256_set1_epi32((int32_t)(scalar_tail - 1))));
    return (output_strip){
        .ox0 = ox0,
        .outputs = ow - ox0 < 8 ? ow - ox0 : 8,
        .columns = {
            .base = 2 * ox0 - 1, .interior = ox0 >= 1 && 2 * ox0 + 15 < w,   // columns 2*ox0 - 1 ... 2*ox0 + 15
            .left = left, .middle = _mm256_add_epi32(left, one), .right = _mm256_add_epi32(left, _mm256_add_epi32(one, one)),
        },
        .scalar = scalar,
        .x0 = _mm256_max_epi32(_mm256_setzero_si256(), left),
        .any_scalar = _mm256_movemask_ps(_mm256_castsi256_ps(scalar)) != 0,
        .shared_row = { _mm256_set1_ps(-INFINITY), _mm256_setzero_si256() },
    };
}

/// Output row oy of the strip: window rows 2*oy - 1 (oy > 0), 2*oy, 2*oy + 1 (inside the
/// plane); 2*oy < H always.
CK_AVX2_INLINE void pool_strip_row(output_strip *strip, const float *src, ptrdiff_t h, ptrdiff_t w,
                                   float *dst, int32_t *argmax, ptrdiff_t oy, ptrdiff_t ow) {
    window_scan scan = scan_row(src, w, 2 * oy, &strip->columns);
    if (oy > 0) scan = merge(strip->shared_row, scan);
    if (2 * oy + 1 < h) {
        strip->shared_row = scan_row(src, w, 2 * oy + 1, &strip->columns);
        scan = merge(scan, strip->shared_row);
    }
    // The whole scan started from (-infinity, first index): y0*W + x0 on the scalar lanes,
    // 0 on the others.
    const ptrdiff_t y0 = oy > 0 ? 2 * oy - 1 : 0;
    const __m256i first_index = strip->any_scalar
        ? _mm256_and_si256(strip->scalar, _mm256_add_epi32(strip->x0, _mm256_set1_epi32((int32_t)(y0 * w))))
        : _mm256_setzero_si256();
    const __m256 found = _mm256_cmp_ps(scan.best, _mm256_set1_ps(-INFINITY), _CMP_GT_OQ);
    const __m256i index = _mm256_castps_si256(
        _mm256_blendv_ps(_mm256_castsi256_ps(first_index), _mm256_castsi256_ps(scan.index), found));
    const ptrdiff_t at = oy * ow + strip->ox0;
    ck8_store_first(dst + at, scan.best, strip->outputs);
    ck8_store_first((float *)(argmax + at), _mm256_castsi256_ps(index), strip->outputs);
}

/// `count` strips from output column ox0 on, all rows, their scans interleaved: the scans
/// of one strip form a long chain of dependent operations, and the core overlaps several.
/// Always inlined, so that `count` is a constant.
CK_AVX2_INLINE void pool_strips(int count, ptrdiff_t ox0, const float *src, ptrdiff_t h, ptrdiff_t w,
                                float *dst, int32_t *argmax, ptrdiff_t oh, ptrdiff_t ow, ptrdiff_t scalar_tail) {
    output_strip s0 = start_strip(ox0, w, ow, scalar_tail), s1 = s0, s2 = s0, s3 = s0;
    if (count > 1) s1 = start_strip(ox0 + 8, w, ow, scalar_tail);
    if (count > 2) s2 = start_strip(ox0 + 16, w, ow, scalar_tail);
    if (count > 3) s3 = start_strip(ox0 + 24, w, ow, scalar_tail);
    for (ptrdiff_t oy = 0; oy < oh; oy++) {
        pool_strip_row(&s0, src, h, w, dst, argmax, oy, ow);
        if (count > 1) pool_strip_row(&s1, src, h, w, dst, argmax, oy, ow);
        if (count > 2) pool_strip_row(&s2, src, h, w, dst, argmax, oy, ow);
        if (count > 3) pool_strip_row(&s3, src, h, w, dst, argmax, oy, ow);
    }
}

CK_AVX2 void ck_max_pool_3x3_stride2_plane_avx2(const float *src, ptrdiff_t h, ptrdiff_t w,
                                                float *dst, int32_t *argmax, ptrdiff_t oh, ptrdiff_t ow) {
    const ptrdiff_t scalar_tail = ck_max_pool_first_scalar_tail_output(w, ow);
    ptrdiff_t ox0 = 0;
    for (; ox0 + 24 < ow; ox0 += 32) pool_strips(4, ox0, src, h, w, dst, argmax, oh, ow, scalar_tail);
    for (; ox0 + 8 < ow; ox0 += 16) pool_strips(2, ox0, src, h, w, dst, argmax, oh, ow, scalar_tail);
    if (ox0 < ow) pool_strips(1, ox0, src, h, w, dst, argmax, oh, ow, scalar_tail);
}

#else

void ck_max_pool_3x3_stride2_plane_avx2(const float *src, ptrdiff_t h, ptrdiff_t w,
                                        float *dst, int32_t *argmax, ptrdiff_t oh, ptrdiff_t ow) {
    __builtin_trap();   // never called: ck_cpu_has_avx2() is false here
}

#endif
