// The elementwise loops of `Elementwise` (Tensor) and `ReLU` (NN) for AVX2 and AVX-512 from
// one body each: plain C over blocks of 16 floats (the lanes of the Swift SIMD16 code),
// always inlined into a thin wrapper per instruction set, which the compiler vectorises
// for that set. C evaluates every element exactly as written (no reassociation, no fused
// multiply-add: -ffp-contract=off), and sums keep the Swift code's 16 lane accumulators,
// lane j holding elements j, j+16, ..., added in order from -0 at the end, then the scalar
// tail; so every kernel gives the bits of its Swift twin, whatever the vector width.
//
// Legend: count = number of elements; buffers contiguous; outputs may alias inputs at the
// same index.
#include "CKernelsElementwise.h"

#pragma STDC FP_CONTRACT OFF
// The 16-float vectors below pass only between always-inlined functions, never across a
// call, so the ABI of passing them without AVX-512 (which clang warns about) never applies.
#pragma clang diagnostic ignored "-Wpsabi"

#define CK_BODY static inline __attribute__((always_inline))
#define CK_LANES 16

/// 16 floats: the lanes of the Swift code's SIMD16 (one zmm or two ymm registers); the
/// blocks are loaded whole before anything is stored, so outputs may alias inputs.
typedef float lanes16 __attribute__((ext_vector_type(16), aligned(4)));
typedef int mask16 __attribute__((ext_vector_type(16), aligned(4)));

CK_BODY lanes16 load16(const float *p) { return *(const lanes16 *)p; }
CK_BODY void store16(float *p, lanes16 v) { *(lanes16 *)p = v; }

/// v where `where` is false, +0.0 where it is true (Swift's `replacing(with: 0, where:)`).
CK_BODY lanes16 zero_where(lanes16 v, mask16 where) { return (lanes16)((mask16)v & ~where); }

/// SIMD16.sum() of Swift: lanes added one after another, starting from -0.
CK_BODY float sum_lanes(lanes16 v) {
    float total = -0.0f;
    for (int j = 0; j < CK_LANES; j++) total += v[j];
    return total;
}

/// y = max(x, 0) as `ReLU.forward`: 16-blocks keep x unless x < 0 (so -0 and NaN stay),
/// the tail is Swift.max(x, 0) = (0 >= x ? 0 : x) (-0 becomes +0).
CK_BODY void relu_forward(const float *x, float *y, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + CK_LANES <= count; i += CK_LANES) {
        const lanes16 v = load16(x + i);
        store16(y + i, zero_where(v, v < 0.0f));
    }
    for (; i < count; i++) y[i] = 0.0f >= x[i] ? 0.0f : x[i];
}

/// dx = 0 where y <= 0 (dx is the output gradient itself, masked in place).
CK_BODY void relu_backward_in_place(const float *y, float *dx, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + CK_LANES <= count; i += CK_LANES) store16(dx + i, zero_where(load16(dx + i), load16(y + i) <= 0.0f));
    for (; i < count; i++) {
        if (y[i] <= 0.0f) dx[i] = 0.0f;
    }
}

/// dx += dy where the output is positive, as `ReLU.backward`: 16-blocks add (y <= 0 ? 0 : dy),
/// the tail (y > 0 ? dy : 0) (the two differ for a NaN y, as the Swift code does).
CK_BODY void relu_backward_accumulate(const float *y, const float *dy, float *dx, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + CK_LANES <= count; i += CK_LANES) {
        const lanes16 g = zero_where(load16(dy + i), load16(y + i) <= 0.0f);
        store16(dx + i, load16(dx + i) + g);
    }
    for (; i < count; i++) dx[i] += y[i] > 0.0f ? dy[i] : 0.0f;
}

/// out = a + b.
CK_BODY void add(const float *a, const float *b, float *out, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + CK_LANES <= count; i += CK_LANES) store16(out + i, load16(a + i) + load16(b + i));
    for (; i < count; i++) out[i] = a[i] + b[i];
}

/// y += x (y[i] + x[i], in that order).
CK_BODY void accumulate(const float *x, float *y, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + CK_LANES <= count; i += CK_LANES) store16(y + i, load16(y + i) + load16(x + i));
    for (; i < count; i++) y[i] += x[i];
}

/// x += value.
CK_BODY void add_scalar(float value, float *x, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + CK_LANES <= count; i += CK_LANES) store16(x + i, load16(x + i) + value);
    for (; i < count; i++) x[i] += value;
}

/// Sum of x: 16 lane sums, then the tail, as `Elementwise.sumFloat`.
CK_BODY float sum_float(const float *x, ptrdiff_t count) {
    lanes16 lanes = 0.0f;
    ptrdiff_t i = 0;
    for (; i + CK_LANES <= count; i += CK_LANES) lanes = lanes + load16(x + i);
    float total = sum_lanes(lanes);
    for (; i < count; i++) total += x[i];
    return total;
}

/// (sum of a * b, sum of a): 16 lane sums each, as `Elementwise.dotAndSum`.
CK_BODY void dot_and_sum(const float *a, const float *b, ptrdiff_t count, float *dot, float *sum) {
    lanes16 d = 0.0f, s = 0.0f;
    ptrdiff_t i = 0;
    for (; i + CK_LANES <= count; i += CK_LANES) {
        const lanes16 av = load16(a + i), product = av * load16(b + i);
        d = d + product;
        s = s + av;
    }
    float total_dot = sum_lanes(d), total_sum = sum_lanes(s);
    for (; i < count; i++) {
        const float product = a[i] * b[i];
        total_dot += product;
        total_sum += a[i];
    }
    *dot = total_dot;
    *sum = total_sum;
}

#if defined(__x86_64__)
#define CK_INSTANTIATE(SUFFIX, TARGET)                                                                              \
    TARGET void ck_relu_forward_##SUFFIX(const float *x, float *y, ptrdiff_t count) { relu_forward(x, y, count); } \
    TARGET void ck_relu_backward_in_place_##SUFFIX(const float *y, float *dx, ptrdiff_t count) {                  \
        relu_backward_in_place(y, dx, count);                                                                       \
    }                                                                                                               \
    TARGET void ck_relu_backward_accumulate_##SUFFIX(const float *y, const float *dy, float *dx, ptrdiff_t count) { \
        relu_backward_accumulate(y, dy, dx, count);                                                                 \
    }                                                                                                               \
    TARGET void ck_add_##SUFFIX(const float *a, const float *b, float *out, ptrdiff_t count) { add(a, b, out, count); } \
    TARGET void ck_accumulate_##SUFFIX(const float *x, float *y, ptrdiff_t count) { accumulate(x, y, count); }     \
    TARGET void ck_add_scalar_##SUFFIX(float value, float *x, ptrdiff_t count) { add_scalar(value, x, count); }    \
    TARGET float ck_sum_float_##SUFFIX(const float *x, ptrdiff_t count) { return sum_float(x, count); }            \
    TARGET void ck_dot_and_sum_##SUFFIX(const float *a, const float *b, ptrdiff_t count, float *dot, float *sum) { \
        dot_and_sum(a, b, count, dot, sum);                                                                         \
    }
#else
// Never called off x86-64 (VectorISA is baseline there).
#define CK_INSTANTIATE(SUFFIX, TARGET)                                                                              \
    void ck_relu_forward_##SUFFIX(const float *x, float *y, ptrdiff_t count) { __builtin_trap(); }                \
    void ck_relu_backward_in_place_##SUFFIX(const float *y, float *dx, ptrdiff_t count) { __builtin_trap(); }     \
    void ck_relu_backward_accumulate_##SUFFIX(const float *y, const float *dy, float *dx, ptrdiff_t count) {       \
        __builtin_trap();                                                                                           \
    }                                                                                                               \
    void ck_add_##SUFFIX(const float *a, const float *b, float *out, ptrdiff_t count) { __builtin_trap(); }       \
    void ck_accumulate_##SUFFIX(const float *x, float *y, ptrdiff_t count) { __builtin_trap(); }                  \
    void ck_add_scalar_##SUFFIX(float value, float *x, ptrdiff_t count) { __builtin_trap(); }                     \
    float ck_sum_float_##SUFFIX(const float *x, ptrdiff_t count) { __builtin_trap(); }                            \
    void ck_dot_and_sum_##SUFFIX(const float *a, const float *b, ptrdiff_t count, float *dot, float *sum) {       \
        __builtin_trap();                                                                                           \
    }
#endif

// No "fma" in either target: nothing can be fused.
CK_INSTANTIATE(avx2, __attribute__((target("avx2"))))
CK_INSTANTIATE(avx512, __attribute__((target("avx512f"))))
