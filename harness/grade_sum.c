/*
 * grade: summary.md, per case how many students failed it, the most common
 * failures first.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade_int.h"
#include "results.h"
#include "rpt.h"

/* Markdown-safe text on one line. */
static void
md_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t')
			fputc(' ', f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (strchr("\\`*_[]|#", *s)) {
			fputc('\\', f);
			fputc(*s, f);
		} else
			fputc(*s, f);
	}
}

/* Numbers in a summary vary from student to student: group without them. */
static char *
failure_key(const char *s)
{
	size_t n = strlen(s);
	char *k = malloc(n + 1), *p = k;

	if (k == NULL)
		return NULL;
	while (*s) {
		if (*s >= '0' && *s <= '9') {
			*p++ = '#';
			while (*s >= '0' && *s <= '9')
				s++;
		} else {
			*p++ = *s++;
		}
	}
	*p = '\0';
	return k;
}

struct group {
	char *key;
	const char *example;	/* the first student's summary */
	int same;		/* every student's summary is the example */
	size_t count;
	const char **names;
};

static int
cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct case_stat {
	size_t idx;
	size_t failed, skipped, ran;
};

static int
cmp_case_stat(const void *a, const void *b)
{
	const struct case_stat *x = a, *y = b;
	if (x->failed != y->failed)
		return x->failed > y->failed ? -1 : 1;
	if (x->skipped != y->skipped)
		return x->skipped > y->skipped ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int
cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

static void
name_list(FILE *f, const char *const *names, size_t n)
{
	const size_t show = 12;
	fputs("  (", f);
	for (size_t i = 0; i < n && i < show; i++) {
		fputs(i ? ", " : "", f);
		md_text(f, names[i]);
	}
	if (n > show)
		fprintf(f, " and %zu more", n - show);
	fputs(")\n", f);
}

int
grade_write_summary(const char *out_dir, const char *title, const struct grade_cols *c,
    const struct grade_rec *r, size_t n, struct sc_err *err)
{
	char *text = NULL, path[PATH_MAX];
	size_t len = 0, max = 0, with_results = 0, full = 0;
	FILE *f = open_memstream(&text, &len);
	struct case_stat *cs = calloc(c->n, sizeof(*cs));
	unsigned *totals = calloc(n ? n : 1, sizeof(*totals));
	static const char *const builds[][2] = {
		{ "ok", "built" }, { "failed", "build failed" }, { "timeout", "build timed out" },
		{ "no-programs", "no programs (every case skipped)" },
		{ "error", "not graded (internal error; run grade again)" },
		{ "missing", "not graded yet" },
	};
	int rc;

	if (f == NULL || cs == NULL || totals == NULL) {
		if (f)
			fclose(f);
		free(text);
		free(cs);
		free(totals);
		return sc_err_sys(err, "summary.md");
	}
	for (size_t i = 0; i < c->n; i++)
		max += c->v[i].points;
	size_t ns = 0;		/* the figures are over the students with a number */
	for (size_t k = 0; k < n; k++) {
		if (r[k].scored) {
			totals[ns++] = r[k].total;
			full += r[k].total == max;
		}
		with_results += r[k].counted;
	}
	qsort(totals, ns, sizeof(*totals), cmp_uint);

	fputs("# Grading summary", f);
	if (title) {
		fputs(": ", f);
		md_text(f, title);
	}
	fprintf(f, "\n\n%zu student%s, %zu case%s, %zu point%s in all.\n\n", n, n == 1 ? "" : "s",
	    c->n, c->n == 1 ? "" : "s", max, max == 1 ? "" : "s");
	if (ns) {
		double sum = 0;
		for (size_t k = 0; k < ns; k++)
			sum += totals[k];
		double median = ns % 2 ? totals[ns / 2] : (totals[ns / 2 - 1] + totals[ns / 2]) / 2.0;
		fprintf(f, "Scores: mean %.1f, median %.1f, lowest %u, highest %u; %zu with full "
		    "marks.\n\n", sum / (double)ns, median, totals[0], totals[ns - 1], full);
	}
	if (ns < n) {
		fprintf(f, "No score for %zu student%s (empty cells in gradebook.csv; run `sockcheck "
		    "grade` again to grade them again):\n\n", n - ns, n - ns == 1 ? "" : "s");
		for (size_t k = 0; k < n; k++) {
			if (r[k].scored)
				continue;
			fputs("- ", f);
			md_text(f, r[k].name);
			fputs(": ", f);
			md_text(f, r[k].why ? r[k].why : "?");
			fputc('\n', f);
		}
		fputc('\n', f);
	}
	fputs("| build | students |\n|---|---|\n", f);
	for (size_t b = 0; b < sizeof(builds) / sizeof(builds[0]); b++) {
		size_t cnt = 0;
		for (size_t k = 0; k < n; k++)
			cnt += strcmp(r[k].build, builds[b][0]) == 0;
		if (cnt || b == 0)
			fprintf(f, "| %s | %zu |\n", builds[b][1], cnt);
	}

	for (size_t i = 0; i < c->n; i++) {
		cs[i].idx = i;
		for (size_t k = 0; k < n; k++) {
			if (!r[k].counted)
				continue;
			cs[i].ran++;
			cs[i].failed += r[k].verdict[i] == RES_FAIL || r[k].verdict[i] == RES_ERROR;
			cs[i].skipped += r[k].verdict[i] == RES_SKIP;
		}
	}
	qsort(cs, c->n, sizeof(*cs), cmp_case_stat);
	fprintf(f, "\n## Cases, most failed first\n\nOver the %zu student%s whose programs "
	    "built (the others are listed under \"Not run\" below).\n\n"
	    "| case | level | points | failed | skipped | hidden |\n|---|---|---|---|---|---|\n",
	    with_results, with_results == 1 ? "" : "s");
	for (size_t j = 0; j < c->n; j++) {
		const struct grade_col *k = &c->v[cs[j].idx];
		fprintf(f, "| `%s` | %s | %u | %zu | %zu | %s |\n", k->id, k->level, k->points,
		    cs[j].failed, cs[j].skipped, k->hidden ? "hidden" : "");
	}

	fputs("\n## Failures by case\n", f);
	size_t shown = 0;
	for (size_t j = 0; j < c->n; j++) {
		size_t i = cs[j].idx, ng = 0;
		struct group *g;

		if (cs[j].failed == 0)
			continue;
		shown++;
		if ((g = calloc(cs[j].failed, sizeof(*g))) == NULL)
			continue;
		for (size_t k = 0; k < n; k++) {
			size_t x;
			char *key;
			if (!r[k].counted || r[k].summary[i] == NULL)
				continue;
			if ((key = failure_key(r[k].summary[i])) == NULL)
				continue;
			for (x = 0; x < ng && strcmp(g[x].key, key) != 0; x++)
				;
			if (x == ng) {
				g[ng].key = key;
				g[ng].example = r[k].summary[i];
				g[ng].same = 1;
				g[ng].names = calloc(cs[j].failed, sizeof(*g[ng].names));
				ng++;
			} else {
				free(key);
				if (strcmp(g[x].example, r[k].summary[i]) != 0)
					g[x].same = 0;
			}
			if (g[x].names)
				g[x].names[g[x].count] = r[k].name;
			g[x].count++;
		}
		qsort(g, ng, sizeof(*g), cmp_group);
		fprintf(f, "\n### `%s`: %zu of %zu student%s\n\n", c->v[i].id, cs[j].failed,
		    cs[j].ran, cs[j].ran == 1 ? "" : "s");
		for (size_t x = 0; x < ng; x++) {
			fprintf(f, "- **%zu**: ", g[x].count);
			md_text(f, g[x].same ? g[x].example : g[x].key);
			fputc('\n', f);
			if (g[x].names)
				name_list(f, g[x].names, g[x].count);
			free(g[x].key);
			free(g[x].names);
		}
		free(g);
	}
	if (shown == 0)
		fputs("\nNo student failed a case.\n", f);

	size_t nb = 0;
	for (size_t k = 0; k < n; k++)
		nb += !r[k].counted;
	if (nb) {
		fputs("\n## Not run\n\n", f);
		for (size_t k = 0; k < n; k++) {
			if (r[k].counted)
				continue;
			fputs("- ", f);
			md_text(f, r[k].name);
			fprintf(f, ": %s (students/", r[k].build);
			md_text(f, r[k].name);
			fputs("/build.log)\n", f);
		}
	}
	fclose(f);
	free(cs);
	free(totals);
	grade_pathf(path, sizeof(path), "%s/summary.md", out_dir);
	rc = rpt_atomic_write(path, text, len, err);
	free(text);
	return rc;
}

