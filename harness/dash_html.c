/*
 * dash: summary.html, a view of the model written with libxml2's writer,
 * which does all the HTML escaping.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "dash_int.h"
#include "results.h"
#include "rpt.h"

/* Append `s` percent-encoded for a URL path or fragment (RFC 3986 unreserved kept). */
static void
pct(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~')
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
	}
}

/* ---- summary.html ---- */

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:2px solid #ddd;margin-top:1.5em}"
    ".note{color:#666}dl.stats{display:grid;grid-template-columns:auto auto;gap:2px 1em;"
    "width:max-content}dl.stats dt{font-weight:600}dl.stats dd{margin:0}"
    "#scores{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}"
    "svg text{font:11px sans-serif;fill:#222}rect.bar{fill:#4a7bb7}rect.nobuild{fill:#c44;"
    "fill-opacity:.8}"
    "#causes li{margin-bottom:.8em}#causes .hint{margin:.2em 0}"
    ".who a{margin-right:.4em;white-space:nowrap}"
    "code{background:#f3f3f3;padding:0 3px}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 5px;text-align:left}"
    "#matrix td,#matrix th{white-space:nowrap}"
    "#matrix tbody th{position:sticky;left:0;background:#fff;z-index:1}"
    "#matrix td.v{text-align:center;padding:0;min-width:1.4em}"
    "#matrix td.v a{display:block;color:inherit;text-decoration:none;padding:2px}"
    "#matrix th.c{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;"
    "white-space:nowrap;padding:4px 2px}"
    ".pass{background:#d9f2d9;color:#060}.fail{background:#f7d4d4;color:#900}"
    ".error{background:#ecd6f2;color:#707}.skip{background:#f5ebcc;color:#750}"
    ".none{background:#eee;color:#888}td.hid{outline:2px dashed #888;outline-offset:-3px}"
    "th.hid{font-style:italic}tr.student:hover td{filter:brightness(.95)}"
    ".legend span{display:inline-block;border:1px solid #ccc;padding:0 .4em;margin-right:.4em}"
    "@page{size:A4 landscape;margin:1cm}"
    "@media print{body{margin:0;font-size:9px}a{color:inherit;text-decoration:none}"
    "#matrix tbody th{position:static}#matrix td,#matrix th{padding:1px 2px}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "tr,li{break-inside:avoid}h2{break-after:avoid}}";

static const char *const vclass[] = { "pass", "fail", "error", "skip" };
static const char *const vmark[] = { "\xe2\x9c\x93", "\xe2\x9c\x97", "E", "S" };	/* ✓ ✗ E S */

static void
el(xmlTextWriterPtr w, const char *name, const char *cls, const char *text)
{
	char *t = dash_clean(text);
	xmlTextWriterStartElement(w, BAD_CAST name);
	if (cls)
		xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST cls);
	xmlTextWriterWriteString(w, BAD_CAST(t ? t : ""));
	xmlTextWriterEndElement(w);
	free(t);
}

static void
attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	char *t = dash_clean(value);
	xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST(t ? t : ""));
	free(t);
}

static void
attrf(xmlTextWriterPtr w, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
attrf(xmlTextWriterPtr w, const char *name, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attr(w, name, buf);
}

/* The link to a student's report (students/NAME/FILE[#CASE]), or NULL: caller frees. */
static char *
report_href(const struct dash *d, const struct dstu *s, const char *case_id)
{
	char *text = NULL, real[PATH_MAX];
	size_t len = 0;
	FILE *f;

	if (!s->report[0] || (f = open_memstream(&text, &len)) == NULL)
		return NULL;
	if (strcmp(s->dir, d->c->out_dir) != 0) {
		/* merge --no-copy: the student stays in its shard's directory */
		fputs("file://", f);
		if (realpath(s->dir, real) == NULL)
			snprintf(real, sizeof(real), "%s", s->dir);
		for (char *sv = NULL, *p = strtok_r(real, "/", &sv); p; p = strtok_r(NULL, "/", &sv)) {
			fputc('/', f);
			pct(f, p);
		}
		fputc('/', f);
	}
	fputs("students/", f);
	pct(f, s->name);
	fprintf(f, "/%s", s->report);
	if (case_id && strcmp(s->report, "report.html") == 0) {
		fputc('#', f);
		pct(f, case_id);
	}
	fclose(f);
	return text;
}

static void
link_to(xmlTextWriterPtr w, const char *href, const char *title, const char *text)
{
	xmlTextWriterStartElement(w, BAD_CAST "a");
	if (href)
		attr(w, "href", href);
	if (title)
		attr(w, "title", title);
	char *t = dash_clean(text);
	xmlTextWriterWriteString(w, BAD_CAST(t ? t : ""));
	free(t);
	xmlTextWriterEndElement(w);
}

static void
html_histogram(xmlTextWriterPtr w, const struct dash *d)
{
	unsigned top = 1;
	const int bw = 36, gap = 6, h = 140, x0 = 30, y0 = 10;
	char buf[128];

	for (int b = 0; b < DASH_BINS; b++)
		if (d->bins[b] > top)
			top = d->bins[b];
	xmlTextWriterStartElement(w, BAD_CAST "svg");
	attr(w, "id", "histogram");
	attr(w, "xmlns", "http://www.w3.org/2000/svg");
	attrf(w, "width", "%d", x0 + DASH_BINS * (bw + gap) + 10);
	attrf(w, "height", "%d", y0 + h + 40);
	attr(w, "role", "img");
	attr(w, "aria-label", "score histogram");
	/* axis and the tallest count */
	xmlTextWriterStartElement(w, BAD_CAST "line");
	attrf(w, "x1", "%d", x0 - 4);
	attrf(w, "x2", "%d", x0 + DASH_BINS * (bw + gap));
	attrf(w, "y1", "%d", y0 + h);
	attrf(w, "y2", "%d", y0 + h);
	attr(w, "stroke", "#888");
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "text");
	attrf(w, "x", "%d", x0 - 6);
	attrf(w, "y", "%d", y0 + 8);
	attr(w, "text-anchor", "end");
	snprintf(buf, sizeof(buf), "%u", top);
	xmlTextWriterWriteString(w, BAD_CAST buf);
	xmlTextWriterEndElement(w);
	for (int b = 0; b < DASH_BINS; b++) {
		int x = x0 + b * (bw + gap), bh = (int)((double)d->bins[b] * h / top + 0.5);
		int nh = (int)((double)d->bins_nobuild[b] * h / top + 0.5);
		xmlTextWriterStartElement(w, BAD_CAST "g");
		attr(w, "class", "bin");
		attrf(w, "data-students", "%u", d->bins[b]);
		xmlTextWriterStartElement(w, BAD_CAST "title");
		snprintf(buf, sizeof(buf), "%d%%%s%d%%: %u student%s%s", b * 10, b == DASH_BINS - 1 ?
		    " to " : " to under ", (b + 1) * 10, d->bins[b], d->bins[b] == 1 ? "" : "s", "");
		xmlTextWriterWriteString(w, BAD_CAST buf);
		if (d->bins_nobuild[b]) {
			snprintf(buf, sizeof(buf), " (%u did not build)", d->bins_nobuild[b]);
			xmlTextWriterWriteString(w, BAD_CAST buf);
		}
		xmlTextWriterEndElement(w);
		xmlTextWriterStartElement(w, BAD_CAST "rect");
		attr(w, "class", "bar");
		attrf(w, "x", "%d", x);
		attrf(w, "y", "%d", y0 + h - bh);
		attrf(w, "width", "%d", bw);
		attrf(w, "height", "%d", bh);
		xmlTextWriterEndElement(w);
		if (nh) {
			xmlTextWriterStartElement(w, BAD_CAST "rect");
			attr(w, "class", "nobuild");
			attrf(w, "x", "%d", x);
			attrf(w, "y", "%d", y0 + h - nh);
			attrf(w, "width", "%d", bw);
			attrf(w, "height", "%d", nh);
			xmlTextWriterEndElement(w);
		}
		xmlTextWriterStartElement(w, BAD_CAST "text");
		attrf(w, "x", "%d", x + bw / 2);
		attrf(w, "y", "%d", y0 + h - bh - 3);
		attr(w, "text-anchor", "middle");
		snprintf(buf, sizeof(buf), "%u", d->bins[b]);
		xmlTextWriterWriteString(w, BAD_CAST(d->bins[b] ? buf : ""));
		xmlTextWriterEndElement(w);
		xmlTextWriterStartElement(w, BAD_CAST "text");
		attrf(w, "x", "%d", x + bw / 2);
		attrf(w, "y", "%d", y0 + h + 14);
		attr(w, "text-anchor", "middle");
		snprintf(buf, sizeof(buf), "%d%%", b * 10);
		xmlTextWriterWriteString(w, BAD_CAST buf);
		xmlTextWriterEndElement(w);
		xmlTextWriterEndElement(w);	/* g */
	}
	xmlTextWriterStartElement(w, BAD_CAST "text");
	attrf(w, "x", "%d", x0 + DASH_BINS * (bw + gap) / 2);
	attrf(w, "y", "%d", y0 + h + 32);
	attr(w, "text-anchor", "middle");
	xmlTextWriterWriteString(w, BAD_CAST "score, % of the points (red: did not build)");
	xmlTextWriterEndElement(w);
	xmlTextWriterEndElement(w);	/* svg */
}

static void
stat_row(xmlTextWriterPtr w, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
stat_row(xmlTextWriterPtr w, const char *name, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	el(w, "dt", NULL, name);
	el(w, "dd", NULL, buf);
}

static void
html_causes(xmlTextWriterPtr w, const struct dash *d)
{
	char buf[256];
	size_t i;
	json_t *v;

	el(w, "h2", NULL, "Problems by cause, most common first");
	if (d->ncauses == 0) {
		el(w, "p", NULL, "No problems found.");
		return;
	}
	xmlTextWriterStartElement(w, BAD_CAST "ol");
	attr(w, "id", "causes");
	for (size_t c = 0; c < d->ncauses; c++) {
		const struct dcause *dc = &d->causes[c];
		xmlTextWriterStartElement(w, BAD_CAST "li");
		attr(w, "class", "cause");
		attrf(w, "id", "cause-%s", dc->id);
		el(w, "strong", NULL, dc->title ? dc->title : dc->id);
		xmlTextWriterWriteString(w, BAD_CAST " ");
		el(w, "code", NULL, dc->id);
		snprintf(buf, sizeof(buf), ": %zu student%s (a case failed on it for %zu), %u point%s "
		    "lost, in ", dc->nwho, dc->nwho == 1 ? "" : "s", dc->charged, dc->lost,
		    dc->lost == 1 ? "" : "s");
		xmlTextWriterWriteString(w, BAD_CAST buf);
		json_array_foreach(dc->programs, i, v) {
			if (i)
				xmlTextWriterWriteString(w, BAD_CAST ", ");
			xmlTextWriterWriteString(w, BAD_CAST json_string_value(v));
		}
		if (dc->hint)
			el(w, "p", "hint", dc->hint);
		xmlTextWriterStartElement(w, BAD_CAST "p");
		attr(w, "class", "who");
		xmlTextWriterWriteString(w, BAD_CAST "Students: ");
		for (size_t k = 0; k < dc->nwho; k++) {
			snprintf(buf, sizeof(buf), "#s-%zu", dc->who[k]);
			link_to(w, buf, NULL, d->s[dc->who[k]].label);
		}
		xmlTextWriterEndElement(w);
		xmlTextWriterStartElement(w, BAD_CAST "p");
		attr(w, "class", "note");
		xmlTextWriterWriteString(w, BAD_CAST "Cases: ");
		json_array_foreach(dc->cases, i, v) {
			if (i)
				xmlTextWriterWriteString(w, BAD_CAST ", ");
			el(w, "code", NULL, json_string_value(v));
		}
		xmlTextWriterEndElement(w);
		xmlTextWriterEndElement(w);	/* li */
	}
	xmlTextWriterEndElement(w);
}

static void
html_matrix(xmlTextWriterPtr w, const struct dash *d)
{
	const struct dash_class *c = d->c;
	char buf[256];

	el(w, "h2", NULL, "Students by case");
	xmlTextWriterStartElement(w, BAD_CAST "p");
	attr(w, "class", "legend");
	for (int v = 0; v < 4; v++) {
		/* whose fault: a crash is a fail; an error is sockcheck's alone */
		snprintf(buf, sizeof(buf), "%s %s%s", vmark[v], vclass[v], v == RES_FAIL ?
		    " (crashes included)" : v == RES_ERROR ? ": sockcheck could not run it" : "");
		el(w, "span", vclass[v], buf);
	}
	el(w, "span", "none", "\xc2\xb7 not run (no build)");
	el(w, "span", "hid", "h: hidden case");
	xmlTextWriterWriteString(w, BAD_CAST "Rows: highest score first. Each cell links to the "
	    "student's report at that case.");
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "table");
	attr(w, "id", "matrix");
	xmlTextWriterStartElement(w, BAD_CAST "thead");
	/* first row: the protocol.role groups */
	xmlTextWriterStartElement(w, BAD_CAST "tr");
	xmlTextWriterStartElement(w, BAD_CAST "th");
	attr(w, "colspan", "5");
	attr(w, "rowspan", "2");
	xmlTextWriterWriteString(w, BAD_CAST "student");
	xmlTextWriterEndElement(w);
	for (size_t j = 0; j < c->ncases;) {
		size_t k = j + 1, lp, lr;
		const char *id = c->cases[d->col[j]].id, *p = dash_col_part(id, 0, &lp);
		(void)dash_col_part(id, 1, &lr);
		while (k < c->ncases && dash_cmp_part(c->cases[d->col[k]].id, id, 0) == 0 &&
		    dash_cmp_part(c->cases[d->col[k]].id, id, 1) == 0)
			k++;
		snprintf(buf, sizeof(buf), "%.*s", (int)(lp + 1 + lr), p);
		xmlTextWriterStartElement(w, BAD_CAST "th");
		attrf(w, "colspan", "%zu", k - j);
		xmlTextWriterWriteString(w, BAD_CAST buf);
		xmlTextWriterEndElement(w);
		j = k;
	}
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "tr");
	for (size_t j = 0; j < c->ncases; j++) {
		const struct dash_case *dc = &c->cases[d->col[j]];
		size_t ln;
		const char *name = dash_col_part(dc->id, 2, &ln);
		xmlTextWriterStartElement(w, BAD_CAST "th");
		attr(w, "class", dc->hidden ? "c hid" : "c");
		snprintf(buf, sizeof(buf), "%s: %s (%u point%s, %s%s)", dc->id, dc->title, dc->points,
		    dc->points == 1 ? "" : "s", dc->level, dc->hidden ? ", hidden" : "");
		attr(w, "title", buf);
		snprintf(buf, sizeof(buf), "%s%s", *name ? name : dc->id, dc->hidden ? " (hidden)" : "");
		xmlTextWriterWriteString(w, BAD_CAST buf);
		xmlTextWriterEndElement(w);
	}
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "tr");
	xmlTextWriterWriteRaw(w, BAD_CAST "<th>name</th><th>score</th><th>build</th><th>time</th>"
	    "<th>top cause</th>");
	for (size_t j = 0; j < c->ncases; j++) {
		snprintf(buf, sizeof(buf), "%u", c->cases[d->col[j]].points);
		el(w, "th", NULL, buf);
	}
	xmlTextWriterEndElement(w);
	xmlTextWriterEndElement(w);	/* thead */
	xmlTextWriterStartElement(w, BAD_CAST "tbody");
	for (size_t r = 0; r < c->nstudents; r++) {
		size_t k = d->row[r];
		const struct dstu *s = &d->s[k];
		char *href = report_href(d, s, NULL);

		xmlTextWriterStartElement(w, BAD_CAST "tr");
		attr(w, "class", "student");
		attrf(w, "id", "s-%zu", k);
		xmlTextWriterStartElement(w, BAD_CAST "th");
		link_to(w, href, NULL, s->label);
		xmlTextWriterEndElement(w);
		free(href);
		if (s->scored)
			snprintf(buf, sizeof(buf), "%u/%u", s->score, d->max);
		else
			snprintf(buf, sizeof(buf), "no score: %.200s", s->why ? s->why : "?");
		el(w, "td", s->scored ? "score" : "score none", buf);
		el(w, "td", strcmp(s->build, "ok") == 0 ? "build" : "build fail", s->build);
		if (s->seconds >= 0)
			snprintf(buf, sizeof(buf), "%.1f s", s->seconds);
		else
			snprintf(buf, sizeof(buf), "?");
		el(w, "td", "time", buf);
		xmlTextWriterStartElement(w, BAD_CAST "td");
		attr(w, "class", "top");
		if (s->top != SIZE_MAX) {
			snprintf(buf, sizeof(buf), "#cause-%s", d->causes[s->top].id);
			link_to(w, buf, d->causes[s->top].title, d->causes[s->top].id);
			if (json_array_size(s->causes) > 1) {
				snprintf(buf, sizeof(buf), " +%zu", json_array_size(s->causes) - 1);
				xmlTextWriterWriteString(w, BAD_CAST buf);
			}
		} else {
			xmlTextWriterWriteString(w, BAD_CAST "");
		}
		xmlTextWriterEndElement(w);
		for (size_t j = 0; j < c->ncases; j++) {
			const struct dash_case *dc = &c->cases[d->col[j]];
			int v = s->cell[d->col[j]];
			char *ch;
			snprintf(buf, sizeof(buf), "v %s%s", v == V_NONE ? "none" : vclass[v],
			    dc->hidden ? " hid" : "");
			xmlTextWriterStartElement(w, BAD_CAST "td");
			attr(w, "class", buf);
			snprintf(buf, sizeof(buf), "%s%s", v == V_NONE ? "\xc2\xb7" : vmark[v],
			    dc->hidden ? "h" : "");
			/* report.html has a section (an anchor) for every case that did not pass */
			if (v != V_NONE && (ch = report_href(d, s, v == RES_PASS ? NULL : dc->id)) != NULL) {
				link_to(w, ch, NULL, buf);
				free(ch);
			} else {
				xmlTextWriterWriteString(w, BAD_CAST buf);
			}
			xmlTextWriterEndElement(w);
		}
		xmlTextWriterEndElement(w);	/* tr */
	}
	xmlTextWriterEndElement(w);	/* tbody */
	xmlTextWriterEndElement(w);	/* table */
}

static void
html_cases(xmlTextWriterPtr w, const struct dash *d)
{
	const struct dash_class *c = d->c;
	char buf[64];

	el(w, "h2", NULL, "Cases");
	xmlTextWriterStartElement(w, BAD_CAST "table");
	attr(w, "id", "cases");
	xmlTextWriterWriteRaw(w, BAD_CAST "<tr><th>case</th><th>title</th><th>level</th>"
	    "<th>points</th><th>passed</th><th>failed</th><th>errors</th><th>skipped</th>"
	    "<th>not run</th></tr>");
	for (size_t j = 0; j < c->ncases; j++) {
		const struct dash_case *dc = &c->cases[d->col[j]];
		size_t cnt[5] = { 0 };
		for (size_t k = 0; k < c->nstudents; k++) {
			int v = d->s[k].cell[d->col[j]];
			cnt[v == V_NONE ? 4 : v]++;
		}
		xmlTextWriterStartElement(w, BAD_CAST "tr");
		xmlTextWriterStartElement(w, BAD_CAST "td");
		el(w, "code", NULL, dc->id);
		if (dc->hidden)
			xmlTextWriterWriteString(w, BAD_CAST " (hidden)");
		xmlTextWriterEndElement(w);
		el(w, "td", NULL, dc->title);
		el(w, "td", NULL, dc->level);
		snprintf(buf, sizeof(buf), "%u", dc->points);
		el(w, "td", NULL, buf);
		for (int v = 0; v < 5; v++) {
			snprintf(buf, sizeof(buf), "%zu", cnt[v]);
			el(w, "td", NULL, buf);
		}
		xmlTextWriterEndElement(w);
	}
	xmlTextWriterEndElement(w);
}

int
dash_write_html(const struct dash *d, const char *path, struct sc_err *err)
{
	const struct dash_class *c = d->c;
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	char line[512];
	int rc;

	if (w == NULL) {
		if (buf)
			xmlBufferFree(buf);
		return sc_err_set(err, "summary.html: out of memory");
	}
	xmlTextWriterWriteRaw(w, BAD_CAST "<!DOCTYPE html>\n");
	xmlTextWriterStartElement(w, BAD_CAST "html");
	attr(w, "lang", "en");
	xmlTextWriterStartElement(w, BAD_CAST "head");
	xmlTextWriterWriteRaw(w, BAD_CAST "<meta charset=\"utf-8\"/>");
	snprintf(line, sizeof(line), "Class summary%s%s", c->title ? ": " : "", c->title ? c->title : "");
	el(w, "title", NULL, line);
	el(w, "style", NULL, css);
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "body");
	el(w, "h1", NULL, line);
	snprintf(line, sizeof(line), "%zu student%s, %zu case%s, %u point%s in all. The instructor's "
	    "view: hidden cases are shown (marked h); do not share this page with students.",
	    c->nstudents, c->nstudents == 1 ? "" : "s", c->ncases, c->ncases == 1 ? "" : "s", d->max,
	    d->max == 1 ? "" : "s");
	el(w, "p", "note", line);

	el(w, "h2", NULL, "Scores");
	xmlTextWriterStartElement(w, BAD_CAST "div");
	attr(w, "id", "scores");
	html_histogram(w, d);
	xmlTextWriterStartElement(w, BAD_CAST "dl");
	attr(w, "class", "stats");
	stat_row(w, "students", "%zu", c->nstudents);
	stat_row(w, "mean", "%.1f / %u", d->mean, d->max);
	stat_row(w, "median", "%.1f", d->median);
	stat_row(w, "lowest, highest", "%u, %u", d->lowest, d->highest);
	stat_row(w, "full marks", "%zu", d->full);
	stat_row(w, "did not build", "%zu", d->nobuild);
	for (size_t b = 2; b < sizeof(dash_builds) / sizeof(dash_builds[0]); b++) {
		size_t cnt = 0;
		for (size_t k = 0; k < c->nstudents; k++)
			cnt += strcmp(d->s[k].build, dash_builds[b]) == 0;
		if (cnt && b != 2)
			stat_row(w, dash_builds[b], "%zu", cnt);
	}
	xmlTextWriterEndElement(w);	/* dl */
	xmlTextWriterEndElement(w);	/* div */
	html_causes(w, d);
	html_matrix(w, d);
	html_cases(w, d);
	xmlTextWriterEndElement(w);	/* body */
	xmlTextWriterEndElement(w);	/* html */
	xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);
	rc = rpt_atomic_write(path, (const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf),
	    err);
	xmlBufferFree(buf);
	return rc;
}

