/*
 * file_client: the reference file-transfer client (PROTOCOLS.md): reads to
 * EOF into OUTFILE, then replies "Thank you\n" and closes. Fault flags and
 * the event log: reports/events.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ref_conn.h"
#include "ref_net.h"
#include "ref_opts.h"
#include "ref_payload.h"
#include "ref_start.h"

#define BUF (1 << 20)

static int
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * With the data expected (--size, --pattern, --seed): the first byte that
 * differs from it, or the first one past its end (expected -1), is logged
 * once, so that the judge can tell bytes cut at a NUL from bytes lost.
 */
static void
verify(struct ref_conn *c, struct ref_payload *pl, int *found, unsigned char *want,
    const unsigned char *got, size_t n)
{
	size_t m, i;

	if (*found)
		return;
	m = ref_payload_read(pl, want, n);
	for (i = 0; i < m && got[i] == want[i]; i++)
		;
	if (i == n)
		return;
	ref_event(c->ev, "mismatch", c->id, "off", 'u', c->in - (uint64_t)n + i,
	    "expected", 'i', i < m ? (int64_t)want[i] : (int64_t)-1, "got", 'i', (int64_t)got[i],
	    NULL);
	*found = 1;
}

int
main(int argc, char **argv)
{
	struct ref_opts o;
	struct ref_events ev;
	struct ref_conn c;
	char msg[512];
	unsigned port;
	int out, rc, status = 0, replied = 0, differs = 0;
	unsigned char *buf, *want = NULL;
	struct ref_payload pl;

	signal(SIGPIPE, SIG_IGN);
	if ((rc = ref_start(argc, argv, REF_FILE_CLIENT, &o, &port)) >= 0)
		return rc;
	if (ref_start_events(REF_FILE_CLIENT, &o, &ev) < 0)
		return 2;
	if (ref_start_connect(REF_FILE_CLIENT, &o, port, &ev, &c) < 0)
		return 1;
	if ((out = open(o.args[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		fprintf(stderr, "file_client: %s: %s\n", o.args[2], strerror(errno));
		return 2;
	}
	if ((buf = malloc(BUF)) == NULL)
		return 2;
	if (o.have_size) {
		if ((want = malloc(BUF)) == NULL)
			return 2;
		ref_payload_init(&pl, o.pattern, o.seed, o.size);
	}
	if (o.unasked) {
		memset(buf, 'U', o.unasked < BUF ? o.unasked : BUF);
		ref_conn_write(&c, buf, o.unasked < BUF ? o.unasked : BUF);
	}
	if (o.no_read_ms)
		ref_sleep_us((uint64_t)o.no_read_ms * 1000);
	int64_t limit = o.reset_after >= 0 ? o.reset_after : o.close_after;
	for (;;) {
		if (limit >= 0 && c.in >= (uint64_t)limit) {
			if (o.reset_after >= 0)
				ref_conn_reset(&c);
			else
				ref_conn_close(&c, "close-after");
			break;
		}
		int r = ref_conn_wait_readable(&c, (int)o.timeout_ms);
		if (r == 0) {
			ref_event(&ev, "timeout", 1, "what", 's', "eof", "ms", 'u', (uint64_t)o.timeout_ms, NULL);
			status = 1;
			break;
		}
		ssize_t n = ref_conn_read(&c, buf, BUF);
		if (n < 0) {
			status = 1;
			break;
		}
		if (n == 0) {
			if (!o.no_reply && !replied) {
				ref_conn_write(&c, o.reply, o.reply_len);
				replied = 1;
				/* a server that closed instead of shutting down answers the
				 * reply with a reset: wait briefly so the log shows it */
				if (ref_conn_await_ack(&c, 500) == 1)
					status = 1;	/* the server had closed: not conforming */
			}
			break;
		}
		if (want)
			verify(&c, &pl, &differs, want, buf, (size_t)n);
		if (write_all(out, buf, (size_t)n) < 0) {
			fprintf(stderr, "file_client: %s: %s\n", o.args[2], strerror(errno));
			status = 1;
			break;
		}
		if (o.reply_early && !replied) {
			ref_conn_write(&c, o.reply, o.reply_len);
			replied = 1;
		}
	}
	if (close(out) < 0)
		status = 1;
	if (!c.gone)
		ref_conn_close(&c, "done");
	ref_conn_summary(&c);
	snprintf(msg, sizeof(msg), "file_client: received %llu bytes%s%s",
	    (unsigned long long)c.in, c.eof ? ", then EOF" : c.rst ? ", then a reset" : "",
	    replied ? ", replied" : "");
	ref_event(&ev, "end", 0, "status", 'i', (int64_t)status, "message", 's', msg, NULL);
	fprintf(stderr, "%s\n", msg);
	free(buf);
	free(want);
	return status;
}
