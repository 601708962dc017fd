/*
 * dash: summary.json and summary.html of a small synthetic class, written
 * from hand-made students/NAME/grade.json and results.json: the column and
 * row orders, the histogram's bins, the causes (most common first, a
 * student counted once, charged once over several programs), the top
 * cause, the cells, and the escaping of a name.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash.h"
#include "scratch.h"

TestSuite(dash, .init = mk_tmp, .fini = rm_tmp);

static const struct dash_case cases4[] = {	/* suite order */
	{ "file.server.a", "A", "must", 3, 0 },
	{ "echo.client.b", "B", "must", 2, 0 },
	{ "echo.server.c", "C", "should", 5, 0 },
	{ "echo.client.d", "D", "must", 1, 1 },
};

static void
student(const char *name, const char *build, const char *results)
{
	char rel[256], text[256];

	snprintf(rel, sizeof(rel), "students/%s/grade.json", name);
	snprintf(text, sizeof(text), "{\"build\": \"%s\", \"complete\": true, \"seconds\": 1.25}", build);
	write_file(rel, text, NULL, 0);
	if (results) {
		snprintf(rel, sizeof(rel), "students/%s/results.json", name);
		write_file(rel, results, NULL, 0);
	}
}

#define PASS(id, pts) "{\"id\": \"" id "\", \"verdict\": \"pass\", \"score\": " #pts "}"
#define FAIL(id, pts) "{\"id\": \"" id "\", \"verdict\": \"fail\", \"score\": " #pts "}"
#define PROBLEM(cause, prog, cs, charged) \
	"{\"cause\": \"" cause "\", \"program\": \"" prog "\", \"title\": \"t-" cause "\", " \
	"\"hint\": \"h-" cause "\", \"cases\": [" cs "], \"charged_in\": " charged "}"

static json_t *
write_class(char *const *names, size_t n, const struct dash_case *cases, size_t ncases)
{
	const char *dirs[8];
	struct dash_class c = { tmpdir, "T <1>", cases, ncases, names, dirs, n, NULL };
	struct sc_err err;
	char path[PATH_MAX];
	json_error_t je;
	json_t *root;

	for (size_t i = 0; i < n; i++)
		dirs[i] = tmpdir;
	cr_assert_eq(dash_write(&c, &err), 0, "%s", err.msg);
	snprintf(path, sizeof(path), "%s/summary.json", tmpdir);
	root = json_load_file(path, 0, &je);
	cr_assert_not_null(root, "%s", je.text);
	return root;
}

static char *
slurp(const char *rel)
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	FILE *f, *m = open_memstream(&text, &len);
	int ch;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	cr_assert_not_null(f = fopen(path, "r"), "%s", path);
	while ((ch = fgetc(f)) != EOF)
		fputc(ch, m);
	fclose(f);
	fclose(m);
	return text;
}

static const char *
str_at(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "(null)";
}

Test(dash, class_figures)
{
	char *names[] = { "ann", "ben", "cy", "dee", "e<vil>&" };
	student("ann", "ok", "{\"cases\": [" PASS("file.server.a", 3) "," PASS("echo.client.b", 2) ","
	    PASS("echo.server.c", 5) "," PASS("echo.client.d", 1) "], \"problems\": "
	    "[{\"program\": \"echo_client\"}]}");	/* a problem without a cause: left out */
	/* two causes: lost-bytes costs more (5) than no-eof-exit (2): the top cause */
	student("ben", "ok", "{\"cases\": [" PASS("file.server.a", 3) "," FAIL("echo.client.b", 0) ","
	    FAIL("echo.server.c", 0) "," PASS("echo.client.d", 1) "], \"problems\": ["
	    PROBLEM("no-eof-exit", "echo_client", "\"echo.client.b\"", "\"echo.client.b\"") ","
	    PROBLEM("lost-bytes", "echo_server", "\"echo.server.c\"", "\"echo.server.c\"") "]}");
	/* no-eof-exit in two programs: a note in one, charged in the other */
	student("cy", "ok", "{\"cases\": [" FAIL("file.server.a", 0) "," FAIL("echo.client.b", 2) ","
	    PASS("echo.server.c", 5) "," PASS("echo.client.d", 1) "], \"problems\": ["
	    PROBLEM("no-eof-exit", "echo_client", "\"echo.client.b\"", "null") ","
	    PROBLEM("no-eof-exit", "file_server", "\"file.server.a\"", "\"file.server.a\"") "]}");
	student("dee", "failed", NULL);
	/* a skipped case earns nothing */
	student("e<vil>&", "ok", "{\"cases\": [{\"id\": \"file.server.a\", \"verdict\": \"skip\", "
	    "\"score\": 3}," PASS("echo.client.b", 2) "," PASS("echo.server.c", 5) ","
	    PASS("echo.client.d", 1) "], \"problems\": []}");
	write_file("students/e<vil>&/report.html", "<html></html>", NULL, 0);

	json_t *d = write_class(names, 5, cases4, 4);
	json_t *cs = json_object_get(d, "cases"), *st = json_object_get(d, "students"),
	    *pr = json_object_get(d, "problems"), *h = json_object_get(d, "histogram"),
	    *sc = json_object_get(d, "scores");

	cr_assert_str_eq(str_at(d, "format"), "sockcheck-summary-1");
	cr_assert_eq(json_integer_value(json_object_get(d, "max_score")), 11);
	/* columns: protocol, then role, then suite order */
	const char *cols[] = { "echo.client.b", "echo.client.d", "echo.server.c", "file.server.a" };
	cr_assert_eq(json_array_size(cs), 4);
	for (size_t i = 0; i < 4; i++)
		cr_assert_str_eq(str_at(json_array_get(cs, i), "id"), cols[i]);
	cr_assert_str_eq(str_at(json_array_get(cs, 1), "protocol"), "echo");
	cr_assert_str_eq(str_at(json_array_get(cs, 1), "role"), "client");
	cr_assert(json_is_true(json_object_get(json_array_get(cs, 1), "hidden")));
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(cs, 3), "failed")), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(cs, 3), "skipped")), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(cs, 3), "not_run")), 1);

	/* rows: score down, then name; scores as the gradebook counts them */
	const char *rows[] = { "ann", "cy", "e<vil>&", "ben", "dee" };
	const int scores[] = { 11, 8, 8, 4, 0 };
	const char *top[] = { NULL, "no-eof-exit", NULL, "lost-bytes", NULL };
	cr_assert_eq(json_array_size(st), 5);
	for (size_t i = 0; i < 5; i++) {
		json_t *s = json_array_get(st, i);
		cr_assert_str_eq(str_at(s, "name"), rows[i]);
		cr_assert_eq(json_integer_value(json_object_get(s, "score")), scores[i], "%s", rows[i]);
		if (top[i])
			cr_assert_str_eq(str_at(s, "top_cause"), top[i], "%s", rows[i]);
		else
			cr_assert(json_is_null(json_object_get(s, "top_cause")), "%s", rows[i]);
	}
	json_t *bc = json_object_get(json_array_get(st, 3), "causes");
	cr_assert_eq(json_array_size(bc), 2);
	cr_assert_str_eq(json_string_value(json_array_get(bc, 0)), "no-eof-exit");
	cr_assert_str_eq(json_string_value(json_array_get(bc, 1)), "lost-bytes");
	cr_assert_eq(json_array_size(json_object_get(json_array_get(st, 1), "causes")), 1);
	cr_assert_eq(json_array_size(json_object_get(json_array_get(st, 0), "causes")), 0);
	const char *cy[] = { "fail", "pass", "pass", "fail" };
	for (size_t i = 0; i < 4; i++)
		cr_assert_str_eq(json_string_value(json_array_get(json_object_get(json_array_get(st, 1),
		    "cells"), i)), cy[i]);
	json_t *dee = json_array_get(st, 4);
	cr_assert_str_eq(str_at(dee, "build"), "failed");
	cr_assert(json_is_null(json_array_get(json_object_get(dee, "cells"), 0)));
	cr_assert(json_is_null(json_object_get(dee, "report")));
	cr_assert_str_eq(str_at(json_array_get(st, 2), "report"), "report.html");
	cr_assert(json_real_value(json_object_get(json_array_get(st, 0), "seconds")) == 1.25);

	/* causes: most students first; a student once, charged once */
	cr_assert_eq(json_array_size(pr), 2);
	json_t *p0 = json_array_get(pr, 0), *p1 = json_array_get(pr, 1);
	cr_assert_str_eq(str_at(p0, "cause"), "no-eof-exit");
	cr_assert_str_eq(str_at(p0, "hint"), "h-no-eof-exit");
	cr_assert_eq(json_integer_value(json_object_get(p0, "students")), 2);
	cr_assert_eq(json_integer_value(json_object_get(p0, "charged_students")), 2);
	cr_assert_eq(json_integer_value(json_object_get(p0, "points_lost")), 2 + 3);
	cr_assert_eq(json_array_size(json_object_get(p0, "programs")), 2);
	cr_assert_eq(json_array_size(json_object_get(p0, "cases")), 2);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(p0, "hit"), 0)), "ben");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(p0, "hit"), 1)), "cy");
	cr_assert_str_eq(str_at(p1, "cause"), "lost-bytes");
	cr_assert_eq(json_integer_value(json_object_get(p1, "points_lost")), 5);

	/* histogram: 11/11 in the last bin, 8/11 in 70%, 4/11 in 30%, 0 in the first */
	const int bins[10] = { 1, 0, 0, 1, 0, 0, 0, 2, 0, 1 };
	cr_assert_eq(json_array_size(h), 10);
	for (int b = 0; b < 10; b++)
		cr_assert_eq(json_integer_value(json_object_get(json_array_get(h, (size_t)b), "students")),
		    bins[b], "bin %d", b);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(h, 0), "no_build")), 1);
	cr_assert(json_real_value(json_object_get(sc, "mean")) == 31.0 / 5);
	cr_assert(json_real_value(json_object_get(sc, "median")) == 8);
	cr_assert_eq(json_integer_value(json_object_get(sc, "full_marks")), 1);
	cr_assert_eq(json_integer_value(json_object_get(sc, "no_build")), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(d, "builds"), "failed")), 1);
	json_decref(d);

	/* the page: escaped, the cells linked, the rows and bars there */
	char *html = slurp("summary.html");
	cr_assert_null(strstr(html, "e<vil>"), "an unescaped name");
	cr_assert_null(strstr(html, "T <1>"), "an unescaped title");
	cr_assert_null(strstr(html, "<script"));
	cr_assert_not_null(strstr(html, "e&lt;vil&gt;&amp;"));
	cr_assert_not_null(strstr(html, "href=\"students/e%3Cvil%3E%26/report.html\""));
	cr_assert_not_null(strstr(html, "(hidden)"));
	size_t rowsn = 0, bars = 0;
	for (const char *p = html; (p = strstr(p, "<tr class=\"student\"")) != NULL; p++)
		rowsn++;
	for (const char *p = html; (p = strstr(p, "<rect class=\"bar\"")) != NULL; p++)
		bars++;
	cr_assert_eq(rowsn, 5);
	cr_assert_eq(bars, 10);
	free(html);
}

Test(dash, no_points_no_students)
{
	static const struct dash_case zero[] = { { "echo.pair.p", "P", "info", 0, 0 } };
	char *names[] = { "ann" };
	json_t *d;

	d = write_class(names, 0, zero, 1);
	cr_assert_eq(json_array_size(json_object_get(d, "students")), 0);
	cr_assert_eq(json_array_size(json_object_get(d, "histogram")), 10);
	json_decref(d);
	student("ann", "ok", "{\"cases\": [" PASS("echo.pair.p", 0) "], \"problems\": []}");
	d = write_class(names, 1, zero, 1);
	/* max_score 0: everyone in the first bin, with full marks */
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(json_object_get(d,
	    "histogram"), 0), "students")), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(d, "scores"), "full_marks")), 1);
	json_decref(d);
}
