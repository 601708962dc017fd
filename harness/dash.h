/*
 * dash: the class at a glance, for the instructor (docs/grading.md,
 * "summary.html and summary.json").
 *
 * From the graded students of a class (students/NAME/grade.json and
 * results.json, as `grade` leaves them), writes into the output directory
 *
 *   summary.json   the class's figures: scores and their histogram, builds,
 *                  the problems grouped by cause (most common first), the
 *                  cases, and per student the score, build, time, top cause
 *                  and one verdict per case (reports/summary.schema.json)
 *   summary.html   the same as one self-contained page (inline CSS and SVG,
 *                  no script, no network): the histogram, the causes with
 *                  their hints and students, and a student-by-case matrix
 *                  whose cells link to each student's report
 *
 * Both depend only on the students' files, never on the clock or the
 * machine, so `merge` writes the same summary.json as one `grade`. The page
 * shows hidden cases (marked): it is the instructor's view, never the
 * students'.
 */
#ifndef SC_DASH_H
#define SC_DASH_H

#include <stddef.h>

#include "err.h"

/* One column of the gradebook: a case of the assignment, in suite order. */
struct dash_case {
	const char *id;		/* "echo.client.eof-exits": protocol.role.name */
	const char *title;
	const char *level;	/* must, should, info */
	unsigned points;
	int hidden;
};

struct dash_class {
	const char *out_dir;	/* where summary.html and summary.json go */
	const char *title;	/* the assignment's title, or NULL */
	const struct dash_case *cases;
	size_t ncases;
	char *const *students;	/* names, sorted */
	const char *const *dirs;	/* per student: the directory holding students/NAME */
	size_t nstudents;
	const char *const *lost;	/* per student: why it has no score (its results could
					 * not be read), NULL when it has one; or NULL */
};

/* Write OUT/summary.json and OUT/summary.html. Returns 0, or -1 with err. */
int dash_write(const struct dash_class *c, struct sc_err *err);

#endif
