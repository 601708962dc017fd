/*
 * run_proc: starting and stopping a case's processes. Each runs in the
 * case's sandbox (sbx.h) with its standard streams captured; the student's
 * programs get limits, valgrind and the preload library when the case asks.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "mc.h"
#include "peer.h"
#include "run_case.h"
#include "sbx.h"
#include "srcmap.h"
#include "strv.h"

#define HEAD_MAX (64 * 1024)
#define TAIL_MAX (16 * 1024)

/*
 * A case with this much data checks that it is streamed, not held: the
 * student program gets an address space MEM_SHORT too small to hold it
 * (a normal program needs a few MiB).
 */
#define BIG_DATA ((uint64_t)32 << 20)
#define MEM_SHORT ((uint64_t)16 << 20)

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static uint64_t default_memory(const struct rcase *c);

static char **
base_env(const struct rcase *c)
{
	char **env = calloc(8, sizeof(*env));
	if (env == NULL)
		return NULL;
	env[0] = strdup("PATH=/usr/local/bin:/usr/bin:/bin");
	env[1] = strdup("LANG=C");
	env[2] = strdup("LC_ALL=C");
	env[3] = strdup("TZ=UTC");
	if (asprintf(&env[4], "HOME=%s", c->cwd) < 0)
		env[4] = NULL;
	/* with a tight address space, a thread's first malloc() must not reserve
	 * an arena of 64 MiB: one arena for all threads */
	if (env[4] && default_memory(c) < ((uint64_t)2 << 30) && default_memory(c) > 0 &&
	    c->p->limits.memory == 0)
		env[5] = strdup("GLIBC_TUNABLES=glibc.malloc.arena_max=1");
	return env;
}

enum out_mode { OUT_PIPE, OUT_PTY_STDOUT, OUT_PTY_ALL };

/*
 * Start a process in the case's sandbox. stdout is a pipe or a pty (line
 * buffering for programs that print with printf and never fflush); stdin is
 * a pipe fed by the pump when `feed` is set, else /dev/null.
 */
static struct rproc *
start_proc(struct rcase *c, const char *role, char **argv, char **envp, const char *cwd,
    enum out_mode mode, int want_stdin, const struct sbx_limits *lim, const int *pass,
    size_t npass, struct sc_err *err)
{
	struct rproc *r;
	int out[2] = { -1, -1 }, er[2] = { -1, -1 }, in[2] = { -1, -1 };
	struct sbx_spawn sp;
	struct termios tio;

	if (c->np >= RUN_MAXPROCS) {
		sc_err_set(err, "too many processes in one case");
		return NULL;
	}
	r = &c->pr[c->np];
	memset(r, 0, sizeof(*r));
	snprintf(r->role, sizeof(r->role), "%s", role);
	r->in_fd = -1;
	cap_init(&r->out, -1, HEAD_MAX, TAIL_MAX);
	cap_init(&r->err, -1, HEAD_MAX, TAIL_MAX);
	r->argv = strv_dup(argv);

	if (mode == OUT_PIPE) {
		if (pipe2(out, O_CLOEXEC) < 0)
			goto sys;
	} else {
		if (openpty(&out[0], &out[1], NULL, NULL, NULL) < 0)
			goto sys;
		fcntl(out[0], F_SETFD, FD_CLOEXEC);
		fcntl(out[1], F_SETFD, FD_CLOEXEC);
		if (tcgetattr(out[1], &tio) == 0) {
			if (mode == OUT_PTY_STDOUT) {
				cfmakeraw(&tio);
			} else {
				/* no echo (typed input would look like output), no \r\n */
				tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
				tio.c_oflag &= ~(tcflag_t)OPOST;
			}
			tcsetattr(out[1], TCSANOW, &tio);
		}
	}
	if (pipe2(er, O_CLOEXEC) < 0)
		goto sys;
	if (want_stdin && mode != OUT_PTY_ALL && pipe2(in, O_CLOEXEC) < 0)
		goto sys;

	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	sp.envp = envp;
	sp.cwd = cwd;
	sp.fd_in = mode == OUT_PTY_ALL ? out[1] : in[0];
	sp.fd_out = out[1];
	sp.fd_err = er[1];
	sp.set_ctty = mode == OUT_PTY_ALL;
	sp.limits = lim;
	for (size_t i = 0; i < npass && i < 3; i++)
		sp.pass_fds[i] = pass[i];
	sp.npass = npass;
	r->t_start = run_now();
	r->pid = sbx_spawn(c->sbx, &sp, err);
	/* a passing shortage of the machine (processes, memory) is not the case's fault */
	for (int tries = 0; r->pid < 0 && !c->ctx->o->no_retry && tries < 3 && (errno == EAGAIN || errno == ENOMEM ||
	    errno == ETXTBSY); tries++) {
		usleep(100000);
		r->pid = sbx_spawn(c->sbx, &sp, err);
	}
	close(out[1]);
	close(er[1]);
	if (in[0] >= 0)
		close(in[0]);
	out[1] = er[1] = in[0] = -1;
	if (r->pid < 0) {
		/* the machine's shortage, not the program's: the harness could not run it */
		r->start_shortage = errno == EAGAIN || errno == ENOMEM || errno == ETXTBSY ||
		    errno == EMFILE || errno == ENFILE;
		r->start_error = strdup(err->msg);
		close(out[0]);
		close(er[0]);
		if (in[1] >= 0)
			close(in[1]);
		c->np++;
		r->ended = 1;
		return r;
	}
	r->started = 1;
	set_nonblock(out[0]);
	set_nonblock(er[0]);
	r->out.fd = out[0];
	r->err.fd = er[0];
	if (mode == OUT_PTY_ALL) {
		r->in_fd = dup(out[0]);
		if (r->in_fd >= 0)
			fcntl(r->in_fd, F_SETFD, FD_CLOEXEC);
		r->in_is_pty = 1;
	} else if (in[1] >= 0) {
		r->in_fd = in[1];
		set_nonblock(r->in_fd);
	}
	r->feed_due = r->t_start;
	c->np++;
	return r;
sys:
	sc_err_sys(err, "starting %s", role);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0) close(out[i]);
		if (er[i] >= 0) close(er[i]);
		if (in[i] >= 0) close(in[i]);
	}
	strv_free(r->argv);
	r->argv = NULL;
	return NULL;
}

/* Stop the whole process group: SIGTERM, a grace period, SIGKILL. */
void
run_stop_procs(struct rcase *c, int at_deadline)
{
	int any = 0;
	double grace;

	/* the student programs held still meanwhile: a client stuck waiting for
	 * an echo must not be woken by a peer's end (its EOF) and finish as if
	 * nothing had been wrong; they get SIGTERM while stopped, then go on
	 * only to receive it */
	for (size_t i = 0; i < c->np; i++)
		if (run_alive(&c->pr[i]) && c->pr[i].student)
			sbx_signal(c->sbx, c->pr[i].pid, SIGSTOP);
	/* the reference peers first, at once: had the student died first, a peer
	 * would log the EOF and reset of its death as if they were the exchange
	 * (their logs are written line by line, nothing is lost) */
	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		struct sc_err err;
		if (!run_alive(r) || r->student)
			continue;
		r->killed = 1;
		r->killed_at_deadline = at_deadline;
		sbx_signal(c->sbx, r->pid, SIGKILL);
		if (sbx_wait(c->sbx, r->pid, 2000, &r->wstatus, &r->ru, &err) == 1) {
			r->ended = 1;
			r->t_end = run_now();
		}
	}
	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		if (!run_alive(r))
			continue;
		r->killed = 1;
		r->killed_at_deadline = at_deadline;
		sbx_signal(c->sbx, r->pid, SIGTERM);
		if (r->student)
			sbx_signal(c->sbx, r->pid, SIGCONT);
		any = 1;
	}
	if (!any)
		return;
	/* valgrind writes its leak records on SIGTERM; give it the time */
	grace = run_now() + (c->memcheck ? 5.0 : 1.0) * (c->factor > 1 ? 1 : 1);
	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		if (!run_alive(r))
			continue;
		double saved = c->deadline;
		c->deadline = grace;
		run_wait_until(c, run_cond_ended, r, grace);
		c->deadline = saved;
	}
	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		if (!run_alive(r))
			continue;
		sbx_signal(c->sbx, r->pid, SIGKILL);
		struct sc_err err;
		if (sbx_wait(c->sbx, r->pid, 2000, &r->wstatus, &r->ru, &err) == 1) {
			r->ended = 1;
			r->t_end = run_now();
		}
	}
}

/* The address space a student program gets by default in this case; 0: no limit. */
static uint64_t
default_memory(const struct rcase *c)
{
	uint64_t size = run_data_size(c->s);

	if (c->memcheck)	/* valgrind reserves address space of its own */
		return 0;
	return size >= BIG_DATA ? size - MEM_SHORT : (uint64_t)2 << 30;
}

/* The student program's limits; as root it also runs under the case's own uid. */
static void
student_limits(const struct rcase *c, struct sbx_limits *lim)
{
	uint64_t size = c->s->input.size > c->s->input.text_len ? c->s->input.size : c->s->input.text_len;

	memset(lim, 0, sizeof(*lim));
	/* defaults: generous for a correct program, tight for a runaway one */
	lim->cpu_s = (rlim_t)(c->deadline - c->t0) + 5;
	lim->fsize_bytes = (rlim_t)(2 * size + 64 * 1024 * 1024);
	lim->nofile = 256;
	lim->nproc = 64;
	lim->as_bytes = (rlim_t)default_memory(c);
	if (c->p->limits.cpu_s)
		lim->cpu_s = c->p->limits.cpu_s;
	if (c->p->limits.file_size)
		lim->fsize_bytes = c->p->limits.file_size;
	if (c->p->limits.open_files)
		lim->nofile = c->p->limits.open_files;
	if (c->p->limits.processes)
		lim->nproc = c->p->limits.processes;
	if (c->p->limits.memory && !c->memcheck)
		lim->as_bytes = c->p->limits.memory;
	if (c->ctx->is_root) {
		lim->drop_uid = 1;
		lim->uid = c->uid;
		lim->gid = (gid_t)c->uid;
	}
}

static enum out_mode
student_out_mode(const struct prof_prog *pp)
{
	switch (pp->stdout_mode) {
	case PROF_STDOUT_PIPE: return OUT_PIPE;
	case PROF_STDOUT_PTY: return OUT_PTY_ALL;
	default: return OUT_PTY_STDOUT;
	}
}

void
run_add_feed(struct rproc *r, unsigned delay_ms, const char *data, size_t len)
{
	struct feed_item *f = realloc(r->feed, (r->nfeed + 1) * sizeof(*f));
	if (f == NULL)
		return;
	r->feed = f;
	f[r->nfeed].delay_ms = delay_ms;
	f[r->nfeed].data = malloc(len ? len : 1);
	if (f[r->nfeed].data == NULL)
		return;
	memcpy(f[r->nfeed].data, data, len);
	f[r->nfeed].len = len;
	r->nfeed++;
}

/*
 * The preload library's environment: the library, the faults (the scenario's
 * inject settings), the program it may act in (not valgrind's launcher, not
 * a shell) and its side channel, a descriptor opened here.
 */
static int
add_inject_env(struct rcase *c, char ***envp, const char *prog, int *side_fd, struct sc_err *err)
{
	char *spec = NULL, *v[9] = { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	size_t len = 0, n = 0;
	const char *base = strrchr(prog, '/');
	FILE *f = open_memstream(&spec, &len);

	if (f == NULL)
		return sc_err_sys(err, "inject");
	for (size_t i = 0; c->inject_on && c->s->inject[i]; i++)
		fprintf(f, "%s%s", i ? ";" : "", c->s->inject[i]);
	fclose(f);
	*side_fd = open(c->inj_report, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (*side_fd < 0) {
		free(spec);
		return sc_err_sys(err, "%s", c->inj_report);
	}
	/* without faults (c->inject_on 0) the library only records call sites
	 * and traces the files the program opens: a server that dies for want of
	 * its file says which */
	if (asprintf(&v[0], "LD_PRELOAD=%s", c->ctx->inject_lib) < 0 ||
	    asprintf(&v[1], "%s%s", c->inject_on ? "SCINJECT=" : "SCINJECT_NONE=", spec) < 0 ||
	    asprintf(&v[2], "SCINJECT_TARGET=%s", base ? base + 1 : prog) < 0 ||
	    asprintf(&v[3], "SCINJECT_FD=%d", SBX_PASS_FD + 2) < 0 ||
	    asprintf(&v[4], "SCINJECT_TRACE=%d", c->trace_opens) < 0 ||
	    asprintf(&v[5], "SCINJECT_SHARED=%d", sbx_mode(c->sbx) == SBX_LOOPBACK) < 0 ||
	    /* call sites for cite.c; valgrind names a crash's line itself */
	    asprintf(&v[6], "SCINJECT_SITES=%d", !c->ctx->o->no_sites) < 0 ||
	    asprintf(&v[7], "SCINJECT_SIGNALS=%d", !c->memcheck) < 0 ||
	    /* no namespace to give the clients' addresses: the library redirects them */
	    asprintf(&v[8], "SCINJECT_REDIRECT=%s", c->redirect) < 0) {
		free(spec);
		return sc_err_sys(err, "inject environment");
	}
	free(spec);
	while ((*envp)[n])
		n++;
	char **ne = realloc(*envp, (n + 10) * sizeof(*ne));
	if (ne == NULL) {
		for (int i = 0; i < 9; i++)
			free(v[i]);
		return sc_err_sys(err, "inject environment");
	}
	for (int i = 0; i < 9; i++)
		ne[n++] = v[i];
	ne[n] = NULL;
	*envp = ne;
	return 0;
}

/*
 * The usage cases' command lines: its usual one with one more argument
 * (extra), or with its port not a number (bad-port: "abc", which atoi()
 * reads as 0). run_case.c skips a program whose command has no port.
 */
static int
spoil_args(char ***argvp, enum scn_args how, unsigned port)
{
	char **argv = *argvp, pbuf[16];
	size_t n = 0;

	while (argv[n])
		n++;
	if (how == SCN_ARGS_BAD_PORT) {
		snprintf(pbuf, sizeof(pbuf), "%u", port);
		for (size_t i = 1; i < n; i++)
			if (strcmp(argv[i], pbuf) == 0) {
				char *w = strdup("abc");
				if (w == NULL)
					return -1;
				free(argv[i]);
				argv[i] = w;
				break;
			}
		return 0;
	}
	char **nv = realloc(argv, (n + 2) * sizeof(*nv));
	if (nv == NULL)
		return -1;
	*argvp = nv;
	if ((nv[n] = strdup("extra")) == NULL)
		return -1;
	nv[n + 1] = NULL;
	return 0;
}

/* A program that valgrind runs is reached when the library announces
 * itself in it (its "loaded" line names the program), or it ended. */
struct reach_arg {
	struct rproc *r;
	char want[96];
};

static int
cond_reached(struct rcase *c, void *arg)
{
	struct reach_arg *a = arg;
	char line[256];
	int found = 0;
	FILE *f;

	if (!run_alive(a->r))
		return 1;
	if ((f = fopen(c->inj_report, "re")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strncmp(line, "loaded ", 7) == 0 && strstr(line, a->want) != NULL;
	fclose(f);
	return found;
}

/*
 * Under valgrind the program runs only after valgrind's own start: 0.5-1.5 s
 * on a quiet machine, far more on a busy one, where the case's deadline
 * could pass before the program ran at all (and a case of fault injection
 * then found the library never loaded). Wait for it, up to REACH_OWN_S of
 * the program's own time (the time it waited for a CPU is not its own) and
 * REACH_WALL_S in all; the wait is added to the deadline: a case's time
 * starts when its program does, whatever the load.
 */
#define REACH_OWN_S 30.0
#define REACH_WALL_S 600.0

static void
wait_reached(struct rcase *c, struct rproc *r, const char *prog)
{
	struct reach_arg a = { .r = r };
	const char *base = strrchr(prog, '/');
	double t = run_now(), deadline = c->deadline, cap = t + REACH_WALL_S;

	snprintf(a.want, sizeof(a.want), " name=%s ", base ? base + 1 : prog);
	c->deadline = cap;	/* run_wait_until stops at the deadline */
	for (double until = t + REACH_OWN_S;;) {
		if (run_wait_until(c, cond_reached, &a, until) || c->w.stalled || c->early.decided ||
		    until >= cap)
			break;
		double own = t + REACH_OWN_S + run_queue_seconds(r);
		if (own <= until + 0.01)
			break;
		until = own < cap ? own : cap;
	}
	c->reach_wait += run_now() - t;
	c->deadline = deadline + (run_now() - t);
}

/* Whether the preload library can enter program `prog` (relative to the
 * working copy): 0 when it is statically linked. */
static int
library_enters(const struct rcase *c, const char *prog)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", c->cwd, prog) >= sizeof(path))
		return 1;
	return srcmap_is_static(prog[0] == '/' ? prog : path) != 1;
}

struct rproc *
run_start_student(struct rcase *c, enum prof_prog_kind kind, const char *role, unsigned port,
    int want_stdin, struct sc_err *err)
{
	const struct prof_prog *pp = &c->p->progs[kind];
	char **argv, **wrapped = NULL, **env;
	int mc_fds[3] = { -1, -1, -1 };	/* valgrind's XML and log, the preload's side channel */
	struct sbx_limits lim;
	struct rproc *r;

	argv = prof_expand(pp->command, pp->host ? pp->host : c->host, port,
	    pp->file ? pp->file : "", pp->out ? pp->out : "", err);
	if (argv == NULL)
		return NULL;
	if (c->s->setup.no_args && argv[0]) {	/* the usage case: the program alone */
		for (size_t i = 1; argv[i]; i++) {
			free(argv[i]);
			argv[i] = NULL;
		}
	}
	if (c->s->setup.args != SCN_ARGS_USUAL && spoil_args(&argv, c->s->setup.args, port) < 0) {
		prof_argv_free(argv);
		sc_err_sys(err, "arguments");
		return NULL;
	}
	if ((env = base_env(c)) == NULL) {
		prof_argv_free(argv);
		sc_err_sys(err, "environment");
		return NULL;
	}
	if (c->memcheck) {
		/* opened here, handed to valgrind as descriptors */
		char mcdir[PATH_MAX - 32];
		if ((size_t)snprintf(mcdir, sizeof(mcdir), "%s/memcheck", c->dir) >= sizeof(mcdir)) {
			sc_err_set(err, "case directory path too long");
			strv_free(env);
			prof_argv_free(argv);
			return NULL;
		}
		if (mkdir(mcdir, 0755) < 0 && errno != EEXIST) {
			sc_err_sys(err, "mkdir %s", mcdir);
			strv_free(env);
			prof_argv_free(argv);
			return NULL;
		}
		snprintf(c->mc_xml, sizeof(c->mc_xml), "%s/memcheck.xml", mcdir);
		snprintf(c->mc_log, sizeof(c->mc_log), "%s/memcheck.log", mcdir);
		mc_fds[0] = open(c->mc_xml, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		mc_fds[1] = open(c->mc_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (mc_fds[0] < 0 || mc_fds[1] < 0) {
			sc_err_sys(err, "%s", mc_fds[0] < 0 ? c->mc_xml : c->mc_log);
			goto mc_fail;
		}
		wrapped = mc_wrap_argv(argv, SBX_PASS_FD, SBX_PASS_FD + 1, err);
		if (wrapped == NULL) {
mc_fail:
			for (int i = 0; i < 2; i++)
				if (mc_fds[i] >= 0)
					close(mc_fds[i]);
			strv_free(env);
			prof_argv_free(argv);
			return NULL;
		}
	}
	student_limits(c, &lim);
	c->trace_opens = kind == PROF_FILE_SERVER && c->ctx->inject_lib != NULL;
	/* sharing the machine's ports, every program gets the library: SO_REUSEADDR
	 * where the case's own namespace would not have needed it */
	c->shared_ports = sbx_mode(c->sbx) == SBX_LOOPBACK && c->ctx->inject_lib != NULL;
	/* and it records the program's call sites in every case (cite.h) */
	if ((c->inject_on || c->trace_opens || c->shared_ports || !c->ctx->o->no_sites) &&
	    c->ctx->inject_lib && add_inject_env(c, &env, argv[0], &mc_fds[2], err) < 0) {
		if (wrapped)
			mc_argv_free(wrapped);
		wrapped = NULL;
		r = NULL;
		goto out;
	}
	r = start_proc(c, role, wrapped ? wrapped : argv, env, c->cwd, student_out_mode(pp),
	    want_stdin, &lim, mc_fds, 3, err);
	/* under valgrind, the case's time starts when the program is reached */
	if (r && r->started && c->memcheck && mc_fds[2] >= 0 && library_enters(c, argv[0]))
		wait_reached(c, r, argv[0]);
out:
	for (int i = 0; i < 3; i++)
		if (mc_fds[i] >= 0)
			close(mc_fds[i]);
	if (r)
		r->student = 1;
	if (r && !r->started && c->ctx->o->build_log) {
		/* "No such file" says less than why the file is missing */
		char *msg;
		if (asprintf(&msg, "%s was not built: the build failed (log: %s)", argv[0],
		    c->ctx->o->build_log) >= 0) {
			free(r->start_error);
			r->start_error = msg;
		}
	}
	if (wrapped)
		mc_argv_free(wrapped);
	prof_argv_free(argv);
	strv_free(env);
	return r;
}

struct rproc *
run_start_peer(struct rcase *c, const char *prog, size_t idx, const struct scn_input *payload,
    char *const *args, struct sc_err *err)
{
	char events[PATH_MAX], role[32];
	char **argv, **env;
	struct rproc *r;
	const struct scn_peer *sp = idx < c->s->npeers ? &c->s->peers[idx] : NULL;

	snprintf(events, sizeof(events), "%s/peer%zu.events", c->dir, idx + 1);
	snprintf(role, sizeof(role), "peer %zu (%s)", idx + 1, prog);
	/* the peer waits for the student as long as the deadline allows: scaled alike */
	argv = peer_argv(c->ctx->o->ref_dir, prog, events, payload,
	    sp ? sp->flags : NULL, sp ? sp->nflags : 0, args, c->factor * c->scale, err);
	if (argv == NULL)
		return NULL;
	env = base_env(c);
	r = start_proc(c, role, argv, env, c->dir, OUT_PIPE,
	    payload && payload->text != NULL, NULL, NULL, 0, err);
	if (r) {
		r->events = strdup(events);
		if (payload && payload->text) {
			run_add_feed(r, 0, payload->text, payload->text_len);
			r->feed_close = 1;
		}
	}
	peer_argv_free(argv);
	strv_free(env);
	return r;
}
