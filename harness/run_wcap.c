/*
 * run_wcap: a case's packet capture, seen from the runner (run_wcap.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run_wcap.h"

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
run_wcap_start(struct run_wcap *rw, struct sbx *s, const char *dir, double t0_mono,
    const char *off_why)
{
	char path[4096];
	struct sc_err err;

	memset(rw, 0, sizeof(*rw));
	rw->t0_mono = t0_mono;
	/* the case's start on pcap's clock: now, less the time since */
	rw->t0_real = clock_s(CLOCK_REALTIME) - (clock_s(CLOCK_MONOTONIC) - t0_mono);
	if (off_why != NULL) {
		snprintf(rw->note, sizeof(rw->note), "%s", off_why);
		return;
	}
	if (sbx_mode(s) != SBX_NETNS) {
		snprintf(rw->note, sizeof(rw->note), "the case had no network namespace of its "
		    "own (loopback mode)");
		return;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, WCAP_FILE) >= sizeof(path)) {
		snprintf(rw->note, sizeof(rw->note), "the case directory's path is too long");
		return;
	}
	sc_err_clear(&err);
	if (wcap_start(sbx_net_pid(s), path, &WCAP_CASE, &rw->w, &err) < 0) {
		rw->w = NULL;
		/* the reports say "no capture" themselves */
		const char *m = err.msg;
		if (strncmp(m, "no capture: ", 12) == 0)
			m += 12;
		snprintf(rw->note, sizeof(rw->note), "%.500s", m);
	}
}

/* "812 packets seen, 300 kept, 512 left out, 0 dropped; 45.1 KB" */
static char *
describe(const struct wcap_stats *st)
{
	char *s = NULL;

	if (asprintf(&s, "%" PRIu64 " packets seen, %" PRIu64 " kept, %" PRIu64 " left out, %"
	    PRIu64 " dropped by the kernel%s; %.1f KB", st->seen, st->written, st->omitted,
	    st->dropped, st->dropped ? " (the capture is incomplete)" : "",
	    st->file_bytes / 1000.0) < 0)
		s = NULL;
	return s;
}

void
run_wcap_stop(struct run_wcap *rw, struct res_case *out, double t_stall, double t_stop)
{
	out->t0_real = rw->t0_real;
	out->t_stall = t_stall >= 0 ? t_stall - rw->t0_mono : -1;
	out->t_stop = t_stop >= 0 ? t_stop - rw->t0_mono : -1;
	free(out->capture_note);
	out->capture_note = NULL;
	out->captured = 0;
	if (rw->w == NULL) {
		out->capture_note = rw->note[0] ? strdup(rw->note) : NULL;
		return;
	}
	struct wcap_stats st;
	struct sc_err err;
	sc_err_clear(&err);
	memset(&st, 0, sizeof(st));
	int rc = wcap_stop(rw->w, &st, &err);
	rw->w = NULL;
	out->captured = 1;
	out->cap_seen = st.seen;
	out->cap_kept = st.written;
	out->cap_omitted = st.omitted;
	out->cap_dropped = st.dropped;
	out->cap_bytes = st.file_bytes;
	char *d = describe(&st);
	if (rc < 0) {
		if (asprintf(&out->capture_note, "%s (%s)", d ? d : "", err.msg) < 0)
			out->capture_note = NULL;
		free(d);
	} else {
		out->capture_note = d;
	}
}
