/*
 * Running a command: load, parse, select, then execute the selected nodes in
 * dependency order on `threads` workers.
 *
 * Scheduling. A node is ready when every selected node it waits for has
 * finished; in `build`, a node also waits for the tests of its parents, so a
 * failing test stops what is built on top of the tested model (dbt's rule).
 * A node whose upstream failed or was skipped is skipped. Workers take the
 * ready node that comes first in the topological order, which keeps output
 * deterministic with one thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ldp/error.h"
#include "ldp/io.h"
#include "table/table.h"
#include "transform/dbt_internal.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void dbt_emit(dbt_project *p, const ldp_dbt_event *ev)
{
	if (!p->fn)
		return;
	pthread_mutex_lock(&p->ev_lock);
	p->fn(ev, p->ud);
	pthread_mutex_unlock(&p->ev_lock);
}

typedef struct sched {
	dbt_project *p;
	ldp_dbt_command cmd;
	size_t *order; /* selected nodes, topological */
	size_t norder;
	size_t **waits; /* per node: nodes it waits for */
	size_t *nwaits;
	size_t started, finished;
	size_t total;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	ldp_dbt_summary *sum;
	int fatal;
} sched;

static void topo(dbt_project *p, size_t i, char *seen, size_t *order, size_t *n)
{
	if (seen[i])
		return;
	seen[i] = 1;
	for (size_t k = 0; k < p->nodes[i].ndeps; k++)
		topo(p, p->nodes[i].deps[k], seen, order, n);
	if (p->nodes[i].selected)
		order[(*n)++] = i;
}

static const char *what_of(const dbt_node *n)
{
	if (n->kind == DBT_SEED)
		return "seed file";
	if (n->kind == DBT_TEST)
		return "test";
	if (!strcmp(n->materialized, "view"))
		return "sql view model";
	if (!strcmp(n->materialized, "table"))
		return "sql table model";
	if (!strcmp(n->materialized, "incremental"))
		return "sql incremental model";
	return "sql ephemeral model";
}

static void display_name(const dbt_node *n, ldp_buf *b)
{
	if (n->kind == DBT_TEST)
		ldp_buf_puts(b, n->name);
	else
		dbt_relation(n, b);
}

static int is_ephemeral(const dbt_node *n) { return n->kind == DBT_MODEL && !strcmp(n->materialized, "ephemeral"); }

static int add_wait(sched *s, size_t i, size_t d, size_t *cap)
{
	for (size_t k = 0; k < s->nwaits[i]; k++)
		if (s->waits[i][k] == d)
			return 0;
	if (s->nwaits[i] == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		size_t *nw = realloc(s->waits[i], *cap * sizeof *nw);
		if (!nw)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		s->waits[i] = nw;
	}
	s->waits[i][s->nwaits[i]++] = d;
	return 0;
}

/* Node i waits for dep d: d itself when it runs, or, for an ephemeral d
 * (inlined, never run), what d reads; in build also for the tests of d that
 * test only d. */
static int wait_for(sched *s, size_t i, size_t d, size_t *cap, int depth)
{
	dbt_project *p = s->p;
	int rc = 0;
	if (depth > 100)
		return 0;
	if (is_ephemeral(&p->nodes[d]) && s->cmd != LDP_DBT_COMPILE) {
		for (size_t k = 0; !rc && k < p->nodes[d].ndeps; k++)
			rc = wait_for(s, i, p->nodes[d].deps[k], cap, depth + 1);
		return rc;
	}
	if (p->nodes[d].selected)
		rc = add_wait(s, i, d, cap);
	if (s->cmd != LDP_DBT_BUILD || p->nodes[i].kind == DBT_TEST)
		return rc;
	for (size_t t = 0; !rc && t < p->n; t++) {
		dbt_node *tn = &p->nodes[t];
		if (tn->kind == DBT_TEST && tn->selected && tn->ndeps == 1 && tn->deps[0] == d)
			rc = add_wait(s, i, t, cap);
	}
	return rc;
}

static int build_waits(sched *s)
{
	dbt_project *p = s->p;
	s->waits = calloc(p->n, sizeof *s->waits);
	s->nwaits = calloc(p->n, sizeof *s->nwaits);
	if (!s->waits || !s->nwaits)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	int rc = 0;
	for (size_t o = 0; !rc && o < s->norder; o++) {
		size_t i = s->order[o], cap = 0;
		for (size_t k = 0; !rc && k < p->nodes[i].ndeps; k++)
			rc = wait_for(s, i, p->nodes[i].deps[k], &cap, 0);
	}
	return rc;
}

/* With the lock held: the first ready node in order, or (size_t)-1. */
static size_t pick(sched *s, int *skip)
{
	dbt_project *p = s->p;
	for (size_t o = 0; o < s->norder; o++) {
		size_t i = s->order[o];
		if (p->nodes[i].status != ST_PENDING)
			continue;
		int ready = 1, bad = 0;
		for (size_t k = 0; k < s->nwaits[i]; k++) {
			dbt_status st = p->nodes[s->waits[i][k]].status;
			if (st == ST_PENDING || st == ST_RUNNING)
				ready = 0;
			if (st == ST_ERROR || st == ST_SKIP)
				bad = 1;
		}
		if (ready) {
			*skip = bad;
			return i;
		}
	}
	return (size_t)-1;
}

static void run_node(sched *s, dbt_worker *w, size_t i, size_t index)
{
	dbt_project *p = s->p;
	dbt_node *n = &p->nodes[i];
	ldp_buf name = LDP_BUF_INIT;
	display_name(n, &name);
	ldp_dbt_event ev = {.kind = LDP_DBT_EV_START, .index = index, .total = s->total, .what = what_of(n),
			    .name = ldp_buf_cstr(&name)};
	dbt_emit(p, &ev);
	double t0 = now_s();
	char msg[256] = "";
	int rc, failures = 0;
	dbt_status st;
	if (s->cmd == LDP_DBT_COMPILE) {
		ldp_buf sql = LDP_BUF_INIT;
		rc = dbt_compile_node(p, n, w, 0, &sql);
		if (!rc)
			rc = dbt_write_compiled(p, n, ldp_buf_cstr(&sql));
		ldp_buf_free(&sql);
		snprintf(msg, sizeof msg, "COMPILED");
		st = rc ? ST_ERROR : ST_OK;
	} else if (n->kind == DBT_TEST) {
		rc = dbt_run_test(w, n, msg, sizeof msg, &failures);
		st = rc ? ST_ERROR : failures == 0 ? ST_OK : !strcmp(n->severity, "warn") ? ST_WARN : ST_ERROR;
	} else {
		rc = dbt_materialize(w, n, msg, sizeof msg);
		st = rc ? ST_ERROR : ST_OK;
	}
	if (rc) {
		snprintf(msg, sizeof msg, "%s", ldp_error_last()->message);
		ldp_error_clear();
	}
	n->seconds = now_s() - t0;
	const char *status = st == ST_OK ? (n->kind == DBT_TEST && s->cmd != LDP_DBT_COMPILE ? "PASS" : "OK")
			     : st == ST_WARN ? "WARN"
			     : rc ? "ERROR"
					 : "FAIL";
	ev = (ldp_dbt_event){.kind = LDP_DBT_EV_RESULT, .index = index, .total = s->total, .what = what_of(n),
			     .name = ldp_buf_cstr(&name), .status = status, .message = msg, .seconds = n->seconds};
	dbt_emit(p, &ev);
	ldp_buf_free(&name);
	pthread_mutex_lock(&s->mu);
	n->status = st;
	if (st == ST_OK)
		s->sum->pass++;
	else if (st == ST_WARN)
		s->sum->warn++;
	else
		s->sum->error++;
	if (n->kind == DBT_MODEL && st != ST_ERROR) {
		const char *m = n->materialized;
		s->sum->nmodels[!strcmp(m, "view") ? 0 : !strcmp(m, "table") ? 1 : !strcmp(m, "incremental") ? 2 : 3]++;
	}
	pthread_mutex_unlock(&s->mu);
}

typedef struct worker_arg {
	dbt_worker w;
	sched *s;
} worker_arg;

static void *worker_loop(void *arg)
{
	worker_arg *wa = arg;
	sched *s = wa->s;
	dbt_project *p = s->p;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		int skip = 0;
		size_t i = pick(s, &skip);
		if (i == (size_t)-1) {
			if (s->finished == s->norder)
				break;
			pthread_cond_wait(&s->cv, &s->mu);
			continue;
		}
		dbt_node *n = &p->nodes[i];
		size_t index = ++s->started;
		if (skip) {
			n->status = ST_SKIP;
			s->sum->skip++;
			s->finished++;
			pthread_mutex_unlock(&s->mu);
			ldp_buf name = LDP_BUF_INIT;
			display_name(n, &name);
			ldp_dbt_event ev = {.kind = LDP_DBT_EV_RESULT, .index = index, .total = s->total, .what = what_of(n),
					    .name = ldp_buf_cstr(&name), .status = "SKIP", .message = "upstream failed"};
			dbt_emit(p, &ev);
			ldp_buf_free(&name);
			pthread_mutex_lock(&s->mu);
			pthread_cond_broadcast(&s->cv);
			continue;
		}
		n->status = ST_RUNNING;
		pthread_mutex_unlock(&s->mu);
		run_node(s, &wa->w, i, index);
		pthread_mutex_lock(&s->mu);
		s->finished++;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static int execute_dag(dbt_project *p, ldp_dbt_command cmd, ldp_dbt_summary *sum)
{
	sched s;
	memset(&s, 0, sizeof s);
	s.p = p;
	s.cmd = cmd;
	s.sum = sum;
	s.order = calloc(p->n + 1, sizeof *s.order);
	char *seen = calloc(p->n + 1, 1);
	int rc = s.order && seen ? 0 : ldp_error_set(LDP_ENOMEM, "out of memory");
	/* tests after the models they depend on, in file order otherwise */
	for (size_t i = 0; !rc && i < p->n; i++)
		topo(p, i, seen, s.order, &s.norder);
	free(seen);
	s.total = 0;
	for (size_t o = 0; o < s.norder; o++)
		if (!is_ephemeral(&p->nodes[s.order[o]]) || cmd == LDP_DBT_COMPILE)
			s.order[s.total++] = s.order[o];
	s.norder = s.total;
	if (!rc)
		rc = build_waits(&s);
	int nthreads = p->threads;
	if (nthreads > (int)s.norder)
		nthreads = s.norder ? (int)s.norder : 1;
	worker_arg *wa = calloc((size_t)nthreads, sizeof *wa);
	pthread_t *th = calloc((size_t)nthreads, sizeof *th);
	if (!rc && (!wa || !th))
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	for (int t = 0; !rc && t < nthreads; t++) {
		wa[t].s = &s;
		wa[t].w.p = p;
		if (p->opts->warehouse_project) /* compile works without one (run_query gives none) */
			rc = ldp_warehouse_open(p->opts->warehouse_project, &wa[t].w.wh);
		if (!rc && nthreads > 1) /* share the cores between the workers' engines */
			wa[t].w.wh->engine_options.threads = 2;
	}
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	int started = 0;
	for (int t = 0; !rc && t < nthreads; t++) {
		if (t == 0)
			continue;
		if (pthread_create(&th[t], NULL, worker_loop, &wa[t]) != 0)
			break;
		started = t;
	}
	if (!rc)
		worker_loop(&wa[0]);
	for (int t = 1; t <= started; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&s.mu);
	pthread_cond_destroy(&s.cv);
	for (int t = 0; wa && t < nthreads; t++)
		ldp_warehouse_free(wa[t].w.wh);
	free(wa);
	free(th);
	for (size_t i = 0; s.waits && i < p->n; i++)
		free(s.waits[i]);
	free(s.waits);
	free(s.nwaits);
	free(s.order);
	sum->total = (int)s.norder;
	return rc;
}

int ldp_dbt_execute(ldp_dbt_command cmd, const ldp_dbt_options *o, ldp_dbt_event_fn fn, void *ud,
		    ldp_dbt_summary *sum)
{
	memset(sum, 0, sizeof *sum);
	double t0 = now_s();
	if (!o->warehouse_project && cmd != LDP_DBT_LS && cmd != LDP_DBT_DOCS && cmd != LDP_DBT_COMPILE)
		return ldp_error_set(LDP_EINVALID, "no ldp project (ldp.yml) for the warehouse: run 'ldp init' in or above the dbt project");
	dbt_project *p = NULL;
	int rc = dbt_project_load(o, &p);
	if (rc)
		return rc;
	p->fn = fn;
	p->ud = ud;
	rc = dbt_parse_all(p);
	if (!rc)
		rc = dbt_check_cycles(p);
	if (!rc)
		rc = dbt_select(p, cmd);
	if (!rc) {
		int nm = 0, ns = 0, nt = 0, nsrc = 0, nmac = (int)jj_env_macro_count(p->env);
		for (size_t i = 0; i < p->n; i++) {
			if (p->nodes[i].disabled)
				continue;
			nm += p->nodes[i].kind == DBT_MODEL, ns += p->nodes[i].kind == DBT_SEED;
			nt += p->nodes[i].kind == DBT_TEST, nsrc += p->nodes[i].kind == DBT_SOURCE;
		}
		char msg[256];
		snprintf(msg, sizeof msg, "Found %d models, %d seeds, %d data tests, %d sources, %d macros", nm, ns, nt, nsrc,
			 nmac);
		ldp_dbt_event ev = {.kind = LDP_DBT_EV_HEADER, .message = msg};
		if (cmd != LDP_DBT_LS)
			dbt_emit(p, &ev);
		for (size_t i = 0; i < p->n; i++) {
			sum->nseeds += p->nodes[i].selected && p->nodes[i].kind == DBT_SEED;
			sum->ntests += p->nodes[i].selected && p->nodes[i].kind == DBT_TEST;
		}
	}
	if (!rc && cmd == LDP_DBT_LS) {
		static const char *const kinds[] = {"model", "seed", "test", "source"};
		for (size_t i = 0; i < p->n; i++) {
			dbt_node *n = &p->nodes[i];
			if (!n->selected)
				continue;
			char name[600];
			snprintf(name, sizeof name, "%s.%s%s%s", p->name,
				 n->kind == DBT_SOURCE ? "source:" : n->fqn_dir && *n->fqn_dir ? n->fqn_dir : "",
				 n->kind != DBT_SOURCE && n->fqn_dir && *n->fqn_dir ? "." : "", n->name);
			for (char *c = name; *c; c++)
				if (*c == '/')
					*c = '.';
			ldp_dbt_event ev = {.kind = LDP_DBT_EV_LIST, .what = kinds[n->kind], .name = name,
					    .status = n->materialized, .message = n->unique_id};
			dbt_emit(p, &ev);
			sum->total++;
		}
	} else if (!rc && cmd == LDP_DBT_DOCS) {
		rc = dbt_write_docs(p, sum->output_path, sizeof sum->output_path);
	} else if (!rc) {
		rc = execute_dag(p, cmd, sum);
		if (cmd == LDP_DBT_COMPILE)
			snprintf(sum->output_path, sizeof sum->output_path, "%s/%s/compiled", p->dir, p->target_path);
	}
	sum->seconds = now_s() - t0;
	dbt_project_free(p);
	return rc;
}
