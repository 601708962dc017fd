#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ref_net.h"

int
ref_addr_valid(const char *ip)
{
	struct in6_addr a6;
	struct in_addr a4;
	return inet_pton(AF_INET, ip, &a4) == 1 || inet_pton(AF_INET6, ip, &a6) == 1;
}

int
ref_make_addr(const char *ip, unsigned port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return 0;
	}
	return -1;
}

int
ref_bind(const char *bind_addr, unsigned port, int type, int rcvbuf, unsigned *bound,
    char *errbuf, size_t errlen)
{
	const char *addrs[2] = { bind_addr ? bind_addr : "::", bind_addr ? NULL : "0.0.0.0" };
	int one = 1, zero = 0, stream = type == SOCK_STREAM;

	for (int i = 0; i < 2 && addrs[i]; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		int fd;

		if (ref_make_addr(addrs[i], port, &ss, &len) < 0) {
			snprintf(errbuf, errlen, "bad bind address '%s'", addrs[i]);
			return -1;
		}
		fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;	/* no IPv6: try IPv4 */
		if (stream)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ss.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (rcvbuf > 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		if (bind(fd, (struct sockaddr *)&ss, len) < 0 || (stream && listen(fd, 64) < 0)) {
			if (stream)
				snprintf(errbuf, errlen, "cannot listen on port %u: %s", port,
				    strerror(errno));
			else
				snprintf(errbuf, errlen, "cannot bind UDP port %u: %s", port,
				    strerror(errno));
			close(fd);
			if (errno == EADDRINUSE || ss.ss_family == AF_INET)
				return -1;
			continue;
		}
		len = sizeof(ss);
		getsockname(fd, (struct sockaddr *)&ss, &len);
		*bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
		return fd;
	}
	snprintf(errbuf, errlen, "cannot create a %s socket: %s", stream ? "stream" : "datagram",
	    strerror(errno));
	return -1;
}

int
ref_listen(const char *bind_addr, unsigned port, int rcvbuf, unsigned *bound, char *errbuf,
    size_t errlen)
{
	return ref_bind(bind_addr, port, SOCK_STREAM, rcvbuf, bound, errbuf, errlen);
}

int
ref_connect(const char *ip, unsigned port, int rcvbuf, int *err_no, char *errbuf, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	*err_no = 0;
	if (ref_make_addr(ip, port, &ss, &len) < 0) {
		*err_no = EINVAL;
		snprintf(errbuf, errlen, "bad address '%s'", ip);
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		*err_no = errno;
		snprintf(errbuf, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	while (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		if (errno == EINTR)
			continue;
		*err_no = errno;
		snprintf(errbuf, errlen, "connect to %s port %u: %s", ip, port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void
ref_reset(int fd)
{
	struct linger lg = { 1, 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

void
ref_peer_name(int fd, char *buf, size_t len, unsigned *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	snprintf(buf, len, "?");
	*port = 0;
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	ref_addr_name(&ss, buf, len, port);
}

void
ref_addr_name(const struct sockaddr_storage *sa, char *buf, size_t len, unsigned *port)
{
	struct sockaddr_storage ss = *sa;

	snprintf(buf, len, "?");
	*port = 0;
	if (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&ss)->sin6_addr)) {
		/* ::ffff:127.0.0.1 from a dual-stack socket: shown as the IPv4 it is */
		struct sockaddr_in6 a6 = *(struct sockaddr_in6 *)&ss;
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
		memset(&ss, 0, sizeof(ss));
		a4->sin_family = AF_INET;
		a4->sin_port = a6.sin6_port;
		memcpy(&a4->sin_addr, &a6.sin6_addr.s6_addr[12], 4);
	}
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &a->sin_addr, buf, (socklen_t)len);
		*port = ntohs(a->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &a->sin6_addr, buf, (socklen_t)len);
		*port = ntohs(a->sin6_port);
	}
}
