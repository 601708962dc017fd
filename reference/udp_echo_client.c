/*
 * udp_echo_client: the reference UDP echo client (PROTOCOLS.md, UDP echo).
 * Line mode: each line of standard input (with its newline) is one
 * datagram; the reply is printed. Sizes mode (--sizes): generated datagrams
 * of the given sizes, each reply verified: whole, the same bytes, from the
 * address and port the datagram went to. A reply later than
 * --reply-timeout-ms counts as lost. Flags and events: reports/events.md.
 *
 * "Later" is the kernel's arrival time of the reply (SO_TIMESTAMPNS) less
 * the time taken just before the datagram was sent: how long this client
 * took to be scheduled and read it does not count, so a busy machine can
 * neither lose a reply that came in time nor save one that came late.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ref_net.h"
#include "ref_opts.h"
#include "ref_payload.h"
#include "ref_start.h"
#include "ref_udp.h"

struct cli {
	int fd;
	struct sockaddr_storage to;
	socklen_t tolen;
	struct ref_events *ev;
	const struct ref_opts *o;
	unsigned sent, answered, lost, wrong;
	int64_t sent_ns;	/* CLOCK_REALTIME just before the last datagram went out */
	int64_t sent_mono_ns;	/* ... and CLOCK_MONOTONIC then (the wait's deadline) */
};

static int64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
send_dgram(struct cli *c, unsigned i, const void *buf, size_t len)
{
	ssize_t n;

	/* before the send: no reply can arrive before this */
	c->sent_ns = clock_ns(CLOCK_REALTIME);
	c->sent_mono_ns = clock_ns(CLOCK_MONOTONIC);
	while ((n = c->o->do_connect ? send(c->fd, buf, len, 0) :
	    sendto(c->fd, buf, len, 0, (struct sockaddr *)&c->to, c->tolen)) < 0 && errno == EINTR)
		;
	if (n < 0) {
		ref_event(c->ev, "send_error", 0, "i", 'u', (uint64_t)i, "error", 's',
		    ref_errno_name(errno), NULL);
		return -1;
	}
	c->sent++;
	ref_event(c->ev, "dgram_out", 0, "i", 'u', (uint64_t)i, "n", 'u', (uint64_t)n, NULL);
	return 0;
}

/*
 * The next datagram that arrived within ms of the last send: its length (0
 * allowed), -1 none (timeout or error). *after_us: its arrival (the kernel's
 * stamp) less the send time. One that arrived later is read and returned
 * too, with *after_us past ms: the caller counts it lost.
 */
static ssize_t
recv_dgram(struct cli *c, unsigned char *buf, size_t cap, int ms, int *from_ok,
    int64_t *after_us)
{
	struct sockaddr_storage from;
	char addr[64];
	unsigned port;
	ssize_t n;
	int64_t deadline = c->sent_mono_ns + (int64_t)ms * 1000000;

	for (;;) {
		int64_t left = deadline - clock_ns(CLOCK_MONOTONIC);
		/* past the deadline: whatever is already queued, at once */
		int r = ref_udp_wait(c->fd, left > 0 ? (int)((left + 999999) / 1000000) : 0);
		if (r <= 0)
			return -1;
		struct iovec iov = { .iov_base = buf, .iov_len = cap };
		union {
			char buf[CMSG_SPACE(sizeof(struct timespec))];
			struct cmsghdr align;
		} ctl;
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			.msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
		n = recvmsg(c->fd, &mh, MSG_TRUNC);
		if (n >= 0) {
			int64_t arrived = clock_ns(CLOCK_REALTIME);	/* no stamp: now, later still */
			for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
				if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
					struct timespec ts;
					memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
					arrived = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
				}
			*after_us = (arrived - c->sent_ns) / 1000;
			break;
		}
		if (errno == EINTR || errno == EAGAIN)
			continue;
		/* ECONNREFUSED: an ICMP port unreachable for an earlier datagram */
		ref_event(c->ev, "recv_error", 0, "error", 's', ref_errno_name(errno), NULL);
		if (errno != ECONNREFUSED)
			return -1;
	}
	ref_addr_name(&from, addr, sizeof(addr), &port);
	*from_ok = ref_udp_same_addr(&from, &c->to);
	ref_event(c->ev, "dgram_in", 0, "n", 'u', (uint64_t)n, "from", 's', addr, "port", 'u',
	    (uint64_t)port, "after_us", 'i', *after_us, NULL);
	return n;
}

/* Compare a reply with what datagram i carried and log the verdict. */
static void
judge_reply(struct cli *c, unsigned i, const unsigned char *sent, size_t slen,
    const unsigned char *got, ssize_t n, int from_ok, unsigned ms, int64_t after_us)
{
	size_t have = (size_t)n < 65536 ? (size_t)n : 65536, k = 0, cmp;

	if (n < 0 || after_us > (int64_t)ms * 1000) {
		c->lost++;
		if (n < 0)
			ref_event(c->ev, "lost", 0, "i", 'u', (uint64_t)i, "sent", 'u', (uint64_t)slen,
			    "ms", 'u', (uint64_t)ms, NULL);
		else	/* it came, too late */
			ref_event(c->ev, "lost", 0, "i", 'u', (uint64_t)i, "sent", 'u', (uint64_t)slen,
			    "ms", 'u', (uint64_t)ms, "late_us", 'i', after_us, NULL);
		return;
	}
	cmp = have < slen ? have : slen;
	while (k < cmp && sent[k] == got[k])
		k++;
	int same = (size_t)n == slen && k == slen;
	int prefix = k == cmp;		/* one is the start of the other */
	/* cut short where a NUL byte was: strlen() took the datagram for a string */
	int cut_nul = prefix && (size_t)n < slen && sent[n] == 0;
	c->answered++;
	if (!same || !from_ok)
		c->wrong++;
	ref_event(c->ev, "reply", 0, "i", 'u', (uint64_t)i, "sent", 'u', (uint64_t)slen, "n", 'u',
	    (uint64_t)n, "same", 'b', same, "prefix", 'b', prefix, "diff_off", 'i',
	    (int64_t)(same || prefix ? -1 : (int64_t)k), "cut_nul", 'b', cut_nul, "from_ok", 'b',
	    from_ok, "after_us", 'i', after_us, NULL);
}

static int
sizes_mode(struct cli *c)
{
	const struct ref_opts *o = c->o;
	int count = ref_sizes_parse(o->sizes, NULL, 0);
	unsigned *sizes = calloc((size_t)count, sizeof(*sizes));
	unsigned char **data = calloc((size_t)count, sizeof(*data));
	static unsigned char in[65536];

	if (sizes == NULL || data == NULL)
		return 1;
	ref_sizes_parse(o->sizes, sizes, (size_t)count);
	for (int i = 0; i < count; i++) {
		struct ref_payload pl;
		if ((data[i] = malloc(sizes[i] ? sizes[i] : 1)) == NULL)
			return 1;
		ref_payload_init(&pl, o->pattern, o->seed + (uint64_t)i, sizes[i]);
		ref_payload_read(&pl, data[i], sizes[i]);
	}
	for (int i = 0; i < count; i++) {
		int from_ok = 0;
		int64_t after = 0;
		if (i > 0 && o->gap_ms)
			ref_sleep_us((uint64_t)o->gap_ms * 1000);
		if (send_dgram(c, (unsigned)i + 1, data[i], sizes[i]) < 0)
			c->lost++;
		else if (!o->burst && !o->no_reply_wait) {
			ssize_t n = recv_dgram(c, in, sizeof(in), (int)o->reply_timeout_ms, &from_ok,
			    &after);
			judge_reply(c, (unsigned)i + 1, data[i], sizes[i], in, n, from_ok,
			    o->reply_timeout_ms, after);
		}
	}
	/* a burst: every reply within the timeout of the last datagram */
	for (int i = 0; o->burst && !o->no_reply_wait && i < count; i++) {
		int from_ok = 0;
		int64_t after = 0;
		ssize_t n = recv_dgram(c, in, sizeof(in), (int)o->reply_timeout_ms, &from_ok, &after);
		judge_reply(c, (unsigned)i + 1, data[i], sizes[i], in, n, from_ok,
		    o->reply_timeout_ms, after);
	}
	for (int i = 0; i < count; i++)
		free(data[i]);
	free(data);
	free(sizes);
	return c->lost || c->wrong;
}

static int
line_mode(struct cli *c)
{
	static unsigned char in[65536];
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned i = 0;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		int from_ok = 0;
		int64_t after = 0;
		ssize_t n;
		if (send_dgram(c, ++i, line, (size_t)len) < 0)
			break;
		n = recv_dgram(c, in, sizeof(in), (int)c->o->timeout_ms, &from_ok, &after);
		judge_reply(c, i, (unsigned char *)line, (size_t)len, in, n, from_ok,
		    c->o->timeout_ms, after);
		if (n >= 0 && after <= (int64_t)c->o->timeout_ms * 1000) {
			fwrite(in, 1, (size_t)n < sizeof(in) ? (size_t)n : sizeof(in), stdout);
			fflush(stdout);
		}
	}
	free(line);
	return c->lost || c->wrong;
}

int
main(int argc, char **argv)
{
	struct ref_opts o;
	struct ref_events ev;
	struct cli c;
	char err[512];
	unsigned port;
	int rc, status;

	signal(SIGPIPE, SIG_IGN);
	if ((rc = ref_start(argc, argv, REF_UDP_CLIENT, &o, &port)) >= 0)
		return rc;
	if (ref_start_events(REF_UDP_CLIENT, &o, &ev) < 0)
		return 2;
	memset(&c, 0, sizeof(c));
	c.ev = &ev;
	c.o = &o;
	if ((c.fd = ref_udp_open(o.args[0], port, o.rcvbuf, o.do_connect, &c.to, &c.tolen, err,
	    sizeof(err))) < 0) {
		fprintf(stderr, "udp_echo_client: %s\n", err);
		ref_event(&ev, "connect_error", 0, "error", 's', "EINVAL", "message", 's', err, NULL);
		ref_event(&ev, "end", 0, "status", 'i', (int64_t)1, "message", 's', err, NULL);
		return 1;
	}
	{
		int on = 1;	/* arrival stamps of the replies (see the top) */
		setsockopt(c.fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
	}
	if (o.do_connect)
		ref_event(&ev, "connect", 0, "addr", 's', o.args[0], "port", 'u', (uint64_t)port,
		    "proto", 's', "udp", NULL);
	status = o.sizes ? sizes_mode(&c) : line_mode(&c);
	ref_event(&ev, "socket", 0, "port", 'u', (uint64_t)ref_udp_local_port(c.fd), NULL);
	snprintf(err, sizeof(err), "udp_echo_client: %u datagram%s sent, %u answered%s%s",
	    c.sent, c.sent == 1 ? "" : "s", c.answered,
	    c.lost ? ", some lost" : "", c.wrong ? ", some not as sent" : "");
	ref_event(&ev, "end", 0, "status", 'i', (int64_t)status, "message", 's', err, NULL);
	fprintf(stderr, "%s\n", err);
	close(c.fd);
	return status;
}
