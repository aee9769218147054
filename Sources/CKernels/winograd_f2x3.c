// The tile transforms of Winograd F(2x2, 3x3) with AVX-512, 16 tiles of one tile row per
// vector: the input transform V = B^T d B, the output transform Y = A^T M A and the
// output-gradient transform dM = A dY A^T. Every value goes through exactly the additions,
// subtractions and negations of the Swift transforms in `WinogradF2x3`, in the same order,
// so the results are bit-identical (including signed zeros: negation flips the sign bit, as
// Swift's prefix minus does, never 0 - x).
//
// Layout as in `WinogradF2x3`: tile t = (ty - ty0) * TW + tx of the band ty0 ..< ty1, value
// xi = 4i + j at values[xi * stride + t]. Pixels outside the plane are read as zero and
// never written; masked loads and stores keep every access inside the plane and the band.
#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define CK_AVX512 __attribute__((target("avx512f")))

/// The lanes l < 16 with lo <= l < hi.
static inline __mmask16 lanes_between(ptrdiff_t lo, ptrdiff_t hi) {
    if (lo < 0) lo = 0;
    if (hi > 16) hi = 16;
    if (hi <= lo) return 0;
    return (__mmask16)(((1u << (hi - lo)) - 1) << lo);
}

/// 16 floats of `row` from column x (zero where x + l lies outside 0 ..< w).
static inline CK_AVX512 __m512 load_row(const float *row, ptrdiff_t x, ptrdiff_t w) {
    const __mmask16 inside = lanes_between(-x, w - x);
    return _mm512_maskz_loadu_ps(inside, row + x);
}

static inline CK_AVX512 __m512 negate(__m512 v) {
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), _mm512_set1_epi32((int)0x80000000u)));
}

/// Even and odd columns of the 32 floats of a row from x: even[k] = row[x + 2k], odd[k] = row[x + 2k + 1].
static inline CK_AVX512 void deinterleave(const float *row, ptrdiff_t x, ptrdiff_t w, __m512 *even, __m512 *odd) {
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odds = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const __m512 low = load_row(row, x, w), high = load_row(row, x + 16, w);
    *even = _mm512_permutex2var_ps(low, evens, high);
    *odd = _mm512_permutex2var_ps(low, odds, high);
}

CK_AVX512 void ck_winograd_input_tiles_avx512(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ty0,
                                               ptrdiff_t ty1, float *values, ptrdiff_t stride) {
    const ptrdiff_t tw = (w + 1) / 2;
    for (ptrdiff_t ty = ty0; ty < ty1; ty++) {
        for (ptrdiff_t tx = 0; tx < tw; tx += 16) {
            // d[a][b]: window row a (input row 2 ty - 1 + a), column b (input column 2 tx - 1 + b).
            __m512 d[4][4];
            for (int a = 0; a < 4; a++) {
                const ptrdiff_t y = 2 * ty - 1 + a;
                if (y < 0 || y >= h) {
                    for (int b = 0; b < 4; b++) d[a][b] = _mm512_setzero_ps();
                    continue;
                }
                const float *row = plane + y * w;
                deinterleave(row, 2 * tx - 1, w, &d[a][0], &d[a][1]);
                deinterleave(row, 2 * tx + 1, w, &d[a][2], &d[a][3]);
            }
            // Rows of B^T d: d0 - d2, d1 + d2, d2 - d1, d1 - d3 (per column b); then each row times B.
            __m512 r[4][4];
            for (int b = 0; b < 4; b++) {
                r[0][b] = _mm512_sub_ps(d[0][b], d[2][b]);
                r[1][b] = _mm512_add_ps(d[1][b], d[2][b]);
                r[2][b] = _mm512_sub_ps(d[2][b], d[1][b]);
                r[3][b] = _mm512_sub_ps(d[1][b], d[3][b]);
            }
            const __mmask16 tiles = lanes_between(0, tw - tx);
            float *target = values + (ty - ty0) * tw + tx;
            for (int i = 0; i < 4; i++) {
                float *row = target + 4 * i * stride;
                _mm512_mask_storeu_ps(row, tiles, _mm512_sub_ps(r[i][0], r[i][2]));
                _mm512_mask_storeu_ps(row + stride, tiles, _mm512_add_ps(r[i][1], r[i][2]));
                _mm512_mask_storeu_ps(row + 2 * stride, tiles, _mm512_sub_ps(r[i][2], r[i][1]));
                _mm512_mask_storeu_ps(row + 3 * stride, tiles, _mm512_sub_ps(r[i][1], r[i][3]));
            }
        }
    }
}

/// row[x + l] (+)= v[l] where lane l is in `inside`.
static inline CK_AVX512 void put_row(float *row, __m512 v, __mmask16 inside, bool accumulate) {
    if (accumulate) v = _mm512_add_ps(_mm512_maskz_loadu_ps(inside, row), v);
    _mm512_mask_storeu_ps(row, inside, v);
}

/// Columns 2 tx ... of a plane row from the outputs of 16 tiles: left[k] at 2k, right[k] at 2k + 1.
static inline CK_AVX512 void put_interleaved(float *row, ptrdiff_t x, ptrdiff_t w, __m512 left, __m512 right,
                                             ptrdiff_t tiles, bool accumulate) {
    const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i high = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const ptrdiff_t end = 2 * tiles < w - x ? 2 * tiles : w - x;   // columns x ..< x + end exist and belong here
    put_row(row + x, _mm512_permutex2var_ps(left, low, right), lanes_between(0, end), accumulate);
    put_row(row + x + 16, _mm512_permutex2var_ps(left, high, right), lanes_between(0, end - 16), accumulate);
}

CK_AVX512 void ck_winograd_output_tiles_avx512(const float *values, ptrdiff_t stride, ptrdiff_t ty0, ptrdiff_t ty1,
                                                float *plane, ptrdiff_t h, ptrdiff_t w, bool accumulate) {
    const ptrdiff_t tw = (w + 1) / 2;
    for (ptrdiff_t ty = ty0; ty < ty1; ty++) {
        for (ptrdiff_t tx = 0; tx < tw; tx += 16) {
            const ptrdiff_t count = tw - tx < 16 ? tw - tx : 16;
            const __mmask16 tiles = lanes_between(0, count);
            const float *source = values + (ty - ty0) * tw + tx;
            __m512 m[16];
            for (int xi = 0; xi < 16; xi++) m[xi] = _mm512_maskz_loadu_ps(tiles, source + xi * stride);
            // s0 = m0 + m1 + m2 and s1 = m1 - m2 - m3 (rows of M, per column j), then each times A.
            __m512 s0[4], s1[4];
            for (int j = 0; j < 4; j++) {
                s0[j] = _mm512_add_ps(_mm512_add_ps(m[j], m[4 + j]), m[8 + j]);
                s1[j] = _mm512_sub_ps(_mm512_sub_ps(m[4 + j], m[8 + j]), m[12 + j]);
            }
            const __m512 y00 = _mm512_add_ps(_mm512_add_ps(s0[0], s0[1]), s0[2]);
            const __m512 y01 = _mm512_sub_ps(_mm512_sub_ps(s0[1], s0[2]), s0[3]);
            const __m512 y10 = _mm512_add_ps(_mm512_add_ps(s1[0], s1[1]), s1[2]);
            const __m512 y11 = _mm512_sub_ps(_mm512_sub_ps(s1[1], s1[2]), s1[3]);
            put_interleaved(plane + 2 * ty * w, 2 * tx, w, y00, y01, count, accumulate);
            if (2 * ty + 1 < h) put_interleaved(plane + (2 * ty + 1) * w, 2 * tx, w, y10, y11, count, accumulate);
        }
    }
}

CK_AVX512 void ck_winograd_output_gradient_tiles_avx512(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ty0,
                                                         ptrdiff_t ty1, float *values, ptrdiff_t stride) {
    const ptrdiff_t tw = (w + 1) / 2;
    for (ptrdiff_t ty = ty0; ty < ty1; ty++) {
        for (ptrdiff_t tx = 0; tx < tw; tx += 16) {
            __m512 y00, y01, y10 = _mm512_setzero_ps(), y11 = _mm512_setzero_ps();
            deinterleave(plane + 2 * ty * w, 2 * tx, w, &y00, &y01);
            if (2 * ty + 1 < h) deinterleave(plane + (2 * ty + 1) * w, 2 * tx, w, &y10, &y11);
            // Rows of A dY: (y00, y01), (y00 + y10, y01 + y11), (y00 - y10, y01 - y11), (-y10, -y11);
            // each row (p, q) times A^T is (p, p + q, p - q, -q).
            __m512 p[4], q[4];
            p[0] = y00; q[0] = y01;
            p[1] = _mm512_add_ps(y00, y10); q[1] = _mm512_add_ps(y01, y11);
            p[2] = _mm512_sub_ps(y00, y10); q[2] = _mm512_sub_ps(y01, y11);
            p[3] = negate(y10); q[3] = negate(y11);
            const __mmask16 tiles = lanes_between(0, tw - tx);
            float *target = values + (ty - ty0) * tw + tx;
            for (int i = 0; i < 4; i++) {
                float *row = target + 4 * i * stride;
                _mm512_mask_storeu_ps(row, tiles, p[i]);
                _mm512_mask_storeu_ps(row + stride, tiles, _mm512_add_ps(p[i], q[i]));
                _mm512_mask_storeu_ps(row + 2 * stride, tiles, _mm512_sub_ps(p[i], q[i]));
                _mm512_mask_storeu_ps(row + 3 * stride, tiles, negate(q[i]));
            }
        }
    }
}

#else

void ck_winograd_input_tiles_avx512(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ty0, ptrdiff_t ty1,
                                    float *values, ptrdiff_t stride) {
    __builtin_trap();   // never called: ck_cpu_has_avx512f() is false here
}

void ck_winograd_output_tiles_avx512(const float *values, ptrdiff_t stride, ptrdiff_t ty0, ptrdiff_t ty1,
                                     float *plane, ptrdiff_t h, ptrdiff_t w, bool accumulate) {
    __builtin_trap();   // never called: ck_cpu_has_avx512f() is false here
}

void ck_winograd_output_gradient_tiles_avx512(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ty0,
                                              ptrdiff_t ty1, float *values, ptrdiff_t stride) {
    __builtin_trap();   // never called: ck_cpu_has_avx512f() is false here
}

#endif
