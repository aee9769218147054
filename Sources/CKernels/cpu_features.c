// Run-time check for the instruction sets the kernels of this target need.
#include "CKernels.h"

bool ck_cpu_has_avx512f(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return false;
#endif
}
