/* File system helpers. */
#define _XOPEN_SOURCE 700 /* nftw */
#define _DEFAULT_SOURCE
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "record.h"

bool fs_name_valid(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > 64 || name[0] == '.' || name[0] == '-')
		return false;
	for (const char *p = name; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

chatarc_status_t fs_mkdir_p(const char *path, chatarc_error_t *err)
{
	char *copy = xstrdup(path);
	chatarc_status_t status = CHATARC_OK;

	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, 0777) < 0 && errno != EEXIST) {
			status = chatarc_error_set(err, CHATARC_ERR_IO,
			                           "%s: cannot create directory: %s", copy,
			                           strerror(errno));
			break;
		}
		*p = saved;
		if (!saved)
			break;
	}
	free(copy);
	return status;
}

chatarc_status_t fs_link_refused(const char *path, chatarc_error_t *err)
{
	return chatarc_error_set(err, CHATARC_ERR_IO,
	                         "%s is a symbolic link: chatarc never reads, writes or deletes "
	                         "through a link inside its data directory (it would reach "
	                         "outside it); remove the link",
	                         path);
}

chatarc_status_t fs_check_under(const char *base, const char *path, chatarc_error_t *err)
{
	size_t n = strlen(base);
	if (strncmp(path, base, n) || (path[n] != '/' && path[n] != '\0'))
		return CHATARC_OK; /* not ours: a place the user named */
	char *copy = xstrdup(path);
	chatarc_status_t status = CHATARC_OK;
	for (char *p = copy + n; *p && status == CHATARC_OK;) {
		char *next = strchr(p + 1, '/');
		if (next)
			*next = '\0';
		struct stat st;
		if (lstat(copy, &st) < 0) {
			if (errno != ENOENT)
				status = chatarc_error_set(err, CHATARC_ERR_IO, "%s: %s", copy,
				                           strerror(errno));
			break; /* what does not exist yet cannot lead anywhere */
		}
		if (S_ISLNK(st.st_mode))
			status = fs_link_refused(copy, err);
		if (!next)
			break;
		*next = '/';
		p = next;
	}
	free(copy);
	return status;
}

chatarc_status_t fs_mkdir_under(const char *base, const char *path, chatarc_error_t *err)
{
	chatarc_status_t status = fs_check_under(base, path, err);
	if (status == CHATARC_OK)
		status = fs_mkdir_p(path, err);
	/* Checked again: a link made between the two would be caught here. */
	if (status == CHATARC_OK)
		status = fs_check_under(base, path, err);
	return status;
}

/* The directories of a file of ours under base, made (fs_mkdir_under). */
static CHATARC_MUST_CHECK chatarc_status_t mkdir_parent_under(const char *base, const char *path,
                                                              chatarc_error_t *err)
{
	char *dir = fs_dirname(path);
	chatarc_status_t status = fs_mkdir_under(base, dir, err);
	free(dir);
	return status;
}

chatarc_status_t fs_open_under(const char *base, const char *path, int flags, unsigned mode,
                               int *fd, chatarc_error_t *err)
{
	chatarc_status_t status = mkdir_parent_under(base, path, err);
	*fd = -1;
	if (status != CHATARC_OK)
		return status;
	*fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
	if (*fd < 0)
		return errno == ELOOP
		           ? fs_link_refused(path, err)
		           : chatarc_error_set(err, CHATARC_ERR_IO, "%s: cannot open: %s", path,
		                               strerror(errno));
	return CHATARC_OK;
}

chatarc_status_t fs_replace_file_under(const char *base, const char *path, const void *data,
                                       size_t len, unsigned mode, chatarc_error_t *err)
{
	chatarc_status_t status = mkdir_parent_under(base, path, err);
	if (status == CHATARC_OK)
		status = fs_replace_file_mode(path, data, len, mode, err);
	return status;
}

chatarc_status_t fs_write_all(int fd, const void *data, size_t len, const char *path,
                              chatarc_error_t *err)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return chatarc_error_set(err, CHATARC_ERR_IO, "%s: write failed: %s", path,
			                         strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return CHATARC_OK;
}

chatarc_status_t fs_sync_dir(const char *dir, chatarc_error_t *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return chatarc_error_set(err, CHATARC_ERR_IO, "%s: %s", dir, strerror(errno));
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	if (rc < 0 && saved != EINVAL)
		return chatarc_error_set(err, CHATARC_ERR_IO, "%s: fsync failed: %s", dir,
		                         strerror(saved));
	return CHATARC_OK;
}

char *fs_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

chatarc_status_t fs_replace_file(const char *path, const void *data, size_t len,
                                 chatarc_error_t *err)
{
	return fs_replace_file_mode(path, data, len, 0666, err);
}

chatarc_status_t fs_replace_file_mode(const char *path, const void *data, size_t len, unsigned mode,
                                      chatarc_error_t *err)
{
	size_t tmp_len = strlen(path) + 32;
	char *tmp = xmalloc(tmp_len);
	char *dir = fs_dirname(path);
	chatarc_status_t status = CHATARC_OK;
	int fd;

	snprintf(tmp, tmp_len, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
	if (fd < 0) {
		status = chatarc_error_set(err, CHATARC_ERR_IO, "%s: cannot create: %s", tmp,
		                           strerror(errno));
		goto out;
	}
	status = fs_write_all(fd, data, len, tmp, err);
	if (status == CHATARC_OK && fsync(fd) < 0)
		status = chatarc_error_set(err, CHATARC_ERR_IO, "%s: fsync failed: %s", tmp,
		                           strerror(errno));
	close(fd);
	if (status == CHATARC_OK && rename(tmp, path) < 0)
		status = chatarc_error_set(err, CHATARC_ERR_IO, "%s: cannot rename into place: %s",
		                           path, strerror(errno));
	if (status != CHATARC_OK)
		unlink(tmp);
	else
		status = fs_sync_dir(dir, err);
out:
	free(tmp);
	free(dir);
	return status;
}

bool fs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void fs_list_dir(const char *dir, bool (*want)(const char *name), struct strlist *paths)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t first = paths->len;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !want(e->d_name))
			continue;
		char *path = xmalloc(strlen(dir) + strlen(e->d_name) + 2);
		sprintf(path, "%s/%s", dir, e->d_name);
		strlist_add(paths, path);
		free(path);
	}
	closedir(d);
	if (paths->len > first)
		qsort(paths->items + first, paths->len - first, sizeof *paths->items,
		      compare_strings);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

chatarc_status_t fs_remove_tree(const char *path, chatarc_error_t *err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? CHATARC_OK
		                       : chatarc_error_set(err, CHATARC_ERR_IO, "%s: %s", path,
		                                           strerror(errno));
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return chatarc_error_set(err, CHATARC_ERR_IO, "%s: cannot remove: %s", path,
		                         strerror(errno));
	return CHATARC_OK;
}

chatarc_status_t fs_read_fd(int fd, const char *name, strbuf_t *out, size_t max,
                            chatarc_error_t *err)
{
	char chunk[65536];
	size_t read_bytes = 0;
	while (!max || read_bytes < max) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return chatarc_error_set(err, CHATARC_ERR_IO, "%s: read failed: %s", name,
			                         strerror(errno));
		if (n == 0)
			break;
		size_t take = max && read_bytes + (size_t)n > max ? max - read_bytes : (size_t)n;
		strbuf_add(out, chunk, take);
		read_bytes += take;
	}
	return CHATARC_OK;
}

chatarc_status_t fs_read_file(const char *path, strbuf_t *out, size_t max, chatarc_error_t *err)
{
	/* O_NONBLOCK: opening a FIFO planted where a file belongs would wait
	 * for a writer for ever; it is refused below instead. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return chatarc_error_set(err,
		                         errno == ENOENT ? CHATARC_ERR_NOT_FOUND : CHATARC_ERR_IO,
		                         "%s: cannot read: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return chatarc_error_set(err, CHATARC_ERR_IO,
		                         "%s: cannot read: not a regular file (a FIFO, device or "
		                         "directory?); put the file itself there",
		                         path);
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	chatarc_status_t status = fs_read_fd(fd, path, out, max, err);
	close(fd);
	return status;
}
