/*
 * rpt_html: one self-contained HTML file (inline CSS, no scripts): the
 * summary table, each case's checks, diagnosis, hint, captured output,
 * memcheck findings with their source lines, and a sequence diagram of the
 * wire events as inline SVG: from the case's packet capture (rpt_seq.c),
 * or, without one, from the reference peers' event logs. libxml2's writer
 * does all the escaping.
 */
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/xmlwriter.h>

#include "jsonio.h"
#include "rpt.h"
#include "rpt_seq.h"
#include "wcap.h"

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
    ".pass{color:#070}.fail{color:#b00}.error{color:#808}.skip{color:#960}.note{color:#666}"
    "#problems li{margin-bottom:.5em}"
    "pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:20em}"
    "section{border-top:2px solid #ddd;margin-top:1.5em}svg text{font:11px monospace}"
    ".wire{overflow-x:auto}"
    "pre.cite mark{display:block;background:#fde68a}p.cite{margin:.2em 0 0 2em}"
    "pre.cite{margin-left:2em}";

static void
elem(xmlTextWriterPtr w, const char *name, const char *cls, const char *text)
{
	char *t = rpt_xml_text(text ? text : "", text ? strlen(text) : 0, "\n\t");
	xmlTextWriterStartElement(w, BAD_CAST name);
	if (cls)
		xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST cls);
	xmlTextWriterWriteString(w, BAD_CAST (t ? t : ""));
	xmlTextWriterEndElement(w);
	free(t);
}

/*
 * The line a failed check names (res_cite), and its second line: where, what
 * belongs there, and the source around it with the line marked.
 */
static void
cite(xmlTextWriterPtr w, const struct res_cite *ci)
{
	char where[PATH_MAX + 64], buf[PATH_MAX + 1024];

	for (; ci; ci = ci->next) {
		res_cite_where(ci, where, sizeof(where));
		snprintf(buf, sizeof(buf), "at %s%s%s%s%s%s", where, ci->function && ci->file ?
		    " in " : "", ci->function && ci->file ? ci->function : "",
		    ci->function && ci->file ? "()" : "", ci->say ? ": " : "", ci->say ? ci->say : "");
		elem(w, "p", "cite", buf);
		if (ci->note)
			elem(w, "p", "cite note", ci->note);
		if (ci->context == NULL)
			continue;
		xmlTextWriterStartElement(w, BAD_CAST "pre");
		xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST "source cite");
		for (size_t i = 0; ci->context[i]; i++) {
			int no = ci->context_first + (int)i;
			char *t;
			snprintf(buf, sizeof(buf), "%5d | %s%s", no, ci->context[i],
			    no == ci->line ? "" : "\n");
			t = rpt_xml_text(buf, strlen(buf), "\n\t");
			if (no == ci->line)
				xmlTextWriterStartElement(w, BAD_CAST "mark");
			xmlTextWriterWriteString(w, BAD_CAST (t ? t : ""));
			if (no == ci->line)
				xmlTextWriterEndElement(w);
			free(t);
		}
		xmlTextWriterEndElement(w);
	}
}

/* A check before check k had the same cause and its line: shown once. */
static int
cited_before(const struct res_case *c, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (c->checks[j].cite && !c->checks[j].ok && c->checks[j].cause &&
		    c->checks[k].cause && strcmp(c->checks[j].cause, c->checks[k].cause) == 0)
			return 1;
	return 0;
}

/*
 * The sequence diagram of one peer's log: the student on the left, the
 * peer on the right; consecutive reads or writes merge into one arrow with
 * a byte count; FIN, RST and gaps longer than 300 ms are marked.
 */
static void
diagram(xmlTextWriterPtr w, const struct res_proc *p)
{
	FILE *f = p->events_path ? fopen(p->events_path, "re") : NULL;
	char *line = NULL, label[128];
	size_t cap = 0;
	struct arrow { int dir; unsigned long long n; long long t; char what[48]; } arrows[60];
	int na = 0;
	long long last_t = -1;

	if (f == NULL)
		return;
	while (getline(&line, &cap, f) > 0 && na < 60) {
		json_t *ev = jsonio_loadb(line, strlen(line), NULL);
		const char *name = ev ? json_string_value(json_object_get(ev, "ev")) : NULL;
		long long t = ev ? (long long)json_integer_value(json_object_get(ev, "t")) : 0;
		if (name) {
			int dir = 0;	/* 1: peer -> student, -1: student -> peer, 2: mark */
			unsigned long long n = (unsigned long long)json_integer_value(json_object_get(ev, "n"));
			const char *what = "";
			if (strcmp(name, "write") == 0) { dir = 1; what = "data"; }
			else if (strcmp(name, "read") == 0) { dir = -1; what = "data"; }
			else if (strcmp(name, "shutdown") == 0) { dir = 1; what = "FIN"; }
			else if (strcmp(name, "eof") == 0) { dir = -1; what = "FIN"; }
			else if (strcmp(name, "reset") == 0) { dir = 1; what = "RST"; }
			else if (strcmp(name, "read_error") == 0 || strcmp(name, "write_error") == 0) {
				dir = -1;
				what = json_string_value(json_object_get(ev, "error"));
			} else if (strcmp(name, "timeout") == 0) { dir = 2; what = "gave up waiting"; }
			if (dir && last_t >= 0 && t - last_t > 300000 && na < 59) {
				arrows[na].dir = 2;
				arrows[na].n = 0;
				arrows[na].t = t;
				snprintf(arrows[na].what, sizeof(arrows[na].what), "%.1f s with nothing",
				    (double)(t - last_t) / 1e6);
				na++;
			}
			if (dir) {
				if (na > 0 && arrows[na - 1].dir == dir && strcmp(what, "data") == 0 &&
				    strcmp(arrows[na - 1].what, "data") == 0) {
					arrows[na - 1].n += n;
				} else {
					arrows[na].dir = dir;
					arrows[na].n = n;
					arrows[na].t = t;
					snprintf(arrows[na].what, sizeof(arrows[na].what), "%s", what ? what : "");
					na++;
				}
				last_t = t;
			}
		}
		json_decref(ev);
	}
	free(line);
	fclose(f);
	if (na == 0)
		return;
	int h = 40 + 24 * na;
	xmlTextWriterStartElement(w, BAD_CAST "svg");
	xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST "http://www.w3.org/2000/svg");
	xmlTextWriterWriteAttribute(w, BAD_CAST "width", BAD_CAST "520");
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST "height", "%d", h);
	xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST "sequence");
	snprintf(label, sizeof(label), "<line x1='100' y1='20' x2='100' y2='%d' stroke='#444'/>"
	    "<line x1='420' y1='20' x2='420' y2='%d' stroke='#444'/>", h, h);
	xmlTextWriterWriteRaw(w, BAD_CAST label);
	xmlTextWriterStartElement(w, BAD_CAST "text");
	xmlTextWriterWriteAttribute(w, BAD_CAST "x", BAD_CAST "70");
	xmlTextWriterWriteAttribute(w, BAD_CAST "y", BAD_CAST "14");
	xmlTextWriterWriteString(w, BAD_CAST "student");
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "text");
	xmlTextWriterWriteAttribute(w, BAD_CAST "x", BAD_CAST "380");
	xmlTextWriterWriteAttribute(w, BAD_CAST "y", BAD_CAST "14");
	xmlTextWriterWriteString(w, BAD_CAST "reference");
	xmlTextWriterEndElement(w);
	for (int i = 0; i < na; i++) {
		int y = 40 + 24 * i;
		char buf[256];
		if (arrows[i].dir == 2) {
			snprintf(buf, sizeof(buf), "<line x1='100' y1='%d' x2='420' y2='%d' stroke='#c00' "
			    "stroke-dasharray='4'/>", y, y);
		} else {
			int x1 = arrows[i].dir == 1 ? 420 : 100, x2 = arrows[i].dir == 1 ? 100 : 420;
			snprintf(buf, sizeof(buf), "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s'/>"
			    "<circle cx='%d' cy='%d' r='3'/>", x1, y, x2, y,
			    strcmp(arrows[i].what, "data") ? "#b00" : "#06c", x2, y);
		}
		xmlTextWriterWriteRaw(w, BAD_CAST buf);
		if (strcmp(arrows[i].what, "data") == 0)
			snprintf(label, sizeof(label), "%llu bytes @ %.3f s", arrows[i].n,
			    (double)arrows[i].t / 1e6);
		else
			snprintf(label, sizeof(label), "%s @ %.3f s", arrows[i].what,
			    (double)arrows[i].t / 1e6);
		xmlTextWriterStartElement(w, BAD_CAST "text");
		xmlTextWriterWriteAttribute(w, BAD_CAST "x", BAD_CAST "180");
		xmlTextWriterWriteFormatAttribute(w, BAD_CAST "y", "%d", y - 4);
		xmlTextWriterWriteString(w, BAD_CAST label);
		xmlTextWriterEndElement(w);
	}
	xmlTextWriterEndElement(w);
}

/*
 * The diagram from the case's packet capture, with a link to the file
 * (relative to the report when it lies below it, `base`). Returns 1 when
 * drawn; else says why there is none and returns 0 (the peers' logs are
 * drawn instead).
 */
static int
capture(xmlTextWriterPtr w, const struct res_case *c, const char *base)
{
	struct wire wr;
	struct wview v;
	struct sc_err err;
	char buf[PATH_MAX + 600];
	size_t nb = strlen(base);

	if (!c->captured && c->capture_note == NULL)
		return 0;	/* the case did not run, or predates captures */
	xmlTextWriterStartElement(w, BAD_CAST "div");
	xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST "wire");
	elem(w, "h3", NULL, "On the wire");
	if (!c->captured || wview_case_load(c, &wr, &v, &err) < 0) {
		snprintf(buf, sizeof(buf), "No packet capture (%s): the diagrams below are drawn "
		    "from the reference peers' own event logs.", c->captured ? err.msg :
		    wview_case_no_capture(c));
		elem(w, "p", "no-capture", buf);
		xmlTextWriterEndElement(w);
		return 0;
	}
	xmlTextWriterStartElement(w, BAD_CAST "p");
	xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST "capture");
	xmlTextWriterWriteString(w, BAD_CAST "open in Wireshark: ");
	if (nb && strncmp(c->case_dir, base, nb) == 0 && c->case_dir[nb] == '/')
		snprintf(buf, sizeof(buf), "%s/%s", c->case_dir + nb + 1, WCAP_FILE);
	else
		snprintf(buf, sizeof(buf), "file://%s/%s", c->case_dir, WCAP_FILE);
	xmlTextWriterStartElement(w, BAD_CAST "a");
	xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST buf);
	xmlTextWriterWriteString(w, BAD_CAST WCAP_FILE);
	xmlTextWriterEndElement(w);
	if (c->capture_note) {
		snprintf(buf, sizeof(buf), " (%s)", c->capture_note);
		xmlTextWriterWriteString(w, BAD_CAST buf);
	}
	xmlTextWriterEndElement(w);
	rpt_seq_svg(w, &v, c->diagnosis);
	wview_free(&v);
	wire_free(&wr);
	xmlTextWriterEndElement(w);
	return 1;
}

static void
one_case(xmlTextWriterPtr w, const struct res_case *c, const struct rpt_opts *o, const char *base)
{
	char buf[512];
	int captured;

	xmlTextWriterStartElement(w, BAD_CAST "section");
	xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST c->id);
	snprintf(buf, sizeof(buf), "%s: %s (%s)", c->id, c->title, res_verdict_name(c->verdict));
	elem(w, "h2", res_verdict_name(c->verdict), buf);
	if (o->student_view && c->hidden) {
		elem(w, "p", NULL, c->verdict == RES_PASS ? "hidden case: passed" : "hidden case: failed");
		xmlTextWriterEndElement(w);
		return;
	}
	if (c->summary && *c->summary)
		elem(w, "p", NULL, c->summary);
	if (c->charged_in) {
		snprintf(buf, sizeof(buf), "Failed, but no points lost here: the same problem "
		    "costs its points in %s, the case for it.", c->charged_in);
		elem(w, "p", "charged", buf);
	}
	if (c->nchecks) {
		xmlTextWriterStartElement(w, BAD_CAST "ul");
		for (size_t i = 0; i < c->nchecks; i++) {
			const struct res_check *k = &c->checks[i];
			snprintf(buf, sizeof(buf), "%s %s%s: expected %s; got %s%s%s%s",
			    k->ok ? "✓" : k->collateral ? "•" : "✗", k->collateral && !k->ok ?
			    "note: " : "", k->name, k->expected ? k->expected : "",
			    k->actual ? k->actual : "", k->cause ? " [" : "", k->cause ? k->cause : "",
			    k->cause ? "]" : "");
			if (k->cite == NULL || k->ok || cited_before(c, i)) {
				elem(w, "li", k->ok ? "pass" : k->collateral ? "note" : "fail", buf);
				continue;
			}
			xmlTextWriterStartElement(w, BAD_CAST "li");
			xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST (k->collateral ?
			    "note" : "fail"));
			{
				char *t = rpt_xml_text(buf, strlen(buf), "\n\t");
				xmlTextWriterWriteString(w, BAD_CAST (t ? t : ""));
				free(t);
			}
			cite(w, k->cite);
			xmlTextWriterEndElement(w);
		}
		xmlTextWriterEndElement(w);
	}
	if (c->diagnosis)
		elem(w, "p", "diagnosis", c->diagnosis);
	if (c->hint)
		elem(w, "p", "hint", c->hint);
	for (size_t i = 0; c->memcheck && i < c->mc.count; i++) {
		const struct mc_finding *f = &c->mc.findings[i];
		const struct mc_frame *fr = f->own >= 0 ? &f->stack[f->own] : NULL;
		snprintf(buf, sizeof(buf), "memcheck %s%s: %s %s:%d", mc_kind_name(f->kind),
		    f->fails ? "" : " (warning)", f->what ? f->what : "", fr ? fr->file : "?",
		    fr ? fr->line : 0);
		elem(w, "p", f->fails ? "fail" : "skip", buf);
		if (f->source_line)
			elem(w, "pre", "source", f->source_line);
	}
	captured = c->verdict != RES_SKIP && capture(w, c, base);
	for (size_t i = 0; i < c->nprocs; i++) {
		const struct res_proc *p = &c->procs[i];
		char *t;
		if (!p->started)
			snprintf(buf, sizeof(buf), "%s: did not start", p->role);
		else if (p->exited)
			snprintf(buf, sizeof(buf), "%s: exited with status %d after %.2f s%s", p->role,
			    p->status, p->seconds, p->killed ? ", as sockcheck stopped it" : "");
		else if (p->signal)
			snprintf(buf, sizeof(buf), "%s: %s by signal %d (SIG%s) after %.2f s", p->role,
			    p->killed ? "stopped by sockcheck" : "killed", p->signal,
			    sigabbrev_np(p->signal) ? sigabbrev_np(p->signal) : "?", p->seconds);
		else
			snprintf(buf, sizeof(buf), "%s: stopped by sockcheck after %.2f s", p->role,
			    p->seconds);
		elem(w, "h3", NULL, buf);
		if (p->out.total) {
			t = rpt_xml_text(p->out.head, p->out.head_len, "\n\t");
			elem(w, "pre", "stdout", t);
			free(t);
		}
		if (p->err.total) {
			t = rpt_xml_text(p->err.head, p->err.head_len, "\n\t");
			elem(w, "pre", "stderr", t);
			free(t);
		}
		if (!captured)
			diagram(w, p);
	}
	xmlTextWriterEndElement(w);
}

/* "N problems found", each with its hint and cases, before the cases (docs/grading.md). */
static void
problems(xmlTextWriterPtr w, const struct res_run *run, const struct rpt_opts *o)
{
	struct res_problem *p;
	size_t n;
	char buf[512];

	if (res_problems(run, o->student_view, &p, &n) < 0)
		return;
	xmlTextWriterStartElement(w, BAD_CAST "div");	/* the <section>s are the cases */
	xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST "problems");
	snprintf(buf, sizeof(buf), n ? "%zu problem%s found" : "No problems found", n,
	    n == 1 ? "" : "s");
	elem(w, "h2", NULL, buf);
	if (n)
		xmlTextWriterStartElement(w, BAD_CAST "ol");
	for (size_t i = 0; i < n; i++) {
		xmlTextWriterStartElement(w, BAD_CAST "li");
		xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST "problem");
		snprintf(buf, sizeof(buf), "%s: %s (%s)", p[i].program, p[i].title, p[i].cause);
		elem(w, "strong", NULL, buf);
		if (p[i].hint)
			elem(w, "p", "hint", p[i].hint);
		xmlTextWriterStartElement(w, BAD_CAST "ul");
		for (size_t k = 0; k < p[i].ncases; k++) {
			const char *id = run->cases[p[i].cases[k]].id;
			xmlTextWriterStartElement(w, BAD_CAST "li");
			snprintf(buf, sizeof(buf), "#%s", id);
			xmlTextWriterStartElement(w, BAD_CAST "a");
			xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST buf);
			xmlTextWriterWriteString(w, BAD_CAST id);
			xmlTextWriterEndElement(w);
			snprintf(buf, sizeof(buf), " (%s)", res_problem_mark(&p[i], k));
			xmlTextWriterWriteString(w, BAD_CAST buf);
			xmlTextWriterEndElement(w);
		}
		if (p[i].charged != SIZE_MAX && (p[i].ncases == 0 || p[i].cases[0] != p[i].charged)) {
			/* the student view leaves out the hidden case that paid */
			snprintf(buf, sizeof(buf), "its points lost in %s (a hidden case)",
			    run->cases[p[i].charged].id);
			elem(w, "li", NULL, buf);
		}
		xmlTextWriterEndElement(w);
		xmlTextWriterEndElement(w);
	}
	if (n)
		xmlTextWriterEndElement(w);
	xmlTextWriterEndElement(w);
	res_problems_free(p, n);
}

int
rpt_html(const struct res_run *run, const char *path, const struct rpt_opts *o, struct sc_err *err)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	char line[256], dir[PATH_MAX], base[PATH_MAX];
	int rc;

	if (w == NULL)
		return sc_err_set(err, "html: out of memory");
	/* where the report lies: its links to the captures are relative to it */
	snprintf(dir, sizeof(dir), "%s", path);
	if (realpath(dirname(dir), base) == NULL)
		base[0] = '\0';
	xmlTextWriterWriteRaw(w, BAD_CAST "<!DOCTYPE html>\n");
	xmlTextWriterStartElement(w, BAD_CAST "html");
	xmlTextWriterStartElement(w, BAD_CAST "head");
	xmlTextWriterWriteRaw(w, BAD_CAST "<meta charset=\"utf-8\"/>");
	elem(w, "title", NULL, "sockcheck report");
	elem(w, "style", NULL, css);
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "body");
	snprintf(line, sizeof(line), "sockcheck: %u passed, %u failed, %u skipped", run->passed,
	    run->failed + run->errors, run->skipped);
	elem(w, "h1", NULL, line);
	if (run->isolation && strcmp(run->isolation, "root") != 0 && run->isolation_note) {
		char *p = NULL;
		if (asprintf(&p, "Isolation: %s (sockcheck doctor says more)", run->isolation_note) >= 0)
			elem(w, "p", "isolation", p);
		free(p);
	}
	if (run->conventions) {
		/* how each program was run, as the convention finder found it */
		const char *l = run->conventions;
		xmlTextWriterStartElement(w, BAD_CAST "ul");
		xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST "found");
		while (*l) {
			size_t n = strcspn(l, "\n");
			char *item = strndup(l, n);
			elem(w, "li", NULL, item);
			free(item);
			l += n + (l[n] ? 1 : 0);
		}
		xmlTextWriterEndElement(w);
	}
	problems(w, run, o);
	xmlTextWriterStartElement(w, BAD_CAST "table");
	xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST "summary");
	xmlTextWriterWriteRaw(w, BAD_CAST "<tr><th>case</th><th>level</th><th>result</th>"
	    "<th>points</th><th>summary</th></tr>");
	for (size_t i = 0; i < run->ncases; i++) {
		const struct res_case *c = &run->cases[i];
		xmlTextWriterStartElement(w, BAD_CAST "tr");
		xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST "case");
		elem(w, "td", NULL, c->id);
		elem(w, "td", NULL, c->level);
		elem(w, "td", res_verdict_name(c->verdict), res_verdict_name(c->verdict));
		snprintf(line, sizeof(line), "%u/%u", c->score, c->points);
		elem(w, "td", NULL, line);
		elem(w, "td", NULL, o->student_view && c->hidden && c->verdict != RES_PASS ?
		    "hidden case: failed" : c->summary);
		xmlTextWriterEndElement(w);
	}
	xmlTextWriterEndElement(w);
	for (size_t i = 0; i < run->ncases; i++)
		if (run->cases[i].verdict != RES_PASS || o->verbose)
			one_case(w, &run->cases[i], o, base);
	xmlTextWriterEndElement(w);
	xmlTextWriterEndElement(w);
	xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);
	rc = rpt_atomic_write(path, (const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf), err);
	xmlBufferFree(buf);
	return rc;
}
