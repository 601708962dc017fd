/*
 * rpt_junit: JUnit XML (libxml2's writer escapes everything), one
 * testsuite per protocol.role, one testcase per case.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "rpt.h"

static void
text_elem(xmlTextWriterPtr w, const char *name, const char *s, size_t n)
{
	char *safe = rpt_xml_text(s ? s : "", s ? n : 0, "\n\t\r\x7f");
	xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST (safe ? safe : ""));
	free(safe);
}

static void
attr(xmlTextWriterPtr w, const char *name, const char *v)
{
	char *safe = rpt_xml_text(v ? v : "", v ? strlen(v) : 0, "\n\t\r\x7f");
	xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST (safe ? safe : ""));
	free(safe);
}

static char *
failure_text(const struct res_case *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < c->nchecks; i++) {
		if (c->checks[i].ok)
			continue;
		fprintf(f, "%s%s: expected %s; got %s [%s]\n",
		    c->checks[i].collateral ? "note: " : "", c->checks[i].name,
		    c->checks[i].expected ? c->checks[i].expected : "",
		    c->checks[i].actual ? c->checks[i].actual : "",
		    c->checks[i].cause ? c->checks[i].cause : "?");
		for (const struct res_cite *ci = c->checks[i].cite; ci; ci = ci->next) {
			char where[PATH_MAX + 64];
			res_cite_where(ci, where, sizeof(where));
			fprintf(f, "  at %s%s%s\n", where, ci->say ? ": " : "", ci->say ? ci->say : "");
			if (ci->text)
				fprintf(f, "  %5d | %s\n", ci->line, ci->text);
			if (ci->note)
				fprintf(f, "  note: %s\n", ci->note);
		}
	}
	if (c->charged_in)
		fprintf(f, "No points lost here: its problems were charged in %s.\n", c->charged_in);
	if (c->diagnosis)
		fprintf(f, "\n%s\n", c->diagnosis);
	for (size_t i = 0; c->memcheck && i < c->mc.count; i++) {
		const struct mc_finding *m = &c->mc.findings[i];
		const struct mc_frame *fr = m->own >= 0 ? &m->stack[m->own] : NULL;
		fprintf(f, "memcheck %s: %s", mc_kind_name(m->kind), m->what ? m->what : "");
		if (fr)
			fprintf(f, " at %s:%d (%s)", fr->file, fr->line, fr->fn ? fr->fn : "?");
		fputc('\n', f);
	}
	if (c->hint)
		fprintf(f, "\nHint: %s\n", c->hint);
	fclose(f);
	return text;
}

int
rpt_junit(const struct res_run *run, const char *path, const struct rpt_opts *o, struct sc_err *err)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	int rc;

	if (w == NULL)
		return sc_err_set(err, "junit: out of memory");
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
	xmlTextWriterStartElement(w, BAD_CAST "testsuites");
	attr(w, "name", "sockcheck");
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST "tests", "%zu", run->ncases);
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST "failures", "%u", run->failed);
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST "errors", "%u", run->errors);
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST "skipped", "%u", run->skipped);
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", run->seconds);
	for (size_t i = 0; i < run->ncases; ) {
		const struct res_case *first = &run->cases[i];
		size_t j = i;
		unsigned nf = 0, ne = 0, ns = 0;
		double t = 0;
		while (j < run->ncases && strcmp(run->cases[j].protocol, first->protocol) == 0 &&
		    strcmp(run->cases[j].role, first->role) == 0) {
			nf += run->cases[j].verdict == RES_FAIL;
			ne += run->cases[j].verdict == RES_ERROR;
			ns += run->cases[j].verdict == RES_SKIP;
			t += run->cases[j].seconds;
			j++;
		}
		char suite[64];
		snprintf(suite, sizeof(suite), "%s.%s", first->protocol, first->role);
		xmlTextWriterStartElement(w, BAD_CAST "testsuite");
		attr(w, "name", suite);
		xmlTextWriterWriteFormatAttribute(w, BAD_CAST "tests", "%zu", j - i);
		xmlTextWriterWriteFormatAttribute(w, BAD_CAST "failures", "%u", nf);
		xmlTextWriterWriteFormatAttribute(w, BAD_CAST "errors", "%u", ne);
		xmlTextWriterWriteFormatAttribute(w, BAD_CAST "skipped", "%u", ns);
		xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", t);
		for (; i < j; i++) {
			const struct res_case *c = &run->cases[i];
			int hidden = o->student_view && c->hidden;
			xmlTextWriterStartElement(w, BAD_CAST "testcase");
			attr(w, "classname", suite);
			attr(w, "name", c->id + strlen(suite) + 1);
			xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", c->seconds);
			if (!hidden && c->verdict != RES_PASS && res_case_cite(c)) {
				/* the line of the student's source that made it (cite.h) */
				attr(w, "file", res_case_cite(c)->file);
				xmlTextWriterWriteFormatAttribute(w, BAD_CAST "line", "%d",
				    res_case_cite(c)->line);
			}
			if (c->verdict == RES_SKIP) {
				xmlTextWriterStartElement(w, BAD_CAST "skipped");
				attr(w, "message", c->summary);
				xmlTextWriterEndElement(w);
			} else if (c->verdict != RES_PASS) {
				char *text = hidden ? strdup("hidden case: failed") : failure_text(c);
				xmlTextWriterStartElement(w, BAD_CAST (c->verdict == RES_FAIL ? "failure" : "error"));
				attr(w, "message", hidden ? "hidden case: failed" : c->summary);
				attr(w, "type", res_verdict_name(c->verdict));
				char *safe = rpt_xml_text(text ? text : "", text ? strlen(text) : 0, "\n\t\r\x7f");
				xmlTextWriterWriteString(w, BAD_CAST (safe ? safe : ""));
				free(safe);
				free(text);
				xmlTextWriterEndElement(w);
			}
			for (size_t k = 0; !hidden && k < c->nprocs; k++)
				if (strcmp(c->procs[k].role, "student") == 0) {
					text_elem(w, "system-out", c->procs[k].out.head, c->procs[k].out.head_len);
					text_elem(w, "system-err", c->procs[k].err.head, c->procs[k].err.head_len);
					break;
				}
			xmlTextWriterEndElement(w);
		}
		xmlTextWriterEndElement(w);
	}
	xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);
	rc = rpt_atomic_write(path, (const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf), err);
	xmlBufferFree(buf);
	return rc;
}
