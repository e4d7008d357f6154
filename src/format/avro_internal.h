/*
 * format/avro_internal.h - pieces of the Avro codec shared between the
 * binary encoding (avro.c) and container files (avro_file.c). Not for use
 * outside src/format/avro*.c.
 */
#ifndef LDP_FORMAT_AVRO_INTERNAL_H
#define LDP_FORMAT_AVRO_INTERNAL_H

#include "format/avro.h"

/* Elements that occupy no bytes (arrays of null) a single value may hold. */
#define LDP_AVRO_ZERO_SIZE_BUDGET (1u << 20)

typedef struct ldp_avro_dec {
	const uint8_t *start, *p, *end;
	const char *what;
	size_t file_off; /* file offset of start */
	int in_block;    /* start is a decompressed block: offsets are within it */
	size_t budget;   /* zero-size elements left */
	ldp_arena *a;
} ldp_avro_dec;

void ldp_avro_put_long(ldp_buf *b, int64_t v);
void ldp_avro_put_bytes(ldp_buf *b, const void *p, size_t len);
/* LDP_ECORRUPT "<what>: corrupt Avro data: <msg>, at byte offset N". */
int ldp_avro_dec_corrupt(const ldp_avro_dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ldp_avro_dec_long(ldp_avro_dec *d, int64_t *out, const char *what);
int ldp_avro_dec_len(ldp_avro_dec *d, size_t *out, const char *what);
int ldp_avro_dec_raw(ldp_avro_dec *d, size_t n, const uint8_t **out, const char *what);
/* Element count of an array/map block (elements of at least min_elem bytes). */
int ldp_avro_dec_block_count(ldp_avro_dec *d, size_t min_elem, size_t *out);
int ldp_avro_dec_value(ldp_avro_dec *d, const ldp_avro_schema *s, ldp_avro_value **out);

#endif
