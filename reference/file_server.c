/*
 * file_server: the reference file-transfer server (PROTOCOLS.md): sends a
 * file, half-closes, reads the "Thank you" reply and prints it. Fault flags
 * and the event log: reports/events.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ref_conn.h"
#include "ref_net.h"
#include "ref_opts.h"
#include "ref_start.h"
#include "ref_payload.h"

#define BUF (1 << 20)

struct reply {
	char text[256];
	size_t n;		/* bytes received in all */
	int before_eof;
};

/* Take whatever reply bytes are waiting now, without blocking. */
static int
drain_reply(struct ref_conn *c, struct reply *r, int before_eof, unsigned char *buf)
{
	for (;;) {
		if (ref_conn_wait_readable(c, 0) <= 0)
			return 0;
		ssize_t n = ref_conn_read(c, buf, 4096);
		if (n <= 0)
			return n == 0 ? 1 : -1;
		if (r->n == 0)
			r->before_eof = before_eof;
		size_t k = (size_t)n;
		if (r->n < sizeof(r->text)) {
			size_t room = sizeof(r->text) - r->n;
			memcpy(r->text + r->n, buf, k < room ? k : room);
		}
		r->n += k;
	}
}

static int
serve(struct ref_conn *c, const struct ref_opts *o, const char *file, unsigned char *buf,
    int *all_sent)
{
	struct ref_payload pl;
	struct reply r;
	int fd = -1, rc, peer_gone = 0;

	memset(&r, 0, sizeof(r));
	*all_sent = 0;
	if (strcmp(file, "-") == 0)
		ref_payload_init(&pl, o->pattern, o->seed, o->size);
	else if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return 1;
	/* with --chunk, one piece per round, so an early reply is seen between pieces */
	size_t piece = o->chunk && o->chunk < BUF ? o->chunk : BUF;
	for (;;) {
		ssize_t n = fd >= 0 ? read(fd, buf, piece) : (ssize_t)ref_payload_read(&pl, buf, piece);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*all_sent = n == 0;
			break;
		}
		/* a reply arriving while we still send is noted as early */
		if (!peer_gone && drain_reply(c, &r, 1, buf + BUF) != 0)
			peer_gone = 1;
		rc = ref_conn_write(c, buf, (size_t)n);
		if (rc != 0) {
			if (fd >= 0)
				close(fd);
			return rc < 0 ? 1 : 0;
		}
	}
	if (fd >= 0)
		close(fd);
	if (o->close_instead) {
		ref_conn_close(c, "close-instead");
		return 0;
	}
	if (o->no_shutdown) {
		uint64_t until = ref_events_now(c->ev) + (uint64_t)(o->have_hold ? o->hold_ms : 2000) * 1000;
		while (!peer_gone) {
			uint64_t now = ref_events_now(c->ev);
			if (now >= until)
				break;
			if (ref_conn_wait_readable(c, (int)((until - now) / 1000) + 1) > 0 &&
			    drain_reply(c, &r, 1, buf) != 0)
				peer_gone = 1;
		}
		if (r.n)
			ref_event(c->ev, "reply", c->id, "text", 'S', r.text,
			    r.n < sizeof(r.text) ? r.n : sizeof(r.text), "n", 'u', (uint64_t)r.n,
			    "before_eof", 'b', 1, NULL);
		ref_conn_close(c, "hold");
		return 0;
	}
	ref_conn_shutdown(c);
	if (o->no_reply_wait) {
		ref_conn_close(c, "done");
		return 0;
	}
	if (!r.n)
		r.before_eof = 0;
	uint64_t until = ref_events_now(c->ev) + (uint64_t)o->reply_timeout_ms * 1000;
	int rd = 0;
	while (!peer_gone) {
		uint64_t now = ref_events_now(c->ev);
		if (now >= until) {
			ref_event(c->ev, "timeout", c->id, "what", 's', "reply", "ms", 'u',
			    (uint64_t)o->reply_timeout_ms, NULL);
			rd = -2;
			break;
		}
		if (ref_conn_wait_readable(c, (int)((until - now) / 1000) + 1) <= 0)
			continue;
		rd = drain_reply(c, &r, 0, buf);
		if (rd != 0)
			break;
	}
	if (r.n) {
		size_t k = r.n < sizeof(r.text) ? r.n : sizeof(r.text);
		ref_event(c->ev, "reply", c->id, "text", 'S', r.text, k, "n", 'u', (uint64_t)r.n,
		    "before_eof", 'b', r.before_eof, NULL);
		fwrite(r.text, 1, k, stdout);
		fflush(stdout);
	}
	ref_conn_close(c, "done");
	return r.n == 10 && memcmp(r.text, "Thank you\n", 10) == 0 && !r.before_eof && rd >= 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct ref_opts o;
	struct ref_events ev;
	char err[512];
	unsigned port, bound;
	long served = 0;
	int lfd, status = 0, rc;
	unsigned char *buf;

	signal(SIGPIPE, SIG_IGN);
	if ((rc = ref_start(argc, argv, REF_FILE_SERVER, &o, &port)) >= 0)
		return rc;
	if (strcmp(o.args[1], "-") == 0 ? !o.have_size : access(o.args[1], R_OK) < 0) {
		if (strcmp(o.args[1], "-") == 0)
			fprintf(stderr, "file_server: FILE '-' needs --size\n");
		else
			fprintf(stderr, "file_server: %s: %s\n", o.args[1], strerror(errno));
		return 2;
	}
	if (ref_start_events(REF_FILE_SERVER, &o, &ev) < 0)
		return 2;
	if ((lfd = ref_listen(o.bind, port, o.rcvbuf, &bound, err, sizeof(err))) < 0) {
		fprintf(stderr, "file_server: %s\n", err);
		ref_event(&ev, "end", 0, "status", 'i', (int64_t)2, "message", 's', err, NULL);
		return 2;
	}
	ref_event(&ev, "listen", 0, "addr", 's', o.bind ? o.bind : "::", "port", 'u', (uint64_t)bound, NULL);
	if ((buf = malloc(BUF + 4096)) == NULL)
		return 2;
	long max = o.max_clients >= 0 ? o.max_clients : 1;
	uint64_t total = 0;
	while (max == 0 || served < max) {
		struct ref_conn c;
		char addr[64];
		unsigned cport;
		int all_sent, cfd;

		cfd = ref_accept(lfd, &o);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			snprintf(err, sizeof(err), "accept: %s", strerror(errno));
			status = 1;
			break;
		}
		served++;
		ref_peer_name(cfd, addr, sizeof(addr), &cport);
		ref_conn_init(&c, cfd, (unsigned)served, &ev, &o);
		ref_event(&ev, "accept", c.id, "addr", 's', addr, "port", 'u', (uint64_t)cport, NULL);
		if (o.no_read_ms)
			ref_sleep_us((uint64_t)o.no_read_ms * 1000);
		if (serve(&c, &o, o.args[1], buf, &all_sent) != 0)
			status = 1;
		if (!c.gone)
			ref_conn_close(&c, "done");
		total += c.out;
		ref_conn_summary(&c);
	}
	snprintf(err, sizeof(err), "file_server: %ld client%s, %llu bytes sent, %s", served,
	    served == 1 ? "" : "s", (unsigned long long)total,
	    status ? "the exchange did not go as expected" : "ok");
	ref_event(&ev, "end", 0, "status", 'i', (int64_t)status, "message", 's', err, NULL);
	fprintf(stderr, "%s\n", err);
	free(buf);
	return status;
}
