// The stem's 3x3 stride-2 pad-1 max-pool for one plane with AVX-512, bit-identical to the
// Swift kernel `MaxPool2D.pool3x3Stride2` (outputs and argmax). The plane is walked in
// strips of 16 outputs, top to bottom, up to four strips side by side (independent chains
// of work that the core overlaps); input columns 2*ox - 1 + kx of 16 consecutive outputs
// are the even/odd halves of 32 consecutive inputs, and columns outside the plane load as
// -infinity, which never wins a strict `>`.
//
// A strict-`>` scan in row-major order splits into a scan per input row merged in order
// (a later part wins only where strictly greater). Input row 2*oy + 1 is the last row of
// window row oy and the first of oy + 1, so each row is scanned once and merged twice.
//
// The Swift kernel scans the left edge and, on some widths, the right tail one output at a
// time, and those outputs start from index y0*W + x0 instead of its chunks' 0: the two
// differ only where a window holds nothing above -infinity. Each lane here takes the
// start index the Swift kernel would have used for its output, so argmax matches there too.
//
// Legend: H x W = input plane, OH x OW = output plane; src [H, W], dst/argmax [OH, OW].
#include "CKernels.h"
#include "max_pool_tail.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#define CK_AVX512 __attribute__((target("avx512f")))

/// Lanes j of a 16-column load starting at column `first` with 0 <= first + j < w.
static inline __mmask16 columns_in_plane(ptrdiff_t first, ptrdiff_t w) {
    const ptrdiff_t low = first < 0 ? -first : 0, high = w - first < 16 ? w - first : 16;
    if (high <= low) return 0;
    return (__mmask16)(((1u << high) - 1) & ~((1u << low) - 1));
}

/// Columns first ... first+15 of `row` (column 0), -infinity outside the plane.
static inline CK_AVX512 __m512 load_columns(const float *row, ptrdiff_t first, ptrdiff_t w, int interior) {
    if (interior) return _mm512_loadu_ps(row + first);
    return _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), columns_in_plane(first, w), row + first);
}

/// A scan in progress: the largest value so far and its index.
typedef struct { __m512 best; __m512i index; } window_scan;

/// Takes `v` (at `index`) where it is strictly greater, so the earlier maximum stays.
static inline CK_AVX512 window_scan keep_first_maximum(window_scan scan, __m512 v, __m512i index) {
    const __mmask16 better = _mm512_cmp_ps_mask(v, scan.best, _CMP_GT_OQ);
    return (window_scan){ _mm512_mask_mov_ps(scan.best, better, v), _mm512_mask_mov_epi32(scan.index, better, index) };
}

/// `earlier` then `later` (consecutive parts of one scan, each started from -infinity).
static inline CK_AVX512 window_scan merge(window_scan earlier, window_scan later) {
    return keep_first_maximum(earlier, later.best, later.index);
}

/// The window columns of strip `columns` in input row iy, scanned from -infinity. Lane k
/// reads columns c - 1, c, c + 1 with c = 2*(ox0 + k) (plane indices iy*W + columns.left
/// + 0, 1, 2). Where nothing exceeds -infinity, best is -infinity and the index is
/// meaningless: a later strict `>` never picks it, and the caller replaces it.
typedef struct { ptrdiff_t base; int interior; __m512i left, middle, right; } strip_columns;

static inline CK_AVX512 window_scan scan_row(const float *src, ptrdiff_t w, ptrdiff_t iy, const strip_columns *columns) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const float *row = src + iy * w;
    const ptrdiff_t base = columns->base;
    const int interior = columns->interior;
    // Columns base ... base+31 (a) and base+1 ... base+32 (b).
    const __m512 a0 = load_columns(row, base, w, interior), a1 = load_columns(row, base + 16, w, interior);
    const __m512 b0 = load_columns(row, base + 1, w, interior), b1 = load_columns(row, base + 17, w, interior);
    const __m512i row_start = _mm512_set1_epi32((int32_t)(iy * w));
    // max_ps(v, -inf) is `v > -inf ? v : -inf`: the first step of a scan from -infinity.
    window_scan scan = { _mm512_max_ps(_mm512_permutex2var_ps(a0, even, a1), _mm512_set1_ps(-INFINITY)), columns->left };
    scan = keep_first_maximum(scan, _mm512_permutex2var_ps(a0, odd, a1), columns->middle);
    scan = keep_first_maximum(scan, _mm512_permutex2var_ps(b0, odd, b1), columns->right);
    scan.index = _mm512_add_epi32(scan.index, row_start);
    return scan;
}

/// A strip of 16 outputs: its window columns, the lanes the Swift kernel scans as scalars
/// (ox == 0, ox >= its scalar tail) with their x0 = max(0, 2*ox - 1), the lanes inside the
/// output row (`store`), and the scan of input row 2*oy - 1, shared with the row above.
typedef struct {
    ptrdiff_t ox0;
    strip_columns columns;
    __mmask16 scalar, store;
    __m512i x0;
    window_scan shared_row;
} output_strip;

static inline CK_AVX512 output_strip start_strip(ptrdiff_t ox0, ptrdiff_t w, ptrdiff_t ow, ptrdiff_t scalar_tail) {
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i one = _mm512_set1_epi32(1);
    const __m512i ox = _mm512_add_epi32(lanes, _mm512_set1_epi32((int32_t)ox0));
    const __m512i left = _mm512_sub_epi32(_mm512_add_epi32(ox, ox), one);   // column 2*ox - 1
    return (output_strip){
        .ox0 = ox0,
        .columns = {
            .base = 2 * ox0 - 1, .interior = ox0 >= 1 && 2 * ox0 + 31 < w,   // columns 2*ox0 - 1 ... 2*ox0 + 31
            .left = left, .middle = _mm512_add_epi32(left, one), .right = _mm512_add_epi32(left, _mm512_add_epi32(one, one)),
        },
        .scalar = _mm512_cmpeq_epi32_mask(ox, _mm512_setzero_si512())
                | _mm512_cmpge_epi32_mask(ox, _mm512_set1_epi32((int32_t)scalar_tail)),
        .store = ox0 + 16 <= ow ? 0xFFFF : (__mmask16)((1u << (ow - ox0)) - 1),
        .x0 = _mm512_max_epi32(_mm512_setzero_si512(), left),
        .shared_row = { _mm512_set1_ps(-INFINITY), _mm512_setzero_si512() },
    };
}

/// Output row oy of the strip: window rows 2*oy - 1 (oy > 0), 2*oy, 2*oy + 1 (inside the
/// plane); 2*oy < H always.
static inline __attribute__((always_inline)) CK_AVX512
void pool_strip_row(output_strip *strip, const float *src, ptrdiff_t h, ptrdiff_t w,
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
    const __m512i first_index = strip->scalar
        ? _mm512_maskz_add_epi32(strip->scalar, strip->x0, _mm512_set1_epi32((int32_t)(y0 * w)))
        : _mm512_setzero_si512();
    const __mmask16 found = _mm512_cmp_ps_mask(scan.best, _mm512_set1_ps(-INFINITY), _CMP_GT_OQ);
    const ptrdiff_t at = oy * ow + strip->ox0;
    _mm512_mask_storeu_ps(dst + at, strip->store, scan.best);
    _mm512_mask_storeu_epi32(argmax + at, strip->store, _mm512_mask_mov_epi32(first_index, found, scan.index));
}

/// `count` strips from output column ox0 on, all rows, their scans interleaved: the scans
/// of one strip form a long chain of dependent operations, and the core overlaps several.
/// Always inlined, so that `count` is a constant and the strips stay in registers.
static inline __attribute__((always_inline)) CK_AVX512
void pool_strips(int count, ptrdiff_t ox0, const float *src, ptrdiff_t h, ptrdiff_t w,
                 float *dst, int32_t *argmax, ptrdiff_t oh, ptrdiff_t ow, ptrdiff_t scalar_tail) {
    // Separate variables, not an array: they stay in registers.
    output_strip s0 = start_strip(ox0, w, ow, scalar_tail), s1 = s0, s2 = s0, s3 = s0;
    if (count > 1) s1 = start_strip(ox0 + 16, w, ow, scalar_tail);
    if (count > 2) s2 = start_strip(ox0 + 32, w, ow, scalar_tail);
    if (count > 3) s3 = start_strip(ox0 + 48, w, ow, scalar_tail);
    for (ptrdiff_t oy = 0; oy < oh; oy++) {
        pool_strip_row(&s0, src, h, w, dst, argmax, oy, ow);
        if (count > 1) pool_strip_row(&s1, src, h, w, dst, argmax, oy, ow);
        if (count > 2) pool_strip_row(&s2, src, h, w, dst, argmax, oy, ow);
        if (count > 3) pool_strip_row(&s3, src, h, w, dst, argmax, oy, ow);
    }
}

CK_AVX512 void ck_max_pool_3x3_stride2_plane_avx512(const float *src, ptrdiff_t h, ptrdiff_t w,
                                                    float *dst, int32_t *argmax, ptrdiff_t oh, ptrdiff_t ow) {
    const ptrdiff_t scalar_tail = ck_max_pool_first_scalar_tail_output(w, ow);
    ptrdiff_t ox0 = 0;
    for (; ox0 + 48 < ow; ox0 += 64) pool_strips(4, ox0, src, h, w, dst, argmax, oh, ow, scalar_tail);
    for (; ox0 + 16 < ow; ox0 += 32) pool_strips(2, ox0, src, h, w, dst, argmax, oh, ow, scalar_tail);
    if (ox0 < ow) pool_strips(1, ox0, src, h, w, dst, argmax, oh, ow, scalar_tail);
}

#else

void ck_max_pool_3x3_stride2_plane_avx512(const float *src, ptrdiff_t h, ptrdiff_t w,
                                          float *dst, int32_t *argmax, ptrdiff_t oh, ptrdiff_t ow) {
    __builtin_trap();   // never called: ck_cpu_has_avx512f() is false here
}

#endif
