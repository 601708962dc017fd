/*
 * udp_echo_server: the reference UDP echo server (PROTOCOLS.md, UDP echo).
 * Every datagram goes back, the same bytes, to the address and port it came
 * from, for any number of clients. Fault flags shape the replies: drop,
 * duplicate, reorder, delay, truncate, mangle, another source port, and
 * datagrams nobody asked for. Flags and events: reports/events.md.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ref_mangle.h"
#include "ref_net.h"
#include "ref_opts.h"
#include "ref_start.h"
#include "ref_udp.h"

#define NPEND 256
#define HOLD_MAX_US 2000000u	/* a reordered reply waits for the next one this long at most */

struct pend {
	int used;
	unsigned i;		/* the datagram it answers */
	uint64_t due_us;	/* UINT64_MAX: held for reordering */
	unsigned char *data;
	size_t len;
	struct sockaddr_storage to;
	socklen_t tolen;
	uint64_t held_since;
};

struct srv {
	int fd, out_fd;		/* out_fd: the socket replies leave from */
	struct ref_events *ev;
	const struct ref_opts *o;
	struct pend pend[NPEND];
	int failed;
};

static void
send_one(struct srv *s, const struct pend *p, const char *kind)
{
	char addr[64];
	unsigned port;
	ssize_t n;

	ref_addr_name(&p->to, addr, sizeof(addr), &port);
	while ((n = sendto(s->out_fd, p->data, p->len, 0, (const struct sockaddr *)&p->to,
	    p->tolen)) < 0 && errno == EINTR)
		;
	if (n < 0) {
		ref_event(s->ev, "send_error", 0, "i", 'u', (uint64_t)p->i, "error", 's',
		    ref_errno_name(errno), NULL);
		return;
	}
	ref_event(s->ev, "dgram_out", 0, "i", 'u', (uint64_t)p->i, "n", 'u', (uint64_t)n, "to", 's',
	    addr, "port", 'u', (uint64_t)port, "from_port", 'u',
	    (uint64_t)ref_udp_local_port(s->out_fd), "kind", 's', kind, NULL);
}

static int
enqueue(struct srv *s, unsigned i, const unsigned char *buf, size_t len,
    const struct sockaddr_storage *to, socklen_t tolen, uint64_t due)
{
	for (int k = 0; k < NPEND; k++) {
		struct pend *p = &s->pend[k];
		if (p->used)
			continue;
		if ((p->data = malloc(len ? len : 1)) == NULL)
			return -1;
		memcpy(p->data, buf, len);
		p->len = len;
		p->i = i;
		p->to = *to;
		p->tolen = tolen;
		p->due_us = due;
		p->held_since = ref_events_now(s->ev);
		p->used = 1;
		return 0;
	}
	return -1;
}

/* Send every reply that is due, oldest datagram first; a held one follows the next. */
static void
flush(struct srv *s)
{
	uint64_t now = ref_events_now(s->ev);
	int sent_other = 0;

	for (;;) {
		struct pend *best = NULL;
		for (int k = 0; k < NPEND; k++) {
			struct pend *p = &s->pend[k];
			if (p->used && p->due_us <= now && (best == NULL || p->i < best->i))
				best = p;
		}
		if (best == NULL)
			break;
		send_one(s, best, s->o->reorder == best->i ? "reordered" : "reply");
		if (s->o->duplicate == best->i)
			send_one(s, best, "duplicate");
		if (s->o->reorder != best->i)
			sent_other = 1;
		free(best->data);
		best->used = 0;
	}
	for (int k = 0; k < NPEND; k++) {
		struct pend *p = &s->pend[k];
		if (p->used && p->due_us == UINT64_MAX &&
		    (sent_other || now - p->held_since >= HOLD_MAX_US)) {
			p->due_us = now;
			flush(s);
			return;
		}
	}
}

/* ms until the next reply is due, -1: none */
static int
next_due_ms(const struct srv *s)
{
	uint64_t now = ref_events_now(s->ev), best = UINT64_MAX;

	for (int k = 0; k < NPEND; k++) {
		const struct pend *p = &s->pend[k];
		uint64_t due = p->due_us == UINT64_MAX ? p->held_since + HOLD_MAX_US : p->due_us;
		if (p->used && due < best)
			best = due;
	}
	if (best == UINT64_MAX)
		return -1;
	return best <= now ? 0 : (int)((best - now + 999) / 1000);
}

int
main(int argc, char **argv)
{
	static unsigned char buf[65536];
	struct ref_opts o;
	struct ref_events ev;
	struct srv s;
	char err[512], addr[64];
	unsigned port, bound, other = 0, cport;
	long count = 0;
	int rc, tcp_fd = -1;

	signal(SIGPIPE, SIG_IGN);
	if ((rc = ref_start(argc, argv, REF_UDP_SERVER, &o, &port)) >= 0)
		return rc;
	if (ref_start_events(REF_UDP_SERVER, &o, &ev) < 0)
		return 2;
	memset(&s, 0, sizeof(s));
	s.ev = &ev;
	s.o = &o;
	if ((s.fd = ref_udp_bind(o.bind, port, o.rcvbuf, &bound, err, sizeof(err))) < 0) {
		fprintf(stderr, "udp_echo_server: %s\n", err);
		ref_event(&ev, "end", 0, "status", 'i', (int64_t)2, "message", 's', err, NULL);
		return 2;
	}
	s.out_fd = s.fd;
	if (o.other_port) {
		const char *b = o.bind;
		if ((s.out_fd = ref_udp_bind(b, 0, 0, &other, err, sizeof(err))) < 0) {
			fprintf(stderr, "udp_echo_server: %s\n", err);
			return 2;
		}
	}
	if (o.catch_tcp) {
		unsigned tbound;
		if ((tcp_fd = ref_listen(o.bind, bound, 0, &tbound, err, sizeof(err))) < 0) {
			fprintf(stderr, "udp_echo_server: --catch-tcp: %s\n", err);
			return 2;
		}
	}
	ref_event(&ev, "listen", 0, "addr", 's', o.bind ? o.bind : "::", "port", 'u',
	    (uint64_t)bound, "proto", 's', "udp", NULL);
	while (o.max_datagrams < 0 || count < o.max_datagrams || next_due_ms(&s) >= 0) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ssize_t n;
		int w = next_due_ms(&s);

		if (o.max_datagrams >= 0 && count >= o.max_datagrams) {
			ref_sleep_us((uint64_t)w * 1000);
			flush(&s);
			continue;
		}
		if (tcp_fd >= 0) {
			/* a TCP client where a UDP one belongs: noted, then let go */
			struct pollfd pf[2] = { { .fd = s.fd, .events = POLLIN },
			    { .fd = tcp_fd, .events = POLLIN } };
			if (poll(pf, 2, w) <= 0 || !(pf[0].revents & POLLIN)) {
				if (pf[1].revents & POLLIN) {
					int cfd = accept4(tcp_fd, NULL, NULL, SOCK_CLOEXEC);
					if (cfd >= 0) {
						ref_peer_name(cfd, addr, sizeof(addr), &cport);
						ref_event(&ev, "tcp_accept", 0, "addr", 's', addr, "port", 'u',
						    (uint64_t)cport, NULL);
						close(cfd);
					}
				}
				flush(&s);
				continue;
			}
		} else if (ref_udp_wait(s.fd, w) <= 0) {
			flush(&s);
			continue;
		}
		n = recvfrom(s.fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* ECONNREFUSED and the like: an ICMP error from an earlier reply */
			ref_event(&ev, "recv_error", 0, "error", 's', ref_errno_name(errno), NULL);
			continue;
		}
		count++;
		ref_addr_name(&from, addr, sizeof(addr), &cport);
		ref_event(&ev, "dgram_in", 0, "i", 'u', (uint64_t)count, "n", 'u', (uint64_t)n, "from",
		    's', addr, "port", 'u', (uint64_t)cport, NULL);
		if (count == 1 && o.unasked) {
			for (uint64_t k = 0; k < o.unasked; k++) {
				static const char text[] = "a datagram nobody asked for\n";
				struct pend p = { .i = 0, .data = (unsigned char *)text,
				    .len = sizeof(text) - 1, .to = from, .tolen = fromlen };
				send_one(&s, &p, "unasked");
			}
		}
		if (o.drop == (unsigned)count) {
			ref_event(&ev, "dgram_drop", 0, "i", 'u', (uint64_t)count, NULL);
			flush(&s);
			continue;
		}
		size_t len = (size_t)n > sizeof(buf) ? sizeof(buf) : (size_t)n;
		if (o.truncate >= 0 && len > (size_t)o.truncate)
			len = (size_t)o.truncate;
		if (o.mangle)
			ref_mangle_buf(buf, len);
		uint64_t due = ref_events_now(&ev) + (uint64_t)o.delay_ms * 1000;
		if (o.reorder == (unsigned)count)
			due = UINT64_MAX;
		if (enqueue(&s, (unsigned)count, buf, len, &from, fromlen, due) < 0)
			ref_event(&ev, "dgram_drop", 0, "i", 'u', (uint64_t)count, "why", 's',
			    "queue full", NULL);
		flush(&s);
	}
	snprintf(err, sizeof(err), "udp_echo_server: %ld datagram%s", count, count == 1 ? "" : "s");
	ref_event(&ev, "end", 0, "status", 'i', (int64_t)0, "message", 's', err, NULL);
	fprintf(stderr, "%s\n", err);
	return 0;
}
