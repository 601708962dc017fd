/*
 * judge: turns what was observed in one case into a verdict, a list of
 * checks (expected vs actual), a one-line summary and a diagnosis.
 * Pure: it reads its input and writes only the res_case it is given.
 */
#ifndef SC_JUDGE_H
#define SC_JUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "peer.h"
#include "prof.h"
#include "results.h"
#include "scn.h"

struct judge_proc {
	int started;		/* it was started (exec succeeded) */
	char *start_error;	/* why it could not be started, or NULL */
	int start_shortage;	/* ... for lack of processes or memory: sockcheck's failure */
	int ended;		/* it ended by itself before sockcheck stopped it */
	int exited, status, signal;
	int killed;		/* sockcheck stopped it */
	int killed_at_deadline;	/* ... because the case deadline came */
	double seconds;
	double queued_seconds;	/* of them, runnable but waiting for a CPU (machine load) */
	const char *out;	/* captured stdout (head, marker, tail) */
	size_t out_len;
	const char *err;	/* captured stderr */
	size_t err_len;
};

struct judge_msg {		/* echo.client: a message the client must print */
	const char *text;	/* what should come back (mangled when the server mangles) */
	size_t len;
	const char *sent;	/* what the client sent (to recognise a client printing its input) */
};

struct judge_in {
	const struct scn *s;
	const struct prof *p;
	struct judge_proc student;	/* the program under test (the server in a pair) */
	struct judge_proc student2;	/* pair: the student's client */
	int ready;			/* servers: it listened */
	double ready_wait;		/* seconds waited for it to listen */
	unsigned port;
	const struct peer_log *peers;	/* one per started reference peer */
	size_t npeers;
	const struct scn_peer *peer_specs;	/* the scenario's peers (effective) */
	/* file transfers: expected data and what the receiver got */
	int have_expected;
	uint64_t exp_size;
	char exp_head[256];		/* file.server: the data's first bytes */
	size_t exp_head_len;
	char exp_digest[REF_DIGEST_HEX];
	int out_checked;		/* file.client/pair: the output file was examined */
	int out_exists;
	int out_not_regular;		/* a link, FIFO or device stood there: not read */
	uint64_t out_size;
	char out_digest[REF_DIGEST_HEX];
	int64_t out_first_diff;		/* -1: none (or not computed) */
	int out_diff_expected;		/* the data's byte there, -1: past its end */
	/* echo.client */
	const struct judge_msg *msgs;
	size_t nmsgs;
	int resent;			/* echo.client: stopped for sending its input again */
	int spun;			/* stopped for spinning (a busy loop, a failing call retried) */
	int sent_known;			/* expect.sent_exact: the forms the lines may take */
	uint64_t sent_size[2];		/* the lines' bytes without, with their newlines */
	char sent_digest[2][REF_DIGEST_HEX];
	/* how the case ended */
	int deadline_hit;
	double timeout_s;
	double time_factor;		/* deadlines' factor (memcheck, --timeout-scale); 0: 1 */
	const char *stall;		/* what the processes were doing at a stall, or NULL */
	const char *inject;		/* what the preload injected, or NULL */
	long long received;		/* the bytes the student's socket reads returned, as
					 * the preload counted them; -1: not known */
	long long eintr_unretried;	/* reads failed with EINTR that the program never
					 * called again (preload); -1: not known */
	const char *open_failed;	/* servers: "opened data.txt: No such file or directory"
					 * (the first file it failed to open), or NULL */
	const char *wire;		/* what the packet capture shows the student's side
					 * doing (wview_evidence), or NULL: named in the
					 * diagnosis of a case that did not pass, never a
					 * verdict of its own */
	const struct mc_report *mc;	/* memcheck findings, or NULL */
	char *const *mc_fail;		/* kinds that fail the case (NULL: default) */
};

/* Fill c->verdict, checks, summary, diagnosis (c->hint etc. are set by the caller). */
int judge_case(const struct judge_in *in, struct res_case *c);

/*
 * Where `msg` appears in `out`: whole (returns 1), in order but in pieces
 * of at least `min_piece` bytes with other text between (2), or not (0;
 * *missing_at = offset in msg of the first byte not found).
 */
int judge_find_message(const char *out, size_t out_len, const char *msg,
    size_t msg_len, size_t min_piece, size_t *missing_at);

/*
 * Replies (PROTOCOLS.md): by default "Thank you" followed by "\n", "\0",
 * "\r\n" or nothing; the profile's reply: list replaces them. Accepted:
 * exactly one of them, byte for byte. judge_reply_forms writes the accepted
 * forms, escaped, for messages: "\"Thank you\\n\", ... or \"Thank you\"".
 */
int judge_reply_accepted(const struct prof *p, const char *text, size_t len);
void judge_reply_forms(const struct prof *p, char *buf, size_t len);

/* "SIGSEGV (segmentation fault)" and the like. */
const char *judge_signal_name(int sig);

#endif
