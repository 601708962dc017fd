/*
 * sdiag: sock_diag netlink dump of TCP connections (contract in sdiag.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include "sdiag.h"

static int
diag_socket(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
}

struct in_ns {
	int ns_fd;
	int fd;		/* result */
	int errnum;
	const char *what;
};

/* On a thread of its own, so the caller's thread never changes namespace. */
static void *
open_in_ns(void *arg)
{
	struct in_ns *a = arg;

	if (setns(a->ns_fd, CLONE_NEWNET) < 0) {
		a->errnum = errno;
		a->what = "setns";
		return NULL;
	}
	if ((a->fd = diag_socket()) < 0) {
		a->errnum = errno;
		a->what = "sock_diag socket";
	}
	return NULL;
}

int
sdiag_open(pid_t net_pid, struct sc_err *err)
{
	char path[64];
	struct in_ns a = { .ns_fd = -1, .fd = -1 };
	pthread_t th;
	int rc;

	if (net_pid == getpid()) {
		int fd = diag_socket();
		return fd < 0 ? sc_err_sys(err, "sock_diag socket") : fd;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)net_pid);
	if ((a.ns_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return sc_err_sys(err, "%s", path);
	rc = pthread_create(&th, NULL, open_in_ns, &a);
	if (rc == 0)
		pthread_join(th, NULL);
	close(a.ns_fd);
	if (rc != 0) {
		errno = rc;
		return sc_err_sys(err, "sock_diag thread");
	}
	if (a.fd < 0) {
		errno = a.errnum;
		return sc_err_sys(err, "%s", a.what);
	}
	return a.fd;
}

static int
dump_family(int fd, int family, struct sdiag_conn **out, size_t *n, size_t *cap,
    struct sc_err *err)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char rbuf[16384] __attribute__((aligned(8)));

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.req.sdiag_family = (unsigned char)family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	/* all but TCP_LISTEN and TCP_BOUND_INACTIVE (13: sockets bound, never
	 * connected, carry no bytes): asking for those walks the host's whole
	 * bind table, which namespaces share, at every look */
	msg.req.idiag_states = ~((1U << 10) | (1U << 13));
	msg.req.idiag_ext = 1U << (INET_DIAG_INFO - 1);
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return sc_err_sys(err, "sock_diag request");
	for (;;) {
		ssize_t len = recv(fd, rbuf, sizeof(rbuf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return sc_err_sys(err, "sock_diag reply");
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)len);
		    h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				errno = e->error ? -e->error : EPROTO;
				/* a kernel without IPv6 has nothing to dump there */
				return family == AF_INET6 && errno == ENOENT ? 0 :
				    sc_err_sys(err, "sock_diag");
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
				continue;
			struct inet_diag_msg *m = NLMSG_DATA(h);
			if (*n >= *cap) {
				size_t nc = *cap ? *cap * 2 : 16;
				struct sdiag_conn *nw = realloc(*out, nc * sizeof(*nw));
				if (nw == NULL)
					return sc_err_sys(err, "sock_diag");
				*out = nw;
				*cap = nc;
			}
			struct sdiag_conn *c = &(*out)[(*n)++];
			memset(c, 0, sizeof(*c));
			c->local_port = ntohs(m->id.idiag_sport);
			c->remote_port = ntohs(m->id.idiag_dport);
			c->state = m->idiag_state;
			c->rqueue = m->idiag_rqueue;
			c->wqueue = m->idiag_wqueue;
			int alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
			for (struct rtattr *at = (struct rtattr *)(m + 1); RTA_OK(at, alen);
			    at = RTA_NEXT(at, alen)) {
				if (at->rta_type != INET_DIAG_INFO)
					continue;
				struct tcp_info ti;
				size_t got = RTA_PAYLOAD(at);
				memset(&ti, 0, sizeof(ti));
				memcpy(&ti, RTA_DATA(at), got < sizeof(ti) ? got : sizeof(ti));
				c->bytes_acked = ti.tcpi_bytes_acked;
				c->bytes_received = ti.tcpi_bytes_received;
			}
		}
	}
}

ssize_t
sdiag_tcp(int fd, struct sdiag_conn **out, struct sc_err *err)
{
	size_t n = 0, cap = 0;

	*out = NULL;
	if (dump_family(fd, AF_INET, out, &n, &cap, err) < 0 ||
	    dump_family(fd, AF_INET6, out, &n, &cap, err) < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return (ssize_t)n;
}
