/*
 * pipeline/pipeline_spawn.c - a step attempt's process and its output.
 *
 * The child gets its own process group (a timeout or a stop signals the
 * group, so `sh -c 'a | b'` dies whole), stdin from /dev/null, the project
 * directory as cwd and the LDP_* variables naming the run. Its stdout and
 * stderr are pipes the runner polls; complete lines go to the state file as
 * they arrive, so a runner that crashes keeps everything logged before.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "ldp/error.h"
#include "ldp/log.h"
#include "pipeline/exec_internal.h"

extern char **environ;

/* Lines longer than this are stored in pieces rather than buffered forever. */
#define MAX_PARTIAL (64 * 1024)

double pl_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

void pl_state_warn(runner *r, int rc)
{
	if (!rc || r->state_warned)
		return;
	r->state_warned = 1;
	LDP_WARN("run %s: cannot write to the state file (%s); the steps go on but their history is incomplete",
		 r->rc.run_id, ldp_error_last()->message);
}

void pl_status(runner *r, const char *fmt, ...)
{
	if (!r->o->echo)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static const char *const run_env_names[] = {"LDP_PROJECT", "LDP_RUN_ID", "LDP_PIPELINE",
					    "LDP_STEP",    "LDP_DS",     "LDP_LOGICAL_DATE"};
#define NRUNENV (sizeof run_env_names / sizeof run_env_names[0])

/* environ with the run's variables replaced; built before fork() because
 * the child may only make async-signal-safe calls. */
static char **build_env(runner *r, const ldp_step *st)
{
	char iso[32] = "";
	if (ldp_pipeline_format_time(r->rc.logical_date, r->rc.timezone, iso))
		ldp_error_clear();
	char ds[11];
	snprintf(ds, sizeof ds, "%.10s", iso);
	const char *vals[NRUNENV] = {r->p->dir, r->rc.run_id, r->pl->name, st->name, ds, iso};
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = calloc(n + NRUNENV + 1, sizeof *env);
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int ours = 0;
		for (size_t j = 0; j < NRUNENV && !ours; j++) {
			size_t len = strlen(run_env_names[j]);
			ours = !strncmp(environ[i], run_env_names[j], len) && environ[i][len] == '=';
		}
		if (!ours)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < NRUNENV; j++) {
		ldp_buf b = LDP_BUF_INIT;
		ldp_buf_printf(&b, "%s=%s", run_env_names[j], vals[j]);
		char *v = ldp_buf_detach(&b); /* freed by free_env: the tail after the copied pointers */
		if (!v) {
			while (k > 0 && j-- > 0)
				free(env[--k]);
			free(env);
			return NULL;
		}
		env[k++] = v;
	}
	env[k] = NULL;
	return env;
}

static void free_env(char **env)
{
	if (!env)
		return;
	size_t n = 0;
	while (env[n])
		n++;
	for (size_t i = n >= NRUNENV ? n - NRUNENV : 0; i < n; i++)
		free(env[i]);
	free(env);
}

static void child_fail(const char *what, const char *arg)
{
	/* async-signal-safe only: write(2), no stdio */
	const char *parts[] = {"ldp: cannot ", what, " ", arg, "\n"};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (write(STDERR_FILENO, parts[i], strlen(parts[i])) < 0)
			break;
}

static void child_exec(runner *r, pid_t parent, char **argv, char **env, int devnull, int out, int err)
{
	setpgid(0, 0);
	/* a runner that dies (SIGKILL, OOM) takes its steps with it: a resumed
	 * run must not race a step still running from the dead one */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(126);
	if (dup2(devnull, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
		_exit(126);
	/* dispositions the runner set (ignored SIGPIPE, handlers) must not leak
	 * into the step; handlers reset on exec, ignored signals would not */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	int sigs[] = {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (chdir(r->p->dir) != 0) {
		child_fail("enter project directory", r->p->dir);
		_exit(126);
	}
	execve(argv[0], argv, env);
	child_fail("execute", argv[0]);
	_exit(127);
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int pl_spawn(runner *r, step_rt *s)
{
	const ldp_step *st = s->st;
	s->tries++;
	s->attempt++;
	s->kill_why = 0;
	s->term_sent = 0;
	s->kill_at = 0;
	s->reason[0] = 0;
	s->started = pl_now();
	pl_state_warn(r, ldp_state_attempt_start(r->state, r->rc.run_id, st->name, s->attempt));
	char **argv = NULL;
	int rc = ldp_step_argv(r->pl, st, &r->rc, r->ldp_bin, &argv);
	if (rc) {
		snprintf(s->reason, sizeof s->reason, "cannot build the command: %s", ldp_error_last()->message);
		return rc;
	}
	char **env = build_env(r, st);
	int outp[2] = {-1, -1}, errp[2] = {-1, -1};
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (!env || devnull < 0 || pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
		rc = ldp_error_set(LDP_EIO, "starting step %s: %s", st->name, env ? strerror(errno) : "out of memory");
	} else {
		/* flush so the child does not inherit (and repeat) buffered output */
		fflush(stdout);
		fflush(stderr);
		pid_t self = getpid();
		pid_t pid = fork();
		if (pid == 0)
			child_exec(r, self, argv, env, devnull, outp[1], errp[1]);
		if (pid < 0) {
			rc = ldp_error_set(LDP_EIO, "starting step %s: fork: %s", st->name, strerror(errno));
		} else {
			/* both sides set the group: no window where a kill(-pid)
			 * misses a child that has not run setpgid yet */
			setpgid(pid, pid);
			s->pid = pid;
			s->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		}
	}
	if (devnull >= 0)
		close(devnull);
	if (outp[1] >= 0)
		close(outp[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (rc) {
		if (outp[0] >= 0)
			close(outp[0]);
		if (errp[0] >= 0)
			close(errp[0]);
		snprintf(s->reason, sizeof s->reason, "%s", ldp_error_last()->message);
	} else {
		set_nonblock(outp[0]);
		set_nonblock(errp[0]);
		s->out = (out_stream){outp[0], "stdout", LDP_BUF_INIT};
		s->err = (out_stream){errp[0], "stderr", LDP_BUF_INIT};
		s->status = SS_RUNNING;
	}
	free_env(env);
	ldp_argv_free(argv);
	return rc;
}

/* Store and echo complete lines text[0..len) (len ends after a newline, or
 * is the final unterminated piece). */
static void emit(runner *r, step_rt *s, out_stream *o, const char *text, size_t len)
{
	if (!len)
		return;
	pl_state_warn(r, ldp_state_log_append(r->state, r->rc.run_id, s->st->name, s->attempt, o->name, text, len));
	if (!r->o->echo)
		return;
	FILE *f = strcmp(o->name, "stdout") ? stderr : stdout;
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		fprintf(f, "[%-*s] %.*s\n", r->name_width, s->st->name, (int)(end - pos), text + pos);
		pos = nl ? end + 1 : len;
	}
	fflush(f);
}

void pl_read_output(runner *r, step_rt *s, out_stream *o, int final)
{
	char chunk[16384];
	while (o->fd >= 0) {
		ssize_t n = read(o->fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
				emit(r, s, o, o->partial.ptr, o->partial.len);
				ldp_buf_clear(&o->partial);
				close(o->fd);
				o->fd = -1;
			}
			break;
		}
		ldp_buf_put(&o->partial, chunk, (size_t)n);
		const char *last = o->partial.len ? memrchr(o->partial.ptr, '\n', o->partial.len) : NULL;
		size_t upto = last ? (size_t)(last - o->partial.ptr) + 1 : 0;
		if (!upto && o->partial.len >= MAX_PARTIAL)
			upto = o->partial.len;
		if (upto) {
			emit(r, s, o, o->partial.ptr, upto);
			size_t rest = o->partial.len - upto;
			memmove(o->partial.ptr, o->partial.ptr + upto, rest);
			ldp_buf_truncate(&o->partial, rest);
		}
		if (!final)
			break; /* one chunk a stream a round: other steps get their turn */
	}
}

void pl_close_output(runner *r, step_rt *s)
{
	out_stream *os[] = {&s->out, &s->err};
	for (int i = 0; i < 2; i++) {
		/* the child has exited: what it wrote is in the pipe; a
		 * background grandchild holding the pipe open must not block us */
		pl_read_output(r, s, os[i], 1);
		if (os[i]->fd >= 0) {
			emit(r, s, os[i], os[i]->partial.ptr, os[i]->partial.len);
			close(os[i]->fd);
			os[i]->fd = -1;
		}
		ldp_buf_free(&os[i]->partial);
	}
	if (s->pidfd >= 0)
		close(s->pidfd);
	s->pidfd = -1;
}
