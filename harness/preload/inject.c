/*
 * libscinject: fault injection inside a student program (LD_PRELOAD).
 *
 * Some classic bugs can't be provoked from the other end of a loopback
 * connection: a blocking send() on Linux almost never returns a short count,
 * and EINTR needs a signal at the right moment. This library wraps the
 * socket I/O calls and makes those cases happen on purpose, reproducibly.
 *
 * Configuration (environment, read once when the library loads):
 *   SCINJECT         "key=value;key=value...":
 *                      read_max=N       every read/recv returns at most N bytes
 *                      write_max=N      every write/send accepts at most N bytes
 *                                       (a short count, not an error)
 *                      eintr_every=N    every Nth read-kind call fails with EINTR
 *                      fail=CALL:K:ERR  the Kth call of CALL (read, write, accept,
 *                                       connect, socket, bind, listen, close) fails with
 *                                       errno ERR (EINTR, EAGAIN, ECONNABORTED, ...)
 *                                       A write that fails with EPIPE also raises
 *                                       SIGPIPE, as the kernel does (nothing
 *                                       happens under SIG_IGN or MSG_NOSIGNAL)
 *                      reads_fail=K:ERR every read-kind call on the Kth connection
 *                                       (accepted or connected) fails with ERR;
 *                                       the 1000th such call is noted ("spun")
 *                      seed=S           with it, read_max/write_max caps are drawn
 *                                       from 1..N per call, reproducibly
 *                      calls=NAME       limit the caps to calls named NAME (recv,
 *                                       send, read, write...); repeatable
 *   SCINJECT_TARGET  only a process whose name (argv[0]'s last component) is
 *                    this one acts: not valgrind's launcher, not a shell that a
 *                    command template starts
 *   SCINJECT_FD      a descriptor open for appending: the side channel. The
 *                    library announces itself there when it loads ("loaded
 *                    pid=... name=... active=0|1") and notes the first time each
 *                    fault fires, so the harness can tell a fault that was
 *                    injected from one that could not be (static binaries).
 *   SCINJECT_TRACE   "1": the target also reports, on the side channel, what
 *                    the convention finder (harness/fnd.c) needs to know, one
 *                    line each, the path last and with \n and \\ escaped:
 *                      open ERRNO FLAGS PATH     open/openat/creat/fopen (ERRNO 0:
 *                                                it worked; FLAGS as for open())
 *                      socket FD DOMAIN TYPE     (TYPE without its flag bits)
 *                      bind FD PORT              (0: the kernel chooses one)
 *                      listen FD
 *                      connect FD ERRNO PORT ADDR
 *                      sendto FD ERRNO PORT ADDR (a datagram's destination:
 *                                                noted when it changes, per
 *                                                descriptor, not per datagram)
 *                    ADDR is numeric (inet_ntop), "-" for another family.
 *                    Nothing is changed by tracing.
 *   SCINJECT_SHARED  "1": the case shares the machine's ports (no network
 *                    namespace of its own). The target's TCP sockets get
 *                    SO_REUSEADDR before they bind a port, so that a
 *                    connection of an earlier case left in TIME-WAIT on a
 *                    port fixed in the program (the textbook never sets it,
 *                    and the server closes first) doesn't make the next
 *                    case's bind() fail, as it never does in a namespace of
 *                    the case's own; a listener still holds its port. A bind
 *                    that fails with EADDRINUSE all the same is reported:
 *                      bind-in-use FD PORT
 *                    (the machine's doing, not the program's). Its
 *                    connections and datagrams stay on loopback, as in a
 *                    namespace (route.c, SCINJECT_REDIRECT).
 *   SCINJECT_SITES   "1": the target records where it makes the calls the
 *                    library wraps, and where it crashes (sites.c, preload.h);
 *                    SCINJECT_SIGNALS "0": not the crash handler (memcheck)
 *
 * Only socket descriptors are touched. Everything the library writes uses
 * raw syscalls, so it never re-enters its own wrappers.
 *
 * The counts that say which call is "the Kth" (fail=, eintr_every=, the
 * connections of reads_fail=) belong to the program, not to one process:
 * they live in memory shared across fork(), so a server that forks a child
 * per client fails the Kth call of the program, as the scenario means, and
 * not every child's Kth. A fork()ed child inherits the doomed connection of
 * reads_fail= with its descriptor.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "preload.h"

enum call { C_READ, C_WRITE, C_ACCEPT, C_CONNECT, C_SOCKET, C_BIND, C_LISTEN, C_CLOSE,
	C_NCALLS };

static const char *const call_names[C_NCALLS] = {
	"read", "write", "accept", "connect", "socket", "bind", "listen", "close",
};

#define MAX_FAILS 8
#define SPUN_READS 1000	/* failed reads of one connection that make a spin certain */
#define MAX_NAMES 8

/* What the processes of one program count together (see above). */
struct shared {
	unsigned long count[C_NCALLS];	/* calls seen, per kind, sockets only */
	unsigned long reads_for_eintr;
	unsigned long conns;		/* connections made (accept, connect) */
};

static struct {
	int active;
	int trace;		/* SCINJECT_TRACE: report opens and sockets */
	int shared;		/* SCINJECT_SHARED: the machine's ports, shared */
	int side_fd;
	size_t read_max, write_max;
	unsigned long eintr_every;
	int seeded;
	uint64_t rng;
	struct { enum call call; unsigned long nth; int err; } fails[MAX_FAILS];
	size_t nfails;
	char names[MAX_NAMES][16];	/* calls= */
	size_t nnames;
	struct shared *sh;		/* shared across fork(); &own without mmap */
	struct shared own;
	unsigned long fired_read_max, fired_write_max, fired_eintr, fired_fail;
	unsigned long long received;	/* bytes the socket reads returned, in all */
	int read_sock;			/* the descriptor do_read last found an active socket, -1 */
	/*
	 * An injected EINTR is retried when the program's next call on that
	 * socket is the same call again: a read for a read, a write of the
	 * same bytes for a write. Anything else (a write after the failed
	 * read, other bytes, close(), the next EINTR, the exit) is a "unretried"
	 * side line, written when it is known: a server is stopped by a signal
	 * and runs no destructor.
	 */
	int eintr_fd;			/* a read on it failed with EINTR, not retried yet; -1 */
	int eintr_wfd;			/* a write on it failed with EINTR, not retried yet; -1 */
	unsigned char eintr_head[16];	/* the first bytes of that write */
	size_t eintr_headlen;
	unsigned long conn_fail_nth;	/* reads_fail: the Kth connection, 0: none */
	int conn_fail_err;
	int conn_fail_fd;		/* the doomed connection's descriptor, or -1 */
	unsigned long fired_conn_fail;
} inj = { .side_fd = -1, .conn_fail_fd = -1, .read_sock = -1, .eintr_fd = -1, .eintr_wfd = -1 };

/* ---- the side channel: raw syscalls only ---- */

void
pl_side(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	if (inj.side_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		syscall(SYS_write, inj.side_fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* The side channel, when the library traces the program's files (files.c). */
PL_HIDDEN int
pl_trace_fd(void)
{
	return inj.trace ? inj.side_fd : -1;
}

/* The port a sockaddr names, -1 for another family. */
static int
addr_port(const struct sockaddr *a)
{
	if (a == NULL)
		return -1;
	if (a->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)a)->sin_port);
	if (a->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
	return -1;
}

/* The numeric address a sockaddr names, "-" for another family. */
static void
addr_text(const struct sockaddr *a, char *buf, size_t len)
{
	snprintf(buf, len, "-");
	if (a == NULL)
		return;
	if (a->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, buf, (socklen_t)len);
	else if (a->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, buf,
		    (socklen_t)len);
}

/* "sendto FD ERRNO PORT ADDR" when fd's destination (or the outcome) changed. */
static void
trace_sendto(int fd, const struct sockaddr *a, int err)
{
	static struct { int fd, port, err; char addr[64]; } last[16];
	static unsigned nlast;
	char addr[64];
	int port = addr_port(a);
	unsigned i;

	if (!inj.trace || a == NULL || port < 0)
		return;
	addr_text(a, addr, sizeof(addr));
	for (i = 0; i < nlast && i < 16; i++)
		if (last[i].fd == fd)
			break;
	if (i < nlast && last[i].port == port && last[i].err == err &&
	    strcmp(last[i].addr, addr) == 0)
		return;
	if (i == nlast && nlast < 16)
		nlast++;
	if (i < 16) {
		last[i].fd = fd;
		last[i].port = port;
		last[i].err = err;
		snprintf(last[i].addr, sizeof(last[i].addr), "%s", addr);
	}
	pl_side("sendto %d %d %d %s\n", fd, err, port, addr);
}

/* sendto(), routed (route.c) and traced as the program addressed it */
static ssize_t
traced_sendto(ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t),
    int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t alen)
{
	struct sockaddr_storage rb;
	const struct sockaddr *to = pl_route("sendto", fd, addr, alen, &rb);
	ssize_t n = to == NULL && addr != NULL ? -1 : real(fd, buf, len, flags, to, alen);
	int e = errno;

	if (inj.trace)
		trace_sendto(fd, addr, n < 0 ? e : 0);
	errno = e;
	return n;
}

/* ---- configuration ---- */

static const struct { const char *name; int value; } errnos[] = {
	{ "EINTR", EINTR }, { "EAGAIN", EAGAIN }, { "EWOULDBLOCK", EWOULDBLOCK },
	{ "ECONNABORTED", ECONNABORTED }, { "ECONNRESET", ECONNRESET }, { "EPIPE", EPIPE },
	{ "ECONNREFUSED", ECONNREFUSED }, { "EMFILE", EMFILE }, { "ENFILE", ENFILE },
	{ "ENOBUFS", ENOBUFS }, { "ENOMEM", ENOMEM }, { "EADDRINUSE", EADDRINUSE },
	{ "EACCES", EACCES }, { "ETIMEDOUT", ETIMEDOUT }, { "EIO", EIO },
	{ "ENETUNREACH", ENETUNREACH }, { "EHOSTUNREACH", EHOSTUNREACH },
};

static int
errno_of(const char *s)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (strcmp(s, errnos[i].name) == 0)
			return errnos[i].value;
	return atoi(s);
}

static void
parse_fail(char *v)
{
	char *call = strtok_r(v, ":", &v), *nth = strtok_r(NULL, ":", &v),
	    *err = strtok_r(NULL, ":", &v);

	if (call == NULL || nth == NULL || inj.nfails >= MAX_FAILS)
		return;
	for (int c = 0; c < C_NCALLS; c++)
		if (strcmp(call, call_names[c]) == 0 ||
		    (c == C_READ && (strcmp(call, "recv") == 0 || strcmp(call, "recvfrom") == 0)) ||
		    (c == C_WRITE && (strcmp(call, "send") == 0 || strcmp(call, "sendto") == 0))) {
			inj.fails[inj.nfails].call = (enum call)c;
			inj.fails[inj.nfails].nth = strtoul(nth, NULL, 10);
			inj.fails[inj.nfails].err = err ? errno_of(err) : EINTR;
			inj.nfails++;
			return;
		}
}

static void
parse_spec(const char *spec)
{
	char buf[1024], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(item, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		const char *k = item;
		char *v = eq + 1;
		if (strcmp(k, "read_max") == 0)
			inj.read_max = strtoul(v, NULL, 10);
		else if (strcmp(k, "write_max") == 0)
			inj.write_max = strtoul(v, NULL, 10);
		else if (strcmp(k, "eintr_every") == 0)
			inj.eintr_every = strtoul(v, NULL, 10);
		else if (strcmp(k, "seed") == 0) {
			inj.seeded = 1;
			inj.rng = strtoull(v, NULL, 10) * 0x9e3779b97f4a7c15ULL + 1;
		} else if (strcmp(k, "fail") == 0)
			parse_fail(v);
		else if (strcmp(k, "reads_fail") == 0) {
			char *err = strchr(v, ':');
			inj.conn_fail_nth = strtoul(v, NULL, 10);
			inj.conn_fail_err = err ? errno_of(err + 1) : ECONNRESET;
		} else if (strcmp(k, "calls") == 0 && inj.nnames < MAX_NAMES)
			snprintf(inj.names[inj.nnames++], sizeof(inj.names[0]), "%s", v);
	}
}

__attribute__((constructor)) static void
inject_init(void)
{
	const char *spec = getenv("SCINJECT"), *target = getenv("SCINJECT_TARGET");
	const char *fd = getenv("SCINJECT_FD");
	const char *name = program_invocation_short_name;
	int sites;

	if (fd != NULL) {
		inj.side_fd = atoi(fd);
		struct stat st;
		if (fstat(inj.side_fd, &st) < 0)
			inj.side_fd = -1;
	}
	inj.active = spec != NULL && (target == NULL || strcmp(target, name) == 0);
	inj.sh = &inj.own;
	if (inj.active) {
		void *m = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (m != MAP_FAILED)
			inj.sh = m;	/* zeroed; a fork()ed child keeps the mapping */
		parse_spec(spec);
	}
	inj.trace = getenv("SCINJECT_TRACE") != NULL && strcmp(getenv("SCINJECT_TRACE"), "1") == 0 &&
	    (target == NULL || strcmp(target, name) == 0);
	inj.shared = getenv("SCINJECT_SHARED") != NULL &&
	    strcmp(getenv("SCINJECT_SHARED"), "1") == 0 && (target == NULL || strcmp(target, name) == 0);
	sites = getenv("SCINJECT_SITES") && strcmp(getenv("SCINJECT_SITES"), "1") == 0 &&
	    (target == NULL || strcmp(target, name) == 0) && inj.side_fd >= 0;
	pl_side("loaded pid=%d name=%s active=%d%s%s%s\n", (int)getpid(), name, inj.active,
	    inj.trace ? " trace=1" : "", inj.shared ? " shared=1" : "", sites ? " sites=1" : "");
	pl_route_init(inj.shared);
	if (sites)
		pl_sites_init(name, inj.side_fd, !(getenv("SCINJECT_SIGNALS") &&
		    strcmp(getenv("SCINJECT_SIGNALS"), "0") == 0));
}

/*
 * The program's next call on fd after an injected EINTR: `retried` says
 * whether it was the same call again; `how` names what it did instead.
 */
static void
eintr_settle(int fd, int retried, const char *how)
{
	if (fd < 0)
		return;
	if (fd == inj.eintr_fd)
		inj.eintr_fd = -1;
	if (fd == inj.eintr_wfd)
		inj.eintr_wfd = -1;
	if (!retried)
		pl_side("unretried pid=%d fd=%d then=%s\n", (int)getpid(), fd, how);
}

/* The EINTRs still pending were not retried: the program did `how` first. */
static void
eintr_settle_pending(const char *how)
{
	eintr_settle(inj.eintr_fd, 0, how);
	eintr_settle(inj.eintr_wfd, 0, how);
}

/* An injected EINTR on fd: the one before it, still pending, was not retried. */
static void
eintr_mark(int fd, int is_write, const void *buf, size_t len)
{
	eintr_settle_pending("eintr");
	if (!is_write) {
		inj.eintr_fd = fd;
		return;
	}
	inj.eintr_wfd = fd;
	inj.eintr_headlen = buf == NULL ? 0 : len < sizeof(inj.eintr_head) ?
	    len : sizeof(inj.eintr_head);
	if (inj.eintr_headlen)
		memcpy(inj.eintr_head, buf, inj.eintr_headlen);
}

/* A write on fd, with an EINTR'd write or read pending on it, settles it. */
static void
eintr_on_write(int fd, const void *buf, size_t len)
{
	size_t n = len < inj.eintr_headlen ? len : inj.eintr_headlen;

	if (fd == inj.eintr_fd)
		eintr_settle(fd, 0, "write");	/* it used the failed read's result */
	if (fd == inj.eintr_wfd)
		eintr_settle(fd, buf == NULL || n == 0 || memcmp(buf, inj.eintr_head, n) == 0,
		    "other-bytes");
}

__attribute__((destructor)) static void
inject_fini(void)
{
	if (!inj.active)
		return;
	eintr_settle_pending("exit");
	pl_side("counts pid=%d read_max=%lu write_max=%lu eintr=%lu fail=%lu reads_fail=%lu "
	    "received=%llu\n", (int)getpid(), inj.fired_read_max, inj.fired_write_max,
	    inj.fired_eintr, inj.fired_fail, inj.fired_conn_fail, inj.received);
}

/* ---- decisions ---- */

static int
is_socket(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int
name_selected(const char *fn)
{
	if (inj.nnames == 0)
		return 1;
	for (size_t i = 0; i < inj.nnames; i++)
		if (strcmp(inj.names[i], fn) == 0)
			return 1;
	return 0;
}

/* splitmix64, as the reference peers' payloads */
static uint64_t
next_rand(void)
{
	uint64_t z = (inj.rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Should this call fail? Counts the call; sets errno and returns 1 if so. */
static int
fail_now(enum call c, const char *fn)
{
	unsigned long n = __atomic_add_fetch(&inj.sh->count[c], 1, __ATOMIC_SEQ_CST);

	for (size_t i = 0; i < inj.nfails; i++)
		if (inj.fails[i].call == c && inj.fails[i].nth == n) {
			inj.fired_fail++;
			pl_side("fired fail %s %lu %d\n", fn, n, inj.fails[i].err);
			errno = inj.fails[i].err;
			return 1;
		}
	if (c == C_READ && inj.eintr_every &&
	    __atomic_add_fetch(&inj.sh->reads_for_eintr, 1, __ATOMIC_SEQ_CST) % inj.eintr_every == 0) {
		if (inj.fired_eintr++ == 0)
			pl_side("fired eintr %s %lu\n", fn, n);
		errno = EINTR;
		return 1;
	}
	return 0;
}

/* The length to pass on: `len` capped at the configured maximum. */
static size_t
cap(size_t len, size_t max, const char *fn, unsigned long *fired, const char *what)
{
	size_t m;

	if (max == 0 || !name_selected(fn))
		return len;
	m = inj.seeded ? 1 + (size_t)(next_rand() % max) : max;
	if (len > m) {
		if ((*fired)++ == 0)
			pl_side("fired %s %s %zu\n", what, fn, m);
		return m;
	}
	return len;
}

#define ACTIVE_SOCKET(fd) (inj.active && is_socket(fd))

/* A read-kind call, its site recorded around it (sites.c). */
#define SITE_READ(fn, fd, len, expr) \
	do { \
		void *ra_ = RA; \
		ssize_t n_; \
		pl_call(PL_READ, fn, fd, 0, ra_); \
		n_ = do_read(fn, fd, &len) < 0 ? -1 : got(fd, (expr)); \
		pl_ret(PL_READ, fn, fd, n_, len, errno, ra_); \
		return n_; \
	} while (0)

#define SITE_WRITE(fn, fd, buf, len, flags, expr) \
	do { \
		void *ra_ = RA; \
		ssize_t n_; \
		size_t asked_ = len; \
		pl_call(PL_WRITE, fn, fd, 0, ra_); \
		n_ = do_write(fn, fd, buf, &len, flags) < 0 ? -1 : (expr); \
		pl_ret(PL_WRITE, fn, fd, n_, asked_, errno, ra_); \
		return n_; \
	} while (0)

/* ---- reads ---- */

static ssize_t
do_read(const char *fn, int fd, size_t *len)
{
	inj.read_sock = -1;
	if (!ACTIVE_SOCKET(fd))
		return 0;
	inj.read_sock = fd;
	if (fd == inj.eintr_fd)
		eintr_settle(fd, 1, "read");
	if (inj.conn_fail_fd >= 0 && fd == inj.conn_fail_fd) {
		if (inj.fired_conn_fail++ == 0)
			pl_side("fired reads_fail %s %lu %d\n", fn, inj.conn_fail_nth, inj.conn_fail_err);
		else if (inj.fired_conn_fail == SPUN_READS)	/* it retries: the harness may stop it */
			pl_side("spun reads_fail %s %lu\n", fn, inj.fired_conn_fail);
		__atomic_add_fetch(&inj.sh->count[C_READ], 1, __ATOMIC_SEQ_CST);
		errno = inj.conn_fail_err;
		return -1;
	}
	if (fail_now(C_READ, fn)) {
		if (errno == EINTR)
			eintr_mark(fd, 0, NULL, 0);
		return -1;
	}
	*len = cap(*len, inj.read_max, fn, &inj.fired_read_max, "read_max");
	return 0;
}

/* Count what a socket read returned: the program cannot print an echo it never received. */
static ssize_t
got(int fd, ssize_t n)
{
	/* do_read, just before, looked at the descriptor: no second fstat() */
	if (n > 0 && fd == inj.read_sock)
		inj.received += (unsigned long long)n;
	return n;
}

ssize_t
read(int fd, void *buf, size_t len)
{
	REAL(ssize_t, read, int, void *, size_t);
	SITE_READ("read", fd, len, real_read(fd, buf, len));
}

ssize_t
__read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	REAL(ssize_t, read, int, void *, size_t);
	if (len > buflen)
		abort();	/* what glibc's checker does */
	SITE_READ("read", fd, len, real_read(fd, buf, len));
}

ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	REAL(ssize_t, recv, int, void *, size_t, int);
	SITE_READ("recv", fd, len, real_recv(fd, buf, len, flags));
}

ssize_t
__recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	REAL(ssize_t, recv, int, void *, size_t, int);
	if (len > buflen)
		abort();
	SITE_READ("recv", fd, len, real_recv(fd, buf, len, flags));
}

/* recvfrom()'s sender as the program addressed it (route.c) */
static ssize_t
routed_recvfrom(ssize_t n, int fd, struct sockaddr *addr, socklen_t *alen, socklen_t room)
{
	int e = errno;

	if (n >= 0 && addr != NULL)
		pl_route_back(fd, addr, alen, room);
	errno = e;
	return n;
}

ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr, socklen_t *alen)
{
	REAL(ssize_t, recvfrom, int, void *, size_t, int, struct sockaddr *, socklen_t *);
	socklen_t room = alen ? *alen : 0;	/* the caller's buffer, before the call */
	SITE_READ("recvfrom", fd, len, routed_recvfrom(real_recvfrom(fd, buf, len, flags, addr,
	    alen), fd, addr, alen, room));
}

ssize_t
__recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
    struct sockaddr *addr, socklen_t *alen)
{
	REAL(ssize_t, recvfrom, int, void *, size_t, int, struct sockaddr *, socklen_t *);
	if (len > buflen)
		abort();
	socklen_t room = alen ? *alen : 0;	/* the caller's buffer, before the call */
	SITE_READ("recvfrom", fd, len, routed_recvfrom(real_recvfrom(fd, buf, len, flags, addr,
	    alen), fd, addr, alen, room));
}

/* readv/writev: the cap applies to the total, by shortening the vector. */
static int
cap_iov(const struct iovec *iov, int cnt, size_t max, struct iovec *out)
{
	size_t left = max;
	int n = 0;

	for (int i = 0; i < cnt && left > 0 && n < 64; i++) {
		out[n] = iov[i];
		if (out[n].iov_len > left)
			out[n].iov_len = left;
		left -= out[n].iov_len;
		n++;
	}
	return n;
}

static size_t
iov_total(const struct iovec *iov, int cnt)
{
	size_t t = 0;
	for (int i = 0; i < cnt; i++)
		t += iov[i].iov_len;
	return t;
}

ssize_t
readv(int fd, const struct iovec *iov, int cnt)
{
	REAL(ssize_t, readv, int, const struct iovec *, int);
	size_t len = iov_total(iov, cnt), want = len;
	struct iovec v[64];

	SITE_READ("readv", fd, len, len < want && cnt <= 64 ?
	    real_readv(fd, v, cap_iov(iov, cnt, len, v)) : real_readv(fd, iov, cnt));
}

/* ---- writes ---- */

/*
 * An injected EPIPE comes with SIGPIPE, as from the kernel: to the calling
 * thread, unless the call passed MSG_NOSIGNAL; an ignored SIGPIPE is
 * discarded by the kernel, a blocked one stays pending, a handler runs.
 */
static void
raise_sigpipe(int flags)
{
	int e = errno;

	if (!(flags & MSG_NOSIGNAL))
		syscall(SYS_tgkill, (pid_t)syscall(SYS_getpid), (pid_t)syscall(SYS_gettid), SIGPIPE);
	errno = e;
}

static ssize_t
do_write(const char *fn, int fd, const void *buf, size_t *len, int flags)
{
	if (!ACTIVE_SOCKET(fd))
		return 0;
	eintr_on_write(fd, buf, *len);
	if (fail_now(C_WRITE, fn)) {
		if (errno == EPIPE)
			raise_sigpipe(flags);
		else if (errno == EINTR)
			eintr_mark(fd, 1, buf, *len);
		return -1;
	}
	*len = cap(*len, inj.write_max, fn, &inj.fired_write_max, "write_max");
	return 0;
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	REAL(ssize_t, write, int, const void *, size_t);
	SITE_WRITE("write", fd, buf, len, 0, real_write(fd, buf, len));
}

ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	REAL(ssize_t, send, int, const void *, size_t, int);
	SITE_WRITE("send", fd, buf, len, flags, real_send(fd, buf, len, flags));
}

ssize_t
sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
    socklen_t alen)
{
	REAL(ssize_t, sendto, int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	SITE_WRITE("sendto", fd, buf, len, flags, traced_sendto(real_sendto, fd, buf, len, flags,
	    addr, alen));
}

ssize_t
writev(int fd, const struct iovec *iov, int cnt)
{
	REAL(ssize_t, writev, int, const struct iovec *, int);
	size_t len = iov_total(iov, cnt), want = len;
	struct iovec v[64];

	SITE_WRITE("writev", fd, cnt > 0 ? iov[0].iov_base : NULL, len, 0, len < want && cnt <= 64 ?
	    real_writev(fd, v, cap_iov(iov, cnt, len, v)) : real_writev(fd, iov, cnt));
}

/* ---- connection set-up ---- */

/* A connection was made on fd: the Kth is the one whose reads all fail. */
static int
new_conn(int fd)
{
	if (fd >= 0 && inj.active && inj.conn_fail_nth &&
	    __atomic_add_fetch(&inj.sh->conns, 1, __ATOMIC_SEQ_CST) == inj.conn_fail_nth)
		inj.conn_fail_fd = fd;
	return fd;
}

int
accept(int fd, struct sockaddr *addr, socklen_t *alen)
{
	REAL(int, accept, int, struct sockaddr *, socklen_t *);
	void *ra = RA;
	int c;
	if (inj.active && fail_now(C_ACCEPT, "accept")) {
		pl_event("err", "accept", fd, errno, RA, 1);
		return -1;
	}
	c = new_conn(real_accept(fd, addr, alen));
	pl_event(c < 0 ? "err" : "use", "accept", c < 0 ? fd : c, c < 0 ? errno : fd, ra, c < 0);
	return c;
}

int
accept4(int fd, struct sockaddr *addr, socklen_t *alen, int flags)
{
	REAL(int, accept4, int, struct sockaddr *, socklen_t *, int);
	void *ra = RA;
	int c;
	if (inj.active && fail_now(C_ACCEPT, "accept4")) {
		pl_event("err", "accept4", fd, errno, RA, 1);
		return -1;
	}
	c = new_conn(real_accept4(fd, addr, alen, flags));
	pl_event(c < 0 ? "err" : "use", "accept4", c < 0 ? fd : c, c < 0 ? errno : fd, ra, c < 0);
	return c;
}

int
connect(int fd, const struct sockaddr *addr, socklen_t alen)
{
	REAL(int, connect, int, const struct sockaddr *, socklen_t);
	int rc, e;
	void *ra = RA;

	pl_call(PL_OTHER, "connect", fd, addr ? addr->sa_family : 0, ra);
	if (inj.active && fail_now(C_CONNECT, "connect")) {
		pl_event("err", "connect", fd, errno, RA, 1);
		return -1;
	}
	{
		struct sockaddr_storage rb;
		const struct sockaddr *to = pl_route("connect", fd, addr, alen, &rb);
		rc = to == NULL && addr != NULL ? -1 : real_connect(fd, to, alen);
	}
	e = errno;
	if (rc < 0)
		pl_event("err", "connect", fd, e, ra, 1);
	if (rc == 0 || e == EINPROGRESS)
		new_conn(fd);
	if (inj.trace) {
		char a[64];
		addr_text(addr, a, sizeof(a));
		pl_side("connect %d %d %d %s\n", fd, rc < 0 ? e : 0, addr_port(addr), a);
	}
	errno = e;
	return rc;
}

int
socket(int domain, int type, int protocol)
{
	REAL(int, socket, int, int, int);
	int fd, e;
	void *ra = RA;
	if (inj.active && fail_now(C_SOCKET, "socket")) {
		pl_event("err", "socket", -1, errno, RA, 1);
		return -1;
	}
	fd = real_socket(domain, type, protocol);
	e = errno;
	pl_call(PL_OTHER, "socket", fd, domain, ra);
	if (inj.trace && fd >= 0)
		pl_side("socket %d %d %d\n", fd, domain, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC));
	errno = e;
	return fd;
}

int
bind(int fd, const struct sockaddr *addr, socklen_t alen)
{
	REAL(int, bind, int, const struct sockaddr *, socklen_t);
	int rc, e;
	void *ra = RA;
	pl_call(PL_OTHER, "bind", fd, addr ? addr->sa_family : 0, ra);
	if (inj.active && fail_now(C_BIND, "bind")) {
		pl_event("err", "bind", fd, errno, RA, 1);
		return -1;
	}
	if (inj.shared && addr_port(addr) > 0) {
		int type = 0, one = 1;
		socklen_t tl = sizeof(type);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	}
	rc = real_bind(fd, addr, alen);
	e = errno;
	if (rc < 0)
		pl_event("err", "bind", fd, e, ra, 1);
	if (inj.trace && rc == 0 && addr_port(addr) >= 0)
		pl_side("bind %d %d\n", fd, addr_port(addr));
	if (inj.shared && rc < 0 && e == EADDRINUSE)
		pl_side("bind-in-use %d %d\n", fd, addr_port(addr));
	errno = e;
	return rc;
}

int
listen(int fd, int backlog)
{
	REAL(int, listen, int, int);
	int rc, e;
	pl_call(PL_OTHER, "listen", fd, 0, RA);
	if (inj.active && fail_now(C_LISTEN, "listen")) {
		pl_event("err", "listen", fd, errno, RA, 1);
		return -1;
	}
	rc = real_listen(fd, backlog);
	e = errno;
	if (inj.trace && rc == 0)
		pl_side("listen %d\n", fd);
	errno = e;
	return rc;
}

/* close() of a socket: the Kth may fail (EINTR, EIO); the descriptor is closed
 * all the same, as Linux does, so a program that retries sees EBADF. */
int
close(int fd)
{
	REAL(int, close, int);
	pl_call(PL_CLOSE, "close", fd, 0, RA);
	if (fd >= 0 && fd == inj.conn_fail_fd)
		inj.conn_fail_fd = -1;	/* the number may be reused: that connection is over */
	pl_route_closed(fd);
	if (fd >= 0 && (fd == inj.eintr_fd || fd == inj.eintr_wfd))
		eintr_settle(fd, 0, "close");
	if (ACTIVE_SOCKET(fd) && fail_now(C_CLOSE, "close")) {
		int e = errno;
		real_close(fd);
		errno = e;
		return -1;
	}
	return real_close(fd);
}
