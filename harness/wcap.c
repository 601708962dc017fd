/*
 * wcap: the packet capture of one case (contract in wcap.h).
 *
 * A thread of its own enters the case's network namespace, opens a libpcap
 * handle on its "lo" (the packet socket belongs to the namespace it was
 * created in) and loops on poll() over pcap's descriptor and a stop
 * eventfd. Every packet goes through a ring of the last `tail_packets`
 * packets; a packet leaving the ring is written when it was kept on arrival
 * (one of the first `head_packets` of its connection, or flagged: SYN, FIN,
 * RST, a zero window or the window reopening after one) and counted as
 * omitted otherwise. At stop the ring (the case's last packets) is written
 * too, so the file is in time order. Past `max_file_bytes` head packets are
 * omitted and only flagged ones are written; past twice that, only SYN, FIN
 * and RST (a reader that keeps reopening a tiny window must not grow the
 * file without bound); past four times that, nothing but the tail (a client
 * that retries connect() in a loop makes a SYN and a RST per attempt). The
 * tail is always written: it is bounded by tail_packets x snaplen. A case's
 * file thus stays under 4 x max_file_bytes + tail_packets x (16 + snaplen):
 * about 2.1 MB with WCAP_CASE.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <pcap/pcap.h>

#include "wcap.h"
#include "wpkt.h"

/*
 * 128 bytes: Ethernet (14) + IPv6 (40) + TCP with options (up to 60) fit,
 * and an IPv4 segment with timestamps keeps its first 62 payload bytes.
 * 64 packets per connection show its start (SYN, the first writes and
 * replies), 256 the end of the case; a file past 512 KiB keeps only what is
 * flagged. A 32 MiB transfer (about 1000 packets on lo, MTU 65536) then
 * costs (64 + 256 + flags) x 144 bytes: about 50 KB.
 */
const struct wcap_limits WCAP_CASE = {
	.snaplen = 128,
	.head_packets = 64,
	.tail_packets = 256,
	.max_file_bytes = 512 * 1024,
};

/* The kernel's buffer for packets not yet read: 4 MiB is 16k short frames. */
#define WCAP_BUFFER (4 * 1024 * 1024)

/*
 * Immediate mode hands each packet over as it comes: a wakeup per packet.
 * After a wakeup the thread waits this long for more (or the stop) before it
 * reads again, so a burst costs one wakeup per WCAP_BATCH_MS; a 32 MiB
 * transfer on lo (about 1000 packets in 20-60 ms) fills a few hundred of the
 * ring's 16k frames in that time.
 */
#define WCAP_BATCH_MS 5

enum { K_HEAD = 1, K_FLAG = 2, K_CTRL = 4 };	/* why a packet is kept */

/* A flow's 5-tuple, its endpoints in a fixed order (memset first: compared whole). */
struct flow {
	struct wpkt_key k;
	unsigned packets;
	int zero[2];		/* endpoint [i] advertised a zero window last */
};

struct slot {
	struct pcap_pkthdr h;
	unsigned keep;
	unsigned char *data;	/* snaplen bytes */
};

struct wcap {
	struct wcap_limits lim;
	pid_t net_pid;
	char *path;
	int ns_fd, stop_fd;
	pthread_t th;
	int started;		/* the thread was created */

	/* start handshake */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int ready;		/* 1 live, -1 failed */
	/* stop handshake: the file is complete (done), the caller has taken the
	 * counts (released); the thread then closes the handle and frees w */
	int done, released;
	int stop_rc;

	/* the thread's own */
	pcap_t *p;
	pcap_dumper_t *d;
	int linktype;
	void *flows;		/* tsearch tree of struct flow */
	struct slot *ring;
	size_t ring_head, ring_n;
	unsigned char *ring_data;
	struct wcap_stats st;
	int nomem;
	struct sc_err err;	/* a failure of the thread, start or stop */
	int failed;
};

static int
flow_cmp(const void *x, const void *y)
{
	return memcmp(&((const struct flow *)x)->k, &((const struct flow *)y)->k,
	    sizeof(struct wpkt_key));
}

/* The flow of k (either direction), created when new; *side: 0 k's source is its [0]. */
static struct flow *
flow_of(struct wcap *w, const struct wpkt *k, int *side)
{
	struct flow probe, *f, **node;
	memset(&probe, 0, sizeof(probe));
	*side = wpkt_key(k, &probe.k);
	if ((node = tfind(&probe, &w->flows, flow_cmp)) != NULL)
		return *node;
	if ((f = malloc(sizeof(*f))) == NULL)
		return NULL;
	memcpy(f, &probe, sizeof(*f));	/* padding included: the key is compared whole */
	if ((node = tsearch(f, &w->flows, flow_cmp)) == NULL) {
		free(f);
		return NULL;
	}
	return f;
}

/* Why the packet is kept (0: only if it is among the last ones). */
static unsigned
classify(struct wcap *w, const struct pcap_pkthdr *h, const unsigned char *b)
{
	struct wpkt k;
	struct flow *f;
	unsigned keep = 0;
	int side;

	if (wpkt_parse(w->linktype, b, h->caplen, &k) < 0)
		return K_HEAD;	/* not TCP/UDP over IP as we know it: rare, keep it */
	if ((f = flow_of(w, &k, &side)) == NULL) {
		w->nomem = 1;
		return K_HEAD;
	}
	if (f->packets++ < w->lim.head_packets)
		keep |= K_HEAD;
	if (!k.udp) {
		if (k.flags & (TH_SYN | TH_FIN | TH_RST))
			keep |= K_FLAG | K_CTRL;
		else if (k.win == 0 || f->zero[side])
			keep |= K_FLAG;
		if (!(k.flags & TH_RST))
			f->zero[side] = k.win == 0;
	}
	return keep;
}

static void
write_pkt(struct wcap *w, const struct pcap_pkthdr *h, const unsigned char *b)
{
	pcap_dump((unsigned char *)w->d, h, b);
	w->st.written++;
	w->st.file_bytes += 16 + h->caplen;	/* a record's header on disk is 16 bytes */
}

/* A packet leaves the ring (or never enters one): write it or count it. */
static void
settle(struct wcap *w, const struct pcap_pkthdr *h, const unsigned char *b, unsigned keep)
{
	uint64_t fb = w->st.file_bytes;

	if (((keep & K_CTRL) && fb < 4 * w->lim.max_file_bytes) ||
	    ((keep & K_FLAG) && fb < 2 * w->lim.max_file_bytes) ||
	    ((keep & K_HEAD) && fb < w->lim.max_file_bytes))
		write_pkt(w, h, b);
	else
		w->st.omitted++;
}

static void
on_packet(unsigned char *user, const struct pcap_pkthdr *h, const unsigned char *b)
{
	struct wcap *w = (struct wcap *)user;
	unsigned keep = classify(w, h, b);
	size_t n = w->lim.tail_packets;

	w->st.seen++;
	if (n == 0) {
		settle(w, h, b, keep);
		return;
	}
	size_t i = (w->ring_head + w->ring_n) % n;
	if (w->ring_n == n) {	/* full: the oldest leaves */
		i = w->ring_head;
		settle(w, &w->ring[i].h, w->ring[i].data, w->ring[i].keep);
		w->ring_head = (w->ring_head + 1) % n;
	} else {
		w->ring_n++;
	}
	struct slot *s = &w->ring[i];
	s->h = *h;
	if (s->h.caplen > w->lim.snaplen)
		s->h.caplen = w->lim.snaplen;
	memcpy(s->data, b, s->h.caplen);
	s->keep = keep;
}

static void
flush_ring(struct wcap *w)
{
	size_t n = w->lim.tail_packets;

	for (; w->ring_n > 0; w->ring_n--) {
		struct slot *s = &w->ring[w->ring_head];
		write_pkt(w, &s->h, s->data);
		w->ring_head = (w->ring_head + 1) % n;
	}
}

static void
fail(struct wcap *w, struct sc_err *e)
{
	w->failed = 1;
	w->err = *e;
}

/*
 * libpcap maps the kernel's packet ring (WCAP_BUFFER, every page present)
 * into sockcheck, where every fork() (each case's namespace holder, each
 * program's launcher) would copy its page table entries and take a
 * reference on each page for a child that never reads it: with a capture
 * per case in flight, most of what a fork() of sockcheck cost. The ring is
 * the mapping of the packet socket `fd` (/proc/self/maps names it
 * socket:[INODE]); it is left out of children. Best effort.
 */
static void
ring_not_inherited(int fd)
{
	struct stat st;
	char want[64], line[512];
	FILE *f;

	if (fstat(fd, &st) < 0 || (f = fopen("/proc/self/maps", "re")) == NULL)
		return;
	snprintf(want, sizeof(want), " socket:[%lu]\n", (unsigned long)st.st_ino);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		size_t n = strlen(line), w = strlen(want);
		if (n > w && strcmp(line + n - w, want) == 0 &&
		    sscanf(line, "%lx-%lx", &lo, &hi) == 2 && hi > lo)
			madvise((void *)lo, hi - lo, MADV_DONTFORK);
	}
	fclose(f);
}

/* Open the handle on lo in the current namespace, and the file. */
static int
open_capture(struct wcap *w, struct sc_err *err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	FILE *f;
	int rc;

	if ((w->p = pcap_create("lo", ebuf)) == NULL)
		return sc_err_set(err, "no capture: lo: %s", ebuf);
	if (pcap_set_snaplen(w->p, (int)w->lim.snaplen) != 0 ||
	    pcap_set_immediate_mode(w->p, 1) != 0 ||
	    pcap_set_buffer_size(w->p, WCAP_BUFFER) != 0)
		return sc_err_set(err, "no capture: lo: setting up the handle failed");
	rc = pcap_activate(w->p);
	if (rc < 0) {
		const char *why = pcap_geterr(w->p);
		return sc_err_set(err, "no capture: lo: %s%s%s", pcap_statustostr(rc),
		    why[0] ? ": " : "", why);
	}
	/* libpcap opens its packet socket without SOCK_CLOEXEC */
	int fd = pcap_get_selectable_fd(w->p);
	if (fd < 0)
		return sc_err_set(err, "no capture: lo: no selectable descriptor");
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	ring_not_inherited(fd);
	if (pcap_compile(w->p, &prog, "tcp or udp", 1, PCAP_NETMASK_UNKNOWN) < 0)
		return sc_err_set(err, "no capture: filter: %s", pcap_geterr(w->p));
	rc = pcap_setfilter(w->p, &prog);
	pcap_freecode(&prog);
	if (rc < 0)
		return sc_err_set(err, "no capture: filter: %s", pcap_geterr(w->p));
	if (pcap_setnonblock(w->p, 1, ebuf) < 0)
		return sc_err_set(err, "no capture: lo: %s", ebuf);
	w->linktype = pcap_datalink(w->p);
	if ((f = fopen(w->path, "wbe")) == NULL)
		return sc_err_sys(err, "no capture: %s", w->path);
	if ((w->d = pcap_dump_fopen(w->p, f)) == NULL) {
		fclose(f);
		return sc_err_set(err, "no capture: %s: %s", w->path, pcap_geterr(w->p));
	}
	w->st.file_bytes = sizeof(struct pcap_file_header);
	return 0;
}

static void
announce(struct wcap *w, int ready)
{
	pthread_mutex_lock(&w->mu);
	w->ready = ready;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void wcap_free(struct wcap *w);

/* The kept tail, then the file closed; its outcome in stop_rc/err. */
static void
finish_file(struct wcap *w)
{
	struct sc_err e;
	struct stat sb;

	flush_ring(w);
	if (pcap_dump_flush(w->d) < 0 && !w->failed) {
		sc_err_sys(&e, "capture: %s", w->path);
		fail(w, &e);
	}
	pcap_dump_close(w->d);
	w->d = NULL;
	if (w->nomem && !w->failed) {
		sc_err_set(&e, "capture: out of memory for the connections' table");
		fail(w, &e);
	}
	if (stat(w->path, &sb) == 0)
		w->st.file_bytes = (uint64_t)sb.st_size;
	w->stop_rc = w->failed ? -1 : 0;
}

static void *
capture_main(void *arg)
{
	struct wcap *w = arg;
	struct sc_err e;
	struct pollfd pf[2];

	sc_err_clear(&e);
	if (w->ns_fd >= 0 && setns(w->ns_fd, CLONE_NEWNET) < 0) {
		sc_err_sys(&e, "no capture: entering the case's network namespace");
		fail(w, &e);
		announce(w, -1);
		return NULL;
	}
	if (open_capture(w, &e) < 0) {
		fail(w, &e);
		announce(w, -1);
		return NULL;
	}
	announce(w, 1);

	pf[0].fd = pcap_get_selectable_fd(w->p);
	pf[0].events = POLLIN;
	pf[1].fd = w->stop_fd;
	pf[1].events = POLLIN;
	for (;;) {
		int n = poll(pf, 2, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sc_err_sys(&e, "capture: poll");
			fail(w, &e);
			break;
		}
		if (pf[1].revents)
			break;
		if (pf[0].revents) {
			if (pcap_dispatch(w->p, -1, on_packet, (unsigned char *)w) < 0) {
				sc_err_set(&e, "capture: lo: %s", pcap_geterr(w->p));
				fail(w, &e);
				break;
			}
			/* let a burst gather in the ring (the stop still wakes us) */
			if (poll(&pf[1], 1, WCAP_BATCH_MS) > 0)
				break;
		}
	}
	/* what the kernel still holds (nonblocking: returns 0 once empty) */
	while (!w->failed && pcap_dispatch(w->p, -1, on_packet, (unsigned char *)w) > 0)
		;
	struct pcap_stat ps;
	if (pcap_stats(w->p, &ps) == 0)
		w->st.dropped = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	finish_file(w);

	/*
	 * The caller goes on once it has the counts; closing the packet socket
	 * waits for an RCU grace period of the kernel (synchronize_net, some
	 * 20 ms), which it need not wait for: that is done here, after.
	 */
	pthread_mutex_lock(&w->mu);
	w->done = 1;
	pthread_cond_broadcast(&w->cv);
	while (!w->released)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	wcap_free(w);
	return NULL;
}

static void
wcap_free(struct wcap *w)
{
	if (w == NULL)
		return;
	if (w->d != NULL)
		pcap_dump_close(w->d);
	if (w->p != NULL)
		pcap_close(w->p);
	if (w->ns_fd >= 0)
		close(w->ns_fd);
	if (w->stop_fd >= 0)
		close(w->stop_fd);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	tdestroy(w->flows, free);
	free(w->ring);
	free(w->ring_data);
	free(w->path);
	free(w);
}

int
wcap_start(pid_t net_pid, const char *path, const struct wcap_limits *lim,
    struct wcap **out, struct sc_err *err)
{
	struct wcap *w;
	char ns[64];
	int rc;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return sc_err_sys(err, "no capture");
	w->ns_fd = w->stop_fd = -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->lim = *lim;
	if (w->lim.snaplen < 64)
		w->lim.snaplen = 64;
	w->net_pid = net_pid;
	if ((w->path = strdup(path)) == NULL)
		goto sys;
	if (w->lim.tail_packets > 0) {
		w->ring = calloc(w->lim.tail_packets, sizeof(*w->ring));
		w->ring_data = malloc((size_t)w->lim.tail_packets * w->lim.snaplen);
		if (w->ring == NULL || w->ring_data == NULL)
			goto sys;
		for (size_t i = 0; i < w->lim.tail_packets; i++)
			w->ring[i].data = w->ring_data + i * w->lim.snaplen;
	}
	if ((w->stop_fd = eventfd(0, EFD_CLOEXEC)) < 0)
		goto sys;
	if (net_pid != getpid()) {
		snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int)net_pid);
		if ((w->ns_fd = open(ns, O_RDONLY | O_CLOEXEC)) < 0) {
			sc_err_sys(err, "no capture: the case's network namespace (%s)", ns);
			wcap_free(w);
			return -1;
		}
	}
	if ((rc = pthread_create(&w->th, NULL, capture_main, w)) != 0) {
		errno = rc;
		goto sys;
	}
	w->started = 1;
	pthread_mutex_lock(&w->mu);
	while (w->ready == 0)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	if (w->ready < 0) {
		pthread_join(w->th, NULL);
		*err = w->err;
		wcap_free(w);
		return -1;
	}
	*out = w;
	return 0;
sys:
	sc_err_sys(err, "no capture");
	wcap_free(w);
	return -1;
}

int
wcap_stop(struct wcap *w, struct wcap_stats *st, struct sc_err *err)
{
	uint64_t one = 1;
	int rc;

	if (w == NULL)
		return 0;
	if (write(w->stop_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		return sc_err_sys(err, "capture: stopping");	/* (an eventfd write does not fail) */
	pthread_t th = w->th;
	pthread_mutex_lock(&w->mu);
	while (!w->done)
		pthread_cond_wait(&w->cv, &w->mu);
	rc = w->stop_rc;
	if (rc < 0)
		*err = w->err;
	if (st != NULL)
		*st = w->st;
	w->released = 1;	/* w is the thread's to free from here on */
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_detach(th);
	return rc;
}
