#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "judge.h"
#include "judge_int.h"
#include "judge_udp.h"

const char *
judge_signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV (segmentation fault)";
	case SIGPIPE: return "SIGPIPE (wrote to a connection the other side had closed)";
	case SIGABRT: return "SIGABRT (abort: an assertion or a heap corruption check)";
	case SIGBUS: return "SIGBUS (bus error)";
	case SIGFPE: return "SIGFPE (arithmetic error, e.g. division by zero)";
	case SIGILL: return "SIGILL (illegal instruction)";
	case SIGKILL: return "SIGKILL";
	case SIGTERM: return "SIGTERM";
	case SIGXCPU: return "SIGXCPU (CPU time limit exceeded)";
	case SIGXFSZ: return "SIGXFSZ (file size limit exceeded)";
	case SIGINT: return "SIGINT";
	default: return NULL;
	}
}

static char *
vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (fmt == NULL)
		return NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

/*
 * Record one check with the cause it has when it fails (cause.h); returns
 * ok so callers can chain. judge_case decides afterwards which checks are
 * collateral and keeps the cause of the failed ones only.
 */
int
judge_check(struct res_case *c, const char *name, const char *cause, int ok, const char *expected,
    const char *actual_fmt, ...)
{
	struct res_check *k = realloc(c->checks, (c->nchecks + 1) * sizeof(*k));
	va_list ap;

	if (k == NULL)
		return ok;
	c->checks = k;
	k = &c->checks[c->nchecks++];
	k->name = strdup(name);
	k->ok = ok;
	k->cause = cause ? strdup(cause) : NULL;
	k->collateral = 0;
	k->expected = expected ? strdup(expected) : NULL;
	va_start(ap, actual_fmt);
	k->actual = vfmt(actual_fmt, ap);
	va_end(ap);
	return ok;
}

void
judge_diag(struct res_case *c, const char *fmt, ...)
{
	va_list ap;
	char *s, *joined;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	if (s == NULL)
		return;
	if (c->diagnosis == NULL) {
		c->diagnosis = s;
		return;
	}
	if (asprintf(&joined, "%s %s", c->diagnosis, s) >= 0) {
		free(c->diagnosis);
		c->diagnosis = joined;
	}
	free(s);
}

static const char *
nth(size_t i)
{
	static const char *names[] = { "first", "second", "third", "fourth", "fifth",
	    "sixth", "seventh", "eighth", "ninth", "tenth" };
	return i < 10 ? names[i] : "next";
}

int
judge_find_message(const char *out, size_t out_len, const char *msg,
    size_t msg_len, size_t min_piece, size_t *missing_at)
{
	size_t pos = 0, i = 0;

	*missing_at = 0;
	if (msg_len == 0)
		return 1;
	if (memmem(out, out_len, msg, msg_len) != NULL)
		return 1;
	if (min_piece == 0 || msg_len <= min_piece)
		return 0;
	/* In order, in pieces: find the next piece, then extend it greedily. */
	while (i < msg_len) {
		size_t want = msg_len - i < min_piece ? msg_len - i : min_piece;
		const char *hit = memmem(out + pos, out_len - pos, msg + i, want);
		size_t at, k;

		if (hit == NULL) {
			*missing_at = i;
			return 0;
		}
		at = (size_t)(hit - out);
		for (k = want; i + k < msg_len && at + k < out_len && out[at + k] == msg[i + k]; k++)
			;
		/*
		 * The greedy match may run past the piece's end when the text after
		 * it (a label) happens to start with the message's next byte: keep
		 * the longest match after which the next piece is found.
		 */
		while (k > want && i + k < msg_len) {
			size_t next = msg_len - i - k < min_piece ? msg_len - i - k : min_piece;
			if (memmem(out + at + k, out_len - at - k, msg + i + k, next) != NULL)
				break;
			k--;
		}
		i += k;
		pos = at + k;
	}
	return 2;
}

/* A short printable rendering of bytes for expected/actual texts. */
static void
show(char *buf, size_t len, const char *p, size_t n)
{
	size_t o = 0;

	if (len < 8) {
		if (len)
			buf[0] = '\0';
		return;
	}
	buf[o++] = '"';
	for (size_t i = 0; i < n && o + 8 < len; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch == '\n' || ch == '\r' || ch == '\t' || ch == '\0') {
			buf[o++] = '\\';
			buf[o++] = ch == '\n' ? 'n' : ch == '\r' ? 'r' : ch == '\t' ? 't' : '0';
		} else if (ch == '"' || ch == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)ch;
		} else if (ch < 0x20 || ch >= 0x7f) {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", ch);
		} else {
			buf[o++] = (char)ch;
		}
		if (i + 1 < n && o + 8 >= len) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
}

static const char *
prog_label(const struct scn *s, int client)
{
	if (s->protocol == SCN_ECHO)
		return client ? "echo_client" : "echo_server";
	if (s->protocol == SCN_UDP)
		return client ? "udp_echo_client" : "udp_echo_server";
	return client ? "file_client" : "file_server";
}

/*
 * The student program's end: a signal is always an error; a status is
 * checked against `want`. Returns 0 when the case must be an error.
 */
/*
 * Why an echo client did not end as it should: the aspect of the case's
 * standard input (its end, or the quit word), unless the case is about a
 * server that misbehaves (the client must then fail on its own).
 */
static const char *
end_cause(const struct judge_in *in, int client, const char *otherwise)
{
	const struct scn *s = in->s;

	if (!client || s->protocol == SCN_FILE || s->expect.exit == SCN_EXIT_FAILURE ||
	    s->setup.no_server)
		return otherwise;
	if (s->protocol == SCN_UDP && in->npeers > 0 && in->peers[0].dgram_dropped &&
	    in->peers[0].dgrams_in <= s->stdin_spec.nlines * 3 + 3)
		return "no-receive-timeout";	/* waiting for the reply the server dropped */
	if (s->stdin_spec.quit)
		return "quit-word";
	if (s->stdin_spec.close)
		return "no-eof-exit";
	return otherwise;
}

/* A server that could not open the file it serves explains its failures. */
static const char *
server_cause(const struct judge_in *in, const char *otherwise)
{
	if (in->open_failed && in->s->protocol == SCN_FILE && !in->s->setup.no_file)
		return "missing-served-file";
	return otherwise;
}

static int
check_end(struct res_case *c, const struct judge_in *in, const struct judge_proc *p,
    const char *label, enum scn_exit_expect want, int client, int *failed)
{
	const char *sname;

	if (!p->started) {
		judge_check(c, "start", "no-start", 0, "the program starts", "%s",
		    p->start_error ? p->start_error : "it could not be started");
		return 0;
	}
	if (p->ended && !p->exited) {
		sname = judge_signal_name(p->signal);
		judge_check(c, "exit", client ? (p->signal == SIGPIPE ? "sigpipe-death" : "crash") :
		    server_cause(in, p->signal == SIGPIPE ? "sigpipe-death" : "crash"), 0,
		    "no death by a signal", "%s died of %s", label,
		    sname ? sname : strsignal(p->signal));
		if (p->signal == SIGPIPE)
			judge_diag(c, "It wrote to a connection its peer had already closed or reset; "
			    "ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) or send with MSG_NOSIGNAL "
			    "and handle the EPIPE error instead.");
		else if (p->signal == SIGXFSZ)
			judge_diag(c, "It reached the file-size limit: it wrote more than the data it "
			    "received, or the profile's limits.file_size is too small for the case.");
		else if (p->signal == SIGSEGV)
			judge_diag(c, "Look for a buffer indexed past its end, a NULL pointer, or a "
			    "string function on bytes that are not NUL-terminated.");
		return 0;
	}
	if (p->killed_at_deadline) {
		judge_check(c, "exit", end_cause(in, client, in->spun ? "spin" : "hang"), 0,
		    "the program ends in time", in->spun ?
		    "%s was spinning, and was stopped after %.1f s" :
		    "%s was still running after %.1f s and was stopped", label, p->seconds);
		return 0;
	}
	if (!p->ended)		/* a server stopped by sockcheck after the exchange */
		return 1;
	switch (want) {
	case SCN_EXIT_SUCCESS:
		if (!judge_check(c, "exit", end_cause(in, client, "exit-status"), p->status == 0,
		    "exit status 0",
		    "exit status %d", p->status))
			*failed = 1;
		break;
	case SCN_EXIT_FAILURE:
		if (!judge_check(c, "exit", "exit-0-on-error", p->status != 0, "a non-zero exit status",
		    "exit status %d%s", p->status,
		    p->status == 0 ? " (success reported although it failed)" : ""))
			*failed = 1;
		break;
	default:
		break;
	}
	return 1;
}

static void
check_stderr(struct res_case *c, const struct judge_in *in, const struct judge_proc *p,
    int *failed)
{
	size_t i, k;

	if (in->s->expect.stderr_message != SCN_YES)
		return;
	for (i = 0; i < p->err_len; i++)
		if (p->err[i] != ' ' && p->err[i] != '\n' && p->err[i] != '\t' && p->err[i] != '\r')
			break;
	for (k = 0; k < p->out_len; k++)
		if (p->out[k] != ' ' && p->out[k] != '\n' && p->out[k] != '\t' && p->out[k] != '\r')
			break;
	if (i == p->err_len && k < p->out_len && p->ended && p->exited && p->status != 0) {
		/* the message went to stdout, and the status says it failed: the case's
		 * point (a clear failure) holds; where the message went is a warning */
		judge_check(c, "stderr", "stderr-message", 1, "an error message on standard error",
		    "a message on standard output, none on standard error, and exit status %d",
		    p->status);
		judge_diag(c, "Warning: the error message went to standard output; print errors on "
		    "standard error (perror(), or fprintf(stderr, ...)) so that they are seen "
		    "even when the output is redirected.");
		return;
	}
	if (i < p->err_len) {
		/* its first line, as the student will recognise it */
		size_t n = 0;
		while (i + n < p->err_len && n < 72 && p->err[i + n] != '\n' && p->err[i + n] != '\r')
			n++;
		judge_check(c, "stderr", "stderr-message", 1, "an error message on standard error",
		    "\"%.*s%s\" on standard error", (int)n, p->err + i,
		    i + n < p->err_len && p->err[i + n] != '\n' && p->err[i + n] != '\r' ? "..." : "");
		return;
	}
	if (!judge_check(c, "stderr", "stderr-message", 0, "an error message on standard error",
	    p->err_len ? "only white space on standard error" : "nothing on standard error"))
		*failed = 1;
}

static void
check_time(struct res_case *c, const struct judge_in *in, const struct judge_proc *p,
    int *failed)
{
	char exp[64];

	if (in->s->expect.max_seconds <= 0 || !p->ended)
		return;
	/* as every deadline: slower under valgrind or a --timeout-scale */
	double lim = in->s->expect.max_seconds * (in->time_factor > 0 ? in->time_factor : 1);
	/* the time a busy machine kept it from a CPU is not the program's */
	double own = p->seconds - p->queued_seconds;
	snprintf(exp, sizeof(exp), "ends within %.1f s", lim);
	if (p->queued_seconds >= 0.05) {
		if (!judge_check(c, "time", end_cause(in, in->s->role != SCN_SERVER, "too-slow"),
		    own <= lim, exp, "ended after %.2f s, %.2f s of it waiting for a CPU",
		    p->seconds, p->queued_seconds))
			*failed = 1;
	} else if (!judge_check(c, "time", end_cause(in, in->s->role != SCN_SERVER, "too-slow"),
	    own <= lim, exp, "ended after %.2f s", p->seconds))
		*failed = 1;
}

/* The default replies: "Thank you" and one of these terminators. */
static const struct { const char *bytes; size_t len; } default_replies[] = {
	{ "Thank you\n", 10 }, { "Thank you\0", 10 }, { "Thank you\r\n", 11 }, { "Thank you", 9 },
};
#define NDEFAULT_REPLIES (sizeof(default_replies) / sizeof(default_replies[0]))

static size_t
nreplies(const struct prof *p)
{
	return p->nreplies ? p->nreplies : NDEFAULT_REPLIES;
}

static const char *
reply_at(const struct prof *p, size_t i, size_t *len)
{
	if (p->nreplies) {
		*len = p->replies[i].len;
		return p->replies[i].bytes;
	}
	*len = default_replies[i].len;
	return default_replies[i].bytes;
}

int
judge_reply_accepted(const struct prof *p, const char *text, size_t len)
{
	for (size_t i = 0; i < nreplies(p); i++) {
		size_t rlen;
		const char *r = reply_at(p, i, &rlen);
		if (rlen == len && memcmp(r, text, len) == 0)
			return 1;
	}
	return 0;
}

void
judge_reply_forms(const struct prof *p, char *buf, size_t len)
{
	size_t o = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < nreplies(p) && o + 1 < len; i++) {
		char one[80];
		size_t rlen;
		const char *r = reply_at(p, i, &rlen);
		show(one, sizeof(one), r, rlen);
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? (i + 1 == nreplies(p) ?
		    " or " : ", ") : "", one);
	}
}

/* Is one of the accepted replies in `out` (printed with or without its terminator)? */
static int
reply_printed(const struct prof *p, const char *out, size_t out_len)
{
	for (size_t i = 0; i < nreplies(p); i++) {
		size_t len;
		const char *r = reply_at(p, i, &len);
		while (len > 0 && (r[len - 1] == '\n' || r[len - 1] == '\r' || r[len - 1] == '\0'))
			len--;
		if (len > 0 && memmem(out, out_len, r, len) != NULL)
			return 1;
	}
	return 0;
}

static void
judge_echo_server(const struct judge_in *in, struct res_case *c, int *failed)
{
	char exp[160];

	for (size_t i = 0; i < in->npeers; i++) {
		const struct peer_log *pl = &in->peers[i];
		const struct peer_conn *pc = peer_log_conn(pl, 1);
		enum scn_peer_expect want = in->peer_specs[i].expect;
		char name[32];

		snprintf(name, sizeof(name), "client %zu", i + 1);
		if (want == SCN_PEER_IGNORE)
			continue;
		if (pc == NULL || !pc->connected) {
			judge_check(c, name, in->s->setup.ipv6 && pl->connect_error && !in->student.ended ?
			    "ipv4-only" : "not-serving", 0, "connects and is served",
			    "could not connect%s%s", pl->connect_error ? ": " : "",
			    pl->connect_error ? pl->connect_errno : "");
			if (in->s->setup.ipv6 && in->student.started && !in->student.ended)
				judge_diag(c, "The %s client found nothing listening on [::1]:%u while the "
				    "server ran: it listens on IPv4 only (AF_INET).", nth(i), in->port);
			else
				judge_diag(c, "The %s client found nothing listening on port %u: the server had "
				    "exited or stopped accepting.", nth(i), in->port);
			*failed = 1;
			continue;
		}
		if (want == SCN_PEER_NOTHING) {
			if (!judge_check(c, name, "unasked-bytes", pc->idle_bytes == 0,
			    "receives nothing it did not send",
			    "received %llu bytes it never sent", (unsigned long long)pc->idle_bytes))
				*failed = 1;
			continue;
		}
		snprintf(exp, sizeof(exp), "its %llu bytes echoed back, in order",
		    (unsigned long long)pc->bytes_out);
		if (pc->mismatch) {
			int injected = in->inject && strstr(in->inject, "write()/send()");
			judge_check(c, name, pc->mismatch_expected == 0 ? "binary-unsafe" :
			    injected ? "short-write" : "data-mismatch", 0, exp,
			    "byte %llu came back as 0x%02x instead of 0x%02x",
			    (unsigned long long)pc->mismatch_off, pc->mismatch_got & 0xff,
			    pc->mismatch_expected & 0xff);
			if (pc->mismatch_expected == 0)
				judge_diag(c, "The first wrong byte is where a NUL byte belonged: send back "
				    "exactly the bytes recv() returned, with its count, not strlen().");
			else if (in->inject && strstr(in->inject, "write()/send()"))
				judge_diag(c, "Bytes went missing: send() accepted only part of a buffer and "
				    "the rest was never sent. Loop until all of it is sent.");
			else
				judge_diag(c, "From that offset the bytes differ from what was sent: echo "
				    "exactly the bytes recv() returned, in order, each once.");
			*failed = 1;
		} else if (pc->bytes_in != pc->bytes_out || !pc->summary ||
		    (pl->ended && pl->end_status != 0)) {
			const char *how = pc->rst ? "; then the connection was reset" :
			    pc->eof ? "; then the server closed the connection" :
			    pc->timeout_what[0] ? "; then nothing more came" : "";
			/* nothing back from a server that is gone: it was not serving
			 * (whether the connection got into its backlog first is a race) */
			judge_check(c, name, pc->bytes_in == 0 && in->student.ended ? "not-serving" :
			    in->inject && strstr(in->inject, "write()/send()") ?
			    "short-write" : "lost-bytes", 0, exp, "%llu of %llu bytes came back%s",
			    (unsigned long long)pc->bytes_in, (unsigned long long)pc->bytes_out, how);
			*failed = 1;
		} else {
			judge_check(c, name, NULL, 1, exp, "all %llu bytes came back",
			    (unsigned long long)pc->bytes_in);
		}
	}
}

static void
judge_file_server(const struct judge_in *in, struct res_case *c, int *failed)
{
	const struct scn_expect *e = &in->s->expect;
	const struct peer_log *pl = in->npeers ? &in->peers[0] : NULL;
	const struct peer_conn *pc = pl ? peer_log_conn(pl, 1) : NULL;
	char exp[160];

	if (pl == NULL)
		return;
	if (pc == NULL || !pc->connected) {
		judge_check(c, "connect", in->s->setup.ipv6 && pl->connect_error && !in->student.ended ?
		    "ipv4-only" : server_cause(in, "not-serving"), 0, "the client connects",
		    "could not connect%s%s",
		    pl->connect_error ? ": " : "", pl->connect_error ? pl->connect_errno : "");
		*failed = 1;
		return;
	}
	if (e->data != SCN_NO && in->have_expected) {
		snprintf(exp, sizeof(exp), "%llu bytes, " REF_DIGEST_NAME " %.12s...",
		    (unsigned long long)in->exp_size, in->exp_digest);
		if (pc->bytes_in == in->exp_size && strcmp(pc->digest_in, in->exp_digest) == 0) {
			judge_check(c, "data", NULL, 1, exp, "all %llu bytes, identical",
			    (unsigned long long)pc->bytes_in);
		} else if (!pc->summary && pc->bytes_in == in->exp_size && !pc->rst) {
			/* stopped before its digest: the count is all that is known */
			judge_check(c, "data", NULL, 1, exp, "all %llu bytes arrived (content not compared: the "
			    "client was stopped before it finished)", (unsigned long long)pc->bytes_in);
		} else {
			judge_check(c, "data", pc->bytes_in < in->exp_size ? (in->inject &&
			    strstr(in->inject, "write()/send()") ? "short-write" :
			    server_cause(in, "lost-bytes")) : "data-mismatch", 0, exp,
			    "%llu bytes%s%s", (unsigned long long)pc->bytes_in,
			    pc->bytes_in == in->exp_size ? " with different content" : "",
			    pc->rst ? ", then a reset" : "");
			if (pc->bytes_in < in->exp_size)
				judge_diag(c, "The client received %llu of %llu bytes.",
				    (unsigned long long)pc->bytes_in, (unsigned long long)in->exp_size);
			*failed = 1;
		}
	}
	if (e->eof != SCN_NO && e->data != SCN_NO) {
		if (!judge_check(c, "eof", "no-shutdown", pc->eof, "EOF after the data (shutdown or close)",
		    pc->eof ? "EOF" : "no EOF: the connection stayed open")) {
			judge_diag(c, "The client waited for end-of-file, but the server never "
			    "shut down its side: call shutdown(sock, SHUT_WR) after the last write.");
			*failed = 1;
		}
	}
	if (e->reply == SCN_YES && !in->p->reply_none) {
		if (!judge_check(c, "reply", !pc->eof ? "no-shutdown" : pc->rst || pc->write_error[0] ?
		    "close-not-shutdown" : "reply-not-read",
		    reply_printed(in->p, in->student.out, in->student.out_len),
		    "the client's \"Thank you\" printed on standard output",
		    in->student.out_len ? "not found in its output" : "no output at all")) {
			if (!pc->eof || in->open_failed)
				;	/* the eof check, or the missing file, explains it */
			else if (pc->rst || strcmp(pc->write_error, "") != 0)
				judge_diag(c, "The client's reply met a closed socket: the server called "
				    "close() where shutdown(sock, SHUT_WR) belongs, so it could not "
				    "read the reply.");
			else
				judge_diag(c, "After shutdown(SHUT_WR) the server must read the reply until "
				    "EOF and print it.");
			*failed = 1;
		}
	}
}

/*
 * The most the echo client sent at once: the reference server's largest
 * read. A client with a small buffer (the textbook's BUF_SIZE 30) sends a
 * long line in pieces, waits for each echo and prints each with its label.
 * 0: not known.
 */
static size_t
client_send_size(const struct judge_in *in)
{
	uint64_t most = 0;

	for (size_t i = 0; in->npeers > 0 && i < in->peers[0].nconns; i++)
		if (in->peers[0].conns[i].max_read > most)
			most = in->peers[0].conns[i].max_read;
	return (size_t)most;
}

/*
 * The smallest piece an echo of `len` bytes may be printed in, with other
 * text between pieces: the client's own sends (`sends` bytes) and, for a
 * long line, 32 bytes (a client buffer splits it); 0: whole. A client that
 * prints whatever one recv() returned prints smaller pieces than it sent.
 */
static size_t
echo_piece(size_t len, size_t sends)
{
	size_t piece = len > 256 ? 32 : 0;

	if (sends > 0 && sends < len && (piece == 0 || sends < piece))
		piece = sends;
	return piece;
}

static void
judge_echo_client(const struct judge_in *in, struct res_case *c, const struct judge_proc *cl,
    int *failed)
{
	const struct scn_expect *e = &in->s->expect;
	char shown[96], exp[160];

	if (e->data != SCN_NO) {
		size_t sends = client_send_size(in);
		for (size_t i = 0; i < in->nmsgs; i++) {
			const struct judge_msg *m = &in->msgs[i];
			size_t missing, piece = echo_piece(m->len, sends);
			int r = judge_find_message(cl->out, cl->out_len, m->text, m->len, piece,
			    &missing);
			char name[32];

			snprintf(name, sizeof(name), "echo %zu", i + 1);
			show(shown, sizeof(shown), m->text, m->len);
			snprintf(exp, sizeof(exp), "%s on standard output%s", shown,
			    piece ? " (in pieces allowed)" : "");
			if (r) {
				judge_check(c, name, NULL, 1, exp, r == 1 ? "found whole" :
				    "found, in pieces, in order");
				continue;
			}
			*failed = 1;
			if (m->sent && m->len == strlen(m->sent) && memcmp(m->text, m->sent, m->len) != 0 &&
			    memmem(cl->out, cl->out_len, m->sent, m->len) != NULL) {
				judge_check(c, name, "prints-sent", 0, exp,
				    "the client printed what it sent, not what it received");
				judge_diag(c, "Print the buffer recv() filled, not the line you read from "
				    "standard input.");
			} else if (m->len > 256) {
				judge_check(c, name, "echo-missing", 0, exp,
				    "bytes from offset %zu on are missing or out of order",
				    missing);
			} else {
				judge_check(c, name, "echo-missing", 0, exp, "not found%s",
				    cl->out_len ? "" : " (no output at all)");
			}
		}
	}
	if (e->sent_exact == SCN_YES && in->sent_known && in->npeers > 0) {
		const struct peer_conn *pc = peer_log_conn(&in->peers[0], 1);
		int ok = 0;
		/* the digest when the server logged its summary, else the count */
		for (int k = 0; pc && k < 2; k++)
			ok |= pc->bytes_in == in->sent_size[k] &&
			    (!pc->summary || strcmp(pc->digest_in, in->sent_digest[k]) == 0);
		snprintf(exp, sizeof(exp), "the lines' bytes and nothing else: %llu bytes (%llu with "
		    "newlines)", (unsigned long long)in->sent_size[0],
		    (unsigned long long)in->sent_size[1]);
		/* sending the input again after its end is the end-of-input fault */
		if (!judge_check(c, "sent", in->resent ? "no-eof-exit" : "sent-bytes", ok, exp,
		    !pc ? "it never connected" : "%llu bytes%s",
		    pc ? (unsigned long long)pc->bytes_in : 0ULL,
		    pc && (pc->bytes_in == in->sent_size[0] || pc->bytes_in == in->sent_size[1]) ?
		    ", with other content" : "")) {
			*failed = 1;
			if (pc && pc->bytes_in > in->sent_size[1] && !in->resent)
				judge_diag(c, "The server received more bytes than the lines have: send only "
				    "the line (the count fgets/getline gave, strlen of the line), not "
				    "the whole buffer with its NUL and padding.");
		}
	}
	if (e->closes == SCN_YES && in->npeers > 0) {
		const struct peer_conn *pc = peer_log_conn(&in->peers[0], 1);
		/* EOF, a reset, or a write that found the socket closed (EPIPE) */
		int closed = pc && (pc->eof || pc->rst || pc->write_error[0]);
		if (!judge_check(c, "close", cl->killed ? end_cause(in, 1, "no-close") : "no-close", closed,
		    "the client closes its connection",
		    !pc ? "it never connected" : pc->eof ? "the server saw EOF" :
		    pc->rst ? "the server saw a reset" : pc->write_error[0] ?
		    "the server's write found it closed" : "the connection was still open"))
			*failed = 1;
	}
}

static void
judge_file_client(const struct judge_in *in, struct res_case *c, const struct judge_proc *cl,
    int *failed)
{
	const struct scn_expect *e = &in->s->expect;
	const struct peer_conn *pc = in->npeers ? peer_log_conn(&in->peers[0], 1) : NULL;
	char exp[160], shown[64];

	if (e->data != SCN_NO && in->have_expected && in->out_checked) {
		snprintf(exp, sizeof(exp), "an output file of %llu bytes, " REF_DIGEST_NAME " %.12s...",
		    (unsigned long long)in->exp_size, in->exp_digest);
		if (in->out_not_regular) {
			judge_check(c, "data", "no-output-file", 0, exp,
			    "not a regular file (a link, a FIFO or a device; "
			    "not read)");
			*failed = 1;
		} else if (!in->out_exists) {
			judge_check(c, "data", "no-output-file", 0, exp, "no output file");
			*failed = 1;
		} else if (in->out_size == in->exp_size && strcmp(in->out_digest, in->exp_digest) == 0) {
			judge_check(c, "data", NULL, 1, exp, "identical");
		} else {
			const char *why = in->out_first_diff >= 0 ? "data-mismatch" :
			    in->out_size < in->exp_size ? "short-read" : "extra-bytes";
			if (in->out_first_diff >= 0)
				judge_check(c, "data", why, 0, exp, "%llu bytes; the first difference is at offset %lld",
				    (unsigned long long)in->out_size, (long long)in->out_first_diff);
			else
				judge_check(c, "data", why, 0, exp, "%llu bytes",
				    (unsigned long long)in->out_size);
			/* a signal explains it better, and so does the deadline (the
			 * stall text then says how fast the data went) */
			if (in->out_size < in->exp_size && in->out_first_diff < 0 &&
			    cl->signal == 0 && !cl->killed_at_deadline)
				judge_diag(c, "The file is a prefix of the data: the client stopped reading "
				    "before EOF (read() returns fewer bytes than asked; only 0 means the end).");
			else if (in->out_size > in->exp_size)
				judge_diag(c, "The file is longer than what was sent: write exactly the count "
				    "read() returned, and never a negative count after a failed read.");
			*failed = 1;
		}
	}
	if (e->output_absent == SCN_YES && in->out_checked) {
		if (!judge_check(c, "output", "partial-file", !in->out_exists || in->out_size == 0,
		    "no output file, or an empty one",
		    "an output file of %llu bytes", (unsigned long long)in->out_size))
			*failed = 1;
	}
	if (pc == NULL)
		return;
	if (e->reply == SCN_YES && in->p->reply_none) {
		;	/* no reply in this protocol (profile: reply: none) */
	} else if (e->reply == SCN_YES) {
		char forms[256], rexp[300];
		judge_reply_forms(in->p, forms, sizeof(forms));
		snprintf(rexp, sizeof(rexp), "a reply after EOF: %s", forms);
		if (!pc->has_reply) {
			judge_check(c, "reply", "no-reply", 0, rexp, "no reply");
			*failed = 1;
		} else if (pc->reply_before_eof) {
			show(shown, sizeof(shown), pc->reply, pc->reply_len);
			judge_check(c, "reply", "reply-before-eof", 0, rexp, "%s before EOF", shown);
			judge_diag(c, "Reply only after read() has returned 0.");
			*failed = 1;
		} else if (!judge_reply_accepted(in->p, pc->reply, pc->reply_len)) {
			show(shown, sizeof(shown), pc->reply, pc->reply_len);
			judge_check(c, "reply", "reply-format", 0, rexp, "%s (%zu byte%s)", shown,
			    pc->reply_len, pc->reply_len == 1 ? "" : "s");
			*failed = 1;
		} else {
			show(shown, sizeof(shown), pc->reply, pc->reply_len);
			judge_check(c, "reply", NULL, 1, rexp, "%s after EOF", shown);
		}
	} else if (e->reply == SCN_NO) {
		if (pc->has_reply) {
			show(shown, sizeof(shown), pc->reply, pc->reply_len);
			judge_check(c, "reply", pc->reply_before_eof ? "reply-before-eof" : "unexpected-reply",
			    0, "no reply", "%s%s", shown, pc->reply_before_eof ? " before EOF" : "");
			*failed = 1;
		} else {
			judge_check(c, "reply", NULL, 1, "no reply", "none");
		}
	} else if (pc->has_reply && pc->reply_before_eof) {
		/* no-shutdown and the like: a reply while data may still come is wrong */
		judge_check(c, "reply", "reply-before-eof", 0, "no reply before EOF", "a reply before EOF");
		judge_diag(c, "The client answered before the server's EOF: it took a pause in the "
		    "data for the end of the file.");
		*failed = 1;
	}
}

/* The cause of a memcheck failure: a leak, or any other memory error. */
static const char *
mc_cause(const struct mc_report *mc, char *const *mc_fail)
{
	int leak = 0;

	for (size_t i = 0; mc && i < mc->count; i++) {
		if (!mc_kind_fails(mc->findings[i].kind, mc_fail))
			continue;
		if (strncmp(mc_kind_name(mc->findings[i].kind), "leak", 4) != 0)
			return "memory-error";
		leak = 1;
	}
	return leak ? "leak" : "memory-error";
}

static void
judge_memcheck(const struct judge_in *in, struct res_case *c, int *failed)
{
	unsigned nfail = 0;

	if (in->mc == NULL || !in->mc->ran)
		return;
	for (size_t i = 0; i < in->mc->count; i++) {
		struct mc_finding *f = &in->mc->findings[i];
		f->fails = mc_kind_fails(f->kind, in->mc_fail);
		if (f->fails)
			nfail++;
	}
	if (!judge_check(c, "memcheck", mc_cause(in->mc, in->mc_fail), nfail == 0,
	    "no memory errors or definite leaks", "%u finding%s that fail the case", nfail, nfail == 1 ? "" : "s"))
		*failed = 1;
}

/*
 * An IPv6 case whose client never reached the server (no connection, no
 * datagram) failed for one reason: it takes IPv4 addresses only. Its failed
 * exit and data checks are charged as that.
 */
static void
ipv6_client_causes(const struct judge_in *in, struct res_case *c)
{
	const struct peer_log *srv = in->npeers ? &in->peers[0] : NULL;

	/* a client still waiting at the deadline counts (a textbook UDP client
	 * blocks in recvfrom() after its sendto() to inet_addr("::1") failed);
	 * one that died of a signal has a fault of its own */
	if (!in->s->setup.ipv6 || in->s->role != SCN_CLIENT || srv == NULL ||
	    srv->nconns > 0 || srv->dgrams_in > 0 || !in->student.started ||
	    (in->student.ended && !in->student.exited))
		return;
	int any = 0;
	for (size_t i = 0; i < c->nchecks; i++) {
		struct res_check *k = &c->checks[i];
		if (k->ok || (strcmp(k->name, "exit") && strcmp(k->name, "close") &&
		    strcmp(k->name, "data") && strncmp(k->name, "echo ", 5)))
			continue;
		free(k->cause);
		k->cause = strdup("ipv4-only");
		any = 1;
	}
	if (any)
		judge_diag(c, "The client was given ::1 as the server's address and never reached it: "
		    "inet_addr() and inet_pton(AF_INET) take IPv4 only. Use getaddrinfo() with "
		    "AF_UNSPEC and a socket of the family it returns.");
}

/* A failure that makes the case an error (the program could not run its course). */
static int
error_cause(const char *cause)
{
	static const char *const errs[] = { "no-start", "crash", "sigpipe-death", "hang",
	    "missing-served-file", "no-eof-exit", "quit-word", "no-receive-timeout", NULL };
	for (size_t i = 0; cause && errs[i]; i++)
		if (strcmp(cause, errs[i]) == 0)
			return 1;
	return 0;
}

/*
 * One fault, one charge: a check of an aspect the scenario does not target
 * is collateral (cause.h). The verdict comes from the target checks alone:
 * error when check_end found the program unable to run its course (`ok` 0)
 * and a target check says so, fail when a target check failed, else pass.
 * Failed checks keep their cause; passed ones lose it.
 */
static enum res_verdict
settle(const struct judge_in *in, struct res_case *c, int ok)
{
	const struct scn *s = in->s;
	int fail = 0, error = 0;

	for (size_t i = 0; i < c->nchecks; i++) {
		struct res_check *k = &c->checks[i];
		enum cause_aspect a = cause_aspect_of(k->cause);

		k->collateral = a != CAUSE_ASPECT_NONE && !(s->targets & (1u << a));
		if (k->ok) {
			free(k->cause);
			k->cause = NULL;
			continue;
		}
		if (k->collateral)
			continue;
		fail = 1;
		if (!ok && (strcmp(k->name, "start") == 0 || strcmp(k->name, "exit") == 0) &&
		    error_cause(k->cause))
			error = 1;
	}
	if ((s->targets & (1u << CAUSE_ASPECT_REPLY)) && in->p->reply_none)
		return RES_SKIP;	/* the reply case, in a protocol without a reply */
	return error ? RES_ERROR : fail ? RES_FAIL : RES_PASS;
}

int
judge_case(const struct judge_in *in, struct res_case *c)
{
	const struct scn *s = in->s;
	int failed = 0, ok = 1, client = s->role == SCN_CLIENT;
	enum scn_exit_expect want = s->expect.exit;
	const struct judge_proc *cl = s->role == SCN_PAIR ? &in->student2 : &in->student;

	if (want == SCN_EXIT_DEFAULT)
		want = client ? SCN_EXIT_SUCCESS : SCN_EXIT_ANY;
	if (in->open_failed && s->protocol == SCN_FILE && s->role != SCN_CLIENT &&
	    !s->setup.no_file && in->student.ended) {
		/* it died for want of a file: that, not what followed, is the cause
		 * (cause: missing-served-file) */
		judge_check(c, "served-file", "missing-served-file", 0, "the server opens the file it serves",
		    "%s", in->open_failed);
		judge_diag(c, "The server could not open the file it serves (%s), and ended. sockcheck "
		    "places the file it finds the server opening; name it in sockcheck.yaml "
		    "(programs: file_server: file: NAME) if it was not found.", in->open_failed);
		failed = 1;
	}
	if (in->open_failed && s->protocol == SCN_FILE && s->role != SCN_CLIENT &&
	    s->setup.no_file)
		judge_diag(c, "It %s and went on: check the result of fopen()/open() and stop there.",
		    in->open_failed);
	if (s->role != SCN_CLIENT && in->student.started && !in->ready &&
	    !(s->setup.no_file && in->student.ended)) {
		const char *listens = s->protocol == SCN_UDP ? "a datagram socket bound to its port" :
		    "listens on its port";
		if (in->student.ended && in->student.exited)
			judge_check(c, "listen", server_cause(in, "no-listen"), 0, listens,
			    "exited with status %d before %s", in->student.status,
			    s->protocol == SCN_UDP ? "binding" : "listening");
		else if (!in->student.ended)
			judge_check(c, "listen", server_cause(in, "no-listen"), 0, listens,
			    "%s port %u after %.1f s", s->protocol == SCN_UDP ? "nothing bound to UDP" :
			    "not listening on", in->port, in->ready_wait);
		if (in->student.ended || !in->student.ended)
			failed = 1;
	}
	ok = check_end(c, in, &in->student, prog_label(s, client),
	    s->role == SCN_PAIR ? SCN_EXIT_ANY : want, client, &failed);
	if (s->role == SCN_PAIR)
		ok = check_end(c, in, &in->student2, prog_label(s, 1), SCN_EXIT_SUCCESS, 1,
		    &failed) && ok;
	check_stderr(c, in, cl, &failed);
	check_time(c, in, cl, &failed);

	if (s->protocol == SCN_UDP && s->role == SCN_SERVER)
		judge_udp_server(in, c, &failed);
	else if (s->protocol == SCN_UDP)
		judge_udp_client(in, c, cl, &failed);
	else if (s->protocol == SCN_ECHO && s->role == SCN_SERVER)
		judge_echo_server(in, c, &failed);
	else if (s->protocol == SCN_FILE && s->role == SCN_SERVER && !s->setup.no_file)
		judge_file_server(in, c, &failed);
	else if (s->protocol == SCN_ECHO && s->role != SCN_SERVER)
		judge_echo_client(in, c, cl, &failed);
	else if (s->protocol == SCN_FILE && s->role != SCN_SERVER)
		judge_file_client(in, c, cl, &failed);
	if (s->role == SCN_PAIR && s->protocol == SCN_FILE && s->expect.reply != SCN_NO &&
	    !in->p->reply_none &&
	    !judge_check(c, "reply", "reply-not-read",
	    reply_printed(in->p, in->student.out, in->student.out_len),
	    "the server prints the client's \"Thank you\"", "not found in its output"))
		failed = 1;
	judge_memcheck(in, c, &failed);
	ipv6_client_causes(in, c);

	if (in->stall)
		judge_diag(c, "%s", in->stall);
	if (in->inject)
		judge_diag(c, "Injected: %s.", in->inject);
	(void)failed;	/* the checks' own flags decide: collateral ones count for nothing */
	c->verdict = settle(in, c, ok);
	if (c->verdict != RES_PASS && c->verdict != RES_SKIP && in->wire && *in->wire)
		judge_diag(c, "On the wire: %s.", in->wire);
	if (c->verdict == RES_SKIP) {
		free(c->summary);
		c->summary = strdup("skipped: the profile says the protocol has no reply "
		    "(reply: none)");
		return 0;
	}
	free(c->summary);
	c->summary = NULL;
	for (size_t i = 0; i < c->nchecks && c->verdict != RES_PASS; i++) {
		const struct res_check *k = &c->checks[i];
		if (k->ok || k->collateral)
			continue;
		if (asprintf(&c->summary, "%s: expected %s; got %s", k->name,
		    k->expected ? k->expected : "?", k->actual ? k->actual : "?") < 0)
			c->summary = NULL;
		break;
	}
	if (c->summary == NULL)
		c->summary = strdup("");
	return 0;
}
