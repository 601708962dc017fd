/*
 * echo_client: the reference TCP echo client (PROTOCOLS.md). Line mode: each
 * line of standard input is sent, then exactly as many bytes are received
 * and printed. Payload mode (--size): a generated payload is sent while the
 * echo is read (poll), verified on the fly. Flags: reports/events.md.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ref_conn.h"
#include "ref_net.h"
#include "ref_opts.h"
#include "ref_start.h"
#include "ref_payload.h"

#define BUF 65536

/*
 * SIGUSR1: "stop waiting". sockcheck sends it when what this client waits
 * for can no longer change a check: the hold of a client that kept the
 * server busy, once the other clients have ended; or the echo of a client
 * that the server provably does not serve while another holds on. It is
 * blocked except inside wait(), so it ends a wait whenever it comes.
 */
static volatile sig_atomic_t stop_waiting;

static void
on_usr1(int sig)
{
	(void)sig;
	stop_waiting = 1;
}

/* poll() that SIGUSR1 ends (-1 with errno EINTR and stop_waiting set). */
static int
wait_fds(struct pollfd *p, nfds_t n, int ms)
{
	sigset_t open_mask;
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	if (stop_waiting) {
		errno = EINTR;
		return -1;
	}
	sigprocmask(SIG_SETMASK, NULL, &open_mask);
	sigdelset(&open_mask, SIGUSR1);
	return ppoll(p, n, ms < 0 ? NULL : &ts, &open_mask);
}

/* Receive exactly len bytes (the lecture's recvn). 0 done, -1 error/EOF/timeout. */
static int
recvn(struct ref_conn *c, unsigned char *buf, size_t len, unsigned timeout_ms)
{
	size_t got = 0;
	while (got < len) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int r;
		do
			r = wait_fds(&p, 1, (int)timeout_ms);
		while (r < 0 && errno == EINTR && !stop_waiting);
		if (r <= 0) {
			ref_event(c->ev, "timeout", c->id, "what", 's', "echo", "ms", 'u',
			    (uint64_t)timeout_ms, NULL);
			return -1;
		}
		ssize_t n = ref_conn_read(c, buf + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int
line_mode(struct ref_conn *c, const struct ref_opts *o)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int status = 0;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		int w = ref_conn_write(c, line, (size_t)len);
		if (w != 0) {
			status = w < 0;
			break;
		}
		if (recvn(c, (unsigned char *)line, (size_t)len, o->timeout_ms) < 0) {
			status = 1;
			break;
		}
		fwrite(line, 1, (size_t)len, stdout);
		fflush(stdout);
	}
	free(line);
	return status;
}

/* Read what arrives during the idle period: bytes the server sent unasked. */
static uint64_t
idle(struct ref_conn *c, unsigned ms, unsigned char *buf)
{
	uint64_t until = ref_events_now(c->ev) + (uint64_t)ms * 1000, n = 0;
	for (;;) {
		uint64_t now = ref_events_now(c->ev);
		if (now >= until)
			break;
		if (ref_conn_wait_readable(c, (int)((until - now) / 1000) + 1) <= 0)
			continue;
		ssize_t k = ref_conn_read(c, buf, BUF);
		if (k <= 0)
			break;
		n += (uint64_t)k;
	}
	ref_event(c->ev, "idle", c->id, "ms", 'u', (uint64_t)ms, "n", 'u', n, NULL);
	return n;
}

static int
payload_mode(struct ref_conn *c, const struct ref_opts *o)
{
	static unsigned char out[BUF], in[BUF], want[BUF];
	struct ref_payload send_pl, check_pl;
	size_t out_len = 0, out_off = 0;
	uint64_t limit = UINT64_MAX;
	int mismatch = 0, status = 0, deliberate = 0;
	uint64_t last_progress = ref_events_now(c->ev), next_due = last_progress;

	ref_payload_init(&send_pl, o->pattern, o->seed, o->size);
	ref_payload_init(&check_pl, o->pattern, o->seed, o->size);
	if (o->close_after >= 0)
		limit = (uint64_t)o->close_after;
	if (o->reset_after >= 0 && (uint64_t)o->reset_after < limit)
		limit = (uint64_t)o->reset_after;
	while (c->in < o->size && !c->gone) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		uint64_t now = ref_events_now(c->ev);
		int can_send = c->out < o->size && c->out < limit;
		if (can_send && now >= next_due)
			p.events |= POLLOUT;
		int wait_ms = 100;
		if (can_send && next_due > now && (next_due - now) / 1000 < 100)
			wait_ms = (int)((next_due - now) / 1000);
		if (wait_fds(&p, 1, wait_ms) < 0 && errno != EINTR)
			break;
		now = ref_events_now(c->ev);
		if (stop_waiting || now - last_progress > (uint64_t)o->timeout_ms * 1000) {
			/* told to stop: how long it really waited */
			ref_event(c->ev, "timeout", c->id, "what", 's', "echo", "ms", 'u',
			    stop_waiting ? (now - last_progress) / 1000 : (uint64_t)o->timeout_ms, NULL);
			status = 1;
			break;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = ref_conn_read(c, in, BUF);
			if (n <= 0) {
				status = 1;
				break;
			}
			last_progress = now;
			ref_payload_read(&check_pl, want, (size_t)n);
			if (!mismatch && memcmp(in, want, (size_t)n) != 0) {
				size_t i = 0;
				while (in[i] == want[i])
					i++;
				ref_event(c->ev, "mismatch", c->id, "off", 'u', c->in - (uint64_t)n + i,
				    "expected", 'i', (int64_t)want[i], "got", 'i', (int64_t)in[i], NULL);
				mismatch = 1;
			}
		}
		if ((p.revents & POLLOUT) && can_send) {
			if (out_off == out_len) {
				size_t want_n = o->chunk ? o->chunk : BUF;
				if (want_n > BUF)
					want_n = BUF;
				if (c->out + want_n > limit)
					want_n = (size_t)(limit - c->out);
				out_len = ref_payload_read(&send_pl, out, want_n);
				out_off = 0;
			}
			ssize_t n = ref_conn_send_some(c, out + out_off, out_len - out_off);
			if (n < 0) {
				status = 1;
				break;
			}
			out_off += (size_t)n;
			if (n > 0)
				last_progress = now;
			if (o->chunk && o->gap_us && out_off == out_len)
				next_due += o->gap_us;
		}
		if (c->out >= limit && out_off == out_len) {
			if (o->reset_after >= 0 && c->out >= (uint64_t)o->reset_after)
				ref_conn_reset(c);
			else
				ref_conn_close(c, "close-after");
			deliberate = 1;
		}
	}
	if (deliberate)
		return 0;
	return status || mismatch || c->in < o->size;
}

/* --hold-ms: keep the connection open H ms, or until SIGUSR1 (above). */
static void
hold(const struct ref_events *ev, unsigned ms)
{
	uint64_t end = ref_events_now(ev) + (uint64_t)ms * 1000;

	for (;;) {
		uint64_t now = ref_events_now(ev);
		if (stop_waiting || now >= end)
			return;
		wait_fds(NULL, 0, (int)((end - now + 999) / 1000));
	}
}

int
main(int argc, char **argv)
{
	static unsigned char buf[BUF];
	struct ref_opts o;
	struct ref_events ev;
	struct ref_conn c;
	char msg[512];
	unsigned port;
	int rc, status = 0;

	sigset_t usr1;
	struct sigaction sa;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);	/* delivered in wait_fds() only */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	if ((rc = ref_start(argc, argv, REF_ECHO_CLIENT, &o, &port)) >= 0)
		return rc;
	if (ref_start_events(REF_ECHO_CLIENT, &o, &ev) < 0)
		return 2;
	if (ref_start_connect(REF_ECHO_CLIENT, &o, port, &ev, &c) < 0)
		return 1;
	if (o.no_read_ms)
		ref_sleep_us((uint64_t)o.no_read_ms * 1000);
	if (o.idle_ms && idle(&c, o.idle_ms, buf) > 0 && o.expect_nothing)
		status = 1;
	if (o.have_size)
		status = payload_mode(&c, &o) || status;
	else if (!o.idle_ms)
		status = line_mode(&c, &o) || status;
	if (o.hold_ms && !c.gone)
		hold(&ev, o.hold_ms);
	if (!c.gone)
		ref_conn_close(&c, "done");
	ref_conn_summary(&c);
	snprintf(msg, sizeof(msg), "echo_client: sent %llu bytes, %llu came back%s",
	    (unsigned long long)c.out, (unsigned long long)c.in, status ? " (not as expected)" : "");
	ref_event(&ev, "end", 0, "status", 'i', (int64_t)status, "message", 's', msg, NULL);
	fprintf(stderr, "%s\n", msg);
	return status;
}
