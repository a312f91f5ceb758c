// The processor's prefetch hint, which Swift does not expose.
#ifndef CPREFETCH_SHIM_H
#define CPREFETCH_SHIM_H

/// Asks the processor to bring the memory at `address` into its caches, without waiting for
/// it (a hint: nothing is read, and no address faults).
static inline void cprefetch(const void *address) {
    __builtin_prefetch(address);
}

#endif
