// The AVX2 twin of winograd_f2x3.c: the Winograd F(2x2, 3x3) tile transforms with 8 tiles
// of one tile row per vector. Every value goes through the additions, subtractions and
// negations of the Swift transforms in `WinogradF2x3`, in the same order, so the results
// are bit-identical to them (and to the AVX-512 kernels).
//
// Layout as in `WinogradF2x3`: tile t = (ty - ty0) * TW + tx of the band ty0 ..< ty1, value
// xi = 4i + j at values[xi * stride + t]. Pixels outside the plane are read as zero and
// never written; clipped loads and partial stores (avx2_lanes.h) keep every access inside
// the plane and the band. Partial stores are slow, so a row of more than 8 tiles ends with
// a group of 8 that overlaps the one before it (recomputing a few tiles: the same bits),
// and a row of 8 or fewer stores whole vectors whose extra lanes fall on later tile rows
// of the band (rewritten with their own values when those rows come); only the band's
// last 8 tiles need exact stores. Nothing outside the band is written.
#include "CKernels.h"
#include "avx2_lanes.h"

#if defined(__x86_64__)

/// The four window columns of 8 tiles in one input row, from column x = 2 tx - 1:
/// c0[k] = row[x + 2k], c1[k] = row[x + 2k + 1], c2[k] = row[x + 2k + 2], c3[k] = row[x + 2k + 3].
typedef struct { __m256 c0, c1, c2, c3; } window_row;

/// Columns x ... x + 17 all inside the row.
CK_AVX2_INLINE window_row load_window_row(const float *row, ptrdiff_t x) {
    const __m256 a = _mm256_loadu_ps(row + x), b = _mm256_loadu_ps(row + x + 8);
    const __m256 c = _mm256_loadu_ps(row + x + 2), d = _mm256_loadu_ps(row + x + 10);
    return (window_row){ ck8_even(a, b), ck8_odd(a, b), ck8_even(c, d), ck8_odd(c, d) };
}

/// The same with zeros for the columns outside 0 ..< w (any w).
CK_AVX2_INLINE window_row load_window_row_clipped(const float *row, ptrdiff_t x, ptrdiff_t w) {
    const __m256 zero = _mm256_setzero_ps();
    const __m256 a = ck8_load_clipped(row, x, w, zero), b = ck8_load_clipped(row, x + 8, w, zero);
    const __m256 c = ck8_load_clipped(row, x + 2, w, zero), d = ck8_load_clipped(row, x + 10, w, zero);
    return (window_row){ ck8_even(a, b), ck8_odd(a, b), ck8_even(c, d), ck8_odd(c, d) };
}

/// How to load the window columns x ... x + 17 of rows of width w >= 8 (zero outside).
typedef struct { ck8_columns a, b, c, d; } window_columns;

CK_AVX2_INLINE window_columns window_columns_at(ptrdiff_t x, ptrdiff_t w) {
    return (window_columns){ ck8_columns_at(x, w), ck8_columns_at(x + 8, w), ck8_columns_at(x + 2, w),
                             ck8_columns_at(x + 10, w) };
}

CK_AVX2_INLINE window_row load_window_row_planned(const float *row, const window_columns *columns) {
    const __m256 a = ck8_load_columns(row, columns->a), b = ck8_load_columns(row, columns->b);
    const __m256 c = ck8_load_columns(row, columns->c), d = ck8_load_columns(row, columns->d);
    return (window_row){ ck8_even(a, b), ck8_odd(a, b), ck8_even(c, d), ck8_odd(c, d) };
}

/// The first group's columns -1 ... 16 of a row of width w >= 17: only the first 8 reach
/// outside (column -1), loaded by `first`.
CK_AVX2_INLINE window_row load_first_window_row(const float *row, ck8_columns first) {
    const __m256 a = ck8_load_columns(row, first), b = _mm256_loadu_ps(row + 7);
    const __m256 c = _mm256_loadu_ps(row + 1), d = _mm256_loadu_ps(row + 9);
    return (window_row){ ck8_even(a, b), ck8_odd(a, b), ck8_even(c, d), ck8_odd(c, d) };
}

/// The last group's columns x ... x + 17 (x = 2 TW - 17, TW >= 9): only the last 8 reach
/// past the row's end, loaded by `last`.
CK_AVX2_INLINE window_row load_last_window_row(const float *row, ptrdiff_t x, ck8_columns last) {
    const __m256 a = _mm256_loadu_ps(row + x), b = _mm256_loadu_ps(row + x + 8);
    const __m256 c = _mm256_loadu_ps(row + x + 2), d = ck8_load_columns(row, last);
    return (window_row){ ck8_even(a, b), ck8_odd(a, b), ck8_even(c, d), ck8_odd(c, d) };
}

/// a - b and a + b, column by column.
CK_AVX2_INLINE window_row rows_minus(window_row a, window_row b) {
    return (window_row){ _mm256_sub_ps(a.c0, b.c0), _mm256_sub_ps(a.c1, b.c1), _mm256_sub_ps(a.c2, b.c2),
                         _mm256_sub_ps(a.c3, b.c3) };
}
CK_AVX2_INLINE window_row rows_plus(window_row a, window_row b) {
    return (window_row){ _mm256_add_ps(a.c0, b.c0), _mm256_add_ps(a.c1, b.c1), _mm256_add_ps(a.c2, b.c2),
                         _mm256_add_ps(a.c3, b.c3) };
}

/// The first `tiles` lanes (all 8 when tiles >= 8) of v0 ... v3 into values xi ... xi + 3 (`target`).
/// Callers pass tiles = 8 where the lanes past their row fall on later tiles of the band.
CK_AVX2_INLINE void store_four(float *target, ptrdiff_t stride, ptrdiff_t tiles, __m256 v0, __m256 v1, __m256 v2,
                               __m256 v3) {
    if (tiles >= 8) {
        _mm256_storeu_ps(target, v0);
        _mm256_storeu_ps(target + stride, v1);
        _mm256_storeu_ps(target + 2 * stride, v2);
        _mm256_storeu_ps(target + 3 * stride, v3);
    } else {
        ck8_store_first(target, v0, tiles);
        ck8_store_first(target + stride, v1, tiles);
        ck8_store_first(target + 2 * stride, v2, tiles);
        ck8_store_first(target + 3 * stride, v3, tiles);
    }
}

/// How many lanes to store for the tiles from tx of band row r (of `rows`, `tw` tiles each):
/// all 8 when lane 7 still falls on a tile of the band (a later row, rewritten later), else
/// exactly the row's remaining tiles.
static inline ptrdiff_t whole_or_exact(ptrdiff_t r, ptrdiff_t tx, ptrdiff_t tw, ptrdiff_t rows) {
    return r * tw + tx + 8 <= rows * tw ? 8 : tw - tx;
}

/// Row i of (B^T d) B from row r of B^T d: r0 - r2, r1 + r2, r2 - r1, r1 - r3.
CK_AVX2_INLINE void store_input_row(window_row r, float *target, ptrdiff_t stride, ptrdiff_t tiles) {
    store_four(target, stride, tiles, _mm256_sub_ps(r.c0, r.c2), _mm256_add_ps(r.c1, r.c2), _mm256_sub_ps(r.c2, r.c1),
               _mm256_sub_ps(r.c1, r.c3));
}

/// V = (B^T d) B of 8 tiles from their window rows d0 ... d3: the rows of B^T d are
/// d0 - d2, d1 + d2, d2 - d1, d1 - d3 (per column), then each row times B.
CK_AVX2_INLINE void transform_input(window_row d0, window_row d1, window_row d2, window_row d3, float *target,
                                    ptrdiff_t stride, ptrdiff_t tiles) {
    store_input_row(rows_minus(d0, d2), target, stride, tiles);
    store_input_row(rows_plus(d1, d2), target + 4 * stride, stride, tiles);
    store_input_row(rows_minus(d2, d1), target + 8 * stride, stride, tiles);
    store_input_row(rows_minus(d1, d3), target + 12 * stride, stride, tiles);
}

/// The tiles from tx of one tile row (window rows from input row y, of which `rows_inside`
/// says whether all four lie in the plane): window rows loaded by `load`, transformed,
/// stored to `target`.
#define CK_INPUT_GROUP(load)                                                                        \
    do {                                                                                            \
        window_row d[4];                                                                            \
        for (int a = 0; a < 4; a++) {                                                               \
            const float *row = plane + (y + a) * w;                                                 \
            d[a] = rows_inside || (y + a >= 0 && y + a < h) ? load : zero;                          \
        }                                                                                           \
        transform_input(d[0], d[1], d[2], d[3], target + tx, stride, tiles);                        \
    } while (0)

CK_AVX2 void ck_winograd_input_tiles_avx2(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ty0,
                                          ptrdiff_t ty1, float *values, ptrdiff_t stride) {
    const ptrdiff_t tw = (w + 1) / 2, band = ty1 - ty0;
    const window_row zero = { _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps() };
    if (w < 8) {   // rows narrower than a vector: every load clipped on its own
        for (ptrdiff_t ty = ty0; ty < ty1; ty++) {
            const ptrdiff_t y = 2 * ty - 1, x = -1, tx = 0, tiles = whole_or_exact(ty - ty0, 0, tw, band);
            const int rows_inside = 0;
            float *target = values + (ty - ty0) * tw;
            CK_INPUT_GROUP(load_window_row_clipped(row, x, w));
        }
        return;
    }
    if (tw <= 8) {   // one group per tile row, clipped on both sides: its loads planned once
        const window_columns columns = window_columns_at(-1, w);
        for (ptrdiff_t ty = ty0; ty < ty1; ty++) {
            const ptrdiff_t y = 2 * ty - 1, tx = 0, tiles = whole_or_exact(ty - ty0, 0, tw, band);
            const int rows_inside = y >= 0 && y + 3 < h;
            float *target = values + (ty - ty0) * tw;
            CK_INPUT_GROUP(load_window_row_planned(row, &columns));
        }
        return;
    }
    // Groups of 8 tiles: the first (x = -1), the middle ones, and a last one ending at the
    // row's last tile (it recomputes a few tiles of the group before it: the same bits). Only
    // the first and the last reach outside the row, with one load each, planned once.
    const ptrdiff_t last = tw - 8;
    const ck8_columns first_columns = ck8_columns_at(-1, w), last_columns = ck8_columns_at(2 * last + 9, w);
    for (ptrdiff_t ty = ty0; ty < ty1; ty++) {
        // Window row a is input row y + a; rows outside the plane are zero.
        const ptrdiff_t y = 2 * ty - 1, tiles = 8;
        const int rows_inside = y >= 0 && y + 3 < h;
        float *target = values + (ty - ty0) * tw;
        ptrdiff_t tx = 0;
        CK_INPUT_GROUP(load_first_window_row(row, first_columns));
        for (tx = 8; tx < last; tx += 8) {   // columns 2 tx - 1 ... 2 tx + 16 inside the row
            CK_INPUT_GROUP(load_window_row(row, 2 * tx - 1));
        }
        tx = last;
        CK_INPUT_GROUP(load_last_window_row(row, 2 * last - 1, last_columns));
    }
}

#undef CK_INPUT_GROUP

/// row[l] (+)= v[l] for the lanes l < count (count <= 0: none).
CK_AVX2_INLINE void put_row(float *row, __m256 v, ptrdiff_t count, int accumulate) {
    if (count <= 0) return;
    if (accumulate) v = _mm256_add_ps(ck8_load_first(row, count), v);
    ck8_store_first(row, v, count);
}

/// Columns x ... of a plane row from the outputs of `tiles` (<= 8) tiles: left[k] at x + 2k,
/// right[k] at x + 2k + 1, only columns below w.
CK_AVX2_INLINE void put_interleaved(float *row, ptrdiff_t x, ptrdiff_t w, __m256 left, __m256 right,
                                    ptrdiff_t tiles, int accumulate) {
    const __m256 low = ck8_interleave_low(left, right), high = ck8_interleave_high(left, right);
    if (tiles == 8 && x + 16 <= w) {
        if (accumulate) {
            _mm256_storeu_ps(row + x, _mm256_add_ps(_mm256_loadu_ps(row + x), low));
            _mm256_storeu_ps(row + x + 8, _mm256_add_ps(_mm256_loadu_ps(row + x + 8), high));
        } else {
            _mm256_storeu_ps(row + x, low);
            _mm256_storeu_ps(row + x + 8, high);
        }
        return;
    }
    const ptrdiff_t end = 2 * tiles < w - x ? 2 * tiles : w - x;   // columns x ..< x + end exist and belong here
    put_row(row + x, low, end, accumulate);
    put_row(row + x + 8, high, end - 8, accumulate);
}

/// Three terms added or subtracted left to right: a + b + c and a - b - c.
CK_AVX2_INLINE __m256 plus3(__m256 a, __m256 b, __m256 c) { return _mm256_add_ps(_mm256_add_ps(a, b), c); }
CK_AVX2_INLINE __m256 minus3(__m256 a, __m256 b, __m256 c) { return _mm256_sub_ps(_mm256_sub_ps(a, b), c); }

CK_AVX2 void ck_winograd_output_tiles_avx2(const float *values, ptrdiff_t stride, ptrdiff_t ty0, ptrdiff_t ty1,
                                           float *plane, ptrdiff_t h, ptrdiff_t w, bool accumulate) {
    const ptrdiff_t tw = (w + 1) / 2;
    for (ptrdiff_t ty = ty0; ty < ty1; ty++) {
        for (ptrdiff_t tx = 0; tx < tw; tx += 8) {
            const ptrdiff_t count = tw - tx < 8 ? tw - tx : 8;
            // Lanes past the row's tiles read later tiles of the band (never stored) while
            // there are 8 tiles left in it, else nothing past the band's last tile.
            const ptrdiff_t loaded = whole_or_exact(ty - ty0, tx, tw, ty1 - ty0);
            const float *m = values + (ty - ty0) * tw + tx;
            // s0 = m0 + m1 + m2 and s1 = m1 - m2 - m3 (rows of M, per column j), then each times A.
            __m256 s0[4], s1[4];
            for (int j = 0; j < 4; j++) {
                const __m256 m0 = ck8_load_first(m + j * stride, loaded), m1 = ck8_load_first(m + (4 + j) * stride, loaded);
                const __m256 m2 = ck8_load_first(m + (8 + j) * stride, loaded);
                const __m256 m3 = ck8_load_first(m + (12 + j) * stride, loaded);
                s0[j] = plus3(m0, m1, m2);
                s1[j] = minus3(m1, m2, m3);
            }
            const __m256 y00 = plus3(s0[0], s0[1], s0[2]), y01 = minus3(s0[1], s0[2], s0[3]);
            const __m256 y10 = plus3(s1[0], s1[1], s1[2]), y11 = minus3(s1[1], s1[2], s1[3]);
            put_interleaved(plane + 2 * ty * w, 2 * tx, w, y00, y01, count, accumulate);
            if (2 * ty + 1 < h) put_interleaved(plane + (2 * ty + 1) * w, 2 * tx, w, y10, y11, count, accumulate);
        }
    }
}

/// Even and odd columns of the 16 floats of a row from x (inside the row): even[k] =
/// row[x + 2k], odd[k] = row[x + 2k + 1].
CK_AVX2_INLINE void deinterleave(const float *row, ptrdiff_t x, __m256 *even, __m256 *odd) {
    const __m256 low = _mm256_loadu_ps(row + x), high = _mm256_loadu_ps(row + x + 8);
    *even = ck8_even(low, high);
    *odd = ck8_odd(low, high);
}

/// The same by planned loads (zero outside the row).
CK_AVX2_INLINE void deinterleave_planned(const float *row, ck8_columns low_columns, ck8_columns high_columns,
                                         __m256 *even, __m256 *odd) {
    const __m256 low = ck8_load_columns(row, low_columns), high = ck8_load_columns(row, high_columns);
    *even = ck8_even(low, high);
    *odd = ck8_odd(low, high);
}

/// dM = A dY A^T of 8 tiles from dY's two rows (y00, y01) and (y10, y11) per tile: the rows
/// of A dY are (y00, y01), (y00 + y10, y01 + y11), (y00 - y10, y01 - y11), (-y10, -y11), and
/// each row (p, q) times A^T is (p, p + q, p - q, -q).
CK_AVX2_INLINE void transform_output_gradient(__m256 y00, __m256 y01, __m256 y10, __m256 y11, float *target,
                                              ptrdiff_t stride, ptrdiff_t tiles) {
    const __m256 p1 = _mm256_add_ps(y00, y10), q1 = _mm256_add_ps(y01, y11);
    const __m256 p2 = _mm256_sub_ps(y00, y10), q2 = _mm256_sub_ps(y01, y11);
    const __m256 p3 = ck8_negate(y10), q3 = ck8_negate(y11);
    store_four(target, stride, tiles, y00, _mm256_add_ps(y00, y01), _mm256_sub_ps(y00, y01), ck8_negate(y01));
    store_four(target + 4 * stride, stride, tiles, p1, _mm256_add_ps(p1, q1), _mm256_sub_ps(p1, q1), ck8_negate(q1));
    store_four(target + 8 * stride, stride, tiles, p2, _mm256_add_ps(p2, q2), _mm256_sub_ps(p2, q2), ck8_negate(q2));
    store_four(target + 12 * stride, stride, tiles, p3, _mm256_add_ps(p3, q3), _mm256_sub_ps(p3, q3), ck8_negate(q3));
}

CK_AVX2 void ck_winograd_output_gradient_tiles_avx2(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ty0,
                                                    ptrdiff_t ty1, float *values, ptrdiff_t stride) {
    const ptrdiff_t tw = (w + 1) / 2, band = ty1 - ty0;
    // Groups of 8 tiles read columns 2 tx ... 2 tx + 15. With more than 8 tiles a row ends
    // with a group at its last tile (recomputing a few tiles: the same bits), and only its
    // upper half can reach past the row's end (odd w); with 8 or fewer, one group does it all.
    const ptrdiff_t last = tw > 8 ? tw - 8 : 0;
    const ck8_columns last_low = ck8_columns_at(2 * last, w), last_high = ck8_columns_at(2 * last + 8, w);
    for (ptrdiff_t ty = ty0; ty < ty1; ty++) {
        const float *top = plane + 2 * ty * w;
        const int bottom = 2 * ty + 1 < h;   // dY's second row exists (else it counts as zero)
        float *target = values + (ty - ty0) * tw;
        for (ptrdiff_t tx = 0; tx < last; tx += 8) {   // columns inside the row
            __m256 y00, y01, y10 = _mm256_setzero_ps(), y11 = _mm256_setzero_ps();
            deinterleave(top, 2 * tx, &y00, &y01);
            if (bottom) deinterleave(top + w, 2 * tx, &y10, &y11);
            transform_output_gradient(y00, y01, y10, y11, target + tx, stride, 8);
        }
        __m256 y00, y01, y10 = _mm256_setzero_ps(), y11 = _mm256_setzero_ps();
        if (w >= 8) {
            deinterleave_planned(top, last_low, last_high, &y00, &y01);
            if (bottom) deinterleave_planned(top + w, last_low, last_high, &y10, &y11);
        } else {   // rows narrower than a vector
            const __m256 zero = _mm256_setzero_ps();
            const __m256 low = ck8_load_clipped(top, 0, w, zero), high = ck8_load_clipped(top, 8, w, zero);
            y00 = ck8_even(low, high); y01 = ck8_odd(low, high);
            if (bottom) {
                const __m256 low1 = ck8_load_clipped(top + w, 0, w, zero), high1 = ck8_load_clipped(top + w, 8, w, zero);
                y10 = ck8_even(low1, high1); y11 = ck8_odd(low1, high1);
            }
        }
        const ptrdiff_t tiles = tw > 8 ? 8 : whole_or_exact(ty - ty0, 0, tw, band);
        transform_output_gradient(y00, y01, y10, y11, target + last, stride, tiles);
    }
}

#else

void ck_winograd_input_tiles_avx2(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ty0, ptrdiff_t ty1,
                                  float *values, ptrdiff_t stride) {
    __builtin_trap();   // never called: ck_cpu_has_avx2() is false here
}

void ck_winograd_output_tiles_avx2(const float *values, ptrdiff_t stride, ptrdiff_t ty0, ptrdiff_t ty1,
                                   float *plane, ptrdiff_t h, ptrdiff_t w, bool accumulate) {
    __builtin_trap();   // never called: ck_cpu_has_avx2() is false here
}

void ck_winograd_output_gradient_tiles_avx2(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ty0,
                                            ptrdiff_t ty1, float *values, ptrdiff_t stride) {
    __builtin_trap();   // never called: ck_cpu_has_avx2() is false here
}

#endif
