#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ref_net.h"
#include "ref_udp.h"

int
ref_udp_bind(const char *bind_addr, unsigned port, int rcvbuf, unsigned *bound, char *errbuf,
    size_t errlen)
{
	return ref_bind(bind_addr, port, SOCK_DGRAM, rcvbuf, bound, errbuf, errlen);
}

int
ref_udp_open(const char *ip, unsigned port, int rcvbuf, int do_connect,
    struct sockaddr_storage *to, socklen_t *tolen, char *errbuf, size_t errlen)
{
	int fd;

	if (ref_make_addr(ip, port, to, tolen) < 0) {
		snprintf(errbuf, errlen, "bad address '%s'", ip);
		return -1;
	}
	if ((fd = socket(to->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(errbuf, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (do_connect && connect(fd, (struct sockaddr *)to, *tolen) < 0) {
		snprintf(errbuf, errlen, "connect to %s port %u: %s", ip, port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

unsigned
ref_udp_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char buf[64];
	unsigned port;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	ref_addr_name(&ss, buf, sizeof(buf), &port);
	return port;
}

int
ref_udp_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	char ta[64], tb[64];
	unsigned pa, pb;

	ref_addr_name(a, ta, sizeof(ta), &pa);
	ref_addr_name(b, tb, sizeof(tb), &pb);
	return pa == pb && strcmp(ta, tb) == 0;
}

int
ref_udp_wait(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	return r < 0 ? -1 : r > 0;
}
