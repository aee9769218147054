// Wide-vector kernels for the memory-bound layers, chosen at run time. The Swift targets
// compile for baseline x86-64 (SSE only), so AVX-512 and AVX2 code lives here in functions
// marked `target("avx512f")` (`ck_*_avx512`) or `target("avx2")` (`ck_*_avx2`); Swift calls
// them only when `VectorISA` (Support/Platform) says the CPU runs them, and keeps its own
// SIMD code as the fallback and the test oracle. Every kernel gives the same bits as its
// Swift twin (same lanes, same order of operations, no fused multiply-add), so results do
// not depend on the path. Each `_avx512` declaration below has an `_avx2` twin.
#ifndef CKERNELS_H
#define CKERNELS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "CKernelsElementwise.h"
#include "CKernelsIm2ColRows.h"

/// AVX-512F present and its register state enabled by the OS.
bool ck_cpu_has_avx512f(void);

/// AVX2 and FMA present and the OS saves the 256-bit register state (XGETBV).
bool ck_cpu_has_avx2(void);

/// 3x3 stride-2 pad-1 max-pool of one plane: src [h, w] -> dst, argmax [oh, ow] (argmax =
/// index in the plane of the first maximum in row-major scan order). Bit-identical to
/// `MaxPool2D.pool3x3Stride2`, including the index its scalar edge outputs give windows
/// with nothing above -infinity.
void ck_max_pool_3x3_stride2_plane_avx512(const float *src, ptrdiff_t h, ptrdiff_t w,
                                          float *dst, int32_t *argmax, ptrdiff_t oh, ptrdiff_t ow);
void ck_max_pool_3x3_stride2_plane_avx2(const float *src, ptrdiff_t h, ptrdiff_t w,
                                        float *dst, int32_t *argmax, ptrdiff_t oh, ptrdiff_t ow);

/// Nearest-neighbour 2x upsampling of one plane: src [h, w] -> dst [2h, 2w].
void ck_upsample_2x_plane_avx512(const float *src, ptrdiff_t h, ptrdiff_t w, float *dst);
void ck_upsample_2x_plane_avx2(const float *src, ptrdiff_t h, ptrdiff_t w, float *dst);

/// dst[i] = src[2*i] for i < count (stride-2 im2col row); reads no further than src[2*(count-1)].
void ck_gather_stride2_avx512(const float *src, float *dst, ptrdiff_t count);
void ck_gather_stride2_avx2(const float *src, float *dst, ptrdiff_t count);

/// dst[2*i] += src[i] for i < count (stride-2 col2im row); nothing past dst[2*(count-1)] is
/// touched. The odd elements of dst keep their bits: avx512 neither reads nor writes them,
/// avx2 reads them and writes them back unchanged (no other thread may write them meanwhile).
void ck_scatter_add_stride2_avx512(const float *src, float *dst, ptrdiff_t count);
void ck_scatter_add_stride2_avx2(const float *src, float *dst, ptrdiff_t count);

/// (sum of (x[i] - shift), sum of (x[i] - shift)^2) as `Elementwise.shiftedMoments`:
/// 16 lane sums, lanes added in order from -0, then the scalar tail.
void ck_shifted_moments_avx512(const float *x, float shift, ptrdiff_t count, float *sum, float *squares);
void ck_shifted_moments_avx2(const float *x, float shift, ptrdiff_t count, float *sum, float *squares);

/// out[i] = x[i] * scale + shift, multiply and add rounded separately (`out` may be `x`).
void ck_scale_shift_avx512(const float *x, float scale, float shift, float *out, ptrdiff_t count);
void ck_scale_shift_avx2(const float *x, float scale, float shift, float *out, ptrdiff_t count);

/// Winograd F(2x2, 3x3) tile transforms of tile rows ty0 ..< ty1 of an h x w plane (see
/// winograd_f2x3.c), bit-identical to `WinogradF2x3.transformInput`, `transformOutput` and
/// `transformOutputGradient`.
void ck_winograd_input_tiles_avx512(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ty0, ptrdiff_t ty1,
                                    float *values, ptrdiff_t stride);
void ck_winograd_input_tiles_avx2(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ty0, ptrdiff_t ty1,
                                  float *values, ptrdiff_t stride);
void ck_winograd_output_tiles_avx512(const float *values, ptrdiff_t stride, ptrdiff_t ty0, ptrdiff_t ty1,
                                     float *plane, ptrdiff_t h, ptrdiff_t w, bool accumulate);
void ck_winograd_output_tiles_avx2(const float *values, ptrdiff_t stride, ptrdiff_t ty0, ptrdiff_t ty1,
                                   float *plane, ptrdiff_t h, ptrdiff_t w, bool accumulate);
void ck_winograd_output_gradient_tiles_avx512(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ty0,
                                              ptrdiff_t ty1, float *values, ptrdiff_t stride);
void ck_winograd_output_gradient_tiles_avx2(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t ty0,
                                            ptrdiff_t ty1, float *values, ptrdiff_t stride);

#endif
