/*
 * pipeline/state_lock.c - one run at a time per pipeline: flock() on
 * <project>/.ldp/locks/<pipeline>.lock, the holder's pid written inside for
 * the message the next comer gets. The kernel drops a flock when its holder
 * dies, however it dies, so a crash never leaves a stale lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "pipeline/state.h"

struct ldp_lock {
	int fd;
	char *path;
};

static int lock_path(const ldp_project *p, const char *pipeline, char **out)
{
	*out = NULL;
	if (!pipeline || !*pipeline || strchr(pipeline, '/') || pipeline[0] == '.')
		return ldp_error_set(LDP_EINVALID, "pipeline name '%s' cannot name a lock file (no '/', no leading '.')",
				     pipeline ? pipeline : "");
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_printf(&b, "%s/.ldp/locks/%s.lock", p->dir, pipeline);
	if (ldp_buf_oom(&b)) {
		ldp_buf_free(&b);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	*out = ldp_buf_detach(&b);
	return LDP_OK;
}

int ldp_lock_pipeline(const ldp_project *p, const char *pipeline, ldp_lock **out)
{
	*out = NULL;
	char *path;
	int rc = lock_path(p, pipeline, &path);
	if (rc)
		return rc;
	char *dir = strdup(path);
	if (!dir) {
		free(path);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	*strrchr(dir, '/') = 0;
	rc = ldp_io_mkdirs(dir);
	free(dir);
	int fd = rc ? -1 : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (!rc && fd < 0)
		rc = ldp_error_set(LDP_EIO, "opening lock file %s: %s", path, strerror(errno));
	if (!rc && flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			char pid[32] = "";
			ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
			pid[n > 0 ? n : 0] = 0;
			pid[strcspn(pid, "\n")] = 0;
			rc = ldp_error_set(LDP_EBUSY,
					   "pipeline %s is already running (pid %s holds %s); wait for that run to end "
					   "or stop it (kill -TERM %s)",
					   pipeline, *pid ? pid : "unknown", path, *pid ? pid : "<pid>");
		} else {
			rc = ldp_error_set(LDP_EIO, "locking %s: %s", path, strerror(errno));
		}
	}
	if (!rc) {
		/* the holder's pid, for the EBUSY message of whoever comes next */
		char pid[32];
		int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
		if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n)
			rc = ldp_error_set(LDP_EIO, "writing lock file %s: %s", path, strerror(errno));
	}
	ldp_lock *l = rc ? NULL : malloc(sizeof *l);
	if (!rc && !l)
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	if (rc) {
		if (fd >= 0)
			close(fd);
		free(path);
		return rc;
	}
	l->fd = fd;
	l->path = path;
	*out = l;
	return LDP_OK;
}

void ldp_lock_release(ldp_lock *l)
{
	if (!l)
		return;
	/* never unlink: a process that opened the path before the unlink would
	 * lock an orphaned inode while a third locks a new file */
	if (ftruncate(l->fd, 0) != 0) {
		/* harmless: the next holder rewrites the pid */
	}
	close(l->fd);
	free(l->path);
	free(l);
}

int ldp_lock_is_held(const ldp_project *p, const char *pipeline)
{
	char *path;
	int rc = lock_path(p, pipeline, &path);
	if (rc)
		return rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : ldp_error_set(LDP_EIO, "opening lock file %s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	/* a shared probe: conflicts with the exclusive holder only */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		rc = 0;
	} else {
		rc = errno == EWOULDBLOCK ? 1 : ldp_error_set(LDP_EIO, "probing lock %s: %s", path, strerror(errno));
	}
	close(fd);
	free(path);
	return rc;
}
