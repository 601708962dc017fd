/*
 * wview: a case's capture (wire.h) as its views tell it: who each endpoint
 * is ("student server", "reference client 1"), and the short, time-ordered
 * list of the events that matter, which the terminal's text timeline
 * (wview_text), the HTML sequence diagram (rpt_seq.c) and the judge's
 * evidence (wview_evidence) are drawn from.
 *
 * Data runs are merged and long runs capped (a few spans per direction, the
 * rest summarized in one item); a direction that ended without FIN or RST
 * before sockcheck stopped the programs is an item of its own (a missing
 * FIN); what comes at or after t_stop is sockcheck's doing (the kernel
 * closing the sockets of the programs it stopped), never the student's.
 */
#ifndef SC_WVIEW_H
#define SC_WVIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "results.h"
#include "wire.h"

/* What the case says about who is who, and the moments the views mark. */
struct wview_case {
	const char *protocol;	/* "echo", "file", "udp" (res_case.protocol) */
	const char *role;	/* "server", "client", "pair": the student's side */
	unsigned port;		/* where the server side listens (res_case.port) */
	double t_stall;		/* a stall or early decision ended the case; <0 none */
	double t_stop;		/* sockcheck began stopping the programs; <0 unknown */
	const char *student_end;	/* the student's program died before the stop: "died
					 * of a signal"; NULL: it exited, or ran until
					 * sockcheck stopped it (or not known). A death, not a
					 * close(), then closed its sockets */
};

enum wview_kind {
	WV_CONNECT,		/* SYN (and its SYN-ACK: `accepted`, at t_end) */
	WV_REFUSED,		/* SYN answered by RST */
	WV_DATA,		/* one span, or `spans` spans summarized */
	WV_FIN,
	WV_RST,
	WV_ZERO_WINDOW,		/* `from`'s receive window is zero; or, with zero_total or
				 * still_zero, `spans` more times until t_end */
	WV_WINDOW_OPEN,		/* ...and open again (t_end - t: how long it was zero) */
	WV_DATAGRAM,		/* `spans` datagrams one way; sizes[] the first ones */
	WV_OMITTED,		/* `bytes` of data in packets left out of the file */
	WV_MISSING_FIN,		/* `from` sent no FIN or RST before t_stop (offset: its bytes) */
	WV_STALL,		/* the case was ended here (t_stall) */
	WV_STOP,		/* sockcheck stops the programs here (t_stop) */
	WV_MORE			/* `spans` events not shown */
};

#define WV_SIZES 6

struct wview_item {
	enum wview_kind kind;
	size_t conn;
	int from;		/* 0: conns[conn].a, 1: .b */
	double t, t_end;
	uint64_t bytes;		/* DATA, OMITTED: bytes; DATAGRAM: total bytes */
	uint64_t omitted;	/* DATA: of them, in packets left out of the file */
	uint64_t offset;	/* DATA/FIN/RST/MISSING_FIN: the sender's bytes before it */
	unsigned segments;	/* DATA: segments */
	unsigned spans;		/* DATA: spans merged (1: one); DATAGRAM: datagrams; MORE: events */
	uint64_t sizes[WV_SIZES];	/* DATAGRAM: the first sizes */
	int accepted;		/* CONNECT: the SYN-ACK came (at t_end) */
	double zero_total;	/* ZERO_WINDOW summary: seconds zero in all */
	int still_zero;		/* ...and it was still zero at its end */
	double zero_t;		/* WINDOW_OPEN: when the window became zero; MISSING_FIN:
				 * when its data ended (<0: it sent none) */
	int after_stop;		/* sockcheck's doing, not the program's */
	size_t order;		/* the order of items at the same time (internal) */
};

#define WV_NAME 40

struct wview {
	const struct wire *w;
	struct wview_case c;
	char (*name)[2][WV_NAME];	/* per connection: a's, b's name */
	int (*student)[2];		/* per connection: a / b is the student's */
	size_t (*lane)[2];		/* per connection: a's, b's lane */
	char (*lanes)[WV_NAME];		/* lane names, the student's first */
	size_t nlanes;
	struct wview_item *items;
	size_t nitems;
	double t_end;			/* the last moment shown */
};

/*
 * Name the endpoints of `w` and list its events for case `c`. `w` must
 * outlive `v`. Returns 0, or -1 when out of memory.
 */
int wview_build(const struct wire *w, const struct wview_case *c, struct wview *v);
void wview_free(struct wview *v);

/* "student server -> reference client 1" for an item (its from and to). */
const char *wview_from(const struct wview *v, const struct wview_item *it);
const char *wview_to(const struct wview *v, const struct wview_item *it);

/*
 * One item as text, without its time and endpoints: "SYN, accepted
 * (SYN-ACK)", "data 65536 bytes (45 segments)", "FIN after 65536 bytes",
 * "no FIN after its 0 bytes: ...". Writes at most len bytes into buf.
 */
void wview_what(const struct wview *v, const struct wview_item *it, char *buf, size_t len);

/*
 * The text timeline: one line per item, each starting with `indent`:
 * "0.012 s  reference client -> student server  SYN, accepted (SYN-ACK)".
 */
void wview_text(FILE *out, const struct wview *v, const char *indent);

/*
 * The judge's evidence: what the student's side did on the wire before
 * sockcheck stopped the programs, in sentences ("The student server sent
 * RST after 2048 bytes: ..."), or "" when there is nothing to name.
 */
void wview_evidence(const struct wview *v, char *buf, size_t len);

/*
 * A finished case's capture (wview_case.c): read case_dir/capture.pcap
 * (wire_read, with the case's t0_real and t_stop) into `w` and build `v`
 * from the case's protocol, role, port, t_stall and t_stop. Returns 0, or
 * -1 with err (not captured, unreadable file); then nothing is to be freed.
 * Else free with wview_free(v), then wire_free(w).
 */
int wview_case_load(const struct res_case *c, struct wire *w, struct wview *v,
    struct sc_err *err);

/* Why a case has no capture, from its capture_note, without a leading "no capture: ". */
const char *wview_case_no_capture(const struct res_case *c);

/*
 * The judge's evidence (wview_evidence) of a finished case's capture; ""
 * when none. `student_end` as in struct wview_case.
 */
void wview_case_evidence(const struct res_case *c, const char *student_end, char *buf,
    size_t len);

#endif
