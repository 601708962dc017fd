/*
 * rpt: reporters. Each reads a finished struct res_run and writes one format.
 * Files are written atomically (a temporary file in the same directory, then
 * rename) into the report directory.
 */
#ifndef SC_RPT_H
#define SC_RPT_H

#include <stdio.h>

#include "err.h"
#include "results.h"

struct rpt_opts {
	int color;		/* terminal: ANSI colours */
	int verbose;		/* terminal: details of passing cases too */
	int student_view;	/* hidden cases show only "hidden case: failed" */
};

/* The terminal report: a line per case, each failure explained, then the closing line. */
void rpt_term(FILE *out, const struct res_run *run, const struct rpt_opts *o);

/* results.json (schema: reports/results.schema.json). */
int rpt_json(const struct res_run *run, const char *path, const struct rpt_opts *o, struct sc_err *err);

/* JUnit XML. */
int rpt_junit(const struct res_run *run, const char *path, const struct rpt_opts *o, struct sc_err *err);

/* TAP version 14. */
int rpt_tap(const struct res_run *run, const char *path, const struct rpt_opts *o, struct sc_err *err);

/* Markdown summary (for a CI step summary or a pull-request comment). */
int rpt_md(const struct res_run *run, const char *path, const struct rpt_opts *o, struct sc_err *err);

/* One self-contained HTML file. */
int rpt_html(const struct res_run *run, const char *path, const struct rpt_opts *o, struct sc_err *err);

/* Gradescope's results.json. */
int rpt_gradescope(const struct res_run *run, const char *path, const struct rpt_opts *o, struct sc_err *err);

/* Autolab: the output whose last line is {"scores": {...}}. */
int rpt_autolab(const struct res_run *run, const char *path, const struct rpt_opts *o, struct sc_err *err);

/* GitHub Actions annotations (::error file=...,line=...::) on `out`. */
void rpt_gha(FILE *out, const struct res_run *run, const struct rpt_opts *o);

/*
 * Write each format of the comma-separated `formats` ("json,junit,tap,...")
 * into `dir` (created if needed) under its conventional name.
 */
int rpt_write_all(const struct res_run *run, const char *formats, const char *dir,
    const struct rpt_opts *o, struct sc_err *err);

/*
 * The score and what its maximum counts: "score 40/40", or, when cases were
 * skipped, "score 4/24 for the programs present (file_client); 66 points in
 * skipped cases". Empty when the run has no points at all.
 */
void rpt_score_line(const struct res_run *run, char *buf, size_t len);

/*
 * Text fit for an XML document: valid UTF-8 (decoded by libxml2), each
 * control character not in `keep` (e.g. "\n\t") and each invalid byte
 * replaced by '?'. malloc'd, or NULL when out of memory.
 */
char *rpt_xml_text(const char *s, size_t n, const char *keep);

/* Write `len` bytes to `path` atomically: temporary file, fsync, rename. */
int rpt_atomic_write(const char *path, const char *data, size_t len, struct sc_err *err);

#endif
