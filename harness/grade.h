/*
 * grade: a whole class in one command (docs/grading.md).
 *
 * CLASS_DIR holds one subdirectory per student. Each is built and run
 * in-process (run_build, run_suite) by a pool of student threads; the
 * output directory gets
 *
 *   students/NAME/      that student's reports (results.json, ...), build.log,
 *                       case logs (work/cases), grade.json (the stamp below)
 *   gradebook.csv       student,total,max,build,<one column per case id>
 *   summary.md          per case: how many students failed it, the most
 *                       common failures first
 *   manifest.json       the cases, the configuration fingerprint, the shard
 *                       and its students (what `merge` needs)
 *
 * Resume: students/NAME/grade.json is written last; a student whose stamp
 * is complete, whose submission content hash (grade_hash_tree) and whose
 * configuration fingerprint (tool version, suite files, assignment,
 * options) are unchanged, and whose requested reports all exist, is not
 * graded again. gradebook.csv and summary.md are always written from the
 * files in students/, by the same code for `grade` and `merge`, so two
 * shards merged give the same bytes as one run.
 *
 * Library code: nothing is printed; progress goes through a callback.
 */
#ifndef SC_GRADE_H
#define SC_GRADE_H

#include <signal.h>
#include <stddef.h>

#include "asg.h"
#include "err.h"
#include "scn.h"

enum grade_ev_kind {
	GRADE_EV_PLAN,		/* the class is listed: total, skipped, pending */
	GRADE_EV_CASE,		/* a case of some student ended: fraction, elapsed */
	GRADE_EV_DONE		/* one student graded */
};

struct grade_event {
	enum grade_ev_kind kind;
	size_t total;		/* students of this shard */
	size_t skipped;		/* unchanged since the last run */
	size_t pending;		/* to grade */
	size_t done;		/* DONE: graded so far, this one included */
	size_t workers;		/* students graded at the same time */
	const char *student;	/* DONE */
	const char *build;	/* DONE: ok, failed, timeout, no-programs, error */
	unsigned score, max_score;	/* DONE */
	double seconds;		/* DONE: this student's build and run */
	double elapsed;		/* since grading began */
	double fraction;	/* CASE, DONE: of the pending work, done so far (0..1), the
				 * finished cases of students in progress counted */
	const char *message;	/* DONE with build "error": what went wrong */
};

struct grade_opts {
	const char *class_dir;	/* one subdirectory per student */
	const char *out_dir;	/* created */
	const struct scn_suite *suite;
	const char *suite_dir;	/* where it was loaded from (for the reports) */
	const struct asg *assignment;	/* or NULL: every case, the scenarios' points */
	const char *only;	/* further id globs, or NULL */
	const char *ref_dir;	/* the reference peers */
	const char *inject_lib;	/* libscinject.so or NULL */
	unsigned jobs;		/* cases in flight over all students; 0: cores */
	unsigned shard_k, shard_n;	/* grade shard k of n (1-based); n <= 1: all */
	const char *formats;	/* per-student reports, instructor view; json always */
	const char *student_formats;	/* student-view reports into students/NAME/student/, or NULL */
	double timeout_scale;	/* on top of the assignment's; 1.0 normally */
	int memcheck;		/* -1: profile/scenario/assignment decide; 0; 1 */
	int want_netns;
	int no_capture;		/* no packet capture in the cases (run_opts) */
	unsigned build_timeout_s;	/* cap on every build; 0: the profile's (default 120 s) */
	int force;		/* grade everyone again */
	int keep;		/* keep each student's built copy (work/build) */
	int no_retry;		/* a case the harness could not run is not run again (run_opts) */
	volatile sig_atomic_t *stop;	/* set asynchronously: finish the running students' cases early, start no more */
	/* serialised; from the student threads */
	void (*progress)(void *ctx, const struct grade_event *ev);
	void *progress_ctx;
};

/*
 * The students whose results could not be read when the class's outputs
 * were written: the gradebook keeps empty cells for them (never 0), and
 * `grade` again grades them again.
 */
struct grade_lost {
	char **student, **why;	/* why: naming the file that could not be read */
	size_t n;
};

void grade_lost_free(struct grade_lost *lost);

struct grade_result {
	size_t students;	/* of this shard */
	size_t graded, skipped;
	size_t errors;		/* students that could not be graded (internal errors) */
	int interrupted;	/* stop was set: gradebook and manifest not written */
	double seconds;		/* wall clock of the whole batch */
	double student_seconds;	/* sum over the graded students */
	size_t workers;		/* students graded at the same time */
	unsigned jobs;		/* cases in flight over all students */
	struct grade_lost lost;	/* not scored in the gradebook (grade_lost_free) */
};

/*
 * Grade the class. Returns -1 with err only when the batch could not run at
 * all (unreadable class directory, output directory not writable, ...);
 * a student's failed build or internal error never stops it.
 */
int grade_class(const struct grade_opts *o, struct grade_result *res, struct sc_err *err);

/*
 * Merge the output directories of shards (each written by grade_class with
 * --shard K/N, together covering 1..N, same configuration) into `out_dir`:
 * gradebook.csv and summary.md identical to a single run's, manifest.json,
 * and, when `copy` is set, every student's report directory.
 */
int grade_merge(const char *out_dir, char *const *dirs, size_t ndirs, int copy,
    struct grade_lost *lost, struct sc_err *err);

/*
 * SHA-256 (hex) of a submission: over its entries sorted by relative path
 * (bytewise), each framed as type, path, and for files the executable bit,
 * size and contents, for symlinks the target. `.git` directories are left
 * out. Returns -1 with err when something cannot be read.
 */
int grade_hash_tree(const char *dir, char hex[65], struct sc_err *err);

/* The shard (1..n) of a student: SHA-256 of the name, modulo n. */
unsigned grade_shard_of(const char *student, unsigned n);

/* "K/N" with 1 <= K <= N <= 10000. */
int grade_parse_shard(const char *s, unsigned *k, unsigned *n, struct sc_err *err);

#endif
