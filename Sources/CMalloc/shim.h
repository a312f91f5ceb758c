// glibc's allocator settings (malloc.h), which the Glibc module leaves out.
#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H

#if defined(__linux__)
#include <malloc.h>
#endif

/// Allocations of `bytes` or more get pages of their own, given back to the system when freed
/// (glibc; elsewhere nothing is done and 0 returned).
static inline int cmalloc_set_mmap_threshold(int bytes) {
#if defined(M_MMAP_THRESHOLD)
    return mallopt(M_MMAP_THRESHOLD, bytes);
#else
    (void)bytes;
    return 0;
#endif
}

#endif
