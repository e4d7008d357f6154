/*
 * core/backoff.h - exponential backoff with jitter for retry loops (a commit
 * that lost the catalog swap reloads, re-applies and tries again).
 *
 * The delay for attempt k (0-based) is drawn uniformly from [d/2, d] where
 * d = min(max_ms, base_ms * 2^k): the growth spreads retries out, the random
 * half keeps writers that collided once from colliding again in lockstep.
 */
#ifndef LDP_CORE_BACKOFF_H
#define LDP_CORE_BACKOFF_H

#include <stdint.h>

/* The delay in milliseconds for `attempt`, using `seed` as the source of
 * randomness (pure: the same arguments give the same delay). Negative or
 * zero base_ms gives 0; max_ms below base_ms is raised to base_ms. */
int ldp_backoff_delay_ms(int attempt, int base_ms, int max_ms, uint64_t seed);

/* Sleep for ldp_backoff_delay_ms(attempt, base_ms, max_ms, <fresh seed>) and
 * return the number of milliseconds slept. Not interrupted by signals. */
int ldp_backoff_sleep(int attempt, int base_ms, int max_ms);

#endif
