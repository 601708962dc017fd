/*
 * route: where the program's connections and datagrams go when its case
 * has no network namespace of its own (SCINJECT_SHARED=1).
 *
 * In a namespace of the case's own only its loopback exists: an address
 * outside it is unreachable (ENETUNREACH), and an address the program
 * hard-codes (a lab server's 192.168.56.101) is given to that loopback by
 * the harness, so the program reaches the case's reference server there.
 * Sharing the machine's network, the library does the same by hand, as the
 * harness tells it (it decides, this obeys):
 *   SCINJECT_REDIRECT  "FROM=TO[,FROM=TO...]", numeric addresses: connect(),
 *                      sendto() to FROM (any port) go to TO, same port;
 *                      recvfrom() of a redirected socket reports a sender at
 *                      TO as FROM, as the namespace's loopback would have.
 *                      Each is noted once per socket on the side channel:
 *                        redirect CALL FD FROM PORT TO
 * Any other destination outside loopback fails with ENETUNREACH, as in the
 * namespace (and nothing leaves the machine):
 *                        unreachable CALL FD PORT ADDR
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "preload.h"

#define MAX_REDIRECTS 4
#define MAX_SOCKS 16

struct addr {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char a[16];	/* network order; IPv4 in the first 4 */
};

static struct {
	int on;
	struct { struct addr from, to; } r[MAX_REDIRECTS];
	size_t nr;
	/* sockets redirected: where to, for recvfrom() and the one note each */
	struct { int fd, port; size_t rule; } socks[MAX_SOCKS];
	size_t nsocks;
} rt;

static int
parse_addr(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->a) == 1)
		a->family = AF_INET6;
	return a->family ? 0 : -1;
}

void
pl_route_init(int on)
{
	const char *spec = getenv("SCINJECT_REDIRECT");
	char buf[512], *save = NULL;

	rt.on = on;
	if (!on || spec == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *t = strtok_r(buf, ",", &save); t && rt.nr < MAX_REDIRECTS;
	    t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		if (parse_addr(t, &rt.r[rt.nr].from) == 0 && parse_addr(eq + 1, &rt.r[rt.nr].to) == 0 &&
		    rt.r[rt.nr].from.family == rt.r[rt.nr].to.family)
			rt.nr++;
	}
}

/* The address a sockaddr names (an IPv4-mapped IPv6 one as IPv4), or -1. */
static int
addr_of(const struct sockaddr *sa, socklen_t len, struct addr *a, int *port)
{
	memset(a, 0, sizeof(*a));
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
		a->family = AF_INET;
		memcpy(a->a, &s->sin_addr, 4);
		*port = ntohs(s->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
		*port = ntohs(s->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr)) {
			a->family = AF_INET;
			memcpy(a->a, s->sin6_addr.s6_addr + 12, 4);
		} else {
			a->family = AF_INET6;
			memcpy(a->a, &s->sin6_addr, 16);
		}
		return 0;
	}
	return -1;
}

/* What a namespace of the case's own reaches: loopback, and "any" (which Linux
 * takes for the local host). */
static int
local(const struct addr *a)
{
	static const unsigned char any6[16], lo6[16] = { [15] = 1 };
	if (a->family == AF_INET)
		return a->a[0] == 127 || (a->a[0] | a->a[1] | a->a[2] | a->a[3]) == 0;
	return memcmp(a->a, any6, 16) == 0 || memcmp(a->a, lo6, 16) == 0;
}

static int
same(const struct addr *x, const struct addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, x->family == AF_INET ? 4 : 16) == 0;
}

static void
text(const struct addr *a, char *buf, size_t len)
{
	if (inet_ntop(a->family, a->a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "-");
}

/* `sa` with its address replaced by `to` (its family kept: an IPv4-mapped
 * destination gets an IPv4-mapped `to`). */
static const struct sockaddr *
rewrite(const struct sockaddr *sa, const struct addr *to, struct sockaddr_storage *buf)
{
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)buf;
		memcpy(s, sa, sizeof(*s));
		memcpy(&s->sin_addr, to->a, 4);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)buf;
		memcpy(s, sa, sizeof(*s));
		if (to->family == AF_INET) {
			memset(s->sin6_addr.s6_addr, 0, 10);
			s->sin6_addr.s6_addr[10] = s->sin6_addr.s6_addr[11] = 0xff;
			memcpy(s->sin6_addr.s6_addr + 12, to->a, 4);
		} else {
			memcpy(&s->sin6_addr, to->a, 16);
		}
	}
	return (const struct sockaddr *)buf;
}

static void
remember(const char *call, int fd, int port, size_t rule)
{
	char from[64], to[64];

	for (size_t i = 0; i < rt.nsocks; i++)
		if (rt.socks[i].fd == fd && rt.socks[i].rule == rule && rt.socks[i].port == port)
			return;
	if (rt.nsocks < MAX_SOCKS) {
		rt.socks[rt.nsocks].fd = fd;
		rt.socks[rt.nsocks].port = port;
		rt.socks[rt.nsocks].rule = rule;
		rt.nsocks++;
	}
	text(&rt.r[rule].from, from, sizeof(from));
	text(&rt.r[rule].to, to, sizeof(to));
	pl_side("redirect %s %d %s %d %s\n", call, fd, from, port, to);
}

const struct sockaddr *
pl_route(const char *call, int fd, const struct sockaddr *sa, socklen_t len,
    struct sockaddr_storage *buf)
{
	struct addr a;
	int port = 0;
	char t[64];

	if (!rt.on || addr_of(sa, len, &a, &port) < 0 || local(&a))
		return sa;
	for (size_t i = 0; i < rt.nr; i++)
		if (same(&a, &rt.r[i].from)) {
			remember(call, fd, port, i);
			return rewrite(sa, &rt.r[i].to, buf);
		}
	text(&a, t, sizeof(t));
	pl_side("unreachable %s %d %d %s\n", call, fd, port, t);
	errno = ENETUNREACH;
	return NULL;
}

void
pl_route_back(int fd, struct sockaddr *sa, socklen_t *len, socklen_t room)
{
	struct addr a;
	int port = 0;
	struct sockaddr_storage buf;

	/* the kernel truncates to the caller's room and reports the full length */
	if (!rt.on || rt.nsocks == 0 || len == NULL || *len > room ||
	    addr_of(sa, *len, &a, &port) < 0)
		return;
	for (size_t i = 0; i < rt.nsocks; i++)
		if (rt.socks[i].fd == fd && same(&a, &rt.r[rt.socks[i].rule].to)) {
			rewrite(sa, &rt.r[rt.socks[i].rule].from, &buf);
			memcpy(sa, &buf, sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
			    sizeof(struct sockaddr_in6));
			return;
		}
}

void
pl_route_closed(int fd)
{
	for (size_t i = 0; i < rt.nsocks; i++)
		if (rt.socks[i].fd == fd) {
			rt.socks[i] = rt.socks[--rt.nsocks];
			i--;
		}
}
