// Adler-32 (RFC 1950) with the processor's vector instructions where it has them.
#ifndef CADLER32_H
#define CADLER32_H

#include <stddef.h>
#include <stdint.h>

/// The running Adler-32 checksum `adler` (1 to start) extended by the `length` bytes at `bytes`:
/// the value zlib's `adler32` gives, computed 32 bytes at a time with AVX2 where the processor
/// has it, else a byte at a time.
uint32_t cadler32(uint32_t adler, const unsigned char *bytes, size_t length);

/// The same checksum a byte at a time, whatever the processor (for tests: the two must agree).
uint32_t cadler32_scalar(uint32_t adler, const unsigned char *bytes, size_t length);

#endif
