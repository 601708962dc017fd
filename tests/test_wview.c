/*
 * wview, its text timeline and the capture's sequence diagram (rpt_seq),
 * from `struct wire` values built by hand: who is who, merged and capped
 * data, the missing FIN, what came after the stop, and the judge's evidence.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "rpt_seq.h"
#include "wview.h"

#define SERVER_PORT 9000

static struct wire_conn conns[4];
static struct wire_event evs[128];
static struct wire W;

static void
reset_wire(void)
{
	memset(conns, 0, sizeof(conns));
	memset(evs, 0, sizeof(evs));
	memset(&W, 0, sizeof(W));
	W.conns = conns;
	W.events = evs;
	W.t_stop = -1;
}

static size_t
conn(int udp, unsigned aport, unsigned bport)
{
	struct wire_conn *c = &conns[W.nconns];
	c->udp = udp;
	snprintf(c->a.addr, sizeof(c->a.addr), "127.0.0.1");
	snprintf(c->b.addr, sizeof(c->b.addr), "127.0.0.1");
	c->a.port = aport;
	c->b.port = bport;
	c->end = udp ? WIRE_END_OPEN : WIRE_END_OPEN;
	return W.nconns++;
}

static struct wire_event *
ev(size_t c, int from, enum wire_kind k, double t, uint64_t bytes, uint64_t offset)
{
	struct wire_event *e = &evs[W.nevents++];
	e->kind = k;
	e->conn = c;
	e->from = from;
	e->t = e->t_end = t;
	e->bytes = bytes;
	e->offset = offset;
	e->segments = k == WIRE_DATA ? (unsigned)(bytes / 1460 + (bytes % 1460 != 0)) : 0;
	e->after_stop = W.t_stop >= 0 && t >= W.t_stop;
	struct wire_conn *cn = &conns[c];
	if (k == WIRE_FIN) {
		cn->fin[from] = 1;
		cn->fin_t[from] = t;
		cn->fin_after[from] = offset;
	} else if (k == WIRE_RST) {
		cn->rst[from] = 1;
		cn->rst_t[from] = t;
		cn->rst_after[from] = offset;
	} else if (k == WIRE_DATA || k == WIRE_DATAGRAM) {
		cn->bytes[from] += bytes;
	} else if (k == WIRE_ZERO_WINDOW) {
		cn->zero_window[from] = 1;
	}
	if (cn->t_first == 0)
		cn->t_first = t;
	cn->t_last = t;
	return e;
}

static char *
timeline(const struct wview *v)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	cr_assert_not_null(f);
	wview_text(f, v, "  ");
	fclose(f);
	return buf;
}

static char *
svg(const struct wview *v, const char *why)
{
	xmlBufferPtr b = xmlBufferCreate();
	xmlTextWriterPtr w = xmlNewTextWriterMemory(b, 0);
	rpt_seq_svg(w, v, why);
	xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);
	char *s = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return s;
}

#define HAS(s, x) cr_expect(strstr((s), (x)) != NULL, "missing %s in:\n%s", (x), (s))
#define HASNT(s, x) cr_expect(strstr((s), (x)) == NULL, "unexpected %s in:\n%s", (x), (s))

/*
 * The no-shutdown file server, empty file: the reference client connects,
 * the server sends nothing and never FIN; the case stalls at 1.3 s; the
 * kernel's FINs come after sockcheck stopped the programs at 1.31 s.
 */
static void
no_shutdown(void)
{
	reset_wire();
	W.t_stop = 1.31;
	size_t c = conn(0, 40000, SERVER_PORT);
	ev(c, 0, WIRE_SYN, 0.010, 0, 0);
	ev(c, 1, WIRE_SYNACK, 0.0102, 0, 0);
	ev(c, 1, WIRE_FIN, 1.312, 0, 0);
	ev(c, 0, WIRE_FIN, 1.313, 0, 0);
	conns[c].end = WIRE_END_CLOSED;
}

static const struct wview_case FILE_SERVER = { "file", "server", SERVER_PORT, 1.3, 1.31, NULL };

Test(wview, names_the_student_server_and_the_reference_client)
{
	struct wview v;
	no_shutdown();
	cr_assert_eq(wview_build(&W, &FILE_SERVER, &v), 0);
	cr_expect_str_eq(v.name[0][1], "student server");
	cr_expect_str_eq(v.name[0][0], "reference client");
	cr_expect(v.student[0][1] && !v.student[0][0]);
	cr_assert_eq(v.nlanes, 2);
	cr_expect_str_eq(v.lanes[0], "student server");	/* the student's lane first */
	wview_free(&v);
}

Test(wview, missing_fin_is_a_line_and_the_kernels_fin_is_after_the_stop)
{
	struct wview v;
	no_shutdown();
	cr_assert_eq(wview_build(&W, &FILE_SERVER, &v), 0);
	char *t = timeline(&v);
	HAS(t, "  0.010 s  reference client -> student server  SYN, accepted (SYN-ACK at 0.010 s)\n");
	HAS(t, "  1.300 s  no FIN from the student server (it sent no data): the case stalled here");
	HAS(t, "  1.310 s  sockcheck stops the programs");
	HAS(t, "  1.312 s  [after the stop] student server -> reference client  FIN after 0 bytes "
	    "(the kernel, as sockcheck stopped the program)\n");
	/* in time order: the missing FIN before the stop, the stop before the kernel's FIN */
	cr_expect(strstr(t, "no FIN from the student server") < strstr(t, "sockcheck stops"));
	cr_expect(strstr(t, "sockcheck stops") < strstr(t, "[after the stop] student server"));
	/* the kernel's FIN is never read as the student's */
	HASNT(t, "  1.312 s  student server");
	free(t);

	char ev_[1024];
	wview_evidence(&v, ev_, sizeof(ev_));
	HAS(ev_, "the student server never sent FIN after its 0 bytes (no shutdown(SHUT_WR) or "
	    "close())");
	HASNT(ev_, "server sent FIN");
	wview_free(&v);
}

Test(wview, without_a_stop_the_fin_is_the_programs)
{
	struct wview v;
	struct wview_case c = FILE_SERVER;
	no_shutdown();
	W.t_stop = -1;
	for (size_t i = 0; i < W.nevents; i++)
		evs[i].after_stop = 0;
	c.t_stop = -1;
	c.t_stall = -1;
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	char *t = timeline(&v);
	HAS(t, "  1.312 s  student server -> reference client  FIN after 0 bytes\n");
	HASNT(t, "no FIN");
	HASNT(t, "after the stop");
	free(t);
	char e[512];
	wview_evidence(&v, e, sizeof(e));
	cr_expect_str_eq(e, "");
	wview_free(&v);
}

/*
 * close() instead of shutdown(): the server's data and FIN, the client's
 * reply arrives at a closed socket and is answered with RST.
 */
static void
close_instead(void)
{
	reset_wire();
	W.t_stop = 0.5;
	size_t c = conn(0, 40000, SERVER_PORT);
	ev(c, 0, WIRE_SYN, 0.010, 0, 0);
	ev(c, 1, WIRE_SYNACK, 0.010, 0, 0);
	struct wire_event *d = ev(c, 1, WIRE_DATA, 0.011, 65536, 0);
	d->t_end = 0.020;
	ev(c, 1, WIRE_FIN, 0.021, 0, 65536);
	ev(c, 0, WIRE_DATA, 0.022, 10, 0);
	ev(c, 1, WIRE_RST, 0.0221, 0, 65537);
	conns[c].end = WIRE_END_RESET;
}

Test(wview, rst_after_close_names_the_close)
{
	struct wview v;
	struct wview_case c = FILE_SERVER;
	c.t_stall = -1;
	c.t_stop = 0.5;
	close_instead();
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	char *t = timeline(&v);
	HAS(t, "  0.011 s  student server -> reference client  data 65536 bytes (45 segments)\n");
	HAS(t, "  0.021 s  student server -> reference client  FIN after 65536 bytes\n");
	HAS(t, "  0.022 s  reference client -> student server  data 10 bytes (1 segment)\n");
	HAS(t, "  0.022 s  student server -> reference client  RST after 65537 bytes\n");
	HASNT(t, "no FIN");	/* the RST ended both directions */
	free(t);
	char e[1024];
	wview_evidence(&v, e, sizeof(e));
	HAS(e, "the student server sent FIN after 65536 bytes, then RST at 0.022 s when 10 bytes "
	    "from the reference client arrived: it had closed the socket");
	wview_free(&v);
}

Test(wview, rst_with_unread_data)
{
	struct wview v;
	struct wview_case c = { "echo", "server", SERVER_PORT, -1, 2.0, NULL };
	reset_wire();
	W.t_stop = 2.0;
	size_t k = conn(0, 40000, SERVER_PORT);
	ev(k, 0, WIRE_SYN, 0.010, 0, 0);
	ev(k, 1, WIRE_SYNACK, 0.010, 0, 0);
	ev(k, 0, WIRE_DATA, 0.011, 4096, 0);
	ev(k, 1, WIRE_DATA, 0.012, 2048, 0);
	ev(k, 1, WIRE_RST, 0.013, 0, 2048);
	conns[k].end = WIRE_END_RESET;
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	char e[1024];
	wview_evidence(&v, e, sizeof(e));
	cr_expect_str_eq(e, "the student server sent RST after 2048 bytes at 0.013 s: it closed the "
	    "socket with data from the reference client unread");
	wview_free(&v);
}

Test(wview, rst_after_the_stop_is_not_evidence)
{
	struct wview v;
	struct wview_case c = { "echo", "server", SERVER_PORT, 1.0, 1.0, NULL };
	reset_wire();
	W.t_stop = 1.0;
	size_t k = conn(0, 40000, SERVER_PORT);
	ev(k, 0, WIRE_SYN, 0.010, 0, 0);
	ev(k, 1, WIRE_SYNACK, 0.010, 0, 0);
	ev(k, 0, WIRE_DATA, 0.011, 4096, 0);
	ev(k, 1, WIRE_RST, 1.002, 0, 0);
	conns[k].end = WIRE_END_RESET;
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	char e[1024];
	wview_evidence(&v, e, sizeof(e));
	HASNT(e, "RST");
	char *t = timeline(&v);
	HAS(t, "[after the stop] student server -> reference client  RST after 0 bytes (the kernel");
	free(t);
	wview_free(&v);
}

Test(wview, long_runs_are_capped_and_summarized)
{
	struct wview v;
	struct wview_case c = { "file", "client", SERVER_PORT, -1, -1, NULL };
	reset_wire();
	size_t k = conn(0, 40000, SERVER_PORT);
	ev(k, 0, WIRE_SYN, 0.001, 0, 0);
	ev(k, 1, WIRE_SYNACK, 0.001, 0, 0);
	for (int i = 0; i < 20; i++)	/* bursts with pauses: 20 spans of 1000 bytes */
		ev(k, 1, WIRE_DATA, 0.01 + 0.01 * i, 1000, 1000u * (unsigned)i);
	ev(k, 1, WIRE_FIN, 0.3, 0, 20000);
	ev(k, 0, WIRE_DATA, 0.301, 10, 0);
	ev(k, 0, WIRE_FIN, 0.302, 0, 10);
	conns[k].end = WIRE_END_CLOSED;
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	cr_expect_str_eq(v.name[0][0], "student client");
	cr_expect_str_eq(v.name[0][1], "reference server");
	char *t = timeline(&v);
	HAS(t, "  0.010 s  reference server -> student client  data 1000 bytes (1 segment)\n");
	HAS(t, "  0.030 s  reference server -> student client  data 1000 bytes (1 segment)\n");
	HAS(t, "  0.040 s  reference server -> student client  data 17000 bytes more in 17 spans "
	    "(17 segments), until 0.200 s\n");
	HASNT(t, "  0.050 s");
	HAS(t, "  0.300 s  reference server -> student client  FIN after 20000 bytes\n");
	HAS(t, "  0.302 s  student client -> reference server  FIN after 10 bytes\n");
	/* lines: SYN, 3 data, the summary, FIN, reply, FIN */
	size_t lines = 0;
	for (const char *p = t; *p; p++)
		lines += *p == '\n';
	cr_expect_eq(lines, 8, "%s", t);
	free(t);
	wview_free(&v);
}

Test(wview, many_connections_are_capped_but_fins_stay)
{
	struct wview v;
	struct wview_case c = { "echo", "server", SERVER_PORT, -1, -1, NULL };
	static struct wire_conn many[30];
	static struct wire_event mev[30 * 5];
	struct wire w = { many, 0, mev, 0, 0, -1 };
	memset(many, 0, sizeof(many));
	memset(mev, 0, sizeof(mev));
	for (size_t i = 0; i < 20; i++) {
		struct wire_conn *cn = &many[w.nconns++];
		snprintf(cn->a.addr, sizeof(cn->a.addr), "127.0.0.1");
		snprintf(cn->b.addr, sizeof(cn->b.addr), "127.0.0.1");
		cn->a.port = 40000 + (unsigned)i;
		cn->b.port = SERVER_PORT;
		cn->fin[0] = cn->fin[1] = 1;
		cn->end = WIRE_END_CLOSED;
		double t = 0.01 * (double)i;
		struct wire_event e[5] = {
			{ WIRE_SYN, i, 0, t, t, 0, 0, 0, 0 },
			{ WIRE_DATA, i, 0, t + 0.001, t + 0.001, 64, 0, 1, 0 },
			{ WIRE_DATA, i, 1, t + 0.002, t + 0.002, 64, 0, 1, 0 },
			{ WIRE_FIN, i, 0, t + 0.003, t + 0.003, 0, 64, 0, 0 },
			{ WIRE_FIN, i, 1, t + 0.004, t + 0.004, 0, 64, 0, 0 },
		};
		memcpy(&mev[w.nevents], e, sizeof(e));
		w.nevents += 5;
		cn->fin_t[0] = t + 0.003;
		cn->fin_t[1] = t + 0.004;
	}
	cr_assert_eq(wview_build(&w, &c, &v), 0);
	cr_expect_str_eq(v.name[19][0], "reference client 20");
	cr_expect_eq(v.nlanes, 21);
	char *t = timeline(&v);
	HAS(t, "reference client 20 -> student server  FIN after 64 bytes");
	HAS(t, "student server -> reference client 20  FIN after 64 bytes");
	HAS(t, "... 28 more events not shown (capture.pcap has them all)");
	HASNT(t, "reference client 20 -> student server  data");
	free(t);
	char *s = svg(&v, NULL);
	HAS(s, "events of endpoints beyond the first 6 not drawn");
	HASNT(s, ">reference client 6<");
	HAS(s, ">reference client 5<");
	free(s);
	wview_free(&v);
}

Test(wview, udp_datagrams_with_their_sizes)
{
	struct wview v;
	struct wview_case c = { "udp", "server", SERVER_PORT, -1, -1, NULL };
	reset_wire();
	size_t k = conn(1, 40000, SERVER_PORT);
	ev(k, 0, WIRE_DATAGRAM, 0.010, 29, 0);
	ev(k, 1, WIRE_DATAGRAM, 0.011, 29, 0);
	ev(k, 0, WIRE_DATAGRAM, 0.020, 30, 0);
	ev(k, 1, WIRE_DATAGRAM, 0.021, 30, 0);
	for (int i = 0; i < 8; i++)
		ev(k, 0, WIRE_DATAGRAM, 0.03 + 0.001 * i, 31 + (uint64_t)i, 0);
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	cr_expect_str_eq(v.name[0][1], "student server");
	char *t = timeline(&v);
	HAS(t, "  0.010 s  reference client -> student server  datagram 29 bytes\n");
	HAS(t, "  0.011 s  student server -> reference client  datagram 29 bytes\n");
	HAS(t, "  0.031 s  reference client -> student server  datagram 32 bytes\n");
	HAS(t, "  0.032 s  reference client -> student server  6 datagrams of 33, 34, 35, 36, 37, 38 "
	    "bytes (213 in all), until 0.037 s\n");
	HASNT(t, "no FIN");	/* UDP has none */
	free(t);
	char *s = svg(&v, NULL);
	HAS(s, "class=\"row datagram\"");
	HAS(s, "datagram 29 bytes");
	HAS(s, "datagrams (UDP has no connection)");
	free(s);
	wview_free(&v);
}

Test(wview, udp_client_case_names_the_student_client)
{
	struct wview v;
	struct wview_case c = { "udp", "client", SERVER_PORT, -1, -1, NULL };
	reset_wire();
	size_t k = conn(1, 45000, SERVER_PORT);
	ev(k, 0, WIRE_DATAGRAM, 0.010, 6, 0);
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	cr_expect_str_eq(v.name[0][0], "student client");
	cr_expect_str_eq(v.name[0][1], "reference server");
	wview_free(&v);
}

Test(wview, zero_window_is_evidence_and_a_mark)
{
	struct wview v;
	struct wview_case c = { "file", "server", SERVER_PORT, -1, 3.0, NULL };
	reset_wire();
	W.t_stop = 3.0;
	size_t k = conn(0, 40000, SERVER_PORT);
	ev(k, 0, WIRE_SYN, 0.010, 0, 0);
	ev(k, 1, WIRE_SYNACK, 0.010, 0, 0);
	ev(k, 1, WIRE_DATA, 0.011, 200000, 0);
	ev(k, 0, WIRE_ZERO_WINDOW, 0.1, 0, 0);
	ev(k, 0, WIRE_WINDOW_OPEN, 1.3, 0, 0);
	ev(k, 1, WIRE_FIN, 1.4, 0, 200000);
	ev(k, 0, WIRE_DATA, 1.41, 10, 0);
	ev(k, 0, WIRE_FIN, 1.42, 0, 10);
	ev(k, 1, WIRE_FIN, 1.43, 0, 200000);
	conns[k].end = WIRE_END_CLOSED;
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	char e[1024];
	wview_evidence(&v, e, sizeof(e));
	cr_expect_str_eq(e, "the reference client's receive window was zero for 1.2 s");
	char *t = timeline(&v);
	HAS(t, "  0.100 s  reference client -> student server  window 0: the reference client's "
	    "receive buffer is full (it is not reading)\n");
	HAS(t, "  1.300 s  reference client -> student server  window open again: the reference "
	    "client read (zero for 1.200 s)\n");
	free(t);
	char *s = svg(&v, NULL);
	HAS(s, "class=\"row zero-window\"");
	HAS(s, ">win 0<");
	free(s);
	wview_free(&v);
}

Test(wview, refused_connection)
{
	struct wview v;
	struct wview_case c = { "echo", "client", SERVER_PORT, -1, -1, NULL };
	reset_wire();
	size_t k = conn(0, 40000, SERVER_PORT);
	ev(k, 0, WIRE_SYN, 0.010, 0, 0);
	ev(k, 1, WIRE_RST, 0.010, 0, 0);
	conns[k].end = WIRE_END_REFUSED;
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	char *t = timeline(&v);
	HAS(t, "student client -> reference server  SYN refused: RST (nothing listening on port 9000)");
	HASNT(t, "no FIN");
	HASNT(t, "RST after");	/* the refusal is one line */
	free(t);
	char *s = svg(&v, NULL);
	HAS(s, "<g class=\"row rst refused\">");
	HAS(s, ">SYN refused<");
	HAS(s, "student client to reference server: refused (RST: nothing listening)");
	free(s);
	wview_free(&v);

	/* a server case: the refusing RST is no evidence against the student server */
	struct wview_case sc = { "echo", "server", SERVER_PORT, -1, -1, "died of a signal" };
	cr_assert_eq(wview_build(&W, &sc, &v), 0);
	char e[512];
	wview_evidence(&v, e, sizeof(e));
	cr_expect_str_eq(e, "");
	wview_free(&v);
}

Test(wview, pair_names_both_student_sides)
{
	struct wview v;
	struct wview_case c = { "file", "pair", SERVER_PORT, -1, -1, NULL };
	no_shutdown();
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	cr_expect_str_eq(v.name[0][0], "student client");
	cr_expect_str_eq(v.name[0][1], "student server");
	cr_expect_str_eq(v.lanes[0], "student client");
	cr_expect_str_eq(v.lanes[1], "student server");
	wview_free(&v);
}

Test(wview, empty_capture)
{
	struct wview v;
	reset_wire();
	cr_assert_eq(wview_build(&W, &FILE_SERVER, &v), 0);
	cr_expect_eq(v.nlanes, 0);
	char *t = timeline(&v);
	HAS(t, "sockcheck ended the case here");	/* the marks alone */
	free(t);
	char *s = svg(&v, "Nothing happened.");
	HAS(s, "<svg");
	free(s);
	wview_free(&v);
}

Test(rpt_seq, diagram_of_the_missing_fin)
{
	struct wview v;
	no_shutdown();
	cr_assert_eq(wview_build(&W, &FILE_SERVER, &v), 0);
	char *s = svg(&v, "expected EOF after 0 bytes; got no FIN for 2.0 s. The server sat in read().");
	HAS(s, "class=\"sequence capture\"");
	HAS(s, "<text class=\"lane\" x=\"142\" y=\"16\" text-anchor=\"middle\" fill=\"#000\">student server</text>");
	HAS(s, ">reference client</text>");
	/* the gap where the FIN should be: a dashed placeholder */
	HAS(s, "<g class=\"row missing-fin\">");
	HAS(s, "stroke-dasharray=\"6 4\"");
	HAS(s, ">no FIN<");
	/* the stall, with the diagnosis' first sentence; the whole as its title */
	HAS(s, "<g class=\"stall\"><title>expected EOF after 0 bytes; got no FIN for 2.0 s. The server");
	HAS(s, "the case stalled here: expected EOF after 0 bytes; got no FIN for 2.0 s<");
	/* the stop, and the kernel's FINs after it greyed and labelled */
	HAS(s, "<g class=\"stop\">");
	HAS(s, "<g class=\"row fin after-stop\" opacity=\"0.6\">");
	HAS(s, "after the stop: FIN after 0 bytes (the kernel, as sockcheck stopped the program)");
	HAS(s, "closed (FIN both ways; one after the stop: sockcheck's doing)");
	/* the placeholder comes before the stop, the kernel's FIN after it */
	cr_expect(strstr(s, "missing-fin") < strstr(s, "class=\"stop\""));
	cr_expect(strstr(s, "class=\"stop\"") < strstr(s, "after-stop"));
	free(s);
	wview_free(&v);
}

Test(rpt_seq, diagram_of_fin_and_rst)
{
	struct wview v;
	struct wview_case c = FILE_SERVER;
	c.t_stall = -1;
	c.t_stop = 0.5;
	close_instead();
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	char *s = svg(&v, NULL);
	HAS(s, "<g class=\"row fin\">");
	HAS(s, ">FIN after 65536 bytes<");
	HAS(s, "<g class=\"row rst\">");
	HAS(s, ">RST<");
	HAS(s, ">RST after 65537 bytes<");
	HAS(s, "<g class=\"row data\">");
	HAS(s, ">data 65536 bytes (45 segments)<");
	HAS(s, "reset by the student server (RST at 0.022 s)");
	HASNT(s, "missing-fin");
	HASNT(s, "after-stop");
	free(s);
	wview_free(&v);
}

Test(wview, packets_left_out_count_in_the_summary)
{
	struct wview v;
	struct wview_case c = { "file", "client", SERVER_PORT, -1, -1, NULL };
	reset_wire();
	size_t k = conn(0, 40000, SERVER_PORT);
	ev(k, 0, WIRE_SYN, 0.001, 0, 0);
	ev(k, 1, WIRE_SYNACK, 0.001, 0, 0);
	ev(k, 1, WIRE_DATA, 0.010, 1000, 0);
	struct wire_event *o = ev(k, 1, WIRE_OMITTED, 0.011, 30000000, 0);
	o->t_end = 0.9;
	ev(k, 1, WIRE_DATA, 0.9, 1000, 30001000);
	ev(k, 1, WIRE_DATA, 0.95, 1000, 30002000);
	ev(k, 1, WIRE_DATA, 0.99, 1000, 30003000);
	ev(k, 1, WIRE_FIN, 1.0, 0, 30004000);
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	char *t = timeline(&v);
	HAS(t, "  0.011 s  reference server -> student client  data 30000000 bytes in packets not "
	    "kept in capture.pcap\n");
	HAS(t, "  0.950 s  reference server -> student client  data 2000 bytes more in 2 spans "
	    "(2 segments), until 0.990 s\n");
	HAS(t, "FIN after 30004000 bytes");
	free(t);
	wview_free(&v);

	/* the same with the omitted packets beyond the cap: in the summary */
	W.nevents = 2;
	ev(k, 1, WIRE_DATA, 0.010, 1000, 0);
	ev(k, 1, WIRE_DATA, 0.020, 1000, 1000);
	ev(k, 1, WIRE_DATA, 0.030, 1000, 2000);
	o = ev(k, 1, WIRE_OMITTED, 0.031, 30000000, 3000);
	o->t_end = 0.9;
	ev(k, 1, WIRE_DATA, 0.9, 1000, 30003000);
	ev(k, 1, WIRE_FIN, 1.0, 0, 30004000);
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	t = timeline(&v);
	HAS(t, "  0.031 s  reference server -> student client  data 30001000 bytes more in 1 span "
	    "(1 segment; 30000000 bytes of them in packets not kept in capture.pcap), until 0.900 s\n");
	free(t);
	wview_free(&v);
}

/* the program died: its socket's FIN and RST are its death, not a close() */
Test(wview, a_dying_program_is_not_a_close)
{
	struct wview v;
	struct wview_case c = FILE_SERVER;
	c.t_stall = -1;
	c.t_stop = 0.5;
	c.student_end = "died of a signal";
	close_instead();
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	char e[1024];
	wview_evidence(&v, e, sizeof(e));
	cr_expect_str_eq(e, "the student server's socket closed as its program died of a signal (FIN "
	    "after 65536 bytes), then RST at 0.022 s when 10 bytes from the reference client arrived");
	wview_free(&v);

	reset_wire();
	W.t_stop = 2.0;
	c.t_stop = 2.0;
	size_t k = conn(0, 40000, SERVER_PORT);
	ev(k, 0, WIRE_SYN, 0.010, 0, 0);
	ev(k, 1, WIRE_SYNACK, 0.010, 0, 0);
	ev(k, 0, WIRE_DATA, 0.011, 4096, 0);
	ev(k, 1, WIRE_RST, 0.013, 0, 0);
	conns[k].end = WIRE_END_RESET;
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	wview_evidence(&v, e, sizeof(e));
	cr_expect_str_eq(e, "the student server sent RST after 0 bytes at 0.013 s as its program died "
	    "of a signal, with data from the reference client unread");
	wview_free(&v);
}

/* a slow reader's window closes and opens many times: the first time, then one line */
Test(wview, flapping_windows_are_one_line)
{
	struct wview v;
	struct wview_case c = { "echo", "server", SERVER_PORT, 2.0, 2.5, NULL };
	reset_wire();
	W.t_stop = 2.5;
	size_t k = conn(0, 40000, SERVER_PORT);
	ev(k, 0, WIRE_SYN, 0.010, 0, 0);
	ev(k, 1, WIRE_SYNACK, 0.010, 0, 0);
	ev(k, 1, WIRE_DATA, 0.011, 100000, 0);
	for (int i = 0; i < 10; i++) {
		ev(k, 0, WIRE_ZERO_WINDOW, 0.1 + 0.1 * i, 0, 0);
		ev(k, 0, WIRE_WINDOW_OPEN, 0.15 + 0.1 * i, 0, 0);
	}
	ev(k, 0, WIRE_ZERO_WINDOW, 1.5, 0, 0);	/* and it stays zero: the stall */
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	char *t = timeline(&v);
	HAS(t, "  0.100 s  reference client -> student server  window 0: the reference client's "
	    "receive buffer is full (it is not reading)\n");
	HAS(t, "  0.150 s  reference client -> student server  window open again: the reference "
	    "client read (zero for 0.050 s)\n");
	HAS(t, "  0.200 s  reference client -> student server  window 0 10 more times until 1.500 s "
	    "(zero for 1.450 s in all, and still zero at the end): the reference client's receive "
	    "buffer was full, it read slowly\n");
	size_t lines = 0;
	for (const char *p = t; *p; p++)
		lines += *p == '\n';
	/* SYN, data, zero, open, the rest, the student's missing FIN, the stop;
	 * the reference client's open side is no line: it waits by design */
	cr_expect_eq(lines, 7, "%s", t);
	HASNT(t, "no FIN from the reference client");
	free(t);
	char e[512];
	wview_evidence(&v, e, sizeof(e));
	/* 10 x 0.05 s, then from 1.5 s to the stop at 2.5 s */
	cr_expect_str_eq(e, "the reference client's receive window was zero for 1.5 s");
	wview_free(&v);
}

/* a file client's reply before the server's FIN is named; after it, not */
Test(wview, reply_before_eof)
{
	struct wview v;
	struct wview_case c = { "file", "client", SERVER_PORT, -1, 1.0, NULL };
	reset_wire();
	W.t_stop = 1.0;
	size_t k = conn(0, 40000, SERVER_PORT);
	ev(k, 0, WIRE_SYN, 0.010, 0, 0);
	ev(k, 1, WIRE_SYNACK, 0.010, 0, 0);
	ev(k, 1, WIRE_DATA, 0.011, 65536, 0);
	ev(k, 0, WIRE_DATA, 0.065, 10, 0);
	ev(k, 1, WIRE_DATA, 0.110, 983040, 65536);
	ev(k, 1, WIRE_FIN, 0.812, 0, 1048576);
	ev(k, 0, WIRE_FIN, 0.812, 0, 10);
	conns[k].end = WIRE_END_CLOSED;
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	char e[512];
	wview_evidence(&v, e, sizeof(e));
	cr_expect_str_eq(e, "the student client sent 10 bytes, the first at 0.065 s, before the "
	    "reference server's FIN at 0.812 s: it replied before end-of-file");
	wview_free(&v);

	evs[3].t = evs[3].t_end = 0.813;	/* the reply after the FIN: nothing to say */
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	wview_evidence(&v, e, sizeof(e));
	cr_expect_str_eq(e, "");
	wview_free(&v);
}

/* a server on a port of its own choosing (ephemeral): the listener is still the student's */
Test(wview, student_server_on_another_port)
{
	struct wview v;
	struct wview_case c = { "echo", "server", SERVER_PORT, -1, -1, NULL };
	reset_wire();
	size_t k = conn(0, 40000, 47313);
	ev(k, 0, WIRE_SYN, 0.010, 0, 0);
	ev(k, 1, WIRE_SYNACK, 0.010, 0, 0);
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	cr_expect_str_eq(v.name[0][1], "student server");
	cr_expect(v.student[0][1]);
	cr_expect_str_eq(v.name[0][0], "reference client");
	wview_free(&v);
	/* in a client case, a connection elsewhere than the reference server is named by its port */
	c.role = "client";
	cr_assert_eq(wview_build(&W, &c, &v), 0);
	cr_expect_str_eq(v.name[0][1], "port 47313");
	cr_expect_str_eq(v.name[0][0], "student client");
	wview_free(&v);
}
