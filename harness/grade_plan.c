/*
 * grade: the plan of a class (which cases, with which points; which report
 * formats) and the small helpers the grade_* files share (grade_int.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsx.h"
#include "grade_int.h"

int
grade_pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

double
grade_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
grade_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
grade_free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}


/* ---- the plan: which cases, with which points ---- */



void
grade_cols_free(struct grade_cols *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].id);
		free(c->v[i].title);
		free(c->v[i].level);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

int
grade_plan_cols(const struct grade_opts *o, struct grade_cols *c, struct sc_err *err)
{
	memset(c, 0, sizeof(*c));
	c->v = calloc(o->suite->count ? o->suite->count : 1, sizeof(*c->v));
	if (c->v == NULL)
		return sc_err_sys(err, "plan");
	for (size_t i = 0; i < o->suite->count; i++) {
		const struct scn *s = o->suite->items[i];
		struct grade_col *k = &c->v[c->n];

		if (o->only && !scn_id_matches(s->id, o->only))
			continue;
		if (!asg_lookup(o->assignment, s, &k->points, &k->hidden, &k->scale))
			continue;
		k->s = s;
		k->id = strdup(s->id);
		k->title = strdup(s->title ? s->title : s->id);
		k->level = strdup(scn_level_name(s->level));
		c->n++;
		if (k->id == NULL || k->title == NULL || k->level == NULL) {
			grade_cols_free(c);
			return sc_err_sys(err, "plan");
		}
	}
	if (c->n == 0) {
		grade_cols_free(c);
		return sc_err_set(err, "no case to grade (check --only and the assignment)");
	}
	return 0;
}


/* ---- report formats: which file each writes (as rpt_write_all names them) ---- */

static const struct {
	const char *name, *file;
} fmt_files[] = {
	{ "json", "results.json" }, { "junit", "junit.xml" }, { "tap", "results.tap" },
	{ "md", "summary.md" }, { "html", "report.html" }, { "gradescope", "gradescope.json" },
	{ "autolab", "autolab.txt" },
};

static const char *
fmt_file(const char *name)
{
	for (size_t i = 0; i < sizeof(fmt_files) / sizeof(fmt_files[0]); i++)
		if (strcmp(fmt_files[i].name, name) == 0)
			return fmt_files[i].file;
	return NULL;
}

int
grade_check_formats(const char *list, struct sc_err *err)
{
	char buf[512], *save = NULL;

	if (list == NULL)
		return 0;
	if (strlen(list) >= sizeof(buf))
		return sc_err_set(err, "format list too long");
	grade_pathf(buf, sizeof(buf), "%s", list);
	for (char *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save))
		if (fmt_file(f) == NULL)
			return sc_err_set(err, "unknown report format '%s' (json, junit, tap, md, html, "
			    "gradescope, autolab)", f);
	return 0;
}

/* `list` names the format `name`. */
int
grade_has_format(const char *list, const char *name)
{
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == strlen(name) && strncmp(p, name, len) == 0)
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

/* Every report of `list` exists in `dir`. */
int
grade_formats_present(const char *list, const char *dir)
{
	char buf[512], *save = NULL, path[PATH_MAX];

	if (list == NULL)
		return 1;
	grade_pathf(buf, sizeof(buf), "%s", list);
	for (char *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		grade_pathf(path, sizeof(path), "%s/%s", dir, fmt_file(f));
		if (!fsx_is_file(path))
			return 0;
	}
	return 1;
}
