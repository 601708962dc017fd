/*
 * wire: a case's capture read back into connections and events (contract
 * in wire.h).
 *
 * Each packet's headers come from wpkt.c (the capture reads them the same
 * way): Ethernet (Linux lo), Linux cooked, BSD loopback and raw IP; IPv4
 * and IPv6 (no extension headers); TCP and UDP.
 *
 * TCP offsets are sequence numbers relative to each side's ISN (the SYN's;
 * the first sequence number seen when the capture missed the SYN), widened
 * to 64 bits, so packets the capture left out still count in the sizes.
 * A segment that starts beyond what the sender had sent so far marks a
 * WIRE_OMITTED event (the file skipped packets there); one that ends at or
 * before it is a retransmission and adds nothing.
 *
 * Spans: consecutive data segments one way, merged. A span ends when the
 * other side sends data, at any other event of the connection (SYN, FIN,
 * RST, zero window, window open, omitted packets), and at a pause longer
 * than WIRE_SPAN_GAP seconds between two segments.
 */
#include <errno.h>
#include <search.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <pcap/pcap.h>

#include "wire.h"
#include "wpkt.h"

#define WIRE_SPAN_GAP 0.1	/* seconds: a longer pause starts a new span */

/* What the reader tracks per connection beside the public wire_conn. */
struct track {
	int family;
	uint8_t addr[2][16];
	uint16_t port[2];
	int have_isn[2];
	uint32_t isn[2];	/* offset 0 is isn + 1 (the SYN takes one) */
	uint64_t hi[2];		/* highest offset sent + 1 (bytes sent) */
	uint64_t last[2];	/* the last offset seen, to widen the next one */
	int syn, synack;
	uint32_t syn_seq, synack_seq;
	int zero[2];
	long span;		/* the open DATA event, -1 none */
	int done;		/* RST seen, or both FINs: a new SYN is a new connection */
};

/* A 4-tuple and its latest connection. */
struct tuple {
	struct wpkt_key k;
	size_t conn;
};

struct rd {
	struct wire *w;
	struct track *tr;
	void *tuples;		/* tsearch tree of struct tuple */
	size_t cap_conns, cap_events;
	double t0, t_stop;
	int nomem;
};

static struct wire_event *
add_event(struct rd *r, enum wire_kind kind, size_t conn, int from, double t)
{
	struct wire *w = r->w;

	if (w->nevents == r->cap_events) {
		size_t nc = r->cap_events ? r->cap_events * 2 : 64;
		struct wire_event *ne = realloc(w->events, nc * sizeof(*ne));
		if (ne == NULL) {
			r->nomem = 1;
			return NULL;
		}
		w->events = ne;
		r->cap_events = nc;
	}
	struct wire_event *e = &w->events[w->nevents++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->conn = conn;
	e->from = from;
	e->t = e->t_end = t;
	e->after_stop = r->t_stop >= 0 && t >= r->t_stop;
	if (kind != WIRE_DATA)
		r->tr[conn].span = -1;
	return e;
}

static void note_conn(struct rd *r, const struct wpkt *s, size_t i);

static long
add_conn(struct rd *r, const struct wpkt *s, int udp, int swap)
{
	struct wire *w = r->w;

	if (w->nconns == r->cap_conns) {
		size_t nc = r->cap_conns ? r->cap_conns * 2 : 8;
		struct wire_conn *c = realloc(w->conns, nc * sizeof(*c));
		if (c == NULL) {
			r->nomem = 1;
			return -1;
		}
		w->conns = c;
		struct track *t = realloc(r->tr, nc * sizeof(*t));
		if (t == NULL) {
			r->nomem = 1;
			return -1;
		}
		r->tr = t;
		r->cap_conns = nc;
	}
	size_t i = w->nconns++;
	struct wire_conn *c = &w->conns[i];
	struct track *t = &r->tr[i];
	memset(c, 0, sizeof(*c));
	memset(t, 0, sizeof(*t));
	t->span = -1;
	t->family = s->family;
	memcpy(t->addr[0], swap ? s->dst : s->src, 16);
	memcpy(t->addr[1], swap ? s->src : s->dst, 16);
	t->port[0] = swap ? s->dport : s->sport;
	t->port[1] = swap ? s->sport : s->dport;
	c->udp = udp;
	for (int k = 0; k < 2; k++) {
		inet_ntop(s->family, t->addr[k], k ? c->b.addr : c->a.addr, sizeof(c->a.addr));
		(k ? &c->b : &c->a)->port = t->port[k];
	}
	c->t_first = c->t_last = s->t;
	c->end = WIRE_END_OPEN;
	note_conn(r, s, i);
	return (long)i;
}

static int
tuple_cmp(const void *x, const void *y)
{
	return memcmp(&((const struct tuple *)x)->k, &((const struct tuple *)y)->k,
	    sizeof(struct wpkt_key));
}

static void
tuple_of(const struct wpkt *s, struct tuple *t)
{
	memset(t, 0, sizeof(*t));
	wpkt_key(s, &t->k);
}

/* The latest connection of this 4-tuple; *from: 0 s comes from its a. */
static long
find_conn(struct rd *r, const struct wpkt *s, int *from)
{
	struct tuple probe;
	struct tuple **node;

	tuple_of(s, &probe);
	if ((node = tfind(&probe, &r->tuples, tuple_cmp)) == NULL)
		return -1;
	size_t i = (*node)->conn;
	*from = !(r->tr[i].port[0] == s->sport && memcmp(r->tr[i].addr[0], s->src, 16) == 0);
	return (long)i;
}

/* Connection i is now the latest of its 4-tuple. */
static void
note_conn(struct rd *r, const struct wpkt *s, size_t i)
{
	struct tuple probe, *t, **node;

	tuple_of(s, &probe);
	if ((node = tfind(&probe, &r->tuples, tuple_cmp)) != NULL) {
		(*node)->conn = i;
		return;
	}
	if ((t = malloc(sizeof(*t))) == NULL) {
		r->nomem = 1;
		return;
	}
	memcpy(t, &probe, sizeof(*t));	/* padding included: the key is compared whole */
	t->conn = i;
	if (tsearch(t, &r->tuples, tuple_cmp) == NULL) {
		free(t);
		r->nomem = 1;
	}
}

/* The sender's offset of sequence number seq, widened next to the last one. */
static uint64_t
offset_of(struct track *t, int k, uint32_t seq)
{
	uint32_t rel = seq - t->isn[k] - 1;
	int32_t d = (int32_t)(rel - (uint32_t)t->last[k]);
	int64_t off = (int64_t)t->last[k] + d;

	if (off < 0)
		off = 0;
	t->last[k] = (uint64_t)off;
	return (uint64_t)off;
}

static void
on_udp(struct rd *r, const struct wpkt *s)
{
	int from = 0;
	long i = find_conn(r, s, &from);

	if (i < 0 && (i = add_conn(r, s, 1, 0)) < 0)
		return;
	struct wire_conn *c = &r->w->conns[i];
	struct wire_event *e = add_event(r, WIRE_DATAGRAM, (size_t)i, from, s->t);
	if (e == NULL)
		return;
	e->bytes = s->len;
	e->offset = c->bytes[from];
	c->bytes[from] += s->len;
	c->t_last = s->t;
}

/*
 * The sender k's next byte in the file is at off: when it lies beyond what
 * the file showed so far, the packets between were left out.
 */
static void
omit_to(struct rd *r, size_t i, int k, uint64_t off, double t)
{
	struct track *tr = &r->tr[i];

	if (off <= tr->hi[k])
		return;
	struct wire_event *o = add_event(r, WIRE_OMITTED, i, k, t);
	if (o == NULL)
		return;
	o->bytes = off - tr->hi[k];
	o->offset = tr->hi[k];
	/* from the sender's last packet in the file to this one */
	for (size_t j = r->w->nevents - 1; j-- > 0;) {
		struct wire_event *p = &r->w->events[j];
		if (p->conn == i && p->from == k) {
			o->t = p->t_end;
			break;
		}
	}
	o->after_stop = r->t_stop >= 0 && o->t >= r->t_stop;
	tr->hi[k] = r->w->conns[i].bytes[k] = off;
}

static void
on_data(struct rd *r, size_t i, int k, uint64_t off, const struct wpkt *s)
{
	struct track *t = &r->tr[i];
	struct wire_conn *c = &r->w->conns[i];
	uint64_t end = off + s->len;

	if (end <= t->hi[k])
		return;		/* a retransmission */
	omit_to(r, i, k, off, s->t);
	uint64_t add = end - t->hi[k];
	struct wire_event *e = t->span >= 0 ? &r->w->events[t->span] : NULL;
	if (e != NULL && (e->from != k || s->t - e->t_end > WIRE_SPAN_GAP))
		e = NULL;
	if (e == NULL) {
		if ((e = add_event(r, WIRE_DATA, i, k, s->t)) == NULL)
			return;
		e->offset = t->hi[k];
		t->span = (long)(e - r->w->events);
	}
	e->bytes += add;
	e->segments++;
	e->t_end = s->t;
	t->hi[k] = end;
	c->bytes[k] = end;
}

static void
on_tcp(struct rd *r, const struct wpkt *s)
{
	int k = 0;
	long i = find_conn(r, s, &k);
	int syn = (s->flags & TH_SYN) && !(s->flags & TH_ACK);
	int synack = (s->flags & TH_SYN) && (s->flags & TH_ACK);

	/* a new SYN on a finished 4-tuple (or a different one): a new connection */
	if (i >= 0 && syn && (r->tr[i].done || (r->tr[i].syn && r->tr[i].syn_seq != s->seq) ||
	    (r->tr[i].syn && k != 0)))
		i = -1;
	if (i < 0) {
		/* without its SYN, a is the side that sent the SYN-ACK's SYN's... the
		 * initiator: the receiver of a SYN-ACK, else this packet's sender */
		if ((i = add_conn(r, s, 0, synack)) < 0)
			return;
		k = synack ? 1 : 0;
	}
	struct track *t = &r->tr[i];
	struct wire_conn *c = &r->w->conns[i];
	c->t_last = s->t;

	if (s->flags & TH_SYN) {
		if (!t->have_isn[k]) {
			t->have_isn[k] = 1;
			t->isn[k] = s->seq;
		}
		int *seen = synack ? &t->synack : &t->syn;
		uint32_t *sq = synack ? &t->synack_seq : &t->syn_seq;
		if (!*seen) {
			*seen = 1;
			*sq = s->seq;
			add_event(r, synack ? WIRE_SYNACK : WIRE_SYN, (size_t)i, k, s->t);
		}
	} else if (!t->have_isn[k]) {
		/* the capture began after the SYN: count from here */
		t->have_isn[k] = 1;
		t->isn[k] = s->seq - 1;
	}
	uint64_t off = offset_of(t, k, s->seq + ((s->flags & TH_SYN) ? 1 : 0));
	if (s->len > 0 && !(s->flags & TH_RST))
		on_data(r, (size_t)i, k, off, s);
	if (s->flags & TH_RST) {
		if (!c->rst[k]) {
			/* a RST's sequence number is the sender's next byte (past its FIN) */
			omit_to(r, (size_t)i, k, c->fin[k] ? c->fin_after[k] : off, s->t);
			struct wire_event *e = add_event(r, WIRE_RST, (size_t)i, k, s->t);
			c->rst[k] = 1;
			c->rst_t[k] = s->t;
			c->rst_after[k] = t->hi[k];
			if (e != NULL)
				e->offset = t->hi[k];
		}
		t->done = 1;
		return;
	}
	if (s->flags & TH_FIN) {
		if (!c->fin[k]) {
			omit_to(r, (size_t)i, k, off + s->len, s->t);
			struct wire_event *e = add_event(r, WIRE_FIN, (size_t)i, k, s->t);
			c->fin[k] = 1;
			c->fin_t[k] = s->t;
			c->fin_after[k] = t->hi[k];
			if (e != NULL)
				e->offset = t->hi[k];
		}
		if (c->fin[0] && c->fin[1])
			t->done = 1;
	}
	if (s->win == 0 && !t->zero[k]) {
		t->zero[k] = 1;
		c->zero_window[k] = 1;
		add_event(r, WIRE_ZERO_WINDOW, (size_t)i, k, s->t);
	} else if (s->win != 0 && t->zero[k]) {
		t->zero[k] = 0;
		add_event(r, WIRE_WINDOW_OPEN, (size_t)i, k, s->t);
	}
}

static void
end_states(struct rd *r)
{
	for (size_t i = 0; i < r->w->nconns; i++) {
		struct wire_conn *c = &r->w->conns[i];
		struct track *t = &r->tr[i];
		if (c->udp)
			c->end = WIRE_END_OPEN;
		else if (c->rst[1] && t->syn && !t->synack && c->bytes[0] == 0 && c->bytes[1] == 0)
			c->end = WIRE_END_REFUSED;
		else if (c->rst[0] || c->rst[1])
			c->end = WIRE_END_RESET;
		else if (c->fin[0] && c->fin[1])
			c->end = WIRE_END_CLOSED;
		else if (c->fin[0] || c->fin[1])
			c->end = WIRE_END_HALF;
		else
			c->end = WIRE_END_OPEN;
	}
}

static int
by_time(const void *x, const void *y, void *arg)
{
	const struct wire_event *ev = arg;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;

	if (ev[i].t != ev[j].t)
		return ev[i].t < ev[j].t ? -1 : 1;
	return i < j ? -1 : i > j;	/* the same moment: in the order read */
}

/*
 * Time order. Only an omission is out of place: it is dated back to its
 * sender's previous packet in the file, and read when the next one came.
 */
static int
sort_events(struct wire *w)
{
	size_t *idx;
	struct wire_event *ev;

	if (w->nevents < 2)
		return 0;
	idx = malloc(w->nevents * sizeof(*idx));
	ev = malloc(w->nevents * sizeof(*ev));
	if (idx == NULL || ev == NULL) {
		free(idx);
		free(ev);
		return -1;
	}
	for (size_t i = 0; i < w->nevents; i++)
		idx[i] = i;
	qsort_r(idx, w->nevents, sizeof(*idx), by_time, w->events);
	for (size_t i = 0; i < w->nevents; i++)
		ev[i] = w->events[idx[i]];
	free(w->events);
	free(idx);
	w->events = ev;
	return 0;
}

int
wire_read(const char *path, double t0_real, double t_stop, struct wire *w,
    struct sc_err *err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct rd r;
	struct pcap_pkthdr *h;
	const unsigned char *b;
	pcap_t *p;
	FILE *f;
	int rc, dlt;

	memset(w, 0, sizeof(*w));
	w->t_stop = t_stop;
	if ((f = fopen(path, "rbe")) == NULL)
		return sc_err_sys(err, "%s", path);
	if ((p = pcap_fopen_offline(f, ebuf)) == NULL) {
		fclose(f);
		return sc_err_set(err, "%s: %s", path, ebuf);
	}
	memset(&r, 0, sizeof(r));
	r.w = w;
	r.t0 = t0_real;
	r.t_stop = t_stop;
	dlt = pcap_datalink(p);
	while ((rc = pcap_next_ex(p, &h, &b)) == 1) {
		struct wpkt s;
		w->packets++;
		if (wpkt_parse(dlt, b, h->caplen, &s) < 0)
			continue;
		s.t = (double)h->ts.tv_sec + h->ts.tv_usec / 1e6 - t0_real;
		if (s.udp)
			on_udp(&r, &s);
		else
			on_tcp(&r, &s);
		if (r.nomem)
			break;
	}
	if (r.nomem) {
		errno = ENOMEM;
		sc_err_sys(err, "%s", path);
	} else if (rc == PCAP_ERROR) {
		sc_err_set(err, "%s: %s", path, pcap_geterr(p));
	}
	pcap_close(p);
	tdestroy(r.tuples, free);
	if (!r.nomem && rc != PCAP_ERROR) {
		end_states(&r);
		if (sort_events(w) < 0) {
			r.nomem = 1;
			errno = ENOMEM;
			sc_err_sys(err, "%s", path);
		}
	}
	free(r.tr);
	if (r.nomem || rc == PCAP_ERROR) {
		wire_free(w);
		return -1;
	}
	return 0;
}

void
wire_free(struct wire *w)
{
	if (w == NULL)
		return;
	free(w->conns);
	free(w->events);
	w->conns = NULL;
	w->events = NULL;
	w->nconns = w->nevents = 0;
}
