/*
 * dash: what the dash*.c files share (dash.h is the interface). The model
 * (struct dash) is loaded from the students' files in dash_load.c, written
 * as summary.json in dash.c and viewed as summary.html in dash_html.c.
 */
#ifndef SC_DASH_INT_H
#define SC_DASH_INT_H

#include <stddef.h>

#include <jansson.h>

#include "dash.h"

#define DASH_FORMAT "sockcheck-summary-1"
#define DASH_BINS 10

enum { V_NONE = -1 };	/* a case that did not run for a student (no results) */

struct dstu {
	const char *name;	/* raw, for paths */
	char *label;		/* valid UTF-8 without control characters, for display */
	const char *dir;
	char build[16];		/* ok, failed, timeout, no-programs, error, missing */
	int has_results;
	int scored;		/* score is its number; else no number, `why` */
	char *why;		/* not scored: why (naming the unreadable file) */
	double seconds;		/* grading time; < 0 unknown */
	unsigned score;
	int *cell;		/* per case (suite order): enum res_verdict, or V_NONE */
	size_t top;		/* index into dash.causes, or SIZE_MAX */
	json_t *causes;		/* the cause ids of its problems, distinct, in their order */
	char report[16];	/* "report.html", "results.json", "build.log" or "" */
};

struct dcause {
	const char *id, *title, *hint;	/* from the first results.json that names it */
	json_t *src;		/* keeps the strings above alive */
	size_t *who;		/* students, sorted by name */
	size_t nwho;
	size_t charged;		/* students who lost points to it */
	size_t last_charged;	/* the last of them counted (one student, several programs) */
	unsigned lost;		/* points lost to it over the class */
	json_t *programs, *cases;	/* arrays of distinct strings, first seen first */
};

struct dash {
	const struct dash_class *c;
	size_t *col;		/* display order of the cases: by protocol, role, suite order */
	struct dstu *s;
	size_t *row;		/* display order of the students: score down, then name */
	struct dcause *causes;
	size_t ncauses;
	unsigned max;
	unsigned bins[DASH_BINS], bins_nobuild[DASH_BINS];
	size_t nobuild;		/* build failed or timed out */
	size_t full;
	size_t scored;		/* students with a number (the figures are over them) */
	double mean, median;
	unsigned lowest, highest;
};

/* The builds a student can have, in the order the outputs list them. */
#define DASH_NBUILDS 6
extern const char *const dash_builds[DASH_NBUILDS];

/* A string of a submission (a name, a summary), fit for the page: caller frees. */
char *dash_clean(const char *s);
/* Part `part` (0 protocol, 1 role, 2 name) of a case id, `len` bytes of it. */
const char *dash_col_part(const char *id, int part, size_t *len);
/* strcmp of part `part` of two case ids. */
int dash_cmp_part(const char *a, const char *b, int part);
/* The model of the class: 0, or -1 with err; dash_free it either way. */
int dash_build(struct dash *d, const struct dash_class *c, struct sc_err *err);
void dash_free(struct dash *d);
json_t *dash_model_json(const struct dash *d);
int dash_write_html(const struct dash *d, const char *path, struct sc_err *err);

#endif
