/*
 * run: runs the suite's cases against one submission and fills a res_run.
 * Per case: a scratch directory (a copy of the built submission), a sandbox
 * (sbx), the student program and the reference peers, capture, deadline,
 * then the judge. Cases run in parallel (jobs).
 */
#ifndef SC_RUN_H
#define SC_RUN_H

#include <semaphore.h>
#include <stdint.h>
#include <signal.h>

#include "err.h"
#include "prof.h"
#include "results.h"
#include "scn.h"

struct asg;

struct run_opts {
	const char *ref_dir;	/* the reference peers (build/reference) */
	const char *inject_lib;	/* libscinject.so, or NULL */
	const char *work_dir;	/* scratch root (created; case dirs below it) */
	const char *finder_cache;	/* or NULL: work_dir/finder-cache (fnd.h) */
	const char *only;	/* id globs, or NULL for all */
	unsigned jobs;		/* 0: run_default_jobs() */
	double timeout_scale;	/* 1.0 normally */
	int memcheck;		/* -1: profile/scenario decide; 0; 1 */
	int want_netns;		/* 1: a network namespace per case when allowed */
	int no_capture;		/* 1: no packet capture (capture.pcap, wcap.h) */
	int keep;		/* keep case directories of passing cases too, and large files whole */
	int no_retry;		/* a case the harness could not run is not run again */
	unsigned repeat;	/* run each case this many times (0, 1: once); verdicts
				 * that disagree make the case flaky (res_case) */
	uint64_t report_cap;	/* bytes work_dir and the reports may take: 0: the profile's
				 * limits.report or TRIM_REPORT_CAP; set (an assignment's, or
				 * grade's): the profile can only lower it */
	int no_finder;		/* 1: don't run the convention finder (fnd.h) */
	int no_sites;		/* 1: the preload library records no call sites (cite.h;
				 * `make bench` measures what they cost) */
	const char *build_log;	/* set when the build failed: where its output is */
	const struct asg *assignment;	/* selection, points, hidden; or NULL */
	sem_t *slots;		/* or NULL; else each case runs holding one (shared by runs) */
	sem_t *cpus;		/* or NULL (then one per core); a heavy case runs holding
				 * one (run_int.h, run_case_heavy; shared by runs) */
	volatile sig_atomic_t *stop;	/* set asynchronously: finish early */
	/* called after each case (from the thread that ran it, serialised) */
	void (*progress)(void *ctx, const struct res_case *c, size_t done, size_t total);
	void *progress_ctx;
};

/*
 * Build the submission in `dir` into the scratch copy `build_dir` with the
 * profile's build command (or `make` when there is a Makefile), log in
 * `log_path`. *built = 1 on success. Returns -1 only on internal errors.
 */
int run_build(const char *dir, const char *build_dir, const struct prof *p,
    const char *log_path, unsigned timeout_s, int *built, struct sc_err *err);

/* The same, ended early (as a failed build) when *stop becomes set. */
int run_build_stoppable(const char *dir, const char *build_dir, const struct prof *p,
    const char *log_path, unsigned timeout_s, volatile sig_atomic_t *stop, int *built,
    struct sc_err *err);

/*
 * Seconds scenario `s` gets before --timeout-scale and memcheck: its
 * `timeout` plus its data at the floor rate (run_data.c, FLOOR_RATE).
 */
double run_case_seconds(const struct scn *s);

/*
 * Cases in flight when --jobs is not given: RUN_JOBS_PER_CORE per core.
 * Measured on 2 cores (issue 24; the suite on fixtures/correct, runs
 * alternated on a loaded machine, medians): 25 s at --jobs 2, 23 s at 4,
 * 20 s at 6, 18 s at 8, 19 s at 12: most cases wait. The cases whose
 * student program does the work (the textbook fixture's 32 MiB in 30-byte
 * writes, memcheck) once missed at --jobs 8 the deadline their data allows
 * (FLOOR_RATE), sharing the CPU with as many others: now they run at most
 * one per core whatever --jobs says (run_case_heavy, run_opts.cpus), and
 * the light cases beside them mostly wait. make bench, both builds
 * alternated on a loaded machine (load 17): the suite in 7.9 s at four
 * per core against 13.1 s at one, the same CPU time; the textbook fixture
 * passes every must-case at four per core under a CPU hog on every core
 * (tests/textbook-load.sh). `grade` keeps one per core (grade.c says why).
 */
#define RUN_JOBS_PER_CORE 4
unsigned run_default_jobs(void);

/* The cores online: how many heavy cases run at once (run_opts.cpus). */
unsigned run_cpus(void);

/*
 * Run `suite` against the built submission in `built_dir` (sources for
 * memcheck file:line in `src_dir`). Fills `out` (caller frees with
 * res_run_free). Returns -1 with err only when nothing could be run.
 */
int run_suite(const struct scn_suite *suite, const struct prof *p,
    const char *src_dir, const char *built_dir, const struct run_opts *o,
    struct res_run *out, struct sc_err *err);

#endif
