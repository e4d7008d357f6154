/*
 * S3 download throughput against local disk, in the same run.
 *
 * Needs a running S3-compatible server configured through the usual
 * environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)
 * and a bucket in LDP_BENCH_S3_BUCKET; bench/s3_read.sh starts the test
 * server (moto, tests/s3_server.sh) and runs this. Size: LDP_BENCH_S3_MB
 * (default 128).
 *
 * Baselines: copying the same bytes file-to-file on local disk (the same
 * work as a download into the cache, minus the network) and reading them.
 * Prints MB/s for each and the ratio S3 / local copy.
 */
#include "bench.h"

#include <sys/stat.h>

#include "io/s3.h"
#include "io/s3_io.h"
#include "ldp/error.h"

#define RUNS 3

static int64_t local_copy(const char *from, const char *to)
{
	int64_t t0 = bench_now_ns();
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	static char buf[1 << 16];
	ssize_t n;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	if (in < 0 || out < 0)
		return -1;
	close(in);
	close(out);
	return bench_now_ns() - t0;
}

static int64_t local_read(const char *from)
{
	int64_t t0 = bench_now_ns();
	int in = open(from, O_RDONLY);
	static char buf[1 << 16];
	while (in >= 0 && read(in, buf, sizeof buf) > 0)
		;
	if (in < 0)
		return -1;
	close(in);
	return bench_now_ns() - t0;
}

static double best_mbs(int64_t *ns, size_t n, double mb)
{
	int64_t best = ns[0];
	for (size_t i = 1; i < n; i++)
		if (ns[i] < best)
			best = ns[i];
	return mb / ((double)best / 1e9);
}

int main(void)
{
	const char *bucket = getenv("LDP_BENCH_S3_BUCKET");
	if (!bucket || !getenv("AWS_ENDPOINT_URL")) {
		fprintf(stderr, "s3_read: set AWS_ENDPOINT_URL, credentials and LDP_BENCH_S3_BUCKET (bench/s3_read.sh does)\n");
		return 2;
	}
	long mb = getenv("LDP_BENCH_S3_MB") ? atol(getenv("LDP_BENCH_S3_MB")) : 128;
	char dir[] = "/tmp/ldp-bench-s3-XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	char src[256], dst[256];
	snprintf(src, sizeof src, "%s/src.bin", dir);
	snprintf(dst, sizeof dst, "%s/dst.bin", dir);
	FILE *f = fopen(src, "wb");
	uint64_t x = 88172645463325252ULL;
	for (long i = 0; f && i < mb * 131072L; i++) { /* xorshift: incompressible */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		fwrite(&x, 8, 1, f);
	}
	if (!f || fclose(f) != 0)
		return 2;

	ldp_s3_client *c = NULL;
	int rc = ldp_s3_io_client(&c);
	int64_t t0 = bench_now_ns();
	if (!rc)
		rc = ldp_s3_put_file(c, bucket, "bench/src.bin", src, 0);
	int64_t up = bench_now_ns() - t0;
	int64_t s3[RUNS], cp[RUNS], rd[RUNS];
	for (int i = 0; !rc && i < RUNS; i++) {
		t0 = bench_now_ns();
		rc = ldp_s3_get_file(c, bucket, "bench/src.bin", dst, NULL);
		s3[i] = bench_now_ns() - t0;
		unlink(dst);
		cp[i] = local_copy(src, dst);
		unlink(dst);
		rd[i] = local_read(src);
		if (cp[i] < 0 || rd[i] < 0)
			rc = LDP_EIO;
	}
	if (rc) {
		fprintf(stderr, "s3_read: %s\n", ldp_error_last()->message);
		return 1;
	}
	ldp_s3_delete(c, bucket, "bench/src.bin");
	unlink(src);
	rmdir(dir);
	double s3mbs = best_mbs(s3, RUNS, (double)mb), cpmbs = best_mbs(cp, RUNS, (double)mb),
	       rdmbs = best_mbs(rd, RUNS, (double)mb);
	printf("s3_read: %ld MiB object, best of %d\n", mb, RUNS);
	printf("  upload (multipart)        %8.1f MB/s\n", (double)mb / ((double)up / 1e9));
	printf("  S3 GET -> local file      %8.1f MB/s\n", s3mbs);
	printf("  local file -> local file  %8.1f MB/s\n", cpmbs);
	printf("  local file read           %8.1f MB/s\n", rdmbs);
	printf("  ratio S3 download / local copy: %.3f\n", s3mbs / cpmbs);
	printf("  ratio S3 download / local read: %.3f\n", s3mbs / rdmbs);
	return 0;
}
