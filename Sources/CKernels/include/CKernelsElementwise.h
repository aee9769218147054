// Elementwise loops of `Elementwise` (Tensor) and `ReLU` (NN), each as an AVX2 and an
// AVX-512 kernel from one body (elementwise.c), bit-identical to the Swift code. Call a
// variant only where `VectorISA` allows it.
#ifndef CKERNELS_ELEMENTWISE_H
#define CKERNELS_ELEMENTWISE_H
#include <stddef.h>

/// y = x < 0 ? 0 : x in 16-blocks, then Swift.max(x, 0) for the tail (`y` may be `x`).
void ck_relu_forward_avx2(const float *x, float *y, ptrdiff_t count);
void ck_relu_forward_avx512(const float *x, float *y, ptrdiff_t count);

/// dx = y <= 0 ? 0 : dx.
void ck_relu_backward_in_place_avx2(const float *y, float *dx, ptrdiff_t count);
void ck_relu_backward_in_place_avx512(const float *y, float *dx, ptrdiff_t count);

/// dx += (y <= 0 ? 0 : dy) in 16-blocks, dx += (y > 0 ? dy : 0) for the tail.
void ck_relu_backward_accumulate_avx2(const float *y, const float *dy, float *dx, ptrdiff_t count);
void ck_relu_backward_accumulate_avx512(const float *y, const float *dy, float *dx, ptrdiff_t count);

/// out = a + b.
void ck_add_avx2(const float *a, const float *b, float *out, ptrdiff_t count);
void ck_add_avx512(const float *a, const float *b, float *out, ptrdiff_t count);

/// y += x.
void ck_accumulate_avx2(const float *x, float *y, ptrdiff_t count);
void ck_accumulate_avx512(const float *x, float *y, ptrdiff_t count);

/// x += value.
void ck_add_scalar_avx2(float value, float *x, ptrdiff_t count);
void ck_add_scalar_avx512(float value, float *x, ptrdiff_t count);

/// Sum of x: 16 lane sums added in order from -0, then the tail in order.
float ck_sum_float_avx2(const float *x, ptrdiff_t count);
float ck_sum_float_avx512(const float *x, ptrdiff_t count);

/// (sum of a * b, sum of a), each as `ck_sum_float`.
void ck_dot_and_sum_avx2(const float *a, const float *b, ptrdiff_t count, float *dot, float *sum);
void ck_dot_and_sum_avx512(const float *a, const float *b, ptrdiff_t count, float *dot, float *sum);
#endif
