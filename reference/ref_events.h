/*
 * ref_events: the wire event log, one JSON object per line (jansson), each
 * written with a single write(2) so lines of several connections never
 * interleave. Vocabulary: reports/events.md.
 */
#ifndef REF_EVENTS_H
#define REF_EVENTS_H

#include <stdint.h>

struct ref_events {
	int fd;			/* -1: no log */
	uint64_t t0_us;		/* monotonic start */
};

/* `spec` is a descriptor number or a path; NULL: no log. */
int ref_events_open(struct ref_events *e, const char *spec, char *errbuf, size_t errlen);
uint64_t ref_events_now(const struct ref_events *e);	/* us since start */

/*
 * Log event `ev` with fields given as (key, type, value) triples ended by
 * NULL: type 'i' int64, 'u' uint64, 's' string, 'b' bool (int), 'S' bytes
 * (const char *, size_t: a string that may hold any byte).
 * conn 0 means "no connection field".
 */
void ref_event(struct ref_events *e, const char *ev, unsigned conn, ...);

void ref_events_close(struct ref_events *e);

#endif
