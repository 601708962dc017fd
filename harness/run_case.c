/*
 * run_case: one scenario against one submission.
 *
 * The case owns a scratch directory (a copy of the built submission), a
 * sandbox, the student program and the reference peers: prepared here, run
 * by the driver of its role (run_drive.c), judged (run_finish.c), and on the
 * way out every process of the case is dead and its sandbox closed.
 * run_case.h says which file does which phase.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fsx.h"
#include "kind.h"
#include "mc.h"
#include "pnet.h"
#include "run_case.h"
#include "sbx.h"
#include "srcmap.h"
#include "strv.h"
#include "trim.h"
#include "cite.h"

/* A port of the machine's loopback that no one holds now (`port` 0: one the
 * kernel chooses), kept bound in *fd; 0 when there is none. */
static unsigned
bind_loopback(unsigned port, int *fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		.sin_port = htons((uint16_t)port) };
	socklen_t len = sizeof(a);

	if ((*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	if (bind(*fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(*fd, (struct sockaddr *)&a, &len) == 0)
		return ntohs(a.sin_port);
	close(*fd);
	*fd = -1;
	return 0;
}

/*
 * Without a namespace: a free loopback port P for the case. A server that
 * forgets htons() listens on P with its bytes swapped (34835 for 5000, as in
 * a namespace of the case's own): P is chosen so that port is free too and
 * not below 1024, which an unprivileged user may not bind, lest the
 * verdict depend on the port drawn (es-port-no-htons). A few tries, then
 * any free port.
 */
static unsigned
free_loopback_port(void)
{
	unsigned port = 0;

	for (int tries = 0; tries < 16 && port == 0; tries++) {
		int fd = -1, fd2 = -1;
		unsigned p = bind_loopback(0, &fd);
		unsigned swapped = ((p & 0xff) << 8) | (p >> 8);
		if (p == 0)
			return 0;
		if (swapped >= 1024 && swapped != p && bind_loopback(swapped, &fd2) == swapped)
			port = p;
		if (fd2 >= 0)
			close(fd2);
		close(fd);
	}
	if (port == 0) {
		int fd = -1;
		port = bind_loopback(0, &fd);
		if (fd >= 0)
			close(fd);
	}
	return port;
}

static void
set_error(struct res_case *out, const char *fmt, const char *msg)
{
	out->verdict = RES_ERROR;
	free(out->summary);
	if (asprintf(&out->summary, fmt, msg) < 0)
		out->summary = NULL;
}

/*
 * Whether the program takes no argument: its command has none, or only the
 * host and port it ignores (fixed in the program, or one it prints or
 * chooses): run without them, it does what it always does.
 */
static int
takes_no_args(const struct prof_prog *pp)
{
	struct sc_err e = { 0 };
	char **argv = prof_expand(pp->command, "\x01h", 1, "\x01f", "\x01o", &e);
	int none = argv && argv[0];

	for (size_t i = 1; none && argv[i]; i++)
		none = pp->port_mode != PROF_PORT_ARGV &&
		    (strcmp(argv[i], "1") == 0 || strcmp(argv[i], "\x01h") == 0);
	if (argv)
		prof_argv_free(argv);
	return none;
}

/* Whether the program's command gives it a port (bad-port has one to spoil). */
static int
takes_port(const struct prof_prog *pp)
{
	struct sc_err e = { 0 };
	char **argv = prof_expand(pp->command, "\x01h", 54321, "\x01f", "\x01o", &e);
	int has = 0;

	for (size_t i = 1; argv && argv[i] && !has; i++)
		has = strcmp(argv[i], "54321") == 0;
	if (argv)
		prof_argv_free(argv);
	return has && pp->port_mode == PROF_PORT_ARGV;
}

static int
skip_reason(struct rcase *c, char *buf, size_t len)
{
	const struct scn *s = c->s;
	enum prof_prog_kind need[2];
	size_t n = 0;

	if (s->role == SCN_SERVER || s->role == SCN_PAIR)
		need[n++] = kind_student(s, 0);
	if (s->role == SCN_CLIENT || s->role == SCN_PAIR)
		need[n++] = kind_student(s, 1);
	for (size_t i = 0; i < n; i++) {
		if (!c->p->progs[need[i]].present) {
			snprintf(buf, len, "the submission has no %s", prof_prog_name(need[i]));
			return 1;
		}
		if (c->p->progs[need[i]].skip) {	/* the convention finder's: e.g. UDP, not TCP */
			snprintf(buf, len, "%s", c->p->progs[need[i]].skip);
			return 1;
		}
	}
	if (s->stdin_spec.quit && c->p->progs[PROF_ECHO_CLIENT].no_quit && s->protocol == SCN_ECHO) {
		snprintf(buf, len, "the echo client has no quit word (quit: none)");
		return 1;
	}
	if (s->stdin_spec.quit && c->p->progs[PROF_UDP_CLIENT].no_quit && s->protocol == SCN_UDP) {
		snprintf(buf, len, "the UDP echo client has no quit word (quit: none): it ends at "
		    "end of input");
		return 1;
	}
	if (s->setup.args == SCN_ARGS_BAD_PORT && !takes_port(&c->p->progs[need[0]])) {
		snprintf(buf, len, "the program takes no port argument (its port is its own): "
		    "there is no port to get wrong");
		return 1;
	}
	if ((s->setup.no_args || s->setup.args == SCN_ARGS_EXTRA) &&
	    takes_no_args(&c->p->progs[need[0]])) {
		snprintf(buf, len, "the program takes no arguments (its port and address are its "
		    "own): there is no usage to get wrong");
		return 1;
	}
	if (s->inject && c->ctx->inject_lib == NULL) {
		/* honest: never pass a case whose fault could not be injected */
		snprintf(buf, len, "fault injection inside the program is not available in this build "
		    "(no libscinject.so)");
		return 1;
	}
	if (c->no_addr[0]) {
		snprintf(buf, len, "a program uses the address %s, which sockcheck can provide "
		    "only inside a network namespace (not available here)", c->no_addr);
		return 1;
	}
	if (c->memcheck && !mc_available()) {
		snprintf(buf, len, "valgrind is not installed: memcheck cases are skipped");
		return 1;
	}
	return 0;
}

static void
release(struct rcase *c)
{
	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		cap_free(&r->out);
		cap_free(&r->err);
		if (r->in_fd >= 0)
			close(r->in_fd);
		strv_free(r->argv);
		free(r->start_error);
		free(r->events);
		for (size_t k = 0; k < r->nfeed; k++)
			free(r->feed[k].data);
		free(r->feed);
	}
	watch_free(&c->w);
	early_free(&c->early);
	for (size_t i = 0; i < c->nmsgs; i++)
		free((char *)c->msgs[i].text);
	free(c->msgs);
}

/* An address the case's loopback lacks: IPv4 outside 127/8, IPv6 other than ::1. */
static int
foreign_address(const char *host)
{
	struct in_addr a;
	struct in6_addr a6;
	if (host && inet_pton(AF_INET, host, &a) == 1)
		return (ntohl(a.s_addr) >> 24) != 127;
	return host && inet_pton(AF_INET6, host, &a6) == 1 && !IN6_IS_ADDR_LOOPBACK(&a6);
}

/*
 * Programs that hard-code an address (a server binding it, a client
 * connecting to it): the case's loopback gets that address too, so the
 * connection stays inside the case. A server's address is also where the
 * reference clients connect. Without a namespace, a client's address (the
 * one the finder saw it use, or the profile's) is redirected to loopback by
 * the preload library, same port (c->redirect, route.c); a server's can't
 * be given: c->no_addr.
 */
static int
add_program_addresses(struct rcase *c, struct sc_err *err)
{
	for (int k = 0; k < PROF_NPROGS; k++) {
		const char *h = c->p->progs[k].host;
		int client = k == PROF_ECHO_CLIENT || k == PROF_FILE_CLIENT || k == PROF_UDP_CLIENT;
		if (!c->p->progs[k].present || !foreign_address(h))
			continue;
		if (sbx_mode(c->sbx) != SBX_NETNS && client && c->ctx->inject_lib &&
		    strlen(c->redirect) + strlen(h) + 16 < sizeof(c->redirect)) {
			size_t o = strlen(c->redirect);
			snprintf(c->redirect + o, sizeof(c->redirect) - o, "%s%s=%s", o ? "," : "", h,
			    strchr(h, ':') ? "::1" : "127.0.0.1");
			continue;
		}
		if (sbx_mode(c->sbx) != SBX_NETNS) {
			snprintf(c->no_addr, sizeof(c->no_addr), "%s", h);
			continue;
		}
		if (sbx_add_address(c->sbx, h, err) < 0)
			return -1;
	}
	{
		enum prof_prog_kind srv = kind_student(c->s, 0);
		if (c->s->role != SCN_CLIENT && c->p->progs[srv].host)
			c->host = c->p->progs[srv].host;
	}
	return 0;
}

/*
 * Loopback, a fixed-port server that no library enters (statically linked,
 * or no library built): no SO_REUSEADDR, so the TIME-WAIT an earlier case
 * left on its port (the server closes first) would fail its bind(), where
 * a namespace of the case's own has none. Wait it out (at most a little
 * over the 60 s it lasts), under the fixed-port lock; the report's top
 * says how long in all.
 */
static void
wait_time_wait(struct rcase *c, enum prof_prog_kind k)
{
	struct run_ctx *ctx = c->ctx;
	char **argv;
	char path[PATH_MAX];
	struct sc_err e;
	double waited = 0;
	int entered;

	if ((argv = prof_expand(c->p->progs[k].command, "127.0.0.1", c->port, "f", "o", &e)) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", ctx->built_dir, argv[0] ? argv[0] : "");
	entered = ctx->inject_lib != NULL && srcmap_is_static(path) != 1;
	prof_argv_free(argv);
	if (entered)
		return;	/* the library's SO_REUSEADDR passes a TIME-WAIT (inject.c) */
	pnet_port_frees(getpid(), c->port, ctx->o->stop, &waited);
	pthread_mutex_lock(&ctx->lock);
	ctx->tw_waited += waited;
	ctx->tw_prog = prof_prog_name(k);
	ctx->tw_why = ctx->inject_lib ? "is statically linked" : "gets no preload library (not built)";
	pthread_mutex_unlock(&ctx->lock);
}

static int
prepare(struct rcase *c, struct res_case *out, struct sc_err *err)
{
	struct run_ctx *ctx = c->ctx;
	char why[256] = "";
	int want_ns = ctx->o->want_netns;

	if (c->attempt)
		snprintf(c->dir, sizeof(c->dir), "%s/%s.r%u", ctx->cases_dir, c->s->id, c->attempt);
	else
		snprintf(c->dir, sizeof(c->dir), "%s/%s", ctx->cases_dir, c->s->id);
	if (ctx->scratch_dir[0]) {
		/* the case directory is out of the program's reach: its copy goes
		 * where it can be reached by name (run_int.h) */
		const char *base = strrchr(c->dir, '/') + 1;
		char top[sizeof(ctx->scratch_dir) + 512];
		snprintf(top, sizeof(top), "%s/%s", ctx->scratch_dir, base);
		if (fsx_remove_tree(top, err) < 0 || fsx_mkdirs(top, err) < 0)
			return -1;
		snprintf(c->cwd, sizeof(c->cwd), "%s/work", top);
	} else {
		snprintf(c->cwd, sizeof(c->cwd), "%s/work", c->dir);
	}
	if (fsx_remove_tree(c->dir, err) < 0 || fsx_mkdirs(c->dir, err) < 0)
		return -1;
	if (fsx_copy_tree(ctx->built_dir, c->cwd, NULL, err) < 0)
		return -1;
	/* as root, the student runs under a uid of this case's own (sbx_fresh_uid) */
	c->uid = sbx_fresh_uid();
	if (ctx->is_root && fsx_chown_tree(c->cwd, c->uid, (gid_t)c->uid, err) < 0)
		return -1;
	snprintf(c->inj_report, sizeof(c->inj_report), "%s/inject.log", c->dir);
	out->case_dir = strdup(c->dir);
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->netns_ok && want_ns == 2)
		want_ns = 0;
	pthread_mutex_unlock(&ctx->lock);
	if (sbx_open(want_ns ? 1 : 0, &c->sbx, why, sizeof(why), err) < 0)
		return -1;
	snprintf(c->ns_why, sizeof(c->ns_why), "%s", want_ns ? why : "--no-netns");
	out->isolation = strdup(sbx_mode_name(sbx_mode(c->sbx)));
	pthread_mutex_lock(&ctx->lock);
	if (sbx_mode(c->sbx) == SBX_NETNS) {
		ctx->nnetns++;
	} else {
		if (ctx->nloopback++ == 0)
			snprintf(ctx->ns_why, sizeof(ctx->ns_why), "%s", c->ns_why);
	}
	pthread_mutex_unlock(&ctx->lock);
	if (ctx->is_root)
		sbx_set_owner(c->sbx, c->uid);
	return add_program_addresses(c, err);
}

/* The capture: on in a network namespace unless --no-capture (run_wcap.h). */
static void
start_capture(struct rcase *c)
{
	char why[400];
	const char *off = NULL;

	if (c->ctx->o->no_capture) {
		off = "--no-capture";
	} else if (sbx_mode(c->sbx) != SBX_NETNS) {
		snprintf(why, sizeof(why), "the case had no network namespace of its own (%s), and "
		    "the machine's lo is not captured", c->ns_why[0] ? c->ns_why : "loopback mode");
		off = why;
	}
	run_wcap_start(&c->capture, c->sbx, c->dir, c->t0, off);
}

void
run_case(struct run_ctx *ctx, const struct scn *s, unsigned points, int hidden, double scale,
    unsigned attempt, struct res_case *out)
{
	struct rcase c;
	struct run_outcome oc;
	struct sc_err err;
	char reason[256];
	int rc = 0;
	double started = run_now();
	const struct prof_prog *fixed = NULL;

	memset(&c, 0, sizeof(c));
	memset(&oc, 0, sizeof(oc));
	sc_err_clear(&err);
	out->id = strdup(s->id);
	out->t_stall = out->t_stop = -1;
	out->title = strdup(s->title ? s->title : s->id);
	out->protocol = strdup(scn_protocol_name(s->protocol));
	out->role = strdup(scn_role_name(s->role));
	out->level = strdup(scn_level_name(s->level));
	out->points = points;
	out->hidden = hidden;
	out->hint = s->hint ? strdup(s->hint) : NULL;

	c.ctx = ctx;
	c.s = s;
	c.p = ctx->p;
	c.attempt = attempt;
	c.host = s->setup.ipv6 ? "::1" : "127.0.0.1";
	c.memcheck = run_case_memcheck(ctx, s);
	c.factor = c.memcheck ? mc_time_factor() : 1.0;
	c.scale = scale;
	c.inject_on = s->inject != NULL && ctx->inject_lib != NULL;
	c.t0 = run_now();
	c.deadline = c.t0 + run_case_seconds(s) * scale * c.factor;
	watch_init(&c.w, s, c.factor, c.t0);
	early_init(&c.early, s, c.factor);
	run_echo_messages(s, &c.msgs, &c.nmsgs);
	c.early.msgs = c.msgs;
	c.early.nmsgs = c.nmsgs;
	c.out_first_diff = -1;
	c.t_stall = c.t_stop = -1;

	if (c.inject_on)
		c.early.inject_log = c.inj_report;
	if (prepare(&c, out, &err) < 0) {
		set_error(out, "could not prepare the case: %s", err.msg);
		goto done;
	}
	if (skip_reason(&c, reason, sizeof(reason))) {
		out->verdict = RES_SKIP;
		out->summary = strdup(reason);
		goto done;
	}
	/* the port: a private namespace can use any; loopback needs a free one */
	{
		enum prof_prog_kind k = kind_student(s, s->role == SCN_CLIENT);
		if (ctx->p->progs[k].port_mode == PROF_PORT_FIXED)
			fixed = &ctx->p->progs[k];
	}
	if (fixed) {
		c.port = fixed->fixed_port;
		if (sbx_mode(c.sbx) == SBX_LOOPBACK) {
			pthread_mutex_lock(&ctx->fixed_port_lock);
			c.fixed_locked = 1;
			if (s->role != SCN_CLIENT)
				wait_time_wait(&c, kind_student(s, 0));
			/* the wait for the lock does not count against the deadline */
			double waited = run_now() - c.t0;
			c.deadline += waited;
			c.t0 += waited;
		}
	} else if (sbx_mode(c.sbx) == SBX_NETNS) {
		c.port = 5000;
	} else if ((c.port = free_loopback_port()) == 0) {
		set_error(out, "could not prepare the case: %s", "no free loopback port");
		goto done;
	}
	out->port = c.port;
	if (fixed && sbx_mode(c.sbx) == SBX_LOOPBACK && s->role != SCN_CLIENT) {
		/* a listener of someone else's would pass for the student's server */
		struct sc_err pe;
		if (pnet_is_listening(getpid(), c.port, &pe) == 1) {
			char msg[160];
			snprintf(msg, sizeof(msg), "port %u, fixed in the program, is already in use on "
			    "this machine (no network namespace to give the case its own)", c.port);
			set_error(out, "could not run the case: %s", msg);
			goto done;
		}
	}

	start_capture(&c);
	if (s->role == SCN_SERVER)
		rc = run_drive_server(&c, &oc, &err);
	else if (s->role == SCN_CLIENT)
		rc = run_drive_client(&c, &oc, &err);
	else
		rc = run_drive_pair(&c, &oc, &err);
	if (run_now() >= c.deadline)
		c.deadline_hit = 1;
	if (c.deadline_hit && c.w.stall == NULL) {
		struct watch_proc wp[RUN_MAXPROCS];
		size_t nw = run_watch_procs(&c, wp);
		int dl;
		char *what = watch_describe(&c.w, wp, nw, &dl);
		uint64_t size = run_data_size(s);
		char *rate = size >= ((uint64_t)1 << 20) ? watch_rate(&c.w, size, run_now() - c.t0 -
		    c.reach_wait, c.deadline - c.t0 - c.reach_wait) : NULL;
		if (what && asprintf(&c.w.stall, "At the deadline: %s.%s%s%s", what,
		    rate ? " Too slow: " : "", rate ? rate : "", rate ? "." : "") < 0)
			c.w.stall = NULL;
		free(what);
		free(rate);
	}
	/* the student program still running at the deadline (or at a stall) is at fault */
	/* a program stopped early (early.h) ran on as at a deadline */
	c.t_stop = run_now();
	run_stop_procs(&c, c.deadline_hit || c.w.stalled || c.early.decided);
	run_wcap_stop(&c.capture, out, c.t_stall, c.t_stop);
	for (size_t i = 0; i < c.np; i++)
		if (!c.pr[i].student && c.pr[i].killed_at_deadline)
			c.pr[i].killed_at_deadline = 0;
	if (s->role == SCN_SERVER && oc.student && oc.student->killed_at_deadline && oc.ready &&
	    !(c.early.decided && c.early.fault)) {
		/* servers are expected to still run; what the peers saw (no EOF, missing
		 * bytes) is the failure, and the stall diagnosis says who waited on whom */
		oc.student->killed_at_deadline = 0;
	}
	{
		unsigned survivors = 0;
		struct sc_err e2;
		if (sbx_close(c.sbx, &survivors, &e2) < 0 || survivors > 0)
			set_error(out, "%s", survivors ? "processes of the case survived its end" :
			    e2.msg);
		c.sbx = NULL;
	}
	for (size_t i = 0; i < c.np; i++) {
		cap_read(&c.pr[i].out);
		cap_read(&c.pr[i].err);
	}
	if (rc < 0) {
		set_error(out, "could not run the case: %s", err.msg);
	} else if (!(ctx->o->stop && *ctx->o->stop)) {
		run_finish(&c, &oc, out);
	} else {
		set_error(out, "%s", "interrupted before the case finished");
	}
	out->procs = calloc(c.np ? c.np : 1, sizeof(*out->procs));
	for (size_t i = 0; out->procs && i < c.np; i++)
		run_proc_to_result(&c.pr[i], &out->procs[out->nprocs++]);
	if (out->verdict != RES_PASS) {
		/* best effort: a failure keeps its verdict and cause without its line */
		struct sc_err ce;
		cite_case(out, c.inj_report, ctx->built_dir, c.cwd, &ce);
	}
done:
	if (c.sbx) {
		unsigned survivors;
		if (c.t_stop < 0)
			c.t_stop = run_now();
		run_stop_procs(&c, 0);
		run_wcap_stop(&c.capture, out, c.t_stall, c.t_stop);
		sbx_close(c.sbx, &survivors, &err);
	}
	if (out->capture_note == NULL) {
		/* the case ended before its programs could start */
		out->t_stall = out->t_stop = -1;
		out->capture_note = strdup(out->verdict == RES_SKIP ? "the case was skipped" :
		    "the case did not run");
	}
	if (c.fixed_locked)
		pthread_mutex_unlock(&ctx->fixed_port_lock);
	release(&c);
	out->score = out->verdict == RES_PASS ? out->points : 0;
	out->seconds = run_now() - started;
	if (out->summary == NULL)
		out->summary = strdup("");
	/* the logs stay for the reports; a passing case's working copy goes;
	 * large files are cut to their head, tail and first difference */
	if (out->verdict == RES_PASS && !ctx->o->keep && c.cwd[0]) {
		struct sc_err e3;
		fsx_remove_tree(c.cwd, &e3);
	}
	if (!ctx->o->keep && c.dir[0]) {
		struct sc_err e4;
		const struct prof_prog *pp = &ctx->p->progs[PROF_FILE_CLIENT];
		if (c.cwd[0] && out->verdict != RES_PASS)
			trim_file(c.cwd, pp->out ? pp->out : "receive.dat", &TRIM_CASE,
			    c.out_first_diff, &e4);
		trim_tree(c.dir, &TRIM_CASE, &e4);
	}
}
