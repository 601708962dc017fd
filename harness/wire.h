/*
 * wire: a case's packet capture (wcap.h) read back with libpcap into what
 * happened on the wire: connections, their data runs merged into spans,
 * SYN, FIN, RST, zero windows and UDP datagrams, in time order.
 *
 * The reporters draw it (the HTML sequence diagram, the terminal's text
 * timeline) and the judge quotes it as evidence. Times are seconds since
 * the case started; sizes come from TCP sequence numbers, so the packets
 * the capture left out (wcap.h) still count.
 */
#ifndef SC_WIRE_H
#define SC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum wire_kind {
	WIRE_SYN,		/* connection attempt (from the initiator) */
	WIRE_SYNACK,		/* accepted by the kernel (from the listener) */
	WIRE_DATA,		/* a span: consecutive data segments one way, merged */
	WIRE_FIN,		/* end of this direction (shutdown or close) */
	WIRE_RST,		/* reset */
	WIRE_ZERO_WINDOW,	/* the sender's receive buffer is full: it stopped reading */
	WIRE_WINDOW_OPEN,	/* ...and has read again */
	WIRE_DATAGRAM,		/* UDP: one datagram */
	WIRE_OMITTED		/* packets the capture left out of the file (wcap.h): from
				 * the sender's previous packet in the file (t) to the next
				 * (t_end) */
};

enum wire_end {
	WIRE_END_OPEN,		/* neither side sent FIN or RST */
	WIRE_END_HALF,		/* one side sent FIN */
	WIRE_END_CLOSED,	/* both sides sent FIN */
	WIRE_END_RESET,		/* a RST ended it */
	WIRE_END_REFUSED	/* SYN answered by RST: nobody listened */
};

struct wire_endpoint {
	char addr[46];			/* numeric, "127.0.0.1" or "::1" */
	unsigned port;
};

struct wire_conn {
	int udp;			/* a UDP flow: a is the first sender */
	struct wire_endpoint a, b;	/* TCP: a sent the SYN, b accepted */
	uint64_t bytes[2];		/* payload bytes sent by a ([0]) and by b ([1]) */
	int fin[2], rst[2];		/* sent by a / by b */
	double fin_t[2], rst_t[2];	/* when */
	uint64_t fin_after[2], rst_after[2];	/* bytes the sender had sent by then */
	int zero_window[2];		/* a / b advertised a zero window at some point */
	enum wire_end end;
	double t_first, t_last;
};

struct wire_event {
	enum wire_kind kind;
	size_t conn;			/* index into conns */
	int from;			/* 0: from conns[conn].a, 1: from .b */
	double t, t_end;		/* t_end: DATA/OMITTED spans, else t */
	uint64_t bytes;			/* DATA: bytes in the span; DATAGRAM: its size;
					 * OMITTED: payload bytes the left-out packets
					 * carried (from the sequence numbers; how many
					 * packets is not in the file: wcap_stats.omitted
					 * counts them for the whole case) */
	uint64_t offset;		/* DATA/FIN/RST: the sender's bytes before it */
	unsigned segments;		/* DATA: segments merged */
	int after_stop;			/* at or after wire.t_stop: sockcheck stopping the programs */
};

struct wire {
	struct wire_conn *conns;
	size_t nconns;
	struct wire_event *events;
	size_t nevents;
	uint64_t packets;		/* in the file */
	double t_stop;			/* when sockcheck began stopping the programs (<0: unknown) */
};

/*
 * Read `path`. `t0_real` is the case's start as CLOCK_REALTIME seconds (the
 * pcap timestamps' clock), `t_stop` the moment sockcheck began stopping the
 * programs, in seconds since that start (<0: unknown). Returns 0 or -1 with
 * err ("capture.pcap: truncated dump file").
 */
int wire_read(const char *path, double t0_real, double t_stop, struct wire *w,
    struct sc_err *err);

void wire_free(struct wire *w);

#endif
