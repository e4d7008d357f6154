/* Exponential backoff with jitter; see core/backoff.h. */
#include "core/backoff.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* splitmix64: a full-period mixer, so consecutive seeds (clock ticks) still
 * give unrelated delays. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

int ldp_backoff_delay_ms(int attempt, int base_ms, int max_ms, uint64_t seed)
{
	if (base_ms <= 0)
		return 0;
	if (max_ms < base_ms)
		max_ms = base_ms;
	if (attempt < 0)
		attempt = 0;
	/* Double without overflow: stop as soon as the cap is reached. */
	int64_t d = base_ms;
	for (int i = 0; i < attempt && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	int64_t lo = d / 2;
	int64_t span = d - lo + 1;
	return (int)(lo + (int64_t)(mix64(seed) % (uint64_t)span));
}

int ldp_backoff_sleep(int attempt, int base_ms, int max_ms)
{
	/* No shared random state: the seed mixes the clock with the thread
	 * identity so two threads retrying at the same instant still differ. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	uint64_t seed = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	seed ^= mix64((uint64_t)(uintptr_t)pthread_self());
	int ms = ldp_backoff_delay_ms(attempt, base_ms, max_ms, seed);
	struct timespec req = {ms / 1000, (long)(ms % 1000) * 1000000L}, rem;
	while (nanosleep(&req, &rem) != 0 && errno == EINTR)
		req = rem;
	return ms;
}
