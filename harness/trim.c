/*
 * trim: cutting large files of a report directory (contract in trim.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ref_digest.h"
#include "trim.h"
#include "wcap.h"

/* Copy [off, off+len) of fd into a new file `name` beside it (a link there goes first). */
static int
copy_range(int dfd, int fd, const char *name, uint64_t off, uint64_t len)
{
	char buf[65536];
	int out;

	unlinkat(dfd, name, 0);
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0)
		return -1;
	while (len > 0) {
		size_t want = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		ssize_t n = pread(fd, buf, want, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (write(out, buf, (size_t)n) != n) {
			close(out);
			return -1;
		}
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return close(out);
}

static int
digest_fd(int fd, char hex[REF_DIGEST_HEX])
{
	char buf[65536];
	struct ref_digest d;
	uint64_t off = 0;
	ssize_t n;

	if (ref_digest_init(&d) < 0)
		return -1;
	while ((n = pread(fd, buf, sizeof(buf), (off_t)off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		ref_digest_update(&d, buf, (size_t)n);
		off += (uint64_t)n;
	}
	ref_digest_final(&d, hex);
	return 0;
}

/* The cut itself, on a file opened beneath dfd. */
static int
cut(int dfd, const char *name, const struct trim_keep *k, int64_t first_diff, struct sc_err *err)
{
	char side[512], hex[REF_DIGEST_HEX], note[1024];
	struct stat st;
	uint64_t size, from = 0, len = 0;
	int fd, nfd, rc = 0;

	fd = openat(dfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENXIO ? 0 : sc_err_sys(err, "%s", name);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size <= k->over ||
	    (uint64_t)st.st_size <= k->head + k->tail + (first_diff >= 0 ? k->around : 0)) {
		close(fd);
		return 0;
	}
	size = (uint64_t)st.st_size;
	if (digest_fd(fd, hex) < 0) {
		rc = sc_err_sys(err, "%s", name);
		goto out;
	}
	snprintf(side, sizeof(side), "%s.tail", name);
	if (copy_range(dfd, fd, side, size - k->tail, k->tail) < 0) {
		rc = sc_err_sys(err, "%s", side);
		goto out;
	}
	/* the region around the first difference, unless the head or the tail has it */
	if (first_diff >= 0 && (uint64_t)first_diff + k->around / 2 > k->head &&
	    (uint64_t)first_diff + k->tail < size + k->around / 2) {
		from = (uint64_t)first_diff > k->around / 2 ? (uint64_t)first_diff - k->around / 2 : 0;
		len = size - from < k->around ? size - from : k->around;
		snprintf(side, sizeof(side), "%s.at-%" PRId64, name, first_diff);
		if (copy_range(dfd, fd, side, from, len) < 0) {
			rc = sc_err_sys(err, "%s", side);
			goto out;
		}
	}
	snprintf(note, sizeof(note),
	    "%s was %" PRIu64 " bytes, XXH3-128 %s.\n"
	    "Kept: the first %" PRIu64 " bytes in %s, the last %" PRIu64 " in %s.tail",
	    name, size, hex, k->head, name, k->tail, name);
	if (len)
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
		    ", %" PRIu64 " bytes from offset %" PRIu64 " (the first difference is at %"
		    PRId64 ") in %s.at-%" PRId64, len, from, first_diff, name, first_diff);
	snprintf(note + strlen(note), sizeof(note) - strlen(note),
	    ".\nThe rest was removed after judging (sockcheck --keep keeps it).\n");
	snprintf(side, sizeof(side), "%s.trimmed", name);
	unlinkat(dfd, side, 0);
	nfd = openat(dfd, side, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (nfd < 0 || write(nfd, note, strlen(note)) != (ssize_t)strlen(note)) {
		rc = sc_err_sys(err, "%s", side);
		if (nfd >= 0)
			close(nfd);
		goto out;
	}
	close(nfd);
	if (ftruncate(fd, (off_t)k->head) < 0)
		rc = sc_err_sys(err, "%s", name);
	else
		rc = 1;
out:
	close(fd);
	return rc;
}

int
trim_file(const char *dir, const char *name, const struct trim_keep *k, int64_t first_diff,
    struct sc_err *err)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), rc;

	if (dfd < 0)
		return errno == ENOENT ? 0 : sc_err_sys(err, "%s", dir);
	rc = strchr(name, '/') ? 0 : cut(dfd, name, k, first_diff, err);
	close(dfd);
	return rc;
}

/*
 * A side file of a cut (never cut again: a tight pass would lose its point),
 * or a case's packet capture: bounded by wcap.h's limits, and a pcap cut to
 * its head is a truncated file that readers refuse.
 */
static int
is_side(const char *name)
{
	const char *dot = strrchr(name, '.');
	return (dot && (strcmp(dot, ".trimmed") == 0 || strcmp(dot, ".tail") == 0 ||
	    strncmp(dot, ".at-", 4) == 0)) || strcmp(name, WCAP_FILE) == 0;
}

/* Calls fn for each regular file below the directory fd dfd (consumed), depth first. */
typedef int (*visit_fn)(int dfd, const char *name, const char *rel, const struct stat *st,
    void *arg);

/* rel: the directory's path relative to the walk's start ("" at the start). */
static int
walk(int dfd, const char *rel, visit_fn fn, void *arg, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int rc = 0;

	if (d == NULL) {
		close(dfd);
		return 0;
	}
	while (rc >= 0 && (e = readdir(d)) != NULL) {
		struct stat st;
		char path[4096];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 64) {
			int sub = openat(dirfd(d), e->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				rc = walk(sub, path, fn, arg, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			rc = fn(dirfd(d), e->d_name, path, &st, arg);
		}
	}
	closedir(d);
	return rc;
}

struct cut_arg {
	const struct trim_keep *k;
	struct sc_err *err;
};

static int
cut_one(int dfd, const char *name, const char *rel, const struct stat *st, void *arg)
{
	(void)rel;
	struct cut_arg *a = arg;

	if (is_side(name) || (uint64_t)st->st_size <= a->k->over)
		return 0;
	return cut(dfd, name, a->k, -1, a->err) < 0 ? -1 : 0;
}

int
trim_tree(const char *dir, const struct trim_keep *k, struct sc_err *err)
{
	struct cut_arg a = { k, err };
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dfd < 0)
		return errno == ENOENT ? 0 : sc_err_sys(err, "%s", dir);
	return walk(dfd, "", cut_one, &a, 0) < 0 ? -1 : 0;
}

static int
add_size(int dfd, const char *name, const char *rel, const struct stat *st, void *arg)
{
	(void)rel;
	(void)dfd;
	(void)name;
	*(uint64_t *)arg += (uint64_t)st->st_size;
	return 0;
}

uint64_t
trim_tree_size(const char *dir)
{
	uint64_t total = 0;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dfd >= 0)
		walk(dfd, "", add_size, &total, 0);
	return total;
}

/* The largest regular file below dir: its directory fd (caller closes) and name. */
struct largest {
	int dfd;
	char name[256];
	char rel[4096];
	uint64_t size;
};

static int
find_largest(int dfd, const char *name, const char *rel, const struct stat *st, void *arg)
{
	struct largest *l = arg;

	if ((uint64_t)st->st_size > l->size && strcmp(rel, "REMOVED.txt") != 0) {
		if (l->dfd >= 0)
			close(l->dfd);
		l->dfd = dup(dfd);
		snprintf(l->name, sizeof(l->name), "%s", name);
		snprintf(l->rel, sizeof(l->rel), "%s", rel);
		l->size = (uint64_t)st->st_size;
	}
	return 0;
}

int
trim_to_cap(const char *dir, uint64_t cap, unsigned *removed, struct sc_err *err)
{
	uint64_t total;
	FILE *list = NULL;
	char path[4096];

	*removed = 0;
	if ((total = trim_tree_size(dir)) <= cap)
		return 0;
	if (trim_tree(dir, &TRIM_TIGHT, err) < 0)
		return -1;
	while ((total = trim_tree_size(dir)) > cap) {
		struct largest l = { .dfd = -1 };
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0)
			return sc_err_sys(err, "%s", dir);
		walk(dfd, "", find_largest, &l, 0);
		if (l.dfd < 0)
			break;
		if (list == NULL) {
			snprintf(path, sizeof(path), "%s/REMOVED.txt", dir);
			list = fopen(path, "ae");
			if (list)
				fprintf(list, "The report was over its cap of %" PRIu64 " bytes; "
				    "these files were removed after judging, largest first:\n", cap);
		}
		if (list) {	/* flushed: the list counts against the cap too */
			fprintf(list, "%s (%" PRIu64 " bytes)\n", l.rel, l.size);
			fflush(list);
		}
		if (unlinkat(l.dfd, l.name, 0) < 0) {
			close(l.dfd);
			if (list)
				fclose(list);
			return sc_err_sys(err, "%s", l.name);
		}
		close(l.dfd);
		(*removed)++;
	}
	if (list)
		fclose(list);
	return 0;
}
