/*
 * echo_server: the reference TCP echo server (PROTOCOLS.md). Each client is
 * served by its own process, so a slow or misbehaving client never holds up
 * another. Fault flags and the event log: reports/events.md.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ref_conn.h"
#include "ref_mangle.h"
#include "ref_net.h"
#include "ref_opts.h"
#include "ref_start.h"

static int
serve(int fd, unsigned id, struct ref_events *ev, const struct ref_opts *o)
{
	unsigned char buf[65536];
	struct ref_conn c;
	int status = 0;

	ref_conn_init(&c, fd, id, ev, o);
	if (o->unasked) {
		memset(buf, 'U', sizeof(buf));
		for (uint64_t left = o->unasked; left > 0 && !c.gone; ) {
			size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
			if (ref_conn_write(&c, buf, n) != 0)
				break;
			left -= n;
		}
	}
	if (o->no_read_ms)
		ref_sleep_us((uint64_t)o->no_read_ms * 1000);
	while (!c.gone) {
		int r = ref_conn_wait_readable(&c, (int)o->timeout_ms);
		if (r == 0) {
			ref_event(ev, "timeout", id, "what", 's', "data", "ms", 'u', (uint64_t)o->timeout_ms, NULL);
			status = 1;
			break;
		}
		ssize_t n = ref_conn_read(&c, buf, sizeof(buf));
		if (n <= 0) {
			status = n < 0;
			break;
		}
		if (o->close_after == 0 || o->reset_after == 0) {
			/* as soon as data arrives, before echoing */
			if (o->reset_after == 0)
				ref_conn_reset(&c);
			else
				ref_conn_close(&c, "close-after");
			break;
		}
		if (o->mangle)
			ref_mangle_buf(buf, (size_t)n);
		if (ref_conn_write(&c, buf, (size_t)n) < 0) {
			status = 1;
			break;
		}
	}
	if (!c.gone)
		ref_conn_close(&c, "done");
	ref_conn_summary(&c);
	return status;
}

int
main(int argc, char **argv)
{
	struct ref_opts o;
	struct ref_events ev;
	char err[512];
	unsigned port, bound;
	long served = 0;
	int lfd, rc, status = 0;

	signal(SIGPIPE, SIG_IGN);
	if ((rc = ref_start(argc, argv, REF_ECHO_SERVER, &o, &port)) >= 0)
		return rc;
	if (ref_start_events(REF_ECHO_SERVER, &o, &ev) < 0)
		return 2;
	if ((lfd = ref_listen(o.bind, port, o.rcvbuf, &bound, err, sizeof(err))) < 0) {
		fprintf(stderr, "echo_server: %s\n", err);
		ref_event(&ev, "end", 0, "status", 'i', (int64_t)2, "message", 's', err, NULL);
		return 2;
	}
	ref_event(&ev, "listen", 0, "addr", 's', o.bind ? o.bind : "::", "port", 'u', (uint64_t)bound, NULL);
	while (o.max_clients < 0 || served < o.max_clients) {
		char addr[64];
		unsigned cport;
		int cfd, ws;
		pid_t pid;

		while (waitpid(-1, &ws, WNOHANG) > 0)
			if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
				status = 1;
		cfd = ref_accept(lfd, &o);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, "echo_server: accept: %s\n", strerror(errno));
			status = 1;
			break;
		}
		served++;
		ref_peer_name(cfd, addr, sizeof(addr), &cport);
		ref_event(&ev, "accept", (unsigned)served, "addr", 's', addr, "port", 'u', (uint64_t)cport, NULL);
		pid = fork();
		if (pid == 0) {
			close(lfd);
			_exit(serve(cfd, (unsigned)served, &ev, &o));
		}
		if (pid < 0)
			status = serve(cfd, (unsigned)served, &ev, &o) || status;
		else
			close(cfd);
	}
	for (int ws; wait(&ws) > 0; )
		if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
			status = 1;
	snprintf(err, sizeof(err), "echo_server: %ld client%s served%s", served,
	    served == 1 ? "" : "s", status ? "; some exchanges failed" : "");
	ref_event(&ev, "end", 0, "status", 'i', (int64_t)status, "message", 's', err, NULL);
	fprintf(stderr, "%s\n", err);
	return status;
}
