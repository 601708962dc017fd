/*
 * calls: wrappers that only record where the program made a call (sites.c),
 * for the causes that name it: shutdown() (or its absence), standard
 * input's end as fgets()/getline() see it, and the IPv4-only address calls.
 * Nothing is changed: each passes its arguments on and returns the result.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "preload.h"

int
shutdown(int fd, int how)
{
	REAL(int, shutdown, int, int);
	void *ra = RA;
	int rc;

	pl_call(PL_OTHER, "shutdown", fd, how, ra);
	rc = real_shutdown(fd, how);
	if (rc < 0)
		pl_event("err", "shutdown", fd, errno, ra, 1);
	return rc;
}

/* A line read from `f`: NULL at its end (or an error) is recorded. */
static void
line_read(const char *fn, FILE *f, int got, void *ra)
{
	int fd, e = errno;

	if (!pl_sites_on() || f == NULL)
		return;
	fd = fileno(f);
	pl_call(PL_READ, fn, fd, 0, ra);
	pl_ret(PL_READ, fn, fd, got ? 1 : ferror(f) ? -1 : 0, 0, e, ra);
	errno = e;
}

char *
fgets(char *s, int n, FILE *f)
{
	REAL(char *, fgets, char *, int, FILE *);
	char *r = real_fgets(s, n, f);

	line_read("fgets", f, r != NULL, RA);
	return r;
}

char *
__fgets_chk(char *s, size_t size, int n, FILE *f)
{
	REAL(char *, __fgets_chk, char *, size_t, int, FILE *);
	char *r = real___fgets_chk(s, size, n, f);

	line_read("fgets", f, r != NULL, RA);
	return r;
}

ssize_t
getline(char **s, size_t *n, FILE *f)
{
	REAL(ssize_t, getline, char **, size_t *, FILE *);
	ssize_t r = real_getline(s, n, f);

	line_read("getline", f, r >= 0, RA);
	return r;
}

ssize_t
getdelim(char **s, size_t *n, int delim, FILE *f)
{
	REAL(ssize_t, getdelim, char **, size_t *, int, FILE *);
	ssize_t r = real_getdelim(s, n, delim, f);

	line_read("getdelim", f, r >= 0, RA);
	return r;
}

/* The stream's descriptor, -1 for none (a NULL stream crashes in libc, not here). */
static int
stream_fd(const void *f)
{
	return pl_sites_on() && f != NULL ? fileno((FILE *)f) : -1;
}

/* Writes to a stream: the output file's (a binary file written with fputs()). */
int
fputs(const char *str, FILE *f)
{
	REAL(int, fputs, const char *, FILE *);
	void *ra = RA;
	int r, fd = stream_fd(f);

	pl_call(PL_WRITE, "fputs", fd, 0, ra);
	r = real_fputs(str, f);
	pl_ret(PL_WRITE, "fputs", fd, r < 0 ? -1 : 0, 0, errno, ra);
	return r;
}

size_t
fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	REAL(size_t, fwrite, const void *, size_t, size_t, FILE *);
	void *ra = RA;
	size_t r;
	int fd = stream_fd(f);

	pl_call(PL_WRITE, "fwrite", fd, 0, ra);
	r = real_fwrite(p, size, n, f);
	pl_ret(PL_WRITE, "fwrite", fd, r < n ? -1 : 0, 0, errno, ra);
	return r;
}

/* The family asked for: AF_INET alone is IPv4 only (once per site). */
int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
    struct addrinfo **res)
{
	REAL(int, getaddrinfo, const char *, const char *, const struct addrinfo *,
	    struct addrinfo **);
	pl_event("use", "getaddrinfo", -1, hints ? hints->ai_family : AF_UNSPEC, RA, 1);
	return real_getaddrinfo(node, service, hints, res);
}

in_addr_t
inet_addr(const char *cp)
{
	REAL(in_addr_t, inet_addr, const char *);
	pl_event("use", "inet_addr", -1, AF_INET, RA, 1);
	return real_inet_addr(cp);
}

int
inet_aton(const char *cp, struct in_addr *a)
{
	REAL(int, inet_aton, const char *, struct in_addr *);
	pl_event("use", "inet_aton", -1, AF_INET, RA, 1);
	return real_inet_aton(cp, a);
}

int
inet_pton(int af, const char *src, void *dst)
{
	REAL(int, inet_pton, int, const char *, void *);
	pl_event("use", "inet_pton", -1, af, RA, 1);
	return real_inet_pton(af, src, dst);
}
