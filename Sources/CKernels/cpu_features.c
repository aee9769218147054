// Run-time checks for the instruction sets the kernels of this target need: the CPU has
// them and the OS saves their registers on a context switch.
#include "CKernels.h"

#if defined(__x86_64__)
#include <cpuid.h>

/// The XCR0 register: which register states the OS saves (bit 1 SSE, bit 2 AVX upper halves).
/// Call only when CPUID reports OSXSAVE.
static unsigned long long enabled_register_state(void) {
    unsigned int low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return ((unsigned long long)high << 32) | low;
}
#endif

bool ck_cpu_has_avx512f(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return false;
#endif
}

bool ck_cpu_has_avx2(void) {
#if defined(__x86_64__)
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
    const bool fma = ecx & (1u << 12), osxsave = ecx & (1u << 27), avx = ecx & (1u << 28);
    if (!(fma && osxsave && avx)) return false;
    if ((enabled_register_state() & 0x6) != 0x6) return false;   // XMM and YMM state
    if (__get_cpuid_max(0, 0) < 7) return false;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx & (1u << 5)) != 0;   // AVX2
#else
    return false;
#endif
}
