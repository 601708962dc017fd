#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge_int.h"
#include "judge_udp.h"

/* The first datagram of a peer that did not come back right, or NULL. */
static const struct peer_dgram *
first_bad(const struct peer_log *pl)
{
	for (size_t k = 0; k < pl->ndgrams; k++) {
		const struct peer_dgram *d = &pl->dgrams[k];
		if (d->lost || !d->same || !d->from_ok)
			return d;
	}
	return NULL;
}

static void
describe_bad(struct res_case *c, const char *name, const char *exp, const struct peer_dgram *d,
    const char *lost_cause, int addr_problem, int *said_trunc)
{
	if (d->lost) {
		judge_check(c, name, lost_cause, 0, exp, "no reply to datagram %u (%llu bytes)", d->i,
		    (unsigned long long)d->sent);
	} else if (d->n < d->sent && d->prefix && d->cut_nul) {
		judge_check(c, name, "binary-unsafe", 0, exp,
		    "the reply to datagram %u had %llu of %llu bytes: it ended where a NUL byte was",
		    d->i, (unsigned long long)d->n, (unsigned long long)d->sent);
		judge_diag(c, "The reply stopped at a NUL byte: a datagram is bytes, not a C string. "
		    "Send back the count recvfrom() returned, not strlen() of the buffer.");
	} else if (d->n < d->sent && d->prefix) {
		judge_check(c, name, "truncated-datagram", 0, exp,
		    "the reply to datagram %u had %llu of %llu bytes", d->i,
		    (unsigned long long)d->n, (unsigned long long)d->sent);
		if (!*said_trunc)
			judge_diag(c, "The reply had %llu of %llu bytes: your receive buffer truncates "
			    "datagrams. recvfrom() into a buffer smaller than the datagram silently "
			    "drops the rest; use a buffer of 65507 bytes (the largest UDP payload) "
			    "and send back the count recvfrom() returned.",
			    (unsigned long long)d->n, (unsigned long long)d->sent);
		*said_trunc = 1;
	} else if (d->n > d->sent && d->prefix) {
		judge_check(c, name, "data-mismatch", 0, exp,
		    "the reply to datagram %u had %llu bytes for %llu", d->i,
		    (unsigned long long)d->n, (unsigned long long)d->sent);
		judge_diag(c, "Bytes beyond the datagram were sent back: send exactly the count "
		    "recvfrom() returned, not strlen() or the buffer size.");
	} else if (!d->same) {
		judge_check(c, name, addr_problem ? "reply-address" : "data-mismatch", 0, exp,
		    "the reply to datagram %u (%llu bytes) differs from byte %lld",
		    d->i, (unsigned long long)d->n, (long long)d->diff_off);
	} else {
		judge_check(c, name, "reply-address", 0, exp,
		    "the reply to datagram %u came from another address or port",
		    d->i);
		judge_diag(c, "Reply from the socket the datagram arrived on: a client that "
		    "connect()ed its socket never sees a reply from another port.");
	}
}

/* Whether every datagram of a peer was lost; whether some was. */
static int
all_lost(const struct peer_log *pl)
{
	for (size_t k = 0; k < pl->ndgrams; k++)
		if (!pl->dgrams[k].lost)
			return 0;
	return pl->ndgrams > 0;
}

static int
some_lost(const struct peer_log *pl)
{
	for (size_t k = 0; k < pl->ndgrams; k++)
		if (pl->dgrams[k].lost)
			return 1;
	return 0;
}

void
judge_udp_server(const struct judge_in *in, struct res_case *c, int *failed)
{
	int said_trunc = 0, nothing_back = 1, later_lost = 0, any_lost = 0, answered_before = 0;
	int alive = !in->student.ended;
	char exp[160], name[32];

	/* first what the clients saw together: that decides why a datagram was lost.
	 * An earlier client counts even where its own replies are not judged
	 * (expect: ignore, as the garbage senders of survives-garbage): it was
	 * answered, so the server answers, only not this client. */
	for (size_t i = 0; i < in->npeers; i++) {
		const struct peer_log *pl = &in->peers[i];
		if (pl->ndgrams == 0)
			continue;
		if (in->peer_specs[i].expect != SCN_PEER_IGNORE) {
			if (!all_lost(pl))
				nothing_back = 0;
			if (some_lost(pl)) {
				any_lost = 1;
				if (answered_before)
					later_lost = 1;
			}
		}
		if (!all_lost(pl))
			answered_before = 1;
	}
	int v4_only = in->s->setup.ipv6 && alive && any_lost && nothing_back;
	/* an earlier client answered, a later one not, the server still up */
	int addr_problem = alive && later_lost;
	const char *lost_cause = v4_only ? "ipv4-only" : addr_problem ? "reply-address" :
	    "datagram-unanswered";

	for (size_t i = 0; i < in->npeers; i++) {
		const struct peer_log *pl = &in->peers[i];
		const struct peer_dgram *bad;

		if (in->peer_specs[i].expect == SCN_PEER_IGNORE)
			continue;
		snprintf(name, sizeof(name), "client %zu", i + 1);
		if (pl->ndgrams == 0) {
			/* never a pass by default: the exchange was not seen (no cause:
			 * sockcheck could not run it) */
			judge_check(c, name, NULL, 0, "its datagrams answered", "%s", pl->dgrams_out ?
			    "it sent datagrams but logged no reply and no loss (stopped early)" :
			    "it sent nothing (the reference client did not run)");
			*failed = 1;
			continue;
		}
		snprintf(exp, sizeof(exp), "each of its %zu datagram%s back whole, from the server's "
		    "port", pl->ndgrams, pl->ndgrams == 1 ? "" : "s");
		if ((bad = first_bad(pl)) == NULL) {
			judge_check(c, name, NULL, 1, exp, "all %zu came back", pl->ndgrams);
			continue;
		}
		*failed = 1;
		describe_bad(c, name, exp, bad, lost_cause, addr_problem, &said_trunc);
	}
	if (v4_only)
		judge_diag(c, "Datagrams sent to ::1 got no reply: the server's socket serves IPv4 only "
		    "(AF_INET bound to INADDR_ANY). Bind an AF_INET6 socket to in6addr_any with "
		    "IPV6_V6ONLY set to 0, and it serves both families.");
	else if (any_lost && !alive)
		judge_diag(c, "The server had ended (%s %d) while datagrams were still coming: an empty, "
		    "bad or oversize datagram must not end it (recvfrom() returning 0 is an empty "
		    "datagram, not the end of anything).", in->student.exited ? "exit status" :
		    "signal", in->student.exited ? in->student.status : in->student.signal);
	else if (addr_problem)
		judge_diag(c, "A later client got no reply: send each reply to the address and port "
		    "recvfrom() returned with that datagram, not to one remembered from an earlier "
		    "client.");
}

/* The longest prefix of msg (at least 8 bytes, shorter than msg) found in out; 0 if none. */
static size_t
longest_prefix(const char *out, size_t out_len, const char *msg, size_t len)
{
	size_t lo = 0, hi = len;	/* lo found, hi+1 not */

	if (len < 9 || memmem(out, out_len, msg, 8) == NULL)
		return 0;
	lo = 8;
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (memmem(out, out_len, msg, mid) != NULL)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo < len ? lo : 0;
}

void
judge_udp_client(const struct judge_in *in, struct res_case *c, const struct judge_proc *cl,
    int *failed)
{
	const struct scn_expect *e = &in->s->expect;
	const struct peer_log *srv = in->npeers ? &in->peers[0] : NULL;
	char exp[160], name[32];
	int said_split = 0;

	if (e->data != SCN_NO) {
		for (size_t i = 0; i < in->nmsgs; i++) {
			const struct judge_msg *m = &in->msgs[i];
			size_t part;

			snprintf(name, sizeof(name), "echo %zu", i + 1);
			snprintf(exp, sizeof(exp), "the %zu-byte reply on standard output", m->len);
			if (memmem(cl->out, cl->out_len, m->text, m->len) != NULL || m->len == 0) {
				judge_check(c, name, NULL, 1, exp, "found whole");
				continue;
			}
			*failed = 1;
			if (srv && srv->dgram_in_max < m->len && (srv->dgram_in_bytes >= m->len ||
			    srv->dgrams_in > in->s->stdin_spec.nlines + 1)) {
				/* more datagrams than lines, or bytes enough, but never the
				 * line whole: it was not cut on its way back, it went out in
				 * pieces (the wire says so) */
				judge_check(c, name, "split-datagram", 0, exp, "the line never went out "
				    "whole: the largest datagram the server received had %llu bytes",
				    (unsigned long long)srv->dgram_in_max);
				if (!said_split)
					judge_diag(c, "The %zu-byte line went out as several datagrams of at "
					    "most %llu bytes, each echoed whole: the client reads a long line "
					    "in pieces (fgets() into a small buffer) and sends each piece. UDP "
					    "keeps message boundaries: read the whole line (a buffer larger "
					    "than any line, or getline()) and send it as one datagram.",
					    m->len, (unsigned long long)srv->dgram_in_max);
				said_split = 1;
			} else if ((part = longest_prefix(cl->out, cl->out_len, m->text, m->len)) > 0) {
				judge_check(c, name, "truncated-datagram", 0, exp, "only its first %zu bytes",
				    part);
				judge_diag(c, "The client printed %zu of the %zu bytes of the reply: its receive "
				    "buffer truncates datagrams (recvfrom() drops what does not fit), or "
				    "it keeps a byte for a NUL. Receive into a buffer as large as the "
				    "largest line it sends, plus one for the NUL.", part, m->len);
			} else {
				judge_check(c, name, "echo-missing", 0, exp, "not found%s", cl->out_len ? "" :
				    " (no output at all)");
			}
		}
	}
	if (srv == NULL || !cl->killed_at_deadline)
		return;
	if (srv->dgrams_in > in->s->stdin_spec.nlines * 3 + 3 && !in->resent)
		judge_diag(c, "The server received %llu datagrams for %zu line%s of input: the client "
		    "kept sending after its input ended. Stop when fgets() returns NULL.",
		    (unsigned long long)srv->dgrams_in, in->s->stdin_spec.nlines,
		    in->s->stdin_spec.nlines == 1 ? "" : "s");
	else if (srv->dgram_dropped)
		judge_diag(c, "Datagram %u was lost on purpose (UDP does not deliver reliably) and the "
		    "client waited for its reply forever: set a receive timeout (SO_RCVTIMEO, or "
		    "poll()/select() with a timeout), then send again or report the loss.",
		    srv->dgram_dropped);
}
