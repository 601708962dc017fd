/*
 * rpt_seq: the HTML report's sequence diagram of a case, drawn from its
 * packet capture (wview.h) as inline SVG: one lane per endpoint, time going
 * down; SYN and accept, data spans with byte counts, FIN and RST, zero
 * windows, UDP datagrams with their sizes; the stall that ended the case,
 * a missing FIN as a dashed placeholder where the FIN should be, and what
 * came after sockcheck stopped the programs greyed and labelled. Every mark
 * has a text label (readable without colour) and a class ("fin", "rst",
 * "missing-fin", "stall", "after-stop", "lane", ...) for tests and styles.
 */
#ifndef SC_RPT_SEQ_H
#define SC_RPT_SEQ_H

#include <libxml/xmlwriter.h>

#include "wview.h"

/* Lanes drawn at most; the other endpoints' events are counted in a note. */
#define RPT_SEQ_LANES 6

/*
 * Write the <svg> of `v` into `w`. `why` (may be NULL) is what the stall
 * line says: the case's diagnosis, of which the first sentence is shown.
 */
void rpt_seq_svg(xmlTextWriterPtr w, const struct wview *v, const char *why);

#endif
