/*
 * judge_echo: the TCP echo cases' part of the verdict (judge.c calls it):
 * each reference client's bytes for echo.server, the echoes printed, the
 * bytes sent and the close for echo.client.
 */
#include <stdio.h>
#include <string.h>

#include "judge.h"
#include "judge_int.h"

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

/*
 * A client started while another stayed connected (peers[].concurrent)
 * that gave up waiting for its echo, the server still up, when a client
 * before it, still connected then, was served whole: the server served one
 * client at a time, it lost nothing.
 */
static int
waited_for_other(const struct judge_in *in, size_t i)
{
	const struct peer_conn *pc = peer_log_conn(&in->peers[i], 1);

	if (!in->peer_specs[i].concurrent || pc == NULL || !pc->timeout_what[0] ||
	    pc->bytes_in >= pc->bytes_out || in->student.ended)
		return 0;
	for (size_t j = 0; j < i; j++) {
		const struct peer_conn *before = peer_log_conn(&in->peers[j], 1);
		if (before && before->connected && before->bytes_out > 0 &&
		    before->bytes_in == before->bytes_out && !before->mismatch)
			return 1;
	}
	return 0;
}

void
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
			    "ipv4-only" : judge_server_cause(in, "not-serving"), 0, "connects and is served",
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
			int waited = waited_for_other(in, i);
			/* nothing back from a server that is gone: it was not serving
			 * (whether the connection got into its backlog first is a race) */
			judge_check(c, name, judge_server_cause(in,
			    pc->bytes_in == 0 && in->student.ended ? "not-serving" :
			    in->inject && strstr(in->inject, "write()/send()") ?
			    "short-write" : waited ? "one-client-at-a-time" : "lost-bytes"), 0, exp,
			    "%llu of %llu bytes came back%s",
			    (unsigned long long)pc->bytes_in, (unsigned long long)pc->bytes_out, how);
			if (waited)
				judge_diag(c, "The %s client connected and sent its %llu bytes while the "
				    "client before it was still connected, and got %s back before it gave "
				    "up; that client was served: the server serves one client at a time "
				    "(it returns to accept() only when its client leaves). Serve clients "
				    "concurrently: fork() per client, a thread, or poll()/select().",
				    nth(i), (unsigned long long)pc->bytes_out,
				    pc->bytes_in ? "only part of them" : "nothing");
			*failed = 1;
		} else {
			judge_check(c, name, NULL, 1, exp, "all %llu bytes came back",
			    (unsigned long long)pc->bytes_in);
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

/*
 * The lines in the first bytes the server received (head_in): each line's
 * bytes, with or without its newline, in order. Returns how many lines came
 * so; *at is the offset after them, or where line *bad_line (1, 2, ...)
 * came with other bytes; *bad_line 0: none did.
 */
static size_t
lines_in_head(const struct judge_in *in, const struct peer_conn *pc, size_t *at,
    size_t *bad_line)
{
	size_t p = 0, i;

	*bad_line = 0;
	for (i = 0; i < in->nmsgs && p < pc->head_in_len; i++) {
		const char *line = in->msgs[i].sent;
		size_t len = strlen(line), have = pc->head_in_len - p;

		if (memcmp(pc->head_in + p, line, have < len ? have : len) != 0) {
			*bad_line = i + 1;
			break;
		}
		if (have < len)
			break;	/* the head ends inside the line */
		p += len;
		if (p < pc->head_in_len && pc->head_in[p] == '\n')
			p++;
	}
	*at = p;
	return i;
}

/* The cause of the exit check, when it failed (the client did not end well). */
static const char *
exit_cause(const struct res_case *c)
{
	for (size_t i = 0; i < c->nchecks; i++)
		if (strcmp(c->checks[i].name, "exit") == 0 && !c->checks[i].ok)
			return c->checks[i].cause;
	return NULL;
}

/*
 * expect.sent_exact: what the client sent for each line, judged on its own
 * from the first bytes the server received; what came after the lines is
 * the end of input's fault when the client sent its input again. Without
 * those bytes (an older log, a peer stopped early), the whole stream's
 * digest against the lines'.
 */
static void
check_sent(const struct judge_in *in, struct res_case *c, int *failed)
{
	const struct peer_conn *pc = peer_log_conn(&in->peers[0], 1);
	char exp[160], shown[96];
	size_t at = 0, bad = 0, nlines = 0;
	int ok = 0, whole;

	snprintf(exp, sizeof(exp), "the lines' bytes and nothing else: %llu bytes (%llu with "
	    "newlines)", (unsigned long long)in->sent_size[0], (unsigned long long)in->sent_size[1]);
	/* the head holds the whole stream, or at least more than the lines */
	whole = pc && pc->head_in && (pc->head_in_len == pc->bytes_in ||
	    pc->head_in_len > in->sent_size[1]);
	if (whole)
		nlines = lines_in_head(in, pc, &at, &bad);
	if (whole && bad) {
		judge_show(shown, sizeof(shown), pc->head_in + at, pc->head_in_len - at);
		/* bytes where the next line belongs came with the line before it */
		if (bad > 1)
			judge_check(c, "sent", "sent-bytes", 0, exp, "line %zu (%zu bytes) was followed "
			    "by %s", bad - 1, strlen(in->msgs[bad - 2].sent), shown);
		else
			judge_check(c, "sent", "sent-bytes", 0, exp, "line 1 went out as %s", shown);
		judge_diag(c, "With line %zu the server received other bytes than the line: send only "
		    "the line (the count fgets/getline gave, strlen of the line), not the whole buffer "
		    "with its NUL and padding.", bad > 1 ? bad - 1 : 1);
		*failed = 1;
	} else if (whole && nlines == in->nmsgs && at == pc->bytes_in) {
		judge_check(c, "sent", NULL, 1, exp, "%llu bytes: each line's own",
		    (unsigned long long)pc->bytes_in);
	} else if (whole && nlines == in->nmsgs) {
		/* every line went out right; the rest came after them */
		judge_check(c, "sent", in->resent ? "no-eof-exit" : "sent-bytes", 0, exp,
		    "each line's own bytes, then %llu bytes more%s",
		    (unsigned long long)(pc->bytes_in - at), in->resent ? " after its input ended" : "");
		if (!in->resent)
			judge_diag(c, "After its lines the client sent %llu bytes more: send only the lines.",
			    (unsigned long long)(pc->bytes_in - at));
		*failed = 1;
	} else if (whole) {
		/* it stopped sending: why is the exit check's business */
		const char *why = exit_cause(c);
		judge_check(c, "sent", why ? why : "sent-bytes", 0, exp, "only %zu of its %zu lines, "
		    "each its own bytes; then nothing more", nlines, in->nmsgs);
		*failed = 1;
	} else {
		for (int k = 0; pc && k < 2; k++)
			ok |= pc->bytes_in == in->sent_size[k] &&
			    (!pc->summary || strcmp(pc->digest_in, in->sent_digest[k]) == 0);
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
}

int
judge_echoes_printed(const struct judge_in *in, const struct judge_proc *cl)
{
	size_t sends = client_send_size(in), missing;

	for (size_t i = 0; i < in->nmsgs; i++)
		if (!judge_find_message(cl->out, cl->out_len, in->msgs[i].text, in->msgs[i].len,
		    echo_piece(in->msgs[i].len, sends), &missing))
			return 0;
	return 1;
}

int
judge_sends_cut(const struct judge_in *in)
{
	const struct peer_conn *pc = in->npeers > 0 ? peer_log_conn(&in->peers[0], 1) : NULL;
	size_t p = 0, i = 0, q = 0;
	int cut = 0;

	if (!in->inject || !strstr(in->inject, "write()/send()") || !pc || !pc->head_in ||
	    pc->head_in_len != pc->bytes_in)
		return 0;
	/* what the server got is the lines' bytes in order with some left out
	 * (the rest of a send cut short, in each piece a buffer sent) */
	while (p < pc->head_in_len && i < in->nmsgs) {
		const char *line = in->msgs[i].sent;
		size_t len = strlen(line), r;

		if (q < len && pc->head_in[p] == line[q]) {
			p++;
			q++;
		} else if (q == len) {	/* the line done: its newline, then the next */
			if (pc->head_in[p] == '\n')
				p++;
			i++;
			q = 0;
		} else {		/* bytes of the line left out */
			for (r = q; r < len && line[r] != pc->head_in[p]; r++)
				;
			cut = 1;
			if (r < len)
				q = r;
			else {
				i++;
				q = 0;
			}
		}
	}
	if (p < pc->head_in_len)
		return 0;	/* bytes that are no line's */
	return cut || (i < in->nmsgs && q > 0 && q < strlen(in->msgs[i].sent));
}

void
judge_echo_client(const struct judge_in *in, struct res_case *c, const struct judge_proc *cl,
    int *failed)
{
	const struct scn_expect *e = &in->s->expect;
	char shown[96], exp[160];
	/* an echo missing then is of bytes the client never sent */
	int cut = judge_sends_cut(in);

	if (e->data != SCN_NO) {
		size_t sends = client_send_size(in);
		unsigned long long printed = 0;	/* the echoes found so far, in bytes */
		for (size_t i = 0; i < in->nmsgs; i++) {
			const struct judge_msg *m = &in->msgs[i];
			size_t missing, on_err, piece = echo_piece(m->len, sends);
			int r = judge_find_message(cl->out, cl->out_len, m->text, m->len, piece,
			    &missing);
			char name[32];

			snprintf(name, sizeof(name), "echo %zu", i + 1);
			judge_show(shown, sizeof(shown), m->text, m->len);
			snprintf(exp, sizeof(exp), "%s on standard output%s", shown,
			    piece ? " (in pieces allowed)" : "");
			printed += r ? m->len : 0;
			/* pieces matched here and there in more text than it received: the
			 * search was lenient, the echo is not there */
			if (r == 2 && in->inject && in->received >= 0 &&
			    printed > (unsigned long long)in->received)
				r = 0;
			if (r == 1 && in->inject && in->received >= 0 &&
			    printed > (unsigned long long)in->received) {
				/* printed before it was received: not an echo, whatever it reads */
				judge_check(c, name, "prints-sent", 0, exp, "found, but the client had "
				    "received only %lld bytes from the server in all, fewer than the "
				    "%llu its echoes up to this one hold", in->received, printed);
				judge_diag(c, "The client printed text it never received: a recv() that "
				    "failed (-1, here %s) left its buffer as it was, holding the line "
				    "it had sent, and the client printed that. Check recv()'s result: "
				    "on EINTR call it again; print only the bytes it returned.",
				    strstr(in->inject, "EINTR") ? "EINTR" : "an injected failure");
				*failed = 1;
				continue;
			}
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
			} else if (cl->err_len && judge_find_message(cl->err, cl->err_len, m->text,
			    m->len, piece, &on_err)) {
				/* the echo is there, on the stream kept for errors */
				judge_check(c, name, "echo-on-stderr", 0, exp,
				    "not found; it was printed on standard error");
			} else if (m->len > 256) {
				judge_check(c, name, cut ? "short-write" : "echo-missing", 0, exp,
				    "bytes from offset %zu on are missing or out of order",
				    missing);
			} else {
				judge_check(c, name, cut ? "short-write" : "echo-missing", 0, exp,
				    "not found%s", cl->out_len ? "" : " (no output at all)");
			}
		}
	}
	if (e->sent_exact == SCN_YES && in->sent_known && in->npeers > 0)
		check_sent(in, c, failed);
	if (e->closes == SCN_YES && in->npeers > 0) {
		const struct peer_conn *pc = peer_log_conn(&in->peers[0], 1);
		/* EOF, a reset, or a write that found the socket closed (EPIPE) */
		int closed = pc && (pc->eof || pc->rst || pc->write_error[0]);
		/* stopped by sockcheck, it could not close: why it was stopped is the cause */
		if (!judge_check(c, "close", cl->killed ? judge_end_cause(in, 1, in->spun ? "spin" :
		    "hang") : "no-close", closed,
		    "the client closes its connection",
		    !pc ? "it never connected" : pc->eof ? "the server saw EOF" :
		    pc->rst ? "the server saw a reset" : pc->write_error[0] ?
		    "the server's write found it closed" : "the connection was still open"))
			*failed = 1;
	}
}
