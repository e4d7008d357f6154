/* Region allocator; see ldp/arena.h. */
#include "ldp/arena.h"
#include "ldp/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ldp_arena_block {
	ldp_arena_block *prev;
	size_t size; /* usable bytes in data[] */
	size_t used;
	_Alignas(16) unsigned char data[];
};

#define ALIGN16(n) (((n) + 15u) & ~(size_t)15u)

void ldp_arena_init(ldp_arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 16 * 1024;
	a->total = 0;
}

void *ldp_arena_alloc(ldp_arena *a, size_t size)
{
	size_t need = ALIGN16(size ? size : 1);
	/* Both the rounding and the block header must fit in size_t, or malloc
	 * gets a wrapped-around small size and the caller writes past it. */
	if (need < size || need > SIZE_MAX - sizeof(ldp_arena_block)) {
		ldp_error_set(LDP_ENOMEM, "arena allocation of %zu bytes overflows", size);
		return NULL;
	}
	ldp_arena_block *b = a->head;
	if (!b || b->size - b->used < need) {
		/* Big requests get a block of their own so small ones keep packing. */
		size_t bs = need > a->block_size ? need : a->block_size;
		ldp_arena_block *nb = malloc(sizeof *nb + bs);
		if (!nb) {
			ldp_error_set(LDP_ENOMEM, "out of memory (arena block of %zu bytes)", bs);
			return NULL;
		}
		nb->size = bs;
		nb->used = 0;
		if (b && need > a->block_size && b->size - b->used >= 256) {
			/* Keep filling the current block: slot the big one behind it. */
			nb->prev = b->prev;
			b->prev = nb;
			nb->used = need;
			a->total += need;
			return nb->data;
		}
		nb->prev = b;
		a->head = b = nb;
	}
	void *p = b->data + b->used;
	b->used += need;
	a->total += need;
	return p;
}

void *ldp_arena_calloc(ldp_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		ldp_error_set(LDP_ENOMEM, "arena allocation overflows");
		return NULL;
	}
	void *p = ldp_arena_alloc(a, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

char *ldp_arena_strndup(ldp_arena *a, const char *s, size_t n)
{
	char *p = ldp_arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *ldp_arena_strdup(ldp_arena *a, const char *s)
{
	return ldp_arena_strndup(a, s, strlen(s));
}

char *ldp_arena_sprintf(ldp_arena *a, const char *fmt, ...)
{
	va_list ap, cp;
	va_start(ap, fmt);
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	char *p = n < 0 ? NULL : ldp_arena_alloc(a, (size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void ldp_arena_reset(ldp_arena *a)
{
	ldp_arena_block *b = a->head;
	if (!b)
		return;
	/* Keep the oldest block (the first allocated), free the rest. */
	while (b->prev) {
		ldp_arena_block *prev = b->prev;
		free(b);
		b = prev;
	}
	b->used = 0;
	a->head = b;
	a->total = 0;
}

void ldp_arena_free(ldp_arena *a)
{
	ldp_arena_block *b = a->head;
	while (b) {
		ldp_arena_block *prev = b->prev;
		free(b);
		b = prev;
	}
	a->head = NULL;
	a->total = 0;
}
