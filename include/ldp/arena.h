/*
 * ldp/arena.h - region allocator for short-lived work (a request, a commit,
 * a scan plan). Everything allocated from an arena is released at once by
 * ldp_arena_free() or ldp_arena_reset(); there is no per-object free.
 */
#ifndef LDP_ARENA_H
#define LDP_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ldp_arena_block ldp_arena_block;

typedef struct ldp_arena {
	ldp_arena_block *head;  /* the block being filled */
	size_t block_size;      /* default size of new blocks */
	size_t total;           /* bytes handed out, for diagnostics */
} ldp_arena;

/* block_size 0 picks 16 KiB. An initialised arena owns no memory yet. */
void ldp_arena_init(ldp_arena *a, size_t block_size);
/* 16-byte aligned memory, or NULL (with LDP_ENOMEM recorded). */
void *ldp_arena_alloc(ldp_arena *a, size_t size);
void *ldp_arena_calloc(ldp_arena *a, size_t n, size_t size);
char *ldp_arena_strdup(ldp_arena *a, const char *s);
char *ldp_arena_strndup(ldp_arena *a, const char *s, size_t n);
char *ldp_arena_sprintf(ldp_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Release all blocks but the first, and rewind it: memory is reused. */
void ldp_arena_reset(ldp_arena *a);
/* Release everything; the arena may be initialised again. */
void ldp_arena_free(ldp_arena *a);

#ifdef __cplusplus
}
#endif
#endif
