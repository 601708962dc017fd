/*
 * run_wcap: the runner's side of a case's packet capture (wcap.h): started
 * once the sandbox is open and before any program, stopped once they are
 * stopped and before the sandbox closes, and its outcome put in the case's
 * result (captured, capture_note, counts, t0_real, t_stall, t_stop).
 */
#ifndef SC_RUN_WCAP_H
#define SC_RUN_WCAP_H

#include "results.h"
#include "sbx.h"
#include "wcap.h"

struct run_wcap {
	struct wcap *w;		/* live capture, or NULL */
	double t0_mono;		/* the case's start, CLOCK_MONOTONIC seconds */
	double t0_real;		/* the same moment, CLOCK_REALTIME seconds */
	char note[SC_ERR_MSG_MAX];	/* no capture: why ("--no-capture") */
};

/*
 * Start capturing case directory `dir`'s capture.pcap, unless `off_why` is
 * set (the reason there is none, e.g. "--no-capture"). `t0_mono` is the
 * case's start (CLOCK_MONOTONIC). Without a network namespace, or when
 * wcap_start fails, there is no capture and the note says why; the case
 * runs on either way.
 */
void run_wcap_start(struct run_wcap *rw, struct sbx *s, const char *dir, double t0_mono,
    const char *off_why);

/*
 * Stop it and fill out's capture fields; t_stall and t_stop are
 * CLOCK_MONOTONIC seconds (<0: none, unknown).
 */
void run_wcap_stop(struct run_wcap *rw, struct res_case *out, double t_stall, double t_stop);

#endif
