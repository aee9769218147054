// What the AVX-512 and AVX2 max-pool kernels share: where the Swift kernel they reproduce
// switches from its 16-wide chunks to single outputs at the right end of a row.
#ifndef CK_MAX_POOL_TAIL_H
#define CK_MAX_POOL_TAIL_H
#include <stddef.h>

/// The first output of the right tail that the Swift kernel scans one at a time (OW if
/// none): its 16-wide chunks run at 1, 17, ... while they fit, then either one overlapping
/// chunk ends the row or single outputs do.
static inline ptrdiff_t ck_max_pool_first_scalar_tail_output(ptrdiff_t w, ptrdiff_t ow) {
    const ptrdiff_t last_chunk = (w - 32) / 2;   // largest ox0 with 2*ox0 + 31 < W
    ptrdiff_t ox = 1;
    while (ox + 16 <= ow && ox <= last_chunk) ox += 16;
    if (ox >= ow || (ow - 16 >= 1 && ow - 16 <= last_chunk && ox > ow - 16)) return ow;
    return ox;
}

#endif
