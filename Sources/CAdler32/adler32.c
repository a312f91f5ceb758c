// Adler-32 keeps two sums modulo 65521: a, the sum of the bytes plus one, and b, the sum of the
// successive values of a. Over n bytes x[0..n-1] after (a, b):
//   a' = a + sum x[i]
//   b' = b + n*a + sum (n - i) * x[i]
// so a block of bytes can be summed with fixed weights, and the reduction modulo 65521 is only
// needed every few thousand bytes (while b cannot overflow 32 bits).
#include "CAdler32.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

enum {
    modulus = 65521,
    // The most bytes after which b, reduced before, still fits in 32 bits (zlib's NMAX).
    most_between_reductions = 5552,
};

uint32_t cadler32_scalar(uint32_t adler, const unsigned char *bytes, size_t length) {
    uint32_t a = adler & 0xffff, b = adler >> 16;
    while (length > 0) {
        size_t run = length < most_between_reductions ? length : most_between_reductions;
        length -= run;
        while (run-- > 0) {
            a += *bytes++;
            b += a;
        }
        a %= modulus;
        b %= modulus;
    }
    return (b << 16) | a;
}

#if defined(__x86_64__)
// 32 bytes at a time. For a run of k blocks of 32 bytes x[j][0..31] after (a, b):
//   a' = a + sum over blocks of S[j], where S[j] is the block's byte sum
//   b' = b + 32k*a + 32 * sum_j (k-1-j) * S[j] + sum_j sum_i (32 - i) * x[j][i]
// `prefix` adds up the sums of the blocks before each block (the third term, before its factor
// 32); `weighted` the fourth.
__attribute__((target("avx2")))
static uint32_t adler32_avx2(uint32_t adler, const unsigned char *bytes, size_t length) {
    uint32_t a = adler & 0xffff, b = adler >> 16;
    const __m256i weights = _mm256_setr_epi8(
        32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
        16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i zero = _mm256_setzero_si256();
    // The run is whole blocks, short enough that b stays within 32 bits.
    const size_t blocks_per_run = most_between_reductions / 32;
    while (length >= 32) {
        size_t blocks = length / 32;
        if (blocks > blocks_per_run) blocks = blocks_per_run;
        length -= blocks * 32;
        __m256i sums = zero, prefix = zero, weighted = zero;
        for (size_t j = 0; j < blocks; j++) {
            __m256i block = _mm256_loadu_si256((const __m256i *)bytes);
            bytes += 32;
            prefix = _mm256_add_epi32(prefix, sums);
            // Four 64-bit lanes, each the sum of eight bytes (below 2^16, so the 32-bit view adds
            // them correctly).
            sums = _mm256_add_epi32(sums, _mm256_sad_epu8(block, zero));
            // Adjacent byte products summed to 16 bits (at most 2 * 255 * 32), then pairs to 32.
            weighted = _mm256_add_epi32(weighted, _mm256_madd_epi16(_mm256_maddubs_epi16(block, weights), ones));
        }
        uint32_t lanes[8];
        uint64_t sum = 0, prefixSum = 0, weightedSum = 0;
        _mm256_storeu_si256((__m256i *)lanes, sums);
        for (int i = 0; i < 8; i++) sum += lanes[i];
        _mm256_storeu_si256((__m256i *)lanes, prefix);
        for (int i = 0; i < 8; i++) prefixSum += lanes[i];
        _mm256_storeu_si256((__m256i *)lanes, weighted);
        for (int i = 0; i < 8; i++) weightedSum += lanes[i];
        uint64_t newB = (uint64_t)b + (uint64_t)blocks * 32 * a + 32 * prefixSum + weightedSum;
        a = (uint32_t)((a + sum) % modulus);
        b = (uint32_t)(newB % modulus);
    }
    return cadler32_scalar((b << 16) | a, bytes, length);
}
#endif

uint32_t cadler32(uint32_t adler, const unsigned char *bytes, size_t length) {
#if defined(__x86_64__)
    // Short inputs (log records) are not worth the vector set-up.
    if (length >= 64 && __builtin_cpu_supports("avx2")) return adler32_avx2(adler, bytes, length);
#endif
    return cadler32_scalar(adler, bytes, length);
}
