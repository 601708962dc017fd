/*
 * judge_file: the file transfer cases' part of the verdict (judge.c calls
 * it): the data, EOF and reply the reference client saw for file.server,
 * the output file and the reply for file.client, and the accepted replies.
 */
#include <stdio.h>
#include <string.h>

#include "judge.h"
#include "judge_int.h"

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
		judge_show(one, sizeof(one), r, rlen);
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? (i + 1 == nreplies(p) ?
		    " or " : ", ") : "", one);
	}
}

int
judge_reply_printed(const struct prof *p, const char *out, size_t out_len)
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

/*
 * Writes were capped (inject write_max) and the data fell short: a short
 * write left as it was, unless the first bytes the client got are the
 * data's own first bytes: then the program went on after its short writes,
 * and the rest is missing for another reason.
 */
static int
short_write_left(const struct judge_in *in, const struct peer_conn *pc)
{
	size_t n;

	if (in->inject == NULL || strstr(in->inject, "write()/send()") == NULL)
		return 0;
	n = pc->head_in_len < in->exp_head_len ? pc->head_in_len : in->exp_head_len;
	return pc->head_in == NULL || n < in->exp_head_len || n == 0 ||
	    memcmp(pc->head_in, in->exp_head, n) != 0;
}

void
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
		    "ipv4-only" : judge_server_cause(in, "not-serving"), 0, "the client connects",
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
			/* the first byte that differs is where a NUL belonged: a string
			 * function (fgets() and strlen(), strcpy()) cut the data there */
			int nul = pc->mismatch && pc->mismatch_expected == 0;
			judge_check(c, "data", nul ? judge_server_cause(in, "binary-unsafe") :
			    pc->bytes_in < in->exp_size ? (short_write_left(in, pc) ?
			    "short-write" :
			    judge_server_cause(in, "lost-bytes")) : "data-mismatch", 0, exp,
			    "%llu bytes%s%s", (unsigned long long)pc->bytes_in,
			    pc->bytes_in == in->exp_size ? " with different content" : "",
			    pc->rst ? ", then a reset" : "");
			if (pc->bytes_in < in->exp_size)
				judge_diag(c, "The client received %llu of %llu bytes.",
				    (unsigned long long)pc->bytes_in, (unsigned long long)in->exp_size);
			if (nul)
				judge_diag(c, "Its first wrong byte is at offset %llu, where the file has a "
				    "NUL byte: the server handled the data as a string (fgets() and "
				    "strlen(), strcpy()); send exactly the count read() or fread() "
				    "returned.", (unsigned long long)pc->mismatch_off);
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
		/* it exited over an interrupted call it never retried: the kernel
		 * closed its socket, not a close() where shutdown() belongs */
		int gave_up = in->student.ended && in->student.exited && judge_eintr_unretried(in);
		if (!judge_check(c, "reply", gave_up ? "no-eintr-retry" :
		    judge_server_cause(in, !pc->eof ? "no-shutdown" :
		    pc->rst || pc->write_error[0] ? "close-not-shutdown" : "reply-not-read"),
		    judge_reply_printed(in->p, in->student.out, in->student.out_len),
		    "the client's \"Thank you\" printed on standard output",
		    in->student.out_len ? "not found in its output" : "no output at all")) {
			if (!pc->eof || in->open_failed || (in->student.ended && !in->student.exited) ||
			    gave_up)
				;	/* the eof check, the missing file, the death or the exit explains it */
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

void
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
			/* where a NUL belonged, the bytes went through a string function */
			int nul = in->out_first_diff >= 0 && in->out_diff_expected == 0;
			const char *why = nul ? "binary-unsafe" : in->out_first_diff >= 0 ?
			    "data-mismatch" : in->out_size < in->exp_size ? "short-read" : "extra-bytes";
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
			else if (nul)
				judge_diag(c, "The first wrong byte is where a NUL byte belonged: write what "
				    "read() returned with its count (fwrite(), write()), not with fputs() or "
				    "fprintf(\"%%s\"), which stop at the first NUL.");
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
			judge_show(shown, sizeof(shown), pc->reply, pc->reply_len);
			judge_check(c, "reply", "reply-before-eof", 0, rexp, "%s before EOF", shown);
			judge_diag(c, "Reply only after read() has returned 0.");
			*failed = 1;
		} else if (!judge_reply_accepted(in->p, pc->reply, pc->reply_len)) {
			judge_show(shown, sizeof(shown), pc->reply, pc->reply_len);
			judge_check(c, "reply", "reply-format", 0, rexp, "%s (%zu byte%s)", shown,
			    pc->reply_len, pc->reply_len == 1 ? "" : "s");
			*failed = 1;
		} else {
			judge_show(shown, sizeof(shown), pc->reply, pc->reply_len);
			judge_check(c, "reply", NULL, 1, rexp, "%s after EOF", shown);
		}
	} else if (e->reply == SCN_NO) {
		if (pc->has_reply) {
			judge_show(shown, sizeof(shown), pc->reply, pc->reply_len);
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
