/* Local-filesystem FileIO; see ldp/io.h. */
#include "ldp/io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/s3_io.h"
#include "ldp/error.h"

const char *ldp_io_local_path(const char *uri)
{
	if (strncmp(uri, "file://", 7) == 0)
		return uri + 7;
	if (strncmp(uri, "file:", 5) == 0 && uri[5] == '/')
		return uri + 5;
	return uri;
}

static int errno_status(int e)
{
	return e == ENOENT ? LDP_ENOTFOUND : e == EEXIST ? LDP_EEXISTS : LDP_EIO;
}

int ldp_io_read_all(const char *uri, uint8_t **out, size_t *len)
{
	if (ldp_s3_is_uri(uri))
		return ldp_s3_io_read_all(uri, out, len);
	const char *path = ldp_io_local_path(uri);
	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ldp_error_set(errno_status(errno), "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return ldp_error_set(LDP_EIO, "%s: %s", path, strerror(e));
	}
	size_t n = (size_t)st.st_size;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf) {
		close(fd);
		return ldp_error_set(LDP_ENOMEM, "%s: out of memory reading %zu bytes", path, n);
	}
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			free(buf);
			close(fd);
			return ldp_error_set(LDP_EIO, "%s: read failed: %s", path, r < 0 ? strerror(e) : "file shrank while reading");
		}
		got += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return LDP_OK;
}

int ldp_io_mkdirs(const char *uri)
{
	if (ldp_s3_is_uri(uri))
		return LDP_OK;
	const char *path = ldp_io_local_path(uri);
	char tmp[PATH_MAX];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof tmp)
		return ldp_error_set(LDP_EINVALID, "invalid directory path '%s'", path);
	memcpy(tmp, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (tmp[i] == '/' || tmp[i] == '\0') {
			char c = tmp[i];
			tmp[i] = '\0';
			if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
				return ldp_error_set(LDP_EIO, "cannot create directory %s: %s", tmp, strerror(errno));
			tmp[i] = c;
		}
	}
	return LDP_OK;
}

static int parent_dir(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		snprintf(out, cap, ".");
		return LDP_OK;
	}
	size_t n = (size_t)(slash - path);
	if (n == 0)
		n = 1;
	if (n >= cap)
		return ldp_error_set(LDP_EINVALID, "path too long: %s", path);
	memcpy(out, path, n);
	out[n] = '\0';
	return LDP_OK;
}

int ldp_io_sync_file(const char *uri)
{
	if (ldp_s3_is_uri(uri))
		return LDP_OK;
	const char *path = ldp_io_local_path(uri);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ldp_error_set(errno_status(errno), "%s: %s", path, strerror(errno));
	int rc = fsync(fd);
	int e = errno;
	close(fd);
	return rc == 0 ? LDP_OK : ldp_error_set(LDP_EIO, "fsync %s: %s", path, strerror(e));
}

int ldp_io_sync_dir(const char *dir)
{
	if (ldp_s3_is_uri(dir))
		return LDP_OK;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ldp_error_set(LDP_EIO, "%s: %s", dir, strerror(errno));
	int rc = fsync(fd);
	close(fd);
	return rc == 0 ? LDP_OK : ldp_error_set(LDP_EIO, "fsync %s: %s", dir, strerror(errno));
}

/* Write `data` to a fresh temporary file beside `path`; returns its name. */
static int write_temp(const char *path, const void *data, size_t len, char *tmp, size_t cap)
{
	char dir[PATH_MAX];
	int rc = parent_dir(path, dir, sizeof dir);
	if (rc)
		return rc;
	rc = ldp_io_mkdirs(dir);
	if (rc)
		return rc;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if ((size_t)snprintf(tmp, cap, "%s.tmp-%d-%ld", path, (int)getpid(), (long)ts.tv_nsec) >= cap)
		return ldp_error_set(LDP_EINVALID, "path too long: %s", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return ldp_error_set(LDP_EIO, "cannot create %s: %s", tmp, strerror(errno));
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			return ldp_error_set(e == ENOSPC ? LDP_EIO : LDP_EIO, "writing %s: %s", path, strerror(e));
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return ldp_error_set(LDP_EIO, "fsync %s: %s", path, strerror(e));
	}
	close(fd);
	return LDP_OK;
}

int ldp_io_write_atomic(const char *uri, const void *data, size_t len)
{
	if (ldp_s3_is_uri(uri))
		return ldp_s3_io_write(uri, data, len, 0);
	const char *path = ldp_io_local_path(uri);
	char tmp[PATH_MAX + 64], dir[PATH_MAX];
	int rc = write_temp(path, data, len, tmp, sizeof tmp);
	if (rc)
		return rc;
	if (rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return ldp_error_set(LDP_EIO, "renaming into %s: %s", path, strerror(e));
	}
	if (parent_dir(path, dir, sizeof dir) == LDP_OK)
		ldp_io_sync_dir(dir);
	return LDP_OK;
}

static int write_exclusive(const char *uri, const void *data, size_t len, int sync_dir);

int ldp_io_write_exclusive(const char *uri, const void *data, size_t len)
{
	return write_exclusive(uri, data, len, 1);
}

int ldp_io_write_exclusive_nodirsync(const char *uri, const void *data, size_t len)
{
	return write_exclusive(uri, data, len, 0);
}

static int write_exclusive(const char *uri, const void *data, size_t len, int sync_dir)
{
	if (ldp_s3_is_uri(uri))
		return ldp_s3_io_write(uri, data, len, 1);
	const char *path = ldp_io_local_path(uri);
	char tmp[PATH_MAX + 64], dir[PATH_MAX];
	int rc = write_temp(path, data, len, tmp, sizeof tmp);
	if (rc)
		return rc;
	/* link() fails with EEXIST if the target exists: an atomic exclusive create
	 * of a complete file (rename would silently replace it). */
	if (link(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		if (e == EEXIST)
			return ldp_error_set(LDP_EEXISTS, "%s already exists", path);
		return ldp_error_set(LDP_EIO, "creating %s: %s", path, strerror(e));
	}
	unlink(tmp);
	if (sync_dir && parent_dir(path, dir, sizeof dir) == LDP_OK)
		ldp_io_sync_dir(dir);
	return LDP_OK;
}

int ldp_io_exists(const char *uri)
{
	if (ldp_s3_is_uri(uri))
		return ldp_s3_io_exists(uri);
	return access(ldp_io_local_path(uri), F_OK) == 0;
}

int ldp_io_file_size(const char *uri, int64_t *out)
{
	if (ldp_s3_is_uri(uri))
		return ldp_s3_io_file_size(uri, out);
	const char *path = ldp_io_local_path(uri);
	struct stat st;
	if (stat(path, &st) != 0)
		return ldp_error_set(errno_status(errno), "%s: %s", path, strerror(errno));
	*out = (int64_t)st.st_size;
	return LDP_OK;
}

int ldp_io_remove(const char *uri)
{
	if (ldp_s3_is_uri(uri))
		return ldp_s3_io_remove(uri);
	const char *path = ldp_io_local_path(uri);
	if (unlink(path) != 0 && errno != ENOENT)
		return ldp_error_set(LDP_EIO, "cannot remove %s: %s", path, strerror(errno));
	return LDP_OK;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(p) : unlink(p)) != 0 && errno != ENOENT ? -1 : 0;
}

int ldp_io_remove_tree(const char *uri)
{
	if (ldp_s3_is_uri(uri))
		return ldp_s3_io_remove_tree(uri);
	const char *path = ldp_io_local_path(uri);
	if (access(path, F_OK) != 0)
		return LDP_OK;
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return ldp_error_set(LDP_EIO, "cannot remove %s: %s", path, strerror(errno));
	return LDP_OK;
}

int ldp_io_is_remote(const char *path)
{
	return ldp_s3_is_uri(path);
}

int ldp_io_move_in(const char *local_path, const char *dest)
{
	if (ldp_s3_is_uri(dest)) {
		int rc = ldp_s3_io_upload(local_path, dest);
		if (!rc)
			unlink(local_path);
		return rc;
	}
	const char *to = ldp_io_local_path(dest);
	if (rename(ldp_io_local_path(local_path), to) != 0)
		return ldp_error_set(LDP_EIO, "moving %s into %s: %s", local_path, to, strerror(errno));
	return LDP_OK;
}

int ldp_io_local_copy(const char *uri, int64_t size, char **out)
{
	if (ldp_s3_is_uri(uri))
		return ldp_s3_io_cached_copy(uri, size, out);
	*out = strdup(ldp_io_local_path(uri));
	return *out ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
}

int ldp_io_prefetch(const char *const *uris, const int64_t *sizes, size_t n)
{
	return ldp_s3_io_prefetch(uris, sizes, n);
}
