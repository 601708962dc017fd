#include "wview.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Caps: spans shown one by one per direction of a connection, then one summary. */
#define DATA_SHOWN 3
#define DGRAM_SHOWN 4
/* at most this many items that are neither FIN, RST, a zero window nor a mark */
#define MINOR_MAX 32

static int
stopped(const struct wview *v, double t)
{
	return v->c.t_stop >= 0 && t >= v->c.t_stop;
}

static void
set_name(char *dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_name(char *dst, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, WV_NAME, fmt, ap);
	va_end(ap);
}

/*
 * Who is who. The server side is the TCP listener, or the UDP endpoint on
 * the case's port (else the first datagram's receiver); the student's side
 * is the server in a server case, the other one in a client case, both in
 * a pair.
 */
static void
name_endpoints(struct wview *v)
{
	const struct wire *w = v->w;
	const char *role = v->c.role ? v->c.role : "server";
	int server_case = strcmp(role, "server") == 0, pair = strcmp(role, "pair") == 0;
	size_t nclients = 0, k = 0;

	for (size_t i = 0; i < w->nconns; i++)
		nclients++;
	for (size_t i = 0; i < w->nconns; i++) {
		const struct wire_conn *cn = &w->conns[i];
		int srv;	/* which endpoint is the server side: 0 a, 1 b */
		if (cn->udp)
			srv = v->c.port && cn->a.port == v->c.port && cn->b.port != v->c.port ? 0 : 1;
		else
			srv = 1;
		const struct wire_endpoint *se = srv ? &cn->b : &cn->a;
		int on_port = !v->c.port || se->port == v->c.port;
		int cli = !srv;
		k++;
		if (server_case || pair) {
			/* only the student's server listens (or receives first), whatever
			 * port it chose: an ephemeral one, not the case's */
			set_name(v->name[i][srv], "student server");
			v->student[i][srv] = 1;
			if (pair) {
				set_name(v->name[i][cli], nclients > 1 ? "student client %zu" :
				    "student client", k);
				v->student[i][cli] = 1;
			} else {
				set_name(v->name[i][cli], nclients > 1 ? "reference client %zu" :
				    "reference client", k);
			}
		} else {
			set_name(v->name[i][srv], on_port ? "reference server" : "port %u", se->port);
			set_name(v->name[i][cli], nclients > 1 ? "student client %zu" :
			    "student client", k);
			v->student[i][cli] = 1;
		}
	}
}

static size_t
lane_of(struct wview *v, const char *name)
{
	for (size_t l = 0; l < v->nlanes; l++)
		if (strcmp(v->lanes[l], name) == 0)
			return l;
	snprintf(v->lanes[v->nlanes], WV_NAME, "%s", name);
	return v->nlanes++;
}

static void
make_lanes(struct wview *v)
{
	const struct wire *w = v->w;

	/* the student's lanes first (the client before the server in a pair) */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < w->nconns; i++)
			for (int d = 0; d < 2; d++)
				if (v->student[i][d] == !pass)
					v->lane[i][d] = lane_of(v, v->name[i][d]);
}

static struct wview_item *
add(struct wview *v, enum wview_kind kind, const struct wire_event *e)
{
	struct wview_item *it = &v->items[v->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->spans = 1;
	if (e) {
		it->conn = e->conn;
		it->from = e->from;
		it->t = e->t;
		it->t_end = e->t_end;
		it->bytes = e->bytes;
		it->offset = e->offset;
		it->segments = e->segments;
		it->after_stop = e->after_stop || stopped(v, e->t);
	}
	return it;
}

static int
minor(enum wview_kind k)
{
	return k == WV_CONNECT || k == WV_DATA || k == WV_WINDOW_OPEN || k == WV_DATAGRAM ||
	    k == WV_OMITTED;
}

/* The sender's bytes before stop, and when its data ended (<0: it sent none). */
static uint64_t
sent_before_stop(const struct wview *v, size_t conn, int from, double *last)
{
	uint64_t n = 0;
	*last = -1;
	for (size_t i = 0; i < v->w->nevents; i++) {
		const struct wire_event *e = &v->w->events[i];
		if (e->conn != conn || e->from != from || e->after_stop || stopped(v, e->t))
			continue;
		if (e->kind == WIRE_DATA && e->offset + e->bytes > n) {
			n = e->offset + e->bytes;
			*last = e->t_end;
		}
	}
	return n;
}

static int
before_stop(const struct wview *v, int happened, double t)
{
	return happened && !stopped(v, t);
}

/* The connection was set up: the SYN was accepted (or data flowed). */
static int
established(const struct wview *v, size_t conn)
{
	const struct wire_conn *cn = &v->w->conns[conn];
	if (cn->udp || cn->end == WIRE_END_REFUSED)
		return 0;
	for (size_t i = 0; i < v->w->nevents; i++) {
		const struct wire_event *e = &v->w->events[i];
		if (e->conn == conn && (e->kind == WIRE_SYNACK || e->kind == WIRE_DATA))
			return !stopped(v, e->t);
	}
	return 0;
}

/* Direction `d` of connection `conn` ended with neither FIN nor RST before the stop. */
static int
missing_fin(const struct wview *v, size_t conn, int d)
{
	const struct wire_conn *cn = &v->w->conns[conn];
	return established(v, conn) && !before_stop(v, cn->fin[d], cn->fin_t[d]) &&
	    !before_stop(v, cn->rst[0], cn->rst_t[0]) && !before_stop(v, cn->rst[1], cn->rst_t[1]);
}

static int
rank(const struct wview_item *it)
{
	switch (it->kind) {
	case WV_MISSING_FIN: return 2;
	case WV_STALL: return 3;
	case WV_STOP: return 4;
	case WV_MORE: return 9;
	default: return it->after_stop ? 5 : 1;
	}
}

static int
by_time(const void *pa, const void *pb)
{
	const struct wview_item *a = pa, *b = pb;
	if (rank(a) == 9 || rank(b) == 9)
		return rank(a) - rank(b);
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if (rank(a) != rank(b))
		return rank(a) - rank(b);
	return a->order < b->order ? -1 : a->order > b->order;
}

/*
 * Item `it`, made of window event i, becomes the summary of every later
 * zero window and window opening of its side (on the same side of the
 * stop): how many times, how long zero in all, still zero at the end.
 */
static void
zero_summary(struct wview *v, struct wview_item *it, size_t i, unsigned char *used)
{
	const struct wire *w = v->w;
	const struct wire_event *e = &w->events[i];
	double since = e->kind == WIRE_ZERO_WINDOW ? e->t : -1;

	it->kind = WV_ZERO_WINDOW;
	it->spans = e->kind == WIRE_ZERO_WINDOW;
	it->zero_total = 0;
	for (size_t k = i + 1; k < w->nevents; k++) {
		const struct wire_event *f = &w->events[k];
		if (f->conn != e->conn || f->from != e->from || used[k] ||
		    (f->kind != WIRE_ZERO_WINDOW && f->kind != WIRE_WINDOW_OPEN) ||
		    (f->after_stop || stopped(v, f->t)) != it->after_stop)
			continue;
		used[k] = 1;
		it->t_end = f->t;
		if (f->kind == WIRE_ZERO_WINDOW) {
			it->spans++;
			if (since < 0)
				since = f->t;
		} else if (since >= 0) {
			it->zero_total += f->t - since;
			since = -1;
		}
	}
	it->still_zero = since >= 0;
	if (since >= 0) {
		double end = v->c.t_stop >= 0 && !it->after_stop ? v->c.t_stop : it->t_end;
		it->zero_total += end > since ? end - since : 0;
	}
}

/* Merge the events of `w` into items, capped; the marks added. */
static void
list_items(struct wview *v)
{
	const struct wire *w = v->w;
	unsigned (*shown)[2] = calloc(w->nconns ? w->nconns : 1, sizeof(*shown));
	unsigned (*wshown)[2] = calloc(w->nconns ? w->nconns : 1, sizeof(*wshown));
	unsigned char *used = calloc(w->nevents ? w->nevents : 1, 1);
	unsigned nminor = 0, more = 0;

	if (shown == NULL || wshown == NULL || used == NULL) {
		free(shown);
		free(wshown);
		free(used);
		return;
	}
	for (size_t i = 0; i < w->nevents; i++) {
		const struct wire_event *e = &w->events[i];
		struct wview_item *it = NULL;

		if (used[i])
			continue;
		used[i] = 1;
		switch (e->kind) {
		case WIRE_SYN:
			if (w->conns[e->conn].end == WIRE_END_REFUSED) {
				/* the RST that refused it is part of the line */
				it = add(v, WV_REFUSED, e);
				for (size_t k = i + 1; k < w->nevents; k++)
					if (w->events[k].conn == e->conn &&
					    w->events[k].kind == WIRE_RST) {
						used[k] = 1;
						break;
					}
				break;
			}
			it = add(v, WV_CONNECT, e);
			for (size_t k = i + 1; k < w->nevents; k++)
				if (w->events[k].conn == e->conn && w->events[k].kind == WIRE_SYNACK) {
					it->accepted = 1;
					it->t_end = w->events[k].t;
					used[k] = 1;
					break;
				}
			break;
		case WIRE_SYNACK:	/* one without its SYN in the file */
			it = add(v, WV_CONNECT, e);
			it->accepted = 1;
			break;
		case WIRE_DATA:
		case WIRE_OMITTED:
		case WIRE_DATAGRAM: {
			int dg = e->kind == WIRE_DATAGRAM;
			it = add(v, dg ? WV_DATAGRAM : e->kind == WIRE_DATA ? WV_DATA : WV_OMITTED, e);
			if (dg)
				it->sizes[0] = e->bytes;
			if (shown[e->conn][e->from]++ < (unsigned)(dg ? DGRAM_SHOWN : DATA_SHOWN))
				break;
			/* the rest of this direction (on the same side of the stop), in one;
			 * the data in packets left out of the file with it */
			if (e->kind == WIRE_OMITTED) {
				it->kind = WV_DATA;
				it->omitted = e->bytes;
				it->spans = 0;
			}
			for (size_t k = i + 1; k < w->nevents; k++) {
				const struct wire_event *f = &w->events[k];
				if (f->conn != e->conn || f->from != e->from || used[k] ||
				    dg != (f->kind == WIRE_DATAGRAM) ||
				    (!dg && f->kind != WIRE_DATA && f->kind != WIRE_OMITTED) ||
				    (f->after_stop || stopped(v, f->t)) != it->after_stop)
					continue;
				used[k] = 1;
				if (dg && it->spans < WV_SIZES)
					it->sizes[it->spans] = f->bytes;
				if (f->kind == WIRE_OMITTED)
					it->omitted += f->bytes;
				else
					it->spans++;
				it->bytes += f->bytes;
				it->segments += f->segments;
				it->t_end = f->t_end > f->t ? f->t_end : f->t;
			}
			break;
		}
		case WIRE_FIN: it = add(v, WV_FIN, e); break;
		case WIRE_RST: it = add(v, WV_RST, e); break;
		case WIRE_ZERO_WINDOW:
		case WIRE_WINDOW_OPEN:
			it = add(v, e->kind == WIRE_ZERO_WINDOW ? WV_ZERO_WINDOW : WV_WINDOW_OPEN, e);
			it->zero_t = -1;
			if (e->kind == WIRE_WINDOW_OPEN)
				for (size_t k = i; k-- > 0;)
					if (w->events[k].conn == e->conn &&
					    w->events[k].from == e->from &&
					    w->events[k].kind == WIRE_ZERO_WINDOW) {
						it->zero_t = w->events[k].t;
						break;
					}
			/* the first time it closes and opens, then the rest in one */
			if (wshown[e->conn][e->from]++ < 2)
				break;
			zero_summary(v, it, i, used);
			break;
		}
		if (it && minor(it->kind) && ++nminor > MINOR_MAX) {
			more += it->spans;
			v->nitems--;
		}
	}
	free(shown);
	free(wshown);
	free(used);

	/* the student's directions that never ended before the stop, at the
	 * stall (or the stop); a reference peer's open side is its protocol
	 * (it waits for the student), not an event worth a line */
	int nmissing = 0;
	for (size_t i = 0; i < w->nconns; i++)
		for (int d = 0; d < 2; d++) {
			double last;
			if (!v->student[i][d] || !missing_fin(v, i, d))
				continue;
			struct wview_item *it = add(v, WV_MISSING_FIN, NULL);
			it->conn = i;
			it->from = d;
			it->offset = sent_before_stop(v, i, d, &last);
			it->zero_t = last;
			it->t = v->c.t_stall >= 0 ? v->c.t_stall : v->c.t_stop >= 0 ? v->c.t_stop :
			    w->conns[i].t_last;
			it->t_end = it->t;
			nmissing++;
		}
	if (v->c.t_stall >= 0 && nmissing == 0) {
		struct wview_item *it = add(v, WV_STALL, NULL);
		it->t = it->t_end = v->c.t_stall;
	}
	if (v->c.t_stop >= 0) {
		struct wview_item *it = add(v, WV_STOP, NULL);
		it->t = it->t_end = v->c.t_stop;
	}
	if (more) {
		struct wview_item *it = add(v, WV_MORE, NULL);
		it->spans = more;
	}
	for (size_t i = 0; i < v->nitems; i++)
		v->items[i].order = i;
	qsort(v->items, v->nitems, sizeof(*v->items), by_time);
	v->t_end = 0;
	for (size_t i = 0; i < v->nitems; i++) {
		const struct wview_item *it = &v->items[i];
		if (it->kind == WV_MORE)
			continue;
		if (it->t > v->t_end)
			v->t_end = it->t;
		if (it->t_end > v->t_end)
			v->t_end = it->t_end;
	}
	for (size_t i = v->nitems; i-- > 0;)
		if (v->items[i].kind == WV_MORE)
			v->items[i].t = v->items[i].t_end = v->t_end;
}

int
wview_build(const struct wire *w, const struct wview_case *c, struct wview *v)
{
	size_t n = w->nconns ? w->nconns : 1;

	memset(v, 0, sizeof(*v));
	v->w = w;
	v->c = *c;
	v->name = calloc(n, sizeof(*v->name));
	v->student = calloc(n, sizeof(*v->student));
	v->lane = calloc(n, sizeof(*v->lane));
	v->lanes = calloc(2 * n, sizeof(*v->lanes));
	/* every event, plus per connection two missing FINs, plus the marks */
	v->items = calloc(w->nevents + 2 * w->nconns + 4, sizeof(*v->items));
	if (!v->name || !v->student || !v->lane || !v->lanes || !v->items) {
		wview_free(v);
		return -1;
	}
	name_endpoints(v);
	make_lanes(v);
	list_items(v);
	return 0;
}

void
wview_free(struct wview *v)
{
	free(v->name);
	free(v->student);
	free(v->lane);
	free(v->lanes);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

const char *
wview_from(const struct wview *v, const struct wview_item *it)
{
	return it->conn < v->w->nconns ? v->name[it->conn][it->from] : "";
}

const char *
wview_to(const struct wview *v, const struct wview_item *it)
{
	return it->conn < v->w->nconns ? v->name[it->conn][!it->from] : "";
}

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void
wview_what(const struct wview *v, const struct wview_item *it, char *buf, size_t len)
{
	size_t o = 0;
	const char *who = wview_from(v, it);

#define PUT(...) do { int r_ = snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__); \
	if (r_ > 0) o += (size_t)r_; } while (0)
	if (len == 0)
		return;
	buf[0] = '\0';
	switch (it->kind) {
	case WV_CONNECT:
		PUT("SYN");
		if (it->accepted)
			PUT(", accepted (SYN-ACK at %.3f s)", it->t_end);
		else
			PUT(", no answer (no SYN-ACK)");
		break;
	case WV_REFUSED:
		PUT("SYN refused: RST (nothing listening on port %u)",
		    v->w->conns[it->conn].b.port);
		break;
	case WV_DATA:
		if (it->spans > 1 || it->omitted) {
			PUT("data %llu bytes more in %u %s (%u %s", (unsigned long long)it->bytes,
			    it->spans, plural(it->spans, "span", "spans"), it->segments,
			    plural(it->segments, "segment", "segments"));
			if (it->omitted)
				PUT("; %llu bytes of them in packets not kept in capture.pcap",
				    (unsigned long long)it->omitted);
			PUT("), until %.3f s", it->t_end);
		} else
			PUT("data %llu %s (%u %s)", (unsigned long long)it->bytes,
			    plural(it->bytes, "byte", "bytes"), it->segments,
			    plural(it->segments, "segment", "segments"));
		break;
	case WV_FIN:
		PUT("FIN after %llu %s", (unsigned long long)it->offset,
		    plural(it->offset, "byte", "bytes"));
		break;
	case WV_RST:
		PUT("RST after %llu %s", (unsigned long long)it->offset,
		    plural(it->offset, "byte", "bytes"));
		break;
	case WV_ZERO_WINDOW:
		if (it->spans != 1 || it->still_zero || it->zero_total > 0)
			PUT("window 0 %u more %s until %.3f s (zero for %.3f s in all%s): the %s's "
			    "receive buffer was full, it read slowly", it->spans,
			    plural(it->spans, "time", "times"), it->t_end, it->zero_total,
			    it->still_zero ? ", and still zero at the end" : "", who);
		else
			PUT("window 0: the %s's receive buffer is full (it is not reading)", who);
		break;
	case WV_WINDOW_OPEN:
		if (it->zero_t >= 0)
			PUT("window open again: the %s read (zero for %.3f s)", who, it->t - it->zero_t);
		else
			PUT("window open again: the %s read", who);
		break;
	case WV_DATAGRAM:
		if (it->spans == 1) {
			PUT("datagram %llu %s", (unsigned long long)it->bytes,
			    plural(it->bytes, "byte", "bytes"));
			break;
		}
		PUT("%u datagrams of ", it->spans);
		for (unsigned k = 0; k < it->spans && k < WV_SIZES; k++)
			PUT("%s%llu", k ? ", " : "", (unsigned long long)it->sizes[k]);
		PUT("%s bytes (%llu in all), until %.3f s", it->spans > WV_SIZES ? ", ..." : "",
		    (unsigned long long)it->bytes, it->t_end);
		break;
	case WV_OMITTED:
		PUT("data %llu %s in packets not kept in capture.pcap", (unsigned long long)it->bytes,
		    plural(it->bytes, "byte", "bytes"));
		break;
	case WV_MISSING_FIN:
		PUT("no FIN from the %s", who);
		if (it->zero_t >= 0)
			PUT(" after its %llu %s (the last at %.3f s)", (unsigned long long)it->offset,
			    plural(it->offset, "byte", "bytes"), it->zero_t);
		else
			PUT(" (it sent no data)");
		if (v->c.t_stall >= 0 && v->student[it->conn][it->from])
			PUT(": the case stalled here waiting for it");
		else if (v->c.t_stall >= 0)
			PUT(" when the case stalled");
		else if (v->c.t_stop >= 0)
			PUT(" before sockcheck stopped the programs");
		else
			PUT(" in the capture");
		break;
	case WV_STALL:
		PUT("sockcheck ended the case here (a stall, or its outcome was certain)");
		break;
	case WV_STOP: {
		int later = 0;
		for (size_t i = 0; i < v->nitems && !later; i++)
			later = v->items[i].after_stop && v->items[i].kind != WV_STOP;
		PUT(later ? "sockcheck stops the programs: what follows is the kernel closing "
		    "their sockets, not the programs' doing" : "sockcheck stops the programs");
		break;
	}
	case WV_MORE:
		PUT("... %u more %s not shown (capture.pcap has them all)", it->spans,
		    plural(it->spans, "event", "events"));
		break;
	}
	if (it->after_stop && it->kind != WV_STOP && it->kind != WV_MORE &&
	    (it->kind == WV_FIN || it->kind == WV_RST))
		PUT(" (the kernel, as sockcheck stopped the program)");
#undef PUT
}

void
wview_text(FILE *out, const struct wview *v, const char *indent)
{
	char what[512];

	for (size_t i = 0; i < v->nitems; i++) {
		const struct wview_item *it = &v->items[i];
		wview_what(v, it, what, sizeof(what));
		switch (it->kind) {
		case WV_MISSING_FIN:
		case WV_STALL:
		case WV_STOP:
			fprintf(out, "%s%7.3f s  %s\n", indent, it->t, what);
			break;
		case WV_MORE:
			fprintf(out, "%s%s\n", indent, what);
			break;
		default:
			fprintf(out, "%s%7.3f s  %s%s -> %s  %s\n", indent, it->t,
			    it->after_stop ? "[after the stop] " : "", wview_from(v, it),
			    wview_to(v, it), what);
		}
	}
}

/* How long `from`'s window was zero before the stop, in all; <0 never. */
static double
zero_for(const struct wview *v, size_t conn, int from)
{
	double since = -1, total = -1;
	for (size_t i = 0; i < v->w->nevents; i++) {
		const struct wire_event *e = &v->w->events[i];
		if (e->conn != conn || e->from != from || e->after_stop || stopped(v, e->t))
			continue;
		if (e->kind == WIRE_ZERO_WINDOW && since < 0) {
			since = e->t;
			if (total < 0)
				total = 0;
		} else if (e->kind == WIRE_WINDOW_OPEN && since >= 0) {
			total += e->t - since;
			since = -1;
		}
	}
	if (since >= 0) {
		double end = v->c.t_stop >= 0 ? v->c.t_stop : v->t_end;
		total += end > since ? end - since : 0;
	}
	return total;
}

/* When `from` first sent data (<0: never). */
static double
first_data(const struct wview *v, size_t conn, int from)
{
	for (size_t i = 0; i < v->w->nevents; i++) {
		const struct wire_event *e = &v->w->events[i];
		if (e->conn == conn && e->from == from && e->kind == WIRE_DATA)
			return e->t;
	}
	return -1;
}

/* Data from `from` in (t0, t1]: bytes. */
static uint64_t
data_between(const struct wview *v, size_t conn, int from, double t0, double t1)
{
	uint64_t n = 0;
	for (size_t i = 0; i < v->w->nevents; i++) {
		const struct wire_event *e = &v->w->events[i];
		if (e->conn == conn && e->from == from && e->kind == WIRE_DATA && e->t >= t0 &&
		    e->t <= t1)
			n += e->bytes;
	}
	return n;
}

void
wview_evidence(const struct wview *v, char *buf, size_t len)
{
	const struct wire *w = v->w;
	size_t o = 0;
	int n = 0;
	int file = v->c.protocol && strcmp(v->c.protocol, "file") == 0;

#define SAY(...) do { int r_ = snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__); \
	if (r_ > 0) o += (size_t)r_; } while (0)
#define SEP() SAY("%s", n++ ? "; " : "")
	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < w->nconns && n < 4; i++) {
		const struct wire_conn *cn = &w->conns[i];
		for (int d = 0; d < 2 && n < 4; d++) {
			const char *me = v->name[i][d], *other = v->name[i][!d];
			double last;
			const char *died = v->c.student_end;
			if (!v->student[i][d] || cn->udp || cn->end == WIRE_END_REFUSED)
				continue;
			if (before_stop(v, cn->rst[d], cn->rst_t[d])) {
				uint64_t late = before_stop(v, cn->fin[d], cn->fin_t[d]) ?
				    data_between(v, i, !d, cn->fin_t[d], cn->rst_t[d]) : 0;
				SEP();
				if (late && died)
					SAY("the %s's socket closed as its program %s (FIN after %llu "
					    "bytes), then RST at %.3f s when %llu bytes from the %s "
					    "arrived", me, died, (unsigned long long)cn->fin_after[d],
					    cn->rst_t[d], (unsigned long long)late, other);
				else if (died)
					SAY("the %s sent RST after %llu bytes at %.3f s as its program "
					    "%s, with data from the %s unread", me,
					    (unsigned long long)cn->rst_after[d], cn->rst_t[d], died,
					    other);
				else if (late)
					SAY("the %s sent FIN after %llu bytes, then RST at %.3f s when "
					    "%llu bytes from the %s arrived: it had closed the socket "
					    "(close() or exit) where shutdown(SHUT_WR) would have kept it "
					    "open for reading", me, (unsigned long long)cn->fin_after[d],
					    cn->rst_t[d], (unsigned long long)late, other);
				else
					SAY("the %s sent RST after %llu bytes at %.3f s: it closed the "
					    "socket with data from the %s unread", me,
					    (unsigned long long)cn->rst_after[d], cn->rst_t[d], other);
			} else if (file && d == 0 && before_stop(v, cn->fin[1], cn->fin_t[1]) &&
			    data_between(v, i, 0, -1, cn->fin_t[1] - 1e-7)) {
				/* a file client's reply goes out after the server's FIN */
				SEP();
				SAY("the %s sent %llu bytes, the first at %.3f s, before the %s's FIN "
				    "at %.3f s: it replied before end-of-file", me,
				    (unsigned long long)data_between(v, i, 0, -1, cn->fin_t[1] - 1e-7),
				    first_data(v, i, 0), other, cn->fin_t[1]);
			} else if (missing_fin(v, i, d)) {
				int peer_fin = before_stop(v, cn->fin[!d], cn->fin_t[!d]);
				uint64_t sent = sent_before_stop(v, i, d, &last);
				if (peer_fin) {
					SEP();
					SAY("the %s never sent FIN, though the %s had sent its FIN at "
					    "%.3f s: it did not close the connection at end-of-file",
					    me, other, cn->fin_t[!d]);
				} else if (file && d == 1) {
					SEP();
					SAY("the %s never sent FIN after its %llu bytes (no "
					    "shutdown(SHUT_WR) or close()): the %s waited for end-of-file",
					    me, (unsigned long long)sent, other);
				}
			}
		}
	}
	for (size_t i = 0; i < w->nconns && n < 5; i++)
		for (int d = 0; d < 2 && n < 5; d++) {
			double z = zero_for(v, i, d);
			if (z < 0.2)
				continue;
			SEP();
			SAY("the %s's receive window was zero for %.1f s%s", v->name[i][d], z,
			    v->student[i][d] ? ": it was not reading" : "");
		}
#undef SEP
#undef SAY
}
