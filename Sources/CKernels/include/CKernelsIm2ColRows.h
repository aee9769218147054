// im2col / col2im rows of stride-1 convolutions with AVX-512 or AVX2 (see stride1_rows.c,
// stride1_rows_avx2.c). Same calling rules as CKernels.h: call a variant only where
// `VectorISA` allows it.
#ifndef CKERNELS_IM2COL_ROWS_H
#define CKERNELS_IM2COL_ROWS_H
#include <stddef.h>

/// One im2col row of a stride-1 window: out[oy*OW + ox] = plane[(oy - P + ky)*W + ox - P + kx]
/// where that pixel lies inside the H x W plane, else 0, for oy < OH, ox < OW.
void ck_im2col_stride1_row_avx512(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t oh, ptrdiff_t ow,
                                  ptrdiff_t padding, ptrdiff_t ky, ptrdiff_t kx, float *out);
void ck_im2col_stride1_row_avx2(const float *plane, ptrdiff_t h, ptrdiff_t w, ptrdiff_t oh, ptrdiff_t ow,
                                ptrdiff_t padding, ptrdiff_t ky, ptrdiff_t kx, float *out);

/// The adjoint of one such row: plane[(oy - P + ky)*W + ox - P + kx] += line[oy*OW + ox] for the
/// pixels inside the plane, output rows oy in order (each pixel gets at most one add per row).
void ck_col2im_stride1_row_avx512(const float *line, ptrdiff_t h, ptrdiff_t w, ptrdiff_t oh, ptrdiff_t ow,
                                  ptrdiff_t padding, ptrdiff_t ky, ptrdiff_t kx, float *plane);
void ck_col2im_stride1_row_avx2(const float *line, ptrdiff_t h, ptrdiff_t w, ptrdiff_t oh, ptrdiff_t ow,
                                ptrdiff_t padding, ptrdiff_t ky, ptrdiff_t kx, float *plane);
#endif
