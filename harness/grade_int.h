/*
 * grade: what the grade_*.c files share (grade.h is the interface). The
 * class is graded in grade.c, fingerprinted in grade_hash.c, planned in
 * grade_plan.c, stamped per student in grade_stamp.c, written out in
 * grade_book.c and grade_sum.c, merged in grade_merge.c.
 */
#ifndef SC_GRADE_INT_H
#define SC_GRADE_INT_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"
#include "grade.h"

#define STAMP_FORMAT "sockcheck-grade-student-1"
#define MANIFEST_FORMAT "sockcheck-grade-manifest-1"

/* snprintf for paths and fields: -1 when `buf` is too small (then cut). */
int grade_pathf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
double grade_now_s(void);
int grade_cmp_str(const void *a, const void *b);
void grade_free_strings(char **v, size_t n);

/* ---- the plan: which cases, with which points ---- */

struct grade_col {
	char *id, *title, *level;
	unsigned points;
	int hidden;
	double scale;
	const struct scn *s;	/* grading only; NULL when read from a manifest */
};

struct grade_cols {
	struct grade_col *v;
	size_t n;
};

void grade_cols_free(struct grade_cols *c);
int grade_plan_cols(const struct grade_opts *o, struct grade_cols *c, struct sc_err *err);
int grade_config_hash(const struct grade_opts *o, const struct grade_cols *c, char hex[65],
    struct sc_err *err);

/* Report formats: a comma-separated list of rpt_write_all's names. */
int grade_check_formats(const char *list, struct sc_err *err);
int grade_has_format(const char *list, const char *name);
int grade_formats_present(const char *list, const char *dir);

/* ---- the per-student stamp (students/NAME/grade.json) ---- */

struct grade_stamp {
	char sub_hash[65], config[65];
	char build[16];
	int complete;
	unsigned score, max_score;
	double seconds;
	char message[SC_ERR_MSG_MAX + 64];
};

/* Write `root` (its reference taken) to `path`, atomically. */
int grade_write_json(const char *path, json_t *root, struct sc_err *err);
int grade_stamp_write(const char *dir, const char *student, const struct grade_stamp *s,
    struct sc_err *err);
void grade_copy_str(char *dst, size_t len, const json_t *v);
/* 1: read; 0: absent; -1: there but unreadable, `why` says so (naming the file). */
int grade_stamp_read(const char *dir, struct grade_stamp *s, char *why, size_t whylen);
int grade_build_has_results(const char *build);
/* results.json at `path` can be read back (jsonio) and has its cases. */
int grade_results_readable(const char *path);

/* ---- the class's outputs ---- */

struct grade_rec {
	char *name;
	char build[16];
	int has_results;	/* results.json read */
	int counted;		/* in the per-case statistics: the build was ok */
	unsigned total;
	unsigned *score;	/* per column */
	int *verdict;		/* per column: enum res_verdict, or -1 missing */
	char **summary;		/* per column, failures only */
	int scored;		/* total and score hold its numbers (else empty cells) */
	char *why;		/* not scored: why, naming the file that could not be read */
};

int grade_write_summary(const char *out_dir, const char *title, const struct grade_cols *c,
    const struct grade_rec *r, size_t n, struct sc_err *err);
int grade_write_manifest(const char *out_dir, const char *config, const char *title,
    const struct grade_cols *c, unsigned k, unsigned n, char *const *students, size_t nst,
    struct sc_err *err);
/* gradebook.csv, summary.md, summary.json and summary.html from students/ of each of `name_dirs`. */
int grade_write_outputs(const char *out_dir, const char *title, const struct grade_cols *c,
    char **names, const char **name_dirs, size_t n, struct grade_lost *lost, struct sc_err *err);
/* Add a student not scored, and why, to `lost`. */
int grade_lost_add(struct grade_lost *lost, const char *student, const char *why);

#endif
