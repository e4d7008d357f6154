/*
 * format/murmur3.h - the 32-bit Murmur3 hash (x86 variant) that Iceberg's
 * bucket transform is defined on (spec: "Appendix B: 32-bit Hash
 * Requirements"; the bucket transform uses seed 0).
 */
#ifndef LDP_FORMAT_MURMUR3_H
#define LDP_FORMAT_MURMUR3_H

#include <stddef.h>
#include <stdint.h>

/* Hash of `len` bytes at `data`. Iceberg compares the result as a Java int:
 * cast to int32_t for the spec's signed test values. */
uint32_t ldp_murmur3_32(const void *data, size_t len, uint32_t seed);

#endif
