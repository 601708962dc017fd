#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fsx.h"

int
fsx_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
fsx_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
fsx_others_can_reach(const char *path)
{
	char buf[PATH_MAX];
	struct stat st;
	size_t len = strlen(path);

	if (path[0] != '/' || len >= sizeof(buf))
		return 0;
	memcpy(buf, path, len + 1);
	/* the path itself, then each parent up to / */
	for (;;) {
		if (stat(buf[0] ? buf : "/", &st) < 0 || !S_ISDIR(st.st_mode) ||
		    !(st.st_mode & S_IXOTH))
			return 0;
		char *slash = strrchr(buf, '/');
		if (slash == NULL || buf[0] == '\0')
			return 1;
		*slash = '\0';
	}
}

int
fsx_mkdirs(const char *path, struct sc_err *err)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return sc_err_set(err, "bad directory name '%s'", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return sc_err_sys(err, "mkdir %s", buf);
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

static int
copy_file(const char *src, const char *dst, const struct stat *st, struct sc_err *err)
{
	mode_t mode = st->st_mode;
	char buf[65536];
	int in, out, rc = 0;
	ssize_t n;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return sc_err_sys(err, "open %s", src);
	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777)) < 0) {
		close(in);
		return sc_err_sys(err, "create %s", dst);
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = sc_err_sys(err, "read %s", src);
			break;
		}
		for (ssize_t off = 0; off < n; ) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = sc_err_sys(err, "write %s", dst);
				goto done;
			}
			off += w;
		}
	}
done:
	close(in);
	/* keep the times: make must judge a stale binary as the student's make would */
	if (rc == 0) {
		struct timespec ts[2] = { st->st_atim, st->st_mtim };
		futimens(out, ts);
	}
	if (close(out) < 0 && rc == 0)
		rc = sc_err_sys(err, "close %s", dst);
	return rc;
}

int
fsx_copy_file(const char *src, const char *dst, mode_t mode, struct sc_err *err)
{
	struct stat st;

	if (stat(src, &st) < 0)
		return sc_err_sys(err, "%s", src);
	st.st_mode = mode;
	if (copy_file(src, dst, &st, err) < 0)
		return -1;
	/* the umask narrowed the mode open() gave */
	return chmod(dst, mode) < 0 ? sc_err_sys(err, "chmod %s", dst) : 0;
}

static int
copy_rec(const char *src, const char *dst, const struct stat *skip, int depth,
    struct sc_err *err)
{
	struct stat st;
	char s[PATH_MAX], d[PATH_MAX];

	if (depth > 32)
		return sc_err_set(err, "%s: directories nested too deep", src);
	if (lstat(src, &st) < 0)
		return sc_err_sys(err, "%s", src);
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(src, s, sizeof(s) - 1);
		if (n < 0)
			return sc_err_sys(err, "readlink %s", src);
		s[n] = '\0';
		if (symlink(s, dst) < 0)
			return sc_err_sys(err, "symlink %s", dst);
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return copy_file(src, dst, &st, err);
	if (!S_ISDIR(st.st_mode))
		return 0;		/* sockets, fifos: not part of a submission */
	if (skip && st.st_dev == skip->st_dev && st.st_ino == skip->st_ino)
		return 0;		/* the copy's own home inside the source */
	if (mkdir(dst, (st.st_mode & 07777) | 0700) < 0 && errno != EEXIST)
		return sc_err_sys(err, "mkdir %s", dst);
	DIR *dir = opendir(src);
	struct dirent *de;
	int rc = 0;
	if (dir == NULL)
		return sc_err_sys(err, "opendir %s", src);
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(s, sizeof(s), "%s/%s", src, de->d_name) >= sizeof(s) ||
		    (size_t)snprintf(d, sizeof(d), "%s/%s", dst, de->d_name) >= sizeof(d)) {
			rc = sc_err_set(err, "%s/%s: path too long", src, de->d_name);
			break;
		}
		rc = copy_rec(s, d, skip, depth + 1, err);
	}
	closedir(dir);
	return rc;
}

int
fsx_copy_tree(const char *src, const char *dst, const char *skip_dir, struct sc_err *err)
{
	struct stat skip;

	if (skip_dir && stat(skip_dir, &skip) == 0)
		return copy_rec(src, dst, &skip, 0, err);
	return copy_rec(src, dst, NULL, 0, err);
}

/* nftw passes no argument: the owner to give, per thread */
static _Thread_local uid_t chown_uid;
static _Thread_local gid_t chown_gid;

static int
chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return lchown(path, chown_uid, chown_gid) < 0 ? -1 : 0;
}

int
fsx_chown_tree(const char *path, uid_t uid, gid_t gid, struct sc_err *err)
{
	chown_uid = uid;
	chown_gid = gid;
	if (nftw(path, chown_one, 16, FTW_PHYS) < 0)
		return sc_err_sys(err, "chown %s", path);
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DNR) {
		/* a directory left unreadable (not by root's lights: as any
		 * other user): made ours again, then removed with its content */
		struct sc_err e;
		return fsx_remove_tree(path, &e);
	}
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int
fsx_remove_tree(const char *path, struct sc_err *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : sc_err_sys(err, "%s", path);
	/* a student program may have left a directory unreadable */
	if (S_ISDIR(st.st_mode))
		chmod(path, 0700);
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0)
		return sc_err_sys(err, "remove %s", path);
	return 0;
}

int
fsx_open_beneath(const char *dir, const char *name, int flags, mode_t mode)
{
	struct open_how how;
	int dfd, fd, e;

	if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW);
	how.mode = (flags & O_CREAT) ? mode : 0;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, dfd, name, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) {
		/* kernels before 5.6: plain names only, no link at the end */
		if (strchr(name, '/') != NULL) {
			close(dfd);
			errno = EXDEV;
			return -1;
		}
		fd = openat(dfd, name, flags | O_CLOEXEC | O_NOFOLLOW, mode);
	}
	e = errno;
	close(dfd);
	errno = e;
	return fd;
}

int
fsx_unlink_beneath(const char *dir, const char *name)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(name, '/');
	int pfd, rc, e;

	if (slash == NULL) {
		pfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - name), name);
		pfd = fsx_open_beneath(dir, parent, O_PATH | O_DIRECTORY, 0);
	}
	if (pfd < 0)
		return -1;
	rc = unlinkat(pfd, slash ? slash + 1 : name, 0);
	e = errno;
	close(pfd);
	errno = e;
	return rc;
}

/* Feed an open descriptor to its end to `update`; counts the bytes. */
static int
read_all_fd(int fd, const char *what, void (*update)(void *, const void *, size_t), void *ctx,
    uint64_t *size, struct sc_err *err)
{
	unsigned char buf[262144];
	ssize_t n;

	*size = 0;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return sc_err_sys(err, "read %s", what);
		}
		update(ctx, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	return 1;
}

static void
sha256_update(void *ctx, const void *buf, size_t len)
{
	EVP_DigestUpdate(ctx, buf, len);
}

static void
transfer_update(void *ctx, const void *buf, size_t len)
{
	ref_digest_update(ctx, buf, len);
}

static int
sha256_fd(int fd, const char *what, char hex[65], uint64_t *size, struct sc_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx;
	int rc;

	hex[0] = '\0';
	if ((ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return sc_err_set(err, "SHA-256 unavailable");
	}
	rc = read_all_fd(fd, what, sha256_update, ctx, size, err);
	if (rc == 1 && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1)
		for (unsigned i = 0; i < mdlen; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int
transfer_digest_fd(int fd, const char *what, char hex[REF_DIGEST_HEX], uint64_t *size,
    struct sc_err *err)
{
	struct ref_digest d;
	int rc;

	hex[0] = '\0';
	if (ref_digest_init(&d) < 0)
		return sc_err_set(err, "out of memory");
	rc = read_all_fd(fd, what, transfer_update, &d, size, err);
	ref_digest_final(&d, hex);
	if (rc != 1)
		hex[0] = '\0';
	return rc;
}

int
fsx_digest_beneath(const char *dir, const char *name, char hex[REF_DIGEST_HEX], uint64_t *size,
    struct sc_err *err)
{
	struct stat st;
	int fd, rc;

	*size = 0;
	hex[0] = '\0';
	/* O_NONBLOCK: a FIFO left in its place must not hang the harness */
	fd = fsx_open_beneath(dir, name, O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP || errno == EXDEV)
			return 2;
		return sc_err_sys(err, "%s/%s", dir, name);
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 2;
	}
	rc = transfer_digest_fd(fd, name, hex, size, err);
	close(fd);
	return rc;
}

int
fsx_sha256_file(const char *path, char hex[65], uint64_t *size, struct sc_err *err)
{
	int fd, rc;

	*size = 0;
	hex[0] = '\0';
	struct stat st;

	/* never blocked by a FIFO, never led by a link */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)) < 0)
		return errno == ENOENT ? 0 : errno == ELOOP ? 2 : sc_err_sys(err, "%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 2;
	}
	rc = sha256_fd(fd, path, hex, size, err);
	close(fd);
	return rc;
}
