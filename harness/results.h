/*
 * results: the outcome of a run, read-only once the runner has filled it.
 * The reporters (rpt_*) read it; nothing else writes it.
 */
#ifndef SC_RESULTS_H
#define SC_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "mc.h"

enum res_verdict { RES_PASS, RES_FAIL, RES_ERROR, RES_SKIP };

/* Captured output, capped: the head and the tail are kept. */
struct res_stream {
	char *head;
	size_t head_len;
	char *tail;		/* NULL when nothing was omitted */
	size_t tail_len;
	uint64_t total;		/* bytes the program wrote */
};

/* One process of a case: the student program or a reference peer. */
struct res_proc {
	char *role;		/* "student", "peer 1", ... */
	char **argv;		/* as started (NULL-terminated) */
	int started;
	int exited;		/* 1: exited with `status`; 0: killed by `signal` */
	int status;
	int signal;
	int killed;		/* sockcheck had to stop it (deadline or end of case) */
	double seconds;		/* from start to end */
	struct res_stream out, err;
	char *events_path;	/* peers: the JSON-lines event log, kept in the case dir */
};

/*
 * Where in the student's source a failed check's cause was made: the call
 * the cause is about (harness/cite.c), from the call sites the preload
 * library recorded and the program's debug information.
 */
struct res_cite {
	char *call;		/* "close", "write", "fgets", ...; "crash" for a fatal signal */
	char *file;		/* the source file (relative to the submission when it is
				 * there), or NULL: no line information (see note) */
	int line;
	char *function;		/* or NULL */
	uint64_t offset;	/* in the function, when there is no line (no -g) */
	char *object;		/* the program's file name */
	char *text;		/* the source line, when the source is in the submission */
	char **context;		/* the lines around it, from context_first; NULL-ended, or NULL */
	int context_first;
	char *say;		/* what that call did and what belongs there */
	char *note;		/* why no line could be named, or NULL */
	struct res_cite *next;	/* a second line for the same cause, or NULL */
};

/*
 * One thing the judge checked. A target check decides the verdict; a
 * collateral one (an aspect another case targets: cause.h) is a note that
 * costs nothing. A failed check names its cause (cause.h), else NULL.
 */
struct res_check {
	char *name;		/* "data", "eof", "reply", "exit", ... */
	int ok;
	char *expected;
	char *actual;
	char *cause;		/* failed: "no-eof-exit", "reply-format", ... (cause.h) */
	int collateral;		/* 1: a note, not part of the verdict */
	struct res_cite *cite;	/* failed: the line of the call its cause is about, or NULL */
};

struct res_case {
	char *id;
	char *title;
	char *protocol, *role, *level;	/* names, as in the scenario */
	unsigned points;		/* available */
	unsigned score;			/* earned: points when passed, or when it is the
					 * payer of none of the causes it failed on, else 0 */
	char *charged_in;	/* not a payer: the case that paid (res_tally), or NULL */
	int hidden;
	unsigned targets;	/* the aspects its scenario targets: bit (1u << enum
				 * cause_aspect), as scn.h's targets */
	uint64_t target_causes;	/* the cause ids its scenario names in target:
				 * (1 << cause_index()), as scn.h's */
	enum res_verdict verdict;
	char *summary;		/* one line: what went wrong, or "" on pass */
	char *diagnosis;	/* what happened on the wire and why, or NULL */
	char *hint;		/* where the student should look, or NULL */
	struct res_check *checks;
	size_t nchecks;
	struct res_proc *procs;
	size_t nprocs;
	int memcheck;		/* memcheck ran for this case */
	struct mc_report mc;
	char *isolation;	/* "netns" or "loopback" */
	char *redirected;	/* loopback: where a client's address with no namespace to
				 * give it went ("sendto 192.168.56.101:40123 redirected to
				 * 127.0.0.1:40123: no namespace"), or NULL */
	unsigned port;
	double seconds;
	char *case_dir;		/* where its logs are kept, or NULL */
	/* the packet capture (wcap.h, wire.h): case_dir/capture.pcap when captured */
	int captured;
	char *capture_note;	/* not captured: why; else what was kept ("812 packets, ...") */
	double t0_real;		/* the case's start, CLOCK_REALTIME seconds (pcap's clock) */
	double t_stall;		/* seconds from start: a stall or early decision ended it; <0 none */
	double t_stop;		/* seconds from start: sockcheck began stopping programs; <0 unknown */
	uint64_t cap_seen, cap_kept, cap_omitted, cap_dropped;	/* packets (wcap_stats) */
	uint64_t cap_bytes;	/* size of capture.pcap */
	/* --repeat N: the case ran `runs` times; this is the first run that did
	 * not pass, or the first run when all passed */
	unsigned runs;		/* 0 or 1: it ran once */
	unsigned nverdict[4];	/* runs per verdict, indexed by enum res_verdict */
	int flaky;		/* the runs did not all give the same verdict */
	enum res_verdict other_verdict;	/* flaky: another outcome than `verdict`... */
	char *other_summary;	/* ...and its summary */
};

struct res_run {
	char *tool_version;
	char *submission;	/* directory */
	char *suite;		/* directory */
	char *started;		/* ISO 8601 UTC */
	double seconds;
	int interrupted;	/* SIGINT/SIGTERM ended the run: unfinished cases are errors */
	/* the isolation the cases had (isol.h), said once at the top of a report:
	 * "root", "userns" or "none" (NULL: no case ran), and in words: which,
	 * why, what it costs */
	char *isolation, *isolation_note;
	char *conventions;	/* what the convention finder found, one line per program
				 * ("file_server: port fixed at 9090; serves data.txt"), or NULL */
	struct res_case *cases;
	size_t ncases;
	unsigned passed, failed, errors, skipped;
	unsigned repeat;	/* runs per case (--repeat), 0 or 1: once */
	unsigned flaky;		/* cases whose runs disagreed (--repeat) */
	unsigned score, max_score;
};

const char *res_verdict_name(enum res_verdict v);	/* "pass", "fail", "error", "skip" */
int res_verdict_from_name(const char *s);	/* the enum res_verdict named, or -1 */

/*
 * Counts, score and max_score from the cases, and each case's score: one
 * fault, one charge (docs/grading.md). Each cause of each program is paid
 * by one case, its payer (res_payer), chosen by what the cases are for,
 * never by the order they ran or finished in. A failed case costs its
 * points when it pays for at least one cause of its failed target checks,
 * or has a failed target check without a cause, or none at all (harness
 * errors always cost); otherwise it keeps its verdict, earns its points and
 * names in charged_in the payer of its first failed cause.
 */
void res_tally(struct res_run *run);

/*
 * The case that pays for `cause` in `program` (res_case_program): among
 * the failed cases of that program with a failed target check of that
 * cause, the first by (1) the case's scenario targets the cause's aspect
 * or names the cause itself in `target:`,
 * (2) level must > should > info, (3) more points, (4) visible before
 * hidden, (5) run order. The index into run->cases, or SIZE_MAX when no
 * case failed on it.
 */
size_t res_payer(const struct res_run *run, const char *program, const char *cause);

/*
 * What a score counts when cases were skipped (a submission without some of
 * the programs): the points of the cases that ran, the points of the skipped
 * ones, and the programs the cases that ran test, in suite order, comma
 * separated ("file_client" or "echo_server, echo_client"; "" when none ran).
 */
struct res_scope {
	unsigned ran_points;
	unsigned skipped_points;
	char programs[256];
};
void res_scope(const struct res_run *run, struct res_scope *s);

/*
 * A problem found: one cause in one program, with every case where it
 * showed (as a target failure or as a collateral note): the case that paid
 * for it first, then the others in run order.
 */
struct res_problem {
	const char *cause;	/* cause.h id */
	const char *program;	/* "echo_client", ..., "file pair" */
	const char *title;	/* the cause's one line */
	const char *hint;	/* the cause's hint */
	size_t *cases;		/* indices into run->cases */
	unsigned char *notes;	/* per case: 1 when it showed there as a collateral note only */
	size_t ncases;
	const struct res_cite *cite;	/* the line it was made at (the first with a
				 * file, else the first), or NULL */
	size_t charged;		/* the case whose points it cost (res_payer: index into
				 * run->cases; with student_view it may be a hidden case
				 * that is not in `cases`), or SIZE_MAX: noted only */
};

/*
 * The problems of `run`, grouped by cause and program, in the order they
 * first show (run order): what the reports lead with. With `student_view`,
 * hidden cases are left out. Returns 0, or -1 when out of memory.
 */
int res_problems(const struct res_run *run, int student_view, struct res_problem **out,
    size_t *n);
void res_problems_free(struct res_problem *p, size_t n);

/*
 * How problem `p` showed in its k-th case, for the reports: "failed: its
 * points lost here" (the case it was charged in), "a note: no points lost"
 * (collateral there) or "failed: no points lost, charged once" (that case
 * failed on it too, at no cost).
 */
const char *res_problem_mark(const struct res_problem *p, size_t k);

/* The program a case tests: "echo_server", ..., or "echo pair". */
const char *res_case_program(const struct res_case *c);

/*
 * Exit status of `sockcheck run`: 0 every must-case passed and no case was
 * flaky, else 1.
 */
int res_exit_status(const struct res_run *run);

void res_cite_free(struct res_cite *c);

/* The line a failed case names: its first failed target check's cite with
 * a file and line, or NULL. */
const struct res_cite *res_case_cite(const struct res_case *c);

/* Where a cite points, for a report: "file_server.c:58", without line
 * information "file_server (main+0x2a7)", else the program's name. */
void res_cite_where(const struct res_cite *ci, char *buf, size_t len);
void res_case_free(struct res_case *c);
void res_run_free(struct res_run *run);

#endif
