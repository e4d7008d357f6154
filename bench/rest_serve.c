/* rest_serve: the REST catalog server (ldp_server, in this process) under
 * 1, 8 and 64 concurrent keep-alive clients (raw HTTP/1.1 over sockets, one
 * connection per client thread):
 *
 *   config     GET /v1/config, the baseline: HTTP and routing only
 *   loadTable  GET /v1/namespaces/b/tables/t (a table with 20 snapshots)
 *   commit     POST /v1/namespaces/b/tables/c<i>: a one-file append commit
 *              (assert-ref-snapshot-id + add-snapshot + set-snapshot-ref
 *              main), each client on its own table, as a writer that has
 *              already written its manifest list would send it
 *
 *   rest_serve [--threads N] [--seconds S] [--commits N]
 *
 * Prints req/s, p50 and p99 per case and loadTable's rate as a ratio of the
 * config baseline. Goal (issue 9): loadTable >= 10k req/s on 2 cores. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bench.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"
#include "server/server.h"

#define ROOT LDP_BUILD_DIR "/bench-rest"

static int port;
static double seconds = 2.0;
static int commits_per_client = 40;

typedef struct client {
	int id, fd;
	int mode; /* 0 config, 1 loadTable, 2 commit */
	int64_t *lat;
	size_t nlat, cap;
	int errors;
	char buf[1 << 20];
} client;

static int connect_local(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One request; the status code, or -1. The body lands in c->buf. */
static int request(client *c, const char *method, const char *path, const char *body)
{
	char head[1024];
	size_t bl = body ? strlen(body) : 0;
	int n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: bench\r\nContent-Length: %zu\r\n\r\n", method, path, bl);
	if (write(c->fd, head, (size_t)n) != n || (bl && write(c->fd, body, bl) != (ssize_t)bl))
		return -1;
	size_t got = 0;
	char *end = NULL;
	while (!end) {
		ssize_t r = read(c->fd, c->buf + got, sizeof c->buf - 1 - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
		c->buf[got] = 0;
		end = strstr(c->buf, "\r\n\r\n");
	}
	int status = atoi(c->buf + 9);
	const char *cl = strcasestr(c->buf, "Content-Length:");
	size_t want = cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0;
	size_t hdr = (size_t)(end + 4 - c->buf);
	while (got - hdr < want) {
		ssize_t r = read(c->fd, c->buf + got, sizeof c->buf - 1 - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	c->buf[got] = 0;
	return status;
}

static void record(client *c, int64_t ns)
{
	if (c->nlat == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4096;
		c->lat = realloc(c->lat, c->cap * sizeof *c->lat);
	}
	c->lat[c->nlat++] = ns;
}

/* per table (c<i>), kept across cases: the table's head and sequence number */
static int64_t table_seq[64], table_sid[64];

static int commit_one(client *c)
{
	char path[128], body[2048], req[64], parent[64] = "";
	int64_t seq = table_seq[c->id] + 1, sid = (int64_t)(c->id + 1) * 1000000 + seq;
	snprintf(path, sizeof path, "/v1/namespaces/b/tables/c%d", c->id);
	snprintf(req, sizeof req, table_sid[c->id] ? "%" PRId64 : "null", table_sid[c->id]);
	if (table_sid[c->id])
		snprintf(parent, sizeof parent, "\"parent-snapshot-id\":%" PRId64 ",", table_sid[c->id]);
	snprintf(body, sizeof body,
		 "{\"requirements\":[{\"type\":\"assert-ref-snapshot-id\",\"ref\":\"main\",\"snapshot-id\":%s}],"
		 "\"updates\":[{\"action\":\"add-snapshot\",\"snapshot\":{\"snapshot-id\":%" PRId64 ",%s\"sequence-number\":%" PRId64
		 ",\"timestamp-ms\":1700000000000,\"manifest-list\":\"%s/b/c%d/metadata/snap-%" PRId64 ".avro\","
		 "\"summary\":{\"operation\":\"append\",\"added-data-files\":\"1\",\"added-records\":\"100\"}}},"
		 "{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\",\"type\":\"branch\",\"snapshot-id\":%" PRId64 "}]}",
		 req, sid, parent, seq, ROOT "/warehouse", c->id, sid, sid);
	if (request(c, "POST", path, body) != 200)
		return -1;
	table_seq[c->id] = seq;
	table_sid[c->id] = sid;
	return 0;
}

static volatile int stop;

static void *run_client(void *arg)
{
	client *c = arg;
	c->fd = connect_local();
	if (c->fd < 0) {
		c->errors++;
		return NULL;
	}
	int done = 0;
	while (!stop && !(c->mode == 2 && done >= commits_per_client)) {
		int64_t t0 = bench_now_ns();
		int ok;
		if (c->mode == 0)
			ok = request(c, "GET", "/v1/config", NULL) == 200;
		else if (c->mode == 1)
			ok = request(c, "GET", "/v1/namespaces/b/tables/t", NULL) == 200;
		else
			ok = commit_one(c) == 0;
		if (!ok) {
			c->errors++;
			if (c->errors > 10)
				break;
			continue;
		}
		record(c, bench_now_ns() - t0);
		done++;
	}
	close(c->fd);
	return NULL;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static double run_case(const char *name, int mode, int nclients)
{
	client *cs = calloc((size_t)nclients, sizeof *cs);
	pthread_t *th = calloc((size_t)nclients, sizeof *th);
	stop = 0;
	int64_t t0 = bench_now_ns();
	for (int i = 0; i < nclients; i++) {
		cs[i].id = i;
		cs[i].mode = mode;
		pthread_create(&th[i], NULL, run_client, &cs[i]);
	}
	if (mode != 2) {
		usleep((useconds_t)(seconds * 1e6));
		stop = 1;
	}
	for (int i = 0; i < nclients; i++)
		pthread_join(th[i], NULL);
	double wall = (double)(bench_now_ns() - t0) / 1e9;
	size_t n = 0;
	int errors = 0;
	for (int i = 0; i < nclients; i++) {
		n += cs[i].nlat;
		errors += cs[i].errors;
	}
	int64_t *all = malloc((n + 1) * sizeof *all);
	size_t k = 0;
	for (int i = 0; i < nclients; i++) {
		memcpy(all + k, cs[i].lat, cs[i].nlat * sizeof *all);
		k += cs[i].nlat;
		free(cs[i].lat);
	}
	qsort(all, n, sizeof *all, cmp64);
	double rate = (double)n / wall;
	printf("%-10s clients %-3d  %9.0f req/s  p50 %8.3f ms  p99 %8.3f ms  (%zu requests, %d errors)\n", name,
	       nclients, rate, n ? (double)all[n / 2] / 1e6 : 0, n ? (double)all[(n * 99) / 100] / 1e6 : 0, n, errors);
	fflush(stdout);
	free(all);
	free(cs);
	free(th);
	return rate;
}

static void ldp_cmd(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5)
{
	char *argv[] = {LDP_BIN, (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5, NULL};
	if (bench_run(argv, ROOT, NULL) < 0)
		exit(1);
}

int main(int argc, char **argv)
{
	int threads = 4;
	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--threads") == 0)
			threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--seconds") == 0)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--commits") == 0)
			commits_per_client = atoi(argv[++i]);
	}
	ldp_io_remove_tree(ROOT);
	char *init[] = {LDP_BIN, "init", ROOT, NULL};
	if (bench_run(init, NULL, NULL) < 0)
		return 1;
	ldp_cmd("namespace", "create", "b", NULL, NULL);
	ldp_cmd("table", "create", "b.t", "--schema", "id BIGINT, name VARCHAR, ts TIMESTAMP");
	for (int i = 0; i < 20; i++)
		ldp_cmd("table", "append", "b.t", "SELECT range AS id, 'x' AS name, now()::TIMESTAMP AS ts FROM range(10)", NULL);
	for (int i = 0; i < 64; i++) {
		char name[32];
		snprintf(name, sizeof name, "b.c%d", i);
		ldp_cmd("table", "create", name, "--schema", "id BIGINT");
	}
	ldp_server_options o = {.port = 0, .threads = threads, .warehouse = ROOT "/warehouse",
				.catalog_path = ROOT "/warehouse/catalog.db"};
	ldp_server *s = NULL;
	if (ldp_server_start(&o, &s)) {
		fprintf(stderr, "rest_serve: %s\n", ldp_error_last()->message);
		return 1;
	}
	port = ldp_server_port(s);
	printf("rest_serve: ldp_server with %d worker threads on port %d, %.1f s per read case, %d commits per client\n",
	       threads, port, seconds, commits_per_client);
	int counts[] = {1, 8, 64};
	for (int i = 0; i < 3; i++) {
		double base = run_case("config", 0, counts[i]);
		double load = run_case("loadTable", 1, counts[i]);
		printf("%-10s clients %-3d  loadTable / config = %.2f\n", "ratio", counts[i], base > 0 ? load / base : 0);
	}
	for (int i = 0; i < 3; i++)
		run_case("commit", 2, counts[i]);
	ldp_server_stop(s);
	return 0;
}
