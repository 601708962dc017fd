#include "rpt_seq.h"

#include <stdio.h>
#include <string.h>

#define TIME_W 72	/* the time column */
#define LANE_W 170	/* between two lanes */
#define TOP 44		/* lane names above */
#define ROW_H 24
#define GAP_H 18
#define NOTE_W 7	/* the label column, right of the lanes: pixels per character */
#define GAP_S 0.3	/* a pause longer than this is marked */

struct geom {
	size_t nlanes;		/* drawn */
	int label_x;
	int right;		/* x of the last lane */
};

static int
lane_x(size_t l)
{
	return TIME_W + 70 + (int)l * LANE_W;
}

static void
start(xmlTextWriterPtr w, const char *name, const char *cls)
{
	xmlTextWriterStartElement(w, BAD_CAST name);
	if (cls)
		xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST cls);
}

static void
end(xmlTextWriterPtr w)
{
	xmlTextWriterEndElement(w);
}

static void
attr_i(xmlTextWriterPtr w, const char *name, int v)
{
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%d", v);
}

static void
line(xmlTextWriterPtr w, const char *cls, int x1, int y1, int x2, int y2, const char *stroke,
    int width, const char *dash)
{
	start(w, "line", cls);
	attr_i(w, "x1", x1);
	attr_i(w, "y1", y1);
	attr_i(w, "x2", x2);
	attr_i(w, "y2", y2);
	xmlTextWriterWriteAttribute(w, BAD_CAST "stroke", BAD_CAST stroke);
	attr_i(w, "stroke-width", width);
	if (dash)
		xmlTextWriterWriteAttribute(w, BAD_CAST "stroke-dasharray", BAD_CAST dash);
	end(w);
}

static void
text(xmlTextWriterPtr w, const char *cls, int x, int y, const char *anchor, const char *fill,
    const char *s)
{
	start(w, "text", cls);
	attr_i(w, "x", x);
	attr_i(w, "y", y);
	if (anchor)
		xmlTextWriterWriteAttribute(w, BAD_CAST "text-anchor", BAD_CAST anchor);
	if (fill)
		xmlTextWriterWriteAttribute(w, BAD_CAST "fill", BAD_CAST fill);
	xmlTextWriterWriteString(w, BAD_CAST s);
	end(w);
}

/* An arrow head at (x, y) pointing right (dir 1) or left (-1). */
static void
head(xmlTextWriterPtr w, int x, int y, int dir, const char *fill)
{
	start(w, "polygon", NULL);
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST "points", "%d,%d %d,%d %d,%d", x, y,
	    x - 8 * dir, y - 4, x - 8 * dir, y + 4);
	xmlTextWriterWriteAttribute(w, BAD_CAST "fill", BAD_CAST fill);
	end(w);
}

static int
drawn(const struct wview *v, const struct wview_item *it)
{
	if (it->conn >= v->w->nconns)
		return 1;	/* the marks: stall, stop, more */
	return v->lane[it->conn][0] < RPT_SEQ_LANES && v->lane[it->conn][1] < RPT_SEQ_LANES;
}

static int
is_mark(const struct wview_item *it)
{
	return it->kind == WV_STALL || it->kind == WV_STOP || it->kind == WV_MORE;
}

/* The first sentence of `s`, at most n-1 bytes. */
static void
first_sentence(const char *s, char *buf, size_t n)
{
	size_t k = 0;
	while (s[k] && k + 4 < n && !(s[k] == '.' && (s[k + 1] == ' ' || s[k + 1] == '\0')))
		k++;
	snprintf(buf, n, "%.*s%s", (int)k, s, s[k] && s[k] != '.' ? "..." : "");
}

static void
hline(xmlTextWriterPtr w, const struct geom *g, int y, const char *cls, const char *stroke,
    const char *dash, const char *label, const char *title)
{
	start(w, "g", cls);
	if (title) {
		start(w, "title", NULL);
		xmlTextWriterWriteString(w, BAD_CAST title);
		end(w);
	}
	line(w, NULL, lane_x(0) - 14, y, g->right + 14, y, stroke, 2, dash);
	text(w, "label", g->label_x, y + 4, NULL, stroke, label);
	end(w);
}

static void
row(xmlTextWriterPtr w, const struct wview *v, const struct geom *g, const struct wview_item *it,
    int y)
{
	char what[512], label[600], cls[64];
	const char *stroke = "#06c", *dash = NULL, *kcls = "data";
	int width = 2;

	wview_what(v, it, what, sizeof(what));
	switch (it->kind) {
	case WV_CONNECT: kcls = "syn"; stroke = "#444"; width = 1; break;
	case WV_REFUSED: kcls = "rst refused"; stroke = "#b00"; break;
	case WV_DATA: break;
	case WV_DATAGRAM: kcls = "datagram"; break;
	case WV_FIN: kcls = "fin"; stroke = "#000"; width = 3; break;
	case WV_RST: kcls = "rst"; stroke = "#b00"; width = 3; dash = "3 2"; break;
	case WV_ZERO_WINDOW: kcls = "zero-window"; stroke = "#a60"; break;
	case WV_WINDOW_OPEN: kcls = "window-open"; stroke = "#a60"; width = 1; break;
	case WV_OMITTED: kcls = "omitted"; stroke = "#888"; width = 1; dash = "1 3"; break;
	case WV_MISSING_FIN: kcls = "missing-fin"; stroke = "#888"; dash = "6 4"; break;
	default: break;
	}
	if (it->after_stop) {
		stroke = "#999";
		snprintf(label, sizeof(label), "after the stop: %s", what);
	} else {
		snprintf(label, sizeof(label), "%s", what);
	}
	snprintf(cls, sizeof(cls), "row %s%s", kcls, it->after_stop ? " after-stop" : "");
	start(w, "g", cls);
	if (it->after_stop)
		xmlTextWriterWriteAttribute(w, BAD_CAST "opacity", BAD_CAST "0.6");
	{
		char t[32];
		snprintf(t, sizeof(t), "%.3f s", it->t);
		text(w, "time", TIME_W - 6, y + 4, "end", "#555", t);
	}
	int xf = lane_x(v->lane[it->conn][it->from]), xt = lane_x(v->lane[it->conn][!it->from]);
	int dir = xt >= xf ? 1 : -1;
	if (it->kind == WV_ZERO_WINDOW || it->kind == WV_WINDOW_OPEN) {
		/* on the lane of the one whose buffer is full */
		start(w, "rect", NULL);
		attr_i(w, "x", xf - 26);
		attr_i(w, "y", y - 8);
		attr_i(w, "width", 52);
		attr_i(w, "height", 16);
		xmlTextWriterWriteAttribute(w, BAD_CAST "fill", BAD_CAST "#fff");
		xmlTextWriterWriteAttribute(w, BAD_CAST "stroke", BAD_CAST stroke);
		end(w);
		text(w, "mark", xf, y + 4, "middle", stroke,
		    it->kind == WV_ZERO_WINDOW ? "win 0" : "win open");
	} else {
		line(w, "arrow", xf, y, xt - 9 * dir, y, stroke, width, dash);
		head(w, xt, y, dir, stroke);
		/* a refusal is drawn as its SYN, marked: the RST came back */
		const char *mark = it->kind == WV_FIN ? "FIN" : it->kind == WV_RST ? "RST" :
		    it->kind == WV_REFUSED ? "SYN refused" : it->kind == WV_MISSING_FIN ?
		    "no FIN" : it->kind == WV_CONNECT ? "SYN" : NULL;
		if (mark) {
			/* the mark on the arrow itself, on a white ground */
			int mx = (xf + xt) / 2, mw = 8 + 7 * (int)strlen(mark);
			start(w, "rect", NULL);
			attr_i(w, "x", mx - mw / 2);
			attr_i(w, "y", y - 8);
			attr_i(w, "width", mw);
			attr_i(w, "height", 16);
			xmlTextWriterWriteAttribute(w, BAD_CAST "fill", BAD_CAST "#fff");
			xmlTextWriterWriteAttribute(w, BAD_CAST "stroke", BAD_CAST stroke);
			if (dash)
				xmlTextWriterWriteAttribute(w, BAD_CAST "stroke-dasharray",
				    BAD_CAST dash);
			end(w);
			text(w, "mark", mx, y + 4, "middle", stroke, mark);
		}
	}
	text(w, "label", g->label_x, y + 4, NULL, it->after_stop ? "#777" : "#222", label);
	end(w);
}

static const char *
end_state(const struct wview *v, size_t i, char *buf, size_t n)
{
	const struct wire_conn *cn = &v->w->conns[i];
	const char *a = v->name[i][0], *b = v->name[i][1];
	int late;

	switch (cn->end) {
	case WIRE_END_REFUSED:
		snprintf(buf, n, "%s to %s: refused (RST: nothing listening)", a, b);
		break;
	case WIRE_END_RESET: {
		int by = cn->rst[0] && (!cn->rst[1] || cn->rst_t[0] <= cn->rst_t[1]) ? 0 : 1;
		late = v->c.t_stop >= 0 && cn->rst_t[by] >= v->c.t_stop;
		snprintf(buf, n, "%s and %s: reset by the %s (RST at %.3f s%s)", a, b,
		    v->name[i][by], cn->rst_t[by], late ? ", after the stop: sockcheck's doing" : "");
		break;
	}
	case WIRE_END_CLOSED:
		late = v->c.t_stop >= 0 && (cn->fin_t[0] >= v->c.t_stop || cn->fin_t[1] >= v->c.t_stop);
		snprintf(buf, n, "%s and %s: closed (FIN both ways%s)", a, b,
		    late ? "; one after the stop: sockcheck's doing" : "");
		break;
	case WIRE_END_HALF: {
		int by = cn->fin[0] ? 0 : 1;
		late = v->c.t_stop >= 0 && cn->fin_t[by] >= v->c.t_stop;
		snprintf(buf, n, "%s and %s: half-closed (only the %s sent FIN%s)", a, b,
		    v->name[i][by], late ? ", after the stop: sockcheck's doing" : "");
		break;
	}
	case WIRE_END_OPEN:
		snprintf(buf, n, cn->udp ? "%s and %s: datagrams (UDP has no connection)" :
		    "%s and %s: still open (no FIN, no RST)", a, b);
		break;
	}
	return buf;
}

void
rpt_seq_svg(xmlTextWriterPtr w, const struct wview *v, const char *why)
{
	struct geom g;
	int y, h, hidden = 0, nconns_shown = 0, longest = 110;
	double prev = -1;
	char buf[512], why1[112] = "";

	g.nlanes = v->nlanes < RPT_SEQ_LANES ? v->nlanes : RPT_SEQ_LANES;
	g.right = lane_x(g.nlanes ? g.nlanes - 1 : 0);
	g.label_x = g.right + 40;
	if (why)
		first_sentence(why, why1, sizeof(why1));
	if ((int)strlen(why1) + 40 > longest)
		longest = (int)strlen(why1) + 40;

	/* the height: rows, pauses, the stall before the first missing FIN, the end states */
	h = TOP + 10;
	{
		int stall = 0;
		for (size_t i = 0; i < v->nitems; i++) {
			const struct wview_item *it = &v->items[i];
			if (!drawn(v, it)) {
				hidden++;
				continue;
			}
			wview_what(v, it, buf, sizeof(buf));
			if ((int)strlen(buf) + 16 > longest)
				longest = (int)strlen(buf) + 16;
			if (prev >= 0 && it->t - prev > GAP_S)
				h += GAP_H;
			if (it->kind == WV_MISSING_FIN && v->c.t_stall >= 0 && !stall++)
				h += ROW_H;
			h += ROW_H;
			prev = it->t;
		}
	}
	for (size_t i = 0; i < v->w->nconns && i < 8; i++)
		if (v->lane[i][0] < RPT_SEQ_LANES && v->lane[i][1] < RPT_SEQ_LANES)
			nconns_shown++;
	h += 16 + 16 * (nconns_shown + (v->w->nconns > 8) + (hidden > 0));

	start(w, "svg", "sequence capture");
	xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST "http://www.w3.org/2000/svg");
	attr_i(w, "width", g.label_x + NOTE_W * longest);
	attr_i(w, "height", h);
	xmlTextWriterWriteAttribute(w, BAD_CAST "role", BAD_CAST "img");
	start(w, "title", NULL);
	xmlTextWriterWriteString(w, BAD_CAST "Sequence diagram of the case, from its packet "
	    "capture (capture.pcap): time goes down");
	end(w);

	/* the lanes */
	for (size_t l = 0; l < g.nlanes; l++) {
		int x = lane_x(l);
		text(w, "lane", x, 16, "middle", "#000", v->lanes[l]);
		line(w, NULL, x, 24, x, h - 20 - 16 * (nconns_shown + (v->w->nconns > 8) +
		    (hidden > 0)), "#444", 1, NULL);
	}
	text(w, "time head", TIME_W - 6, 16, "end", "#555", "time");

	y = TOP;
	prev = -1;
	int stall_drawn = 0;
	for (size_t i = 0; i < v->nitems; i++) {
		const struct wview_item *it = &v->items[i];
		if (!drawn(v, it))
			continue;
		if (prev >= 0 && it->t - prev > GAP_S) {
			snprintf(buf, sizeof(buf), "⋮ %.1f s", it->t - prev);
			text(w, "gap", TIME_W - 6, y + 2, "end", "#555", buf);
			y += GAP_H;
		}
		prev = it->t;
		if ((it->kind == WV_MISSING_FIN && v->c.t_stall >= 0 && !stall_drawn) ||
		    it->kind == WV_STALL) {
			snprintf(buf, sizeof(buf), "%.3f s: the case stalled here%s%s", v->c.t_stall,
			    why1[0] ? ": " : "", why1);
			hline(w, &g, y, "stall", "#c00", "2 3", buf, why);
			stall_drawn = 1;
			y += ROW_H;
			if (it->kind == WV_STALL)
				continue;
		}
		if (it->kind == WV_STOP) {
			snprintf(buf, sizeof(buf), "%.3f s: sockcheck stops the programs; below, "
			    "the kernel closing their sockets (not the programs' doing)", it->t);
			hline(w, &g, y, "stop", "#777", NULL, buf, NULL);
		} else if (it->kind == WV_MORE) {
			wview_what(v, it, buf, sizeof(buf));
			text(w, "more", g.label_x, y + 4, NULL, "#555", buf);
		} else if (!is_mark(it)) {
			row(w, v, &g, it, y);
		}
		y += ROW_H;
	}

	/* how each connection ended */
	y += 12;
	for (size_t i = 0; i < v->w->nconns && i < 8; i++) {
		if (v->lane[i][0] >= RPT_SEQ_LANES || v->lane[i][1] >= RPT_SEQ_LANES)
			continue;
		text(w, "end", lane_x(0) - 14, y, NULL, "#222", end_state(v, i, buf, sizeof(buf)));
		y += 16;
	}
	if (v->w->nconns > 8) {
		snprintf(buf, sizeof(buf), "... and %zu more connections", v->w->nconns - 8);
		text(w, "end", lane_x(0) - 14, y, NULL, "#222", buf);
		y += 16;
	}
	if (hidden) {
		snprintf(buf, sizeof(buf), "%d events of endpoints beyond the first %d not drawn "
		    "(the text timeline and capture.pcap have them)", hidden, RPT_SEQ_LANES);
		text(w, "hidden", lane_x(0) - 14, y, NULL, "#555", buf);
	}
	end(w);
}
