/*
 * asg: assignments. An assignment file (YAML, docs/grading.md) selects the
 * cases of the suite by id glob, sets their points (all or nothing per
 * case), marks some hidden (students see only "hidden case: failed") and
 * scales deadlines. Rules apply in order: a case is in the assignment when
 * the last rule whose globs match it selects it (not `exclude`), or, when
 * no rule matches it, if the first rule is an `exclude` (a list that
 * starts by excluding starts from the whole suite); for each
 * of points, hidden and timeout_scale the last matching rule that sets it
 * wins; the defaults are the scenario's points, visible, and scale 1.
 *
 *   title: "Lab 4: echo and file transfer"
 *   timeout_scale: 1.5
 *   cases:
 *     - select: ["echo.*", "file.*"]
 *     - select: "*.pair.*"
 *       exclude: true
 *     - select: "file.server.large-32mib"
 *       points: 4
 *       hidden: true
 */
#ifndef SC_ASG_H
#define SC_ASG_H

#include <stdint.h>

#include <stddef.h>

#include "err.h"
#include "scn.h"

struct asg_rule {
	char **globs;		/* NULL-terminated */
	size_t nglobs;
	int *glob_line, *glob_col;	/* position of each glob, for "matches nothing" */
	int line, col;		/* the rule's mapping */
	int exclude;
	int has_points;
	unsigned points;
	int has_hidden;
	int hidden;
	int has_scale;
	double scale;
};

struct asg {
	char *path;		/* the file read */
	char *title;		/* or NULL */
	char *suite;		/* `suite:` resolved against the file's directory, or NULL */
	double timeout_scale;	/* every deadline; default 1 */
	unsigned build_timeout_s;	/* cap on the build; 0: not set */
	uint64_t report_cap;	/* bytes a student's report may take; 0: not set */
	int memcheck;		/* -1 not set, 0, 1 */
	struct asg_rule *rules;
	size_t nrules;
};

/* Load and validate `path`. Errors carry file:line:col. */
int asg_load(const char *path, struct asg *a, struct sc_err *err);

/*
 * Check the assignment against a loaded suite: every glob matches some
 * case (a typo would otherwise silently drop cases) and at least one case
 * is selected.
 */
int asg_check(const struct asg *a, const struct scn_suite *suite, struct sc_err *err);

/*
 * Whether case `s` is in the assignment (1) or not (0); when it is, its
 * points, hidden flag and deadline scale (the rule's times the file's
 * timeout_scale). A NULL assignment selects everything with the
 * scenario's points.
 */
int asg_lookup(const struct asg *a, const struct scn *s, unsigned *points, int *hidden,
    double *scale);

void asg_free(struct asg *a);

#endif
