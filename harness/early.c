/*
 * early: decide a case before its deadline once its outcome is certain
 * (contract in early.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "early.h"
#include "peer.h"

#define LOOK_S 0.05		/* between two looks (the logs are read whole) */
#define JUDGED_GRACE_S 0.5	/* a correct client ends this soon after its last echo */
#define SERVER_GONE_S 1.0	/* ... and this soon after the server closed the connection */

void
early_init(struct early *e, const struct scn *s, double factor)
{
	memset(e, 0, sizeof(*e));
	e->s = s;
	e->factor = factor;
}

void
early_free(struct early *e)
{
	free(e->why);
	e->why = NULL;
}

/*
 * The program's own seconds since (t0, q0): wall time less what it spent
 * waiting for a CPU. Asleep or running, the time is its own; runnable and
 * not running, it is the machine's.
 */
static double
own_seconds(double t, double q, double t0, double q0)
{
	double own = (t - t0) - (q - q0);

	return own < 0 ? 0 : own;
}

static void
decide(struct early *e, int fault, char *why)
{
	e->decided = 1;
	e->fault = fault;
	free(e->why);
	e->why = why;
}

/*
 * Whether the case judges how the client ends: its end of input or its quit
 * word is the target (cause.h), it must fail, or it must end within a time.
 */
static int
targets_end(const struct scn *s)
{
	unsigned end = 1u << CAUSE_ASPECT_END_OF_INPUT | 1u << CAUSE_ASPECT_QUIT_WORD;

	return (s->targets & end) || s->stdin_spec.quit || !s->stdin_spec.close || s->setup.no_server ||
	    s->expect.exit == SCN_EXIT_FAILURE || s->expect.max_seconds > 0;
}

/* The preload library saw the program retry a read it failed, 1000 times. */
static void
look_inject(struct early *e)
{
	char line[256];
	FILE *f;

	if (e->inject_log == NULL || (f = fopen(e->inject_log, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		char fn[32] = "read";
		unsigned long n = 0;
		char *why;
		if (sscanf(line, "spun reads_fail %31s %lu", fn, &n) != 2)
			continue;
		if (asprintf(&why, "Stopped at once: the program called %s() %lu times on a "
		    "connection whose every read failed, without giving up: it retries a "
		    "failing read forever instead of closing that connection.", fn, n) < 0)
			why = NULL;
		decide(e, 1, why);
		break;
	}
	fclose(f);
}

/*
 * Clients, from the reference server's log: an echo client that sends more
 * bytes than its input held, the same read again and again; a client still
 * running a while after the server closed or reset the connection.
 */
static void
look_server(struct early *e, double t, const struct early_view *v)
{
	struct peer_log log;
	struct sc_err err;
	const struct peer_conn *pc;
	size_t nlines = e->s->stdin_spec.nlines;
	char *why;

	if (e->server_events == NULL || peer_log_read(e->server_events, &log, &err) < 0)
		return;
	if (e->s->protocol == SCN_UDP) {
		/* datagrams: one per line, a few more for a lost reply's retries;
		 * and more bytes than the input held: a client that sends a long
		 * line in pieces (fgets() into a small buffer) sends many datagrams
		 * but not one byte more, and its case is judged on what it sent */
		if (v->input_done && log.dgrams_in >= nlines + EARLY_RESENDS &&
		    log.dgram_in_bytes > e->input_bytes) {
			if (asprintf(&why, "Stopped at once: after its input ended the client went on "
			    "sending (the server received %llu datagrams for %zu line%s of input): it "
			    "sends its last line again instead of ending at the end of its input.",
			    (unsigned long long)log.dgrams_in, nlines, nlines == 1 ? "" : "s") < 0)
				why = NULL;
			decide(e, 0, why);
			e->resent = 1;
		}
		peer_log_free(&log);
		return;
	}
	pc = peer_log_conn(&log, 1);
	if (pc && (pc->closed || pc->reset_sent)) {
		if (e->closed_t == 0) {
			e->closed_t = t;
			e->closed_q = v->queued_s;
		} else if (own_seconds(t, v->queued_s, e->closed_t, e->closed_q) >=
		    SERVER_GONE_S * e->factor) {
			if (asprintf(&why, "Stopped at once: the server %s the connection %.1f s "
			    "earlier and the client was still running; read() returning 0 (or "
			    "failing) means the other side is gone: end then.", pc->reset_sent ?
			    "reset" : "closed", t - e->closed_t) < 0)
				why = NULL;
			decide(e, 1, why);
		}
	}
	if (!e->decided && e->s->protocol == SCN_ECHO && v->input_done && pc &&
	    pc->bytes_in > e->input_bytes && pc->reads >= nlines + EARLY_RESENDS &&
	    pc->same_reads >= EARLY_RESENDS && pc->last_read > 0) {
		if (asprintf(&why, "Stopped at once: after its input ended the client went on "
		    "sending (the server received %llu bytes for %llu bytes of input, the last %llu "
		    "times %llu bytes each): it sends its last line again instead of ending at "
		    "the end of its input.", (unsigned long long)pc->bytes_in,
		    (unsigned long long)e->input_bytes, (unsigned long long)pc->same_reads,
		    (unsigned long long)pc->last_read) < 0)
			why = NULL;
		decide(e, 0, why);
		e->resent = 1;
	}
	peer_log_free(&log);
}

/* echo.client: every echo printed, the input over, the program still running. */
static int
all_echoes(const struct early *e, const struct early_view *v)
{
	for (size_t i = 0; i < e->nmsgs; i++) {
		size_t missing;
		if (!judge_find_message(v->out, v->out_len, e->msgs[i].text, e->msgs[i].len,
		    e->msgs[i].len > 256 ? 32 : 0, &missing))
			return 0;
	}
	return 1;
}

static int
target_pending(const struct early *e, const struct early_view *v)
{
	const struct scn *s = e->s;

	return s->protocol != SCN_FILE && s->role == SCN_CLIENT && e->nmsgs > 0 &&
	    !targets_end(s) && v->alive && v->input_done;
}

int
early_wants_output(const struct early *e, double t, const struct early_view *v)
{
	return !e->decided && t >= e->next_t && target_pending(e, v);
}

void
early_step(struct early *e, double t, const struct early_view *v)
{
	if (e->decided || !v->alive || t < e->next_t)
		return;
	e->next_t = t + LOOK_S;
	look_inject(e);
	if (!e->decided && e->s->role == SCN_CLIENT)
		look_server(e, t, v);
	if (e->decided || !target_pending(e, v) || v->out == NULL)
		return;
	if (!all_echoes(e, v)) {
		e->judged_t = 0;
		return;
	}
	if (e->judged_t == 0) {
		e->judged_t = t;
		e->judged_q = v->queued_s;
	}
	if (own_seconds(t, v->queued_s, e->judged_t, e->judged_q) >= JUDGED_GRACE_S * e->factor) {
		char *why;
		if (asprintf(&why, "Stopped at once: every echo was printed and its input had "
		    "ended, but the client was still running %.1f s later; how it ends at the "
		    "end of its input is judged in its own case.", t - e->judged_t) < 0)
			why = NULL;
		decide(e, 0, why);
	}
}
