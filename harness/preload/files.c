/*
 * files: the program's opens (open, openat, creat, fopen and their 64-bit
 * names), passed through untouched and written to the side channel when
 * the harness traces them (SCINJECT_TRACE: the finder learns which file a
 * server serves and which a client writes); a failed open is a site event.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload.h"

/* "open ERRNO FLAGS PATH\n", the path escaped (\n, \\), at most 4 KiB of it. */
static void
trace_open(const char *fn, void *ra, const char *path, int flags, int rc, int err)
{
	char buf[4200];
	size_t o;
	int n, side_fd;

	if (rc < 0)
		pl_event("err", fn, -1, err, ra, 1);
	if ((side_fd = pl_trace_fd()) < 0 || path == NULL)
		return;
	n = snprintf(buf, sizeof(buf), "open %d %d ", rc < 0 ? err : 0, flags);
	if (n < 0)
		return;
	o = (size_t)n;
	for (const char *p = path; *p && o + 3 < sizeof(buf) && p - path < 4096; p++) {
		if (*p == '\n' || *p == '\\') {
			buf[o++] = '\\';
			buf[o++] = *p == '\n' ? 'n' : '\\';
		} else {
			buf[o++] = *p;
		}
	}
	buf[o++] = '\n';
	syscall(SYS_write, side_fd, buf, o);
}

/* Flags for open() from an fopen() mode. */
static int
mode_flags(const char *mode)
{
	int f = 0;

	if (mode == NULL)
		return 0;
	if (mode[0] == 'r')
		f = strchr(mode, '+') ? O_RDWR : O_RDONLY;
	else if (mode[0] == 'w')
		f = (strchr(mode, '+') ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC;
	else if (mode[0] == 'a')
		f = (strchr(mode, '+') ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND;
	return f;
}

#define OPEN_MODE(flags, mode) \
	do { \
		if ((flags) & (O_CREAT | __O_TMPFILE)) { \
			va_list ap; \
			va_start(ap, flags); \
			mode = va_arg(ap, mode_t); \
			va_end(ap); \
		} \
	} while (0)

int
open(const char *path, int flags, ...)
{
	REAL(int, open, const char *, int, ...);
	mode_t mode = 0;
	int fd, e;
	OPEN_MODE(flags, mode);
	fd = real_open(path, flags, mode);
	e = errno;
	trace_open("open", RA, path, flags, fd, e);
	errno = e;
	return fd;
}

int
open64(const char *path, int flags, ...)
{
	REAL(int, open64, const char *, int, ...);
	mode_t mode = 0;
	int fd, e;
	OPEN_MODE(flags, mode);
	fd = real_open64(path, flags, mode);
	e = errno;
	trace_open("open64", RA, path, flags, fd, e);
	errno = e;
	return fd;
}

int
openat(int dfd, const char *path, int flags, ...)
{
	REAL(int, openat, int, const char *, int, ...);
	mode_t mode = 0;
	int fd, e;
	OPEN_MODE(flags, mode);
	fd = real_openat(dfd, path, flags, mode);
	e = errno;
	trace_open("openat", RA, path, flags, fd, e);
	errno = e;
	return fd;
}

int
openat64(int dfd, const char *path, int flags, ...)
{
	REAL(int, openat64, int, const char *, int, ...);
	mode_t mode = 0;
	int fd, e;
	OPEN_MODE(flags, mode);
	fd = real_openat64(dfd, path, flags, mode);
	e = errno;
	trace_open("openat64", RA, path, flags, fd, e);
	errno = e;
	return fd;
}

int
creat(const char *path, mode_t mode)
{
	REAL(int, creat, const char *, mode_t);
	int fd = real_creat(path, mode), e = errno;
	trace_open("creat", RA, path, O_WRONLY | O_CREAT | O_TRUNC, fd, e);
	errno = e;
	return fd;
}

FILE *
fopen(const char *path, const char *mode)
{
	REAL(FILE *, fopen, const char *, const char *);
	FILE *f = real_fopen(path, mode);
	int e = errno;
	trace_open("fopen", RA, path, mode_flags(mode), f ? 0 : -1, e);
	errno = e;
	return f;
}

FILE *
fopen64(const char *path, const char *mode)
{
	REAL(FILE *, fopen64, const char *, const char *);
	FILE *f = real_fopen64(path, mode);
	int e = errno;
	trace_open("fopen64", RA, path, mode_flags(mode), f ? 0 : -1, e);
	errno = e;
	return f;
}
