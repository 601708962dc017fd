/*
 * early: decide a case before its deadline once its outcome is certain
 * (PROTOCOLS.md, judging rules: a deadline is a last resort).
 *
 * The runner's poll loop hands it, a few times a second, what it sees of the
 * student program; when the program's fault is already known, or the case's
 * target has been judged and the program is still running for a reason
 * another case judges, `decided` is set with the words for the diagnosis,
 * and the runner stops the program at once:
 * - a client that keeps sending after its input ended: the reference echo
 *   server has received more than the input held, in a run of equal reads
 *   (the same line again and again); for UDP, EARLY_RESENDS datagrams more
 *   than the input had lines;
 * - a client still running 1 s (times the factor) after the reference
 *   server closed or reset the connection (TCP);
 * - a program that retries a read the preload library fails every time
 *   (inject.reads_fail): the library notes the 1000th failed call;
 * - an echo client whose echoes are all printed and whose input has ended,
 *   still running a moment later, in a case that does not target its end
 *   (end of input or quit word: the cases that do, wait for it).
 * "Later" counts the program's own time: wall time less the time it waited
 * for a CPU (early_view.queued_s), so that a busy machine never makes a
 * correct program look late.
 */
#ifndef SC_EARLY_H
#define SC_EARLY_H

#include <stddef.h>
#include <stdint.h>

#include "judge.h"
#include "scn.h"

/* Run of equal reads past the input that make resending certain. */
#define EARLY_RESENDS 20

struct early {
	/* set by the caller (early_init, then the fields it knows) */
	const struct scn *s;
	double factor;			/* time factor (memcheck) */
	const char *inject_log;		/* the preload library's side channel, or NULL */
	const char *server_events;	/* clients: the reference server's event log */
	uint64_t input_bytes;		/* echo.client: the bytes of standard input */
	const struct judge_msg *msgs;	/* echo.client: the echoes to print */
	size_t nmsgs;
	/* state */
	double next_t;			/* when to look next */
	double judged_t;		/* when the target was first seen judged, 0: not yet */
	double judged_q;		/* ... and the program's run-queue seconds then */
	double closed_t;		/* when the server was first seen closed, 0: not yet */
	double closed_q;		/* ... and the program's run-queue seconds then */
	int decided;			/* the student program should be stopped now */
	int fault;			/* ... and its running on is a fault of this case */
	int resent;			/* ... because it sent its input again after the end */
	char *why;			/* the diagnosis (malloc'd), or NULL */
};

/* What the runner sees at one moment. */
struct early_view {
	int alive;			/* the student program is running */
	int input_done;			/* all of its standard input was fed, and closed */
	const char *out;		/* its standard output so far (head and tail) */
	size_t out_len;
	double queued_s;		/* seconds it has waited for a CPU so far (runnable,
					 * not running: pnet_run_queue_seconds); 0 if unknown */
};

void early_init(struct early *e, const struct scn *s, double factor);
void early_free(struct early *e);

/* Whether step needs the program's output now (it is read only then). */
int early_wants_output(const struct early *e, double t, const struct early_view *v);

/* One look at time t (CLOCK_MONOTONIC seconds); sets e->decided and e->why. */
void early_step(struct early *e, double t, const struct early_view *v);

#endif
