#include <errno.h>
#include <poll.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ref_conn.h"
#include "ref_net.h"

const char *
ref_errno_name(int e)
{
	switch (e) {
	case EPIPE: return "EPIPE";
	case ECONNRESET: return "ECONNRESET";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENETUNREACH: return "ENETUNREACH";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case EBADF: return "EBADF";
	case ENOTCONN: return "ENOTCONN";
	default: return strerrorname_np(e) ? strerrorname_np(e) : "EIO";
	}
}

void
ref_sleep_us(uint64_t us)
{
	struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void
ref_conn_init(struct ref_conn *c, int fd, unsigned id, struct ref_events *ev,
    const struct ref_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->id = id;
	c->ev = ev;
	c->o = o;
	/* the digests are for the event log's summary: without a log, no hashing */
	if (ev->fd >= 0) {
		ref_digest_init(&c->dout);
		ref_digest_init(&c->din);
	}
	c->start_us = ref_events_now(ev);
	c->next_write_us = c->start_us;
	if (o->chunk) {
		/* else Nagle and delayed ACKs merge the pieces on the wire */
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
}

static int
io_event_ok(struct ref_conn *c)
{
	if (c->io_events < REF_IO_EVENT_CAP) {
		c->io_events++;
		return 1;
	}
	if (!c->truncated_logged) {
		c->truncated_logged = 1;
		ref_event(c->ev, "truncated", c->id, "after", 'u', (uint64_t)REF_IO_EVENT_CAP, NULL);
	}
	return 0;
}

void
ref_conn_close(struct ref_conn *c, const char *reason)
{
	if (c->gone)
		return;
	close(c->fd);
	c->gone = 1;
	ref_event(c->ev, "close", c->id, "reason", 's', reason, NULL);
}

void
ref_conn_reset(struct ref_conn *c)
{
	if (c->gone)
		return;
	ref_reset(c->fd);
	c->gone = 1;
	ref_event(c->ev, "reset", c->id, "off", 'u', c->out, NULL);
}

void
ref_conn_shutdown(struct ref_conn *c)
{
	shutdown(c->fd, SHUT_WR);
	ref_event(c->ev, "shutdown", c->id, "off", 'u', c->out, NULL);
}

/* Plain write loop of one piece; returns -1 on error (logged). */
static int
write_piece(struct ref_conn *c, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECONNRESET)
				c->rst = 1;
			ref_event(c->ev, "write_error", c->id, "off", 'u', c->out, "error", 's',
			    ref_errno_name(errno), NULL);
			return -1;
		}
		ref_digest_update(&c->dout, p, (size_t)n);
		if (io_event_ok(c))
			ref_event(c->ev, "write", c->id, "off", 'u', c->out, "n", 'u', (uint64_t)n, NULL);
		c->out += (uint64_t)n;
		c->writes++;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
ref_conn_write(struct ref_conn *c, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	const struct ref_opts *o = c->o;
	int reader = o->prog == REF_FILE_CLIENT;	/* its limits count received bytes */

	if (c->gone)
		return 1;
	while (len > 0) {
		size_t n = len;
		if (o->chunk && n > o->chunk)
			n = o->chunk;
		if (!reader && o->close_after >= 0 && c->out + n > (uint64_t)o->close_after)
			n = (size_t)((uint64_t)o->close_after - c->out);
		if (!reader && o->reset_after >= 0 && c->out + n > (uint64_t)o->reset_after)
			n = (size_t)((uint64_t)o->reset_after - c->out);
		if (n == 0) {
			if (!reader && o->reset_after >= 0 && c->out >= (uint64_t)o->reset_after)
				ref_conn_reset(c);
			else
				ref_conn_close(c, "close-after");
			return 1;
		}
		if (o->chunk && o->gap_us && c->writes > 0) {
			/* absolute schedule: sleeps never accumulate drift */
			uint64_t now = ref_events_now(c->ev);
			c->next_write_us += o->gap_us;
			if (c->next_write_us > now)
				ref_sleep_us(c->next_write_us - now);
		}
		if (write_piece(c, p, n) < 0)
			return -1;
		p += n;
		len -= n;
	}
	if (!reader && o->reset_after >= 0 && c->out >= (uint64_t)o->reset_after) {
		ref_conn_reset(c);
		return 1;
	}
	if (!reader && o->close_after >= 0 && c->out >= (uint64_t)o->close_after) {
		ref_conn_close(c, "close-after");
		return 1;
	}
	return 0;
}

ssize_t
ref_conn_read(struct ref_conn *c, void *buf, size_t len)
{
	const struct ref_opts *o = c->o;
	ssize_t n;

	if (o->read_size && len > o->read_size)
		len = o->read_size;
	if (o->prog == REF_FILE_CLIENT) {
		int64_t lim = o->reset_after >= 0 ? o->reset_after : o->close_after;
		if (lim >= 0 && c->in + len > (uint64_t)lim && (uint64_t)lim > c->in)
			len = (size_t)((uint64_t)lim - c->in);
	}
	for (;;) {
		n = recv(c->fd, buf, len, 0);
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n < 0) {
		if (errno == ECONNRESET)
			c->rst = 1;
		ref_event(c->ev, "read_error", c->id, "off", 'u', c->in, "error", 's',
		    ref_errno_name(errno), NULL);
		return -1;
	}
	if (n == 0) {
		c->eof = 1;
		ref_event(c->ev, "eof", c->id, "off", 'u', c->in, NULL);
		return 0;
	}
	ref_digest_update(&c->din, buf, (size_t)n);
	if (c->in < REF_HEAD_IN) {
		/* the first bytes, as they come: known even if the peer is stopped */
		size_t k = REF_HEAD_IN - c->in < (uint64_t)n ? (size_t)(REF_HEAD_IN - c->in) :
		    (size_t)n;
		ref_event(c->ev, "read", c->id, "off", 'u', c->in, "n", 'u', (uint64_t)n,
		    "head", 'S', (const char *)buf, k, NULL);
	} else if (io_event_ok(c))
		ref_event(c->ev, "read", c->id, "off", 'u', c->in, "n", 'u', (uint64_t)n, NULL);
	c->in += (uint64_t)n;
	c->reads++;
	if (o->read_pause_us)
		ref_sleep_us(o->read_pause_us);
	return n;
}

int
ref_conn_wait_readable(struct ref_conn *c, int ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r;
}

void
ref_conn_summary(struct ref_conn *c)
{
	char hout[REF_DIGEST_HEX], hin[REF_DIGEST_HEX];

	ref_digest_final(&c->dout, hout);
	ref_digest_final(&c->din, hin);
	ref_event(c->ev, "summary", c->id, "bytes_out", 'u', c->out, "bytes_in", 'u', c->in,
	    "writes", 'u', c->writes, "reads", 'u', c->reads, "xxh128_out", 's', hout,
	    "xxh128_in", 's', hin, "eof", 'b', c->eof, "rst", 'b', c->rst, NULL);
}

ssize_t
ref_conn_send_some(struct ref_conn *c, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno == ECONNRESET)
			c->rst = 1;
		ref_event(c->ev, "write_error", c->id, "off", 'u', c->out, "error", 's',
		    ref_errno_name(errno), NULL);
		return -1;
	}
	ref_digest_update(&c->dout, buf, (size_t)n);
	if (io_event_ok(c))
		ref_event(c->ev, "write", c->id, "off", 'u', c->out, "n", 'u', (uint64_t)n, NULL);
	c->out += (uint64_t)n;
	c->writes++;
	return n;
}

int
ref_conn_await_ack(struct ref_conn *c, int ms)
{
	for (int waited = 0; waited <= ms; waited += 5) {
		struct pollfd p = { .fd = c->fd, .events = 0 };
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		/* POLLERR/POLLHUP come without asking: the reset */
		if (poll(&p, 1, 0) > 0 && (p.revents & (POLLERR | POLLHUP))) {
			/* read() would only repeat the EOF already seen: ask the socket */
			int e = 0;
			socklen_t elen = sizeof(e);
			getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &elen);
			ref_event(c->ev, "write_error", c->id, "off", 'u', c->out, "error", 's',
			    ref_errno_name(e ? e : ECONNRESET), NULL);
			c->rst = 1;
			return 1;
		}
		if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_unacked == 0)
			return 0;
		poll(NULL, 0, 5);
	}
	return -1;
}
