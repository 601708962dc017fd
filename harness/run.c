/*
 * run: the planner (which cases, with which points) and the scheduler
 * (a pool of threads, one case each at a time), plus the build step.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asg.h"
#include "fnd.h"
#include "fsx.h"
#include "isol.h"
#include "kind.h"
#include "run_int.h"
#include "trim.h"
#include "sbx.h"
#include <semaphore.h>

struct plan_item {
	const struct scn *s;
	unsigned points;
	int hidden;
	double scale;
};

struct pool {
	struct run_ctx *ctx;
	struct plan_item *items;
	size_t n, next, done;
	unsigned repeat;	/* runs per case (1 normally) */
	struct res_case *cases;
	struct run_queue q;	/* which run starts next (run_int.h) */
	pthread_mutex_t lock;
};

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The harness could not run the case (a reference peer that did not start,
 * a fork that failed): nothing the submission did. */
static int
could_not_run(const struct res_case *c)
{
	return c->verdict == RES_ERROR && c->summary &&
	    strncmp(c->summary, "could not run the case", 22) == 0;
}

/*
 * Run case i once more; the second outcome stands, and says that there was
 * a first (such errors are rare: each one should leave a trace).
 */
static void
run_again(struct pool *pl, size_t i, unsigned attempt, struct res_case *c)
{
	char *first = c->summary;
	char *note = NULL;

	c->summary = NULL;
	res_case_free(c);
	run_case(pl->ctx, pl->items[i].s, pl->items[i].points, pl->items[i].hidden,
	    pl->items[i].scale, attempt, c);
	if (asprintf(&note, "%s%sThis is a second attempt; the first %s.",
	    c->diagnosis ? c->diagnosis : "", c->diagnosis ? " " : "", first) >= 0) {
		free(c->diagnosis);
		c->diagnosis = note;
	}
	free(first);
}

/* A case's logs, once its run is folded into another (--repeat). */
static void
drop_run(struct res_case *c, int keep)
{
	struct sc_err err;

	if (!keep && c->case_dir)
		fsx_remove_tree(c->case_dir, &err);
	res_case_free(c);
}

/*
 * --repeat: fold one more run `t` of a case into `k`, the run that stands
 * for it (the first that did not pass, else the first): counts per verdict,
 * and when they disagree, flaky with the other outcome. `t` is consumed.
 */
static void
fold_run(struct res_case *k, struct res_case *t, int keep)
{
	if (k->id == NULL) {
		*k = *t;
		memset(t, 0, sizeof(*t));
		k->runs = 1;
		k->nverdict[k->verdict]++;
		return;
	}
	k->runs++;
	k->nverdict[t->verdict]++;
	if (t->verdict != k->verdict) {
		k->flaky = 1;
		if (k->verdict == RES_PASS) {
			/* the failure stands for the case; the pass is the other outcome */
			struct res_case old = *k;
			*k = *t;
			memset(t, 0, sizeof(*t));
			k->runs = old.runs;
			memcpy(k->nverdict, old.nverdict, sizeof(k->nverdict));
			k->flaky = 1;
			k->other_verdict = old.verdict;
			k->other_summary = strdup(old.summary ? old.summary : "");
			drop_run(&old, keep);
			return;
		}
		if (k->other_summary == NULL) {
			k->other_verdict = t->verdict;
			k->other_summary = strdup(t->summary ? t->summary : "");
		}
	}
	drop_run(t, keep);
}

/* Wait up to a second for a heavy case to end (a wait with a deadline: the
 * caller looks at its stop flag again). 1: this worker now holds a CPU. */
static int
wait_cpu(sem_t *cpus)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 1;
	return sem_timedwait(cpus, &ts) == 0;
}

static void *
worker(void *arg)
{
	struct pool *pl = arg;
	const struct run_opts *o = pl->ctx->o;
	int cpu = 0;

	for (;;) {
		size_t i, k;
		unsigned attempt;
		int left = 0;
		struct res_case one, *c;
		/* several runs at once (sockcheck grade) share `slots` */
		while (o->slots && sem_wait(o->slots) < 0 && errno == EINTR)
			;
		for (;;) {
			pthread_mutex_lock(&pl->lock);
			k = (o->stop && *o->stop) ? SIZE_MAX : run_queue_pick(&pl->q, &cpu, &left);
			pthread_mutex_unlock(&pl->lock);
			if (k != SIZE_MAX || !left || (o->stop && *o->stop))
				break;
			/* only heavy cases are left and every CPU is taken */
			if (!cpu)
				cpu = wait_cpu(pl->q.cpus);
		}
		if (k == SIZE_MAX) {
			if (o->slots)
				sem_post(o->slots);
			if (cpu)
				sem_post(pl->q.cpus);
			return NULL;
		}
		/* --repeat: the whole plan, then the whole plan again, ... */
		i = pl->q.order[k % pl->n];
		attempt = pl->repeat > 1 ? (unsigned)(k / pl->n) + 1 : 0;
		memset(&one, 0, sizeof(one));
		c = pl->repeat > 1 ? &one : &pl->cases[i];

		run_case(pl->ctx, pl->items[i].s, pl->items[i].points, pl->items[i].hidden,
		    pl->items[i].scale, attempt, c);
		if (!o->no_retry && could_not_run(c) && !(o->stop && *o->stop))
			run_again(pl, i, attempt, c);
		if (cpu) {
			sem_post(pl->q.cpus);
			cpu = 0;
		}
		if (o->slots)
			sem_post(o->slots);

		pthread_mutex_lock(&pl->lock);
		pl->done++;
		if (o->progress)
			o->progress(o->progress_ctx, c, pl->done, pl->n * pl->repeat);
		if (c == &one)
			fold_run(&pl->cases[i], &one, o->keep);
		pthread_mutex_unlock(&pl->lock);
	}
}

/* The longest case first; the plan's order among equals. */
static int
by_estimate(const void *a, const void *b, void *arg)
{
	const double *est = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (est[x] != est[y])
		return est[x] > est[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* pl->q.order, pl->q.heavy and pl->q.taken for the plan; -1 when out of memory. */
static int
schedule(struct pool *pl)
{
	double *est = calloc(pl->n ? pl->n : 1, sizeof(*est));

	pl->q.order = calloc(pl->n ? pl->n : 1, sizeof(*pl->q.order));
	pl->q.heavy = calloc(pl->n ? pl->n : 1, 1);
	pl->q.taken = calloc(pl->n * pl->repeat + 1, 1);
	pl->q.n = pl->n;
	pl->q.repeat = pl->repeat;
	if (est == NULL || pl->q.order == NULL || pl->q.heavy == NULL || pl->q.taken == NULL) {
		free(est);
		return -1;
	}
	for (size_t i = 0; i < pl->n; i++) {
		pl->q.order[i] = i;
		est[i] = run_case_estimate(pl->ctx, pl->items[i].s);
		pl->q.heavy[i] = (unsigned char)run_case_heavy(pl->ctx, pl->items[i].s);
	}
	qsort_r(pl->q.order, pl->n, sizeof(*pl->q.order), by_estimate, est);
	free(est);
	return 0;
}

static char *
iso_now(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return strdup(buf);
}

static size_t
plan(const struct scn_suite *suite, const struct run_opts *o, struct plan_item *items)
{
	size_t n = 0;

	for (size_t i = 0; i < suite->count; i++) {
		const struct scn *s = suite->items[i];
		unsigned points = s->points;
		int hidden = 0;
		double scale = o->timeout_scale > 0 ? o->timeout_scale : 1.0;
		double ascale = 1.0;

		if (o->only && !scn_id_matches(s->id, o->only))
			continue;
		if (o->assignment && !asg_lookup(o->assignment, s, &points, &hidden, &ascale))
			continue;
		items[n++] = (struct plan_item){ s, points, hidden, scale * ascale };
	}
	return n;
}

/* Unfinished cases of an interrupted run are reported as such. */
static void
mark_unfinished(struct res_case *c, const struct scn *s, unsigned points, int hidden)
{
	if (c->id != NULL)
		return;
	c->id = strdup(s->id);
	c->title = strdup(s->title ? s->title : s->id);
	c->protocol = strdup(scn_protocol_name(s->protocol));
	c->role = strdup(scn_role_name(s->role));
	c->level = strdup(scn_level_name(s->level));
	c->points = points;
	c->hidden = hidden;
	c->verdict = RES_ERROR;
	c->summary = strdup("not run: the run was interrupted");
	c->capture_note = strdup("the case did not run");
	c->t_stall = c->t_stop = -1;
}

/*
 * The convention finder for the programs the plan needs (fnd.h), then the
 * effective profile the cases read: the profile's keys, else what was found.
 */
static int
find_conventions(struct run_ctx *ctx, const struct scn_suite *suite, const struct pool *pl,
    struct fnd_result *found, struct prof *eff, struct sc_err *err)
{
	const struct run_opts *o = ctx->o;
	int need[PROF_NPROGS] = { 0 };
	struct fnd_env fe;

	(void)suite;
	for (size_t i = 0; i < pl->n; i++) {
		const struct scn *s = pl->items[i].s;
		if (s->role != SCN_CLIENT)
			need[kind_student(s, 0)] = 1;
		if (s->role != SCN_SERVER)
			need[kind_student(s, 1)] = 1;
	}
	memset(&fe, 0, sizeof(fe));
	fe.built_dir = ctx->built_dir;
	fe.work_dir = o->work_dir;
	fe.cache_dir = o->finder_cache;
	fe.ref_dir = o->ref_dir;
	fe.inject_lib = ctx->inject_lib;
	fe.want_netns = o->want_netns ? 1 : 0;
	fe.is_root = ctx->is_root;
	fe.need = need;
	/* several runs at once (grade): one program probed at a time in each, and
	 * no more runs probing than CPUs, as heavy cases: a probe's waits must
	 * not run out while the machine is busy with the others */
	fe.serial = o->cpus != NULL;
	if (!o->no_finder && !(o->stop && *o->stop)) {
		int rc;
		while (o->cpus && sem_wait(o->cpus) < 0 && errno == EINTR)
			;
		rc = fnd_run(&fe, ctx->p, found, err);
		if (o->cpus)
			sem_post(o->cpus);
		if (rc < 0)
			return -1;
	}
	return fnd_effective(ctx->p, found, eff, err);
}

/* The isolation the cases had, once for the report's top (isol.h). */
static void
isolation_said(const struct run_ctx *ctx, struct res_run *out)
{
	enum isol_kind k = ctx->nloopback ? ISOL_NONE : ctx->is_root ? ISOL_ROOT : ISOL_USERNS;
	const char *cost = isol_cost(k);
	const struct res_case *red = NULL;
	size_t nred = 0;

	if (ctx->nloopback + ctx->nnetns == 0)
		return;
	/* a client's own address redirected to loopback: said once here too */
	for (size_t i = 0; i < out->ncases; i++)
		if (out->cases[i].redirected && nred++ == 0)
			red = &out->cases[i];
	out->isolation = strdup(isol_key(k));
	if (asprintf(&out->isolation_note, "%s: %s%s%s%s%s%s%s%s", isol_name(k),
	    k == ISOL_NONE ? ctx->ns_why : k == ISOL_ROOT ? "running as root" :
	    "unprivileged, through user namespaces",
	    k == ISOL_NONE && ctx->nnetns ? " (some cases had namespaces, the others not)" : "",
	    *cost ? ". What it costs: " : "", cost, red ? ". In " : "", red ? red->id : "",
	    red ? ": " : "", red ? red->redirected : "") < 0)
		out->isolation_note = NULL;
	if (nred > 1 && out->isolation_note) {
		char *more;
		if (asprintf(&more, "%s (and alike in %zu other case%s)", out->isolation_note, nred - 1,
		    nred == 2 ? "" : "s") >= 0) {
			free(out->isolation_note);
			out->isolation_note = more;
		}
	}
	if (ctx->tw_prog && out->isolation_note) {
		char *more;
		if (asprintf(&more, "%s. %s %s (no SO_REUSEADDR from sockcheck's library) and "
		    "its port is fixed: its cases waited %.0f s in all for the TIME-WAIT the one "
		    "before left on it", out->isolation_note, ctx->tw_prog, ctx->tw_why,
		    ctx->tw_waited) >= 0) {
			free(out->isolation_note);
			out->isolation_note = more;
		}
	}
}

int
run_suite(const struct scn_suite *suite, const struct prof *p, const char *src_dir,
    const char *built_dir, const struct run_opts *o, struct res_run *out, struct sc_err *err)
{
	struct run_ctx ctx;
	struct pool pl;
	pthread_t *threads;
	unsigned jobs = o->jobs;
	double t0 = now_s();
	struct prof eff;
	struct fnd_result found;
	char *conventions = NULL;
	sem_t own_cpus;

	memset(out, 0, sizeof(*out));
	memset(&ctx, 0, sizeof(ctx));
	ctx.p = p;
	ctx.o = o;
	ctx.src_dir = src_dir;
	ctx.built_dir = built_dir;
	ctx.is_root = geteuid() == 0;
	ctx.netns_ok = 1;
	if ((size_t)snprintf(ctx.cases_dir, sizeof(ctx.cases_dir), "%s/cases", o->work_dir) >=
	    sizeof(ctx.cases_dir))
		return sc_err_set(err, "work directory name too long");
	if (fsx_mkdirs(ctx.cases_dir, err) < 0)
		return -1;
	/* a student program running as nobody must reach its working copy */
	chmod(o->work_dir, 0755);
	chmod(ctx.cases_dir, 0755);
	/* what the programs open by absolute path, where their uid reaches it */
	if (reach_open(&ctx.reach, ctx.is_root, ctx.cases_dir, o->inject_lib, err) < 0)
		return -1;
	if (ctx.reach.cases_there)
		snprintf(ctx.scratch_dir, sizeof(ctx.scratch_dir), "%s", ctx.reach.root);
	ctx.inject_lib = reach_inject(&ctx.reach);
	pthread_mutex_init(&ctx.lock, NULL);
	pthread_mutex_init(&ctx.fixed_port_lock, NULL);

	memset(&pl, 0, sizeof(pl));
	pl.ctx = &ctx;
	pl.items = calloc(suite->count ? suite->count : 1, sizeof(*pl.items));
	if (pl.items == NULL) {
		reach_close(&ctx.reach, 0);
		return sc_err_sys(err, "plan");
	}
	pl.n = plan(suite, o, pl.items);
	pl.cases = calloc(pl.n ? pl.n : 1, sizeof(*pl.cases));
	if (pl.cases == NULL) {
		free(pl.items);
		reach_close(&ctx.reach, 0);
		return sc_err_sys(err, "plan");
	}
	pl.repeat = o->repeat > 1 ? o->repeat : 1;
	if (schedule(&pl) < 0) {
		free(pl.items);
		free(pl.cases);
		free(pl.q.order);
		free(pl.q.heavy);
		free(pl.q.taken);
		reach_close(&ctx.reach, 0);
		return sc_err_sys(err, "plan");
	}
	pthread_mutex_init(&pl.lock, NULL);

	/* how each program of the plan is run: the finder observes it, the profile overrides */
	memset(&found, 0, sizeof(found));
	if (find_conventions(&ctx, suite, &pl, &found, &eff, err) < 0) {
		free(pl.items);
		free(pl.cases);
		free(pl.q.order);
		free(pl.q.heavy);
		free(pl.q.taken);
		pthread_mutex_destroy(&pl.lock);
		pthread_mutex_destroy(&ctx.lock);
		pthread_mutex_destroy(&ctx.fixed_port_lock);
		reach_close(&ctx.reach, 0);
		return -1;
	}
	ctx.p = &eff;
	conventions = fnd_describe(p, &found);
	fnd_result_free(&found);

	if (jobs == 0) {
		jobs = run_default_jobs();
	}
	pl.q.cpus = o->cpus;
	if (pl.q.cpus == NULL) {
		pl.q.cpus = &own_cpus;
		sem_init(&own_cpus, 0, run_cpus());
	}
	if (jobs > pl.n * pl.repeat)
		jobs = pl.n ? (unsigned)(pl.n * pl.repeat) : 1;
	threads = calloc(jobs, sizeof(*threads));
	for (unsigned i = 0; threads && i < jobs; i++)
		if (pthread_create(&threads[i], NULL, worker, &pl) != 0) {
			jobs = i;
			break;
		}
	if (threads == NULL || jobs == 0)
		worker(&pl);
	for (unsigned i = 0; threads && i < jobs; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	if (!o->keep) {
		/* whatever the programs wrote, the report stays under its cap (a
		 * fifth of it left for the report files written next) */
		uint64_t cap = o->report_cap;
		unsigned removed;
		struct sc_err e;
		if (p->limits.report && (cap == 0 || p->limits.report < cap))
			cap = p->limits.report;
		if (cap == 0)
			cap = TRIM_REPORT_CAP;
		trim_to_cap(o->work_dir, cap - cap / 5, &removed, &e);
	}

	out->tool_version = strdup(SOCKCHECK_VERSION);
	out->submission = strdup(src_dir);
	out->suite = strdup("");
	out->started = iso_now();
	out->cases = pl.cases;
	out->ncases = pl.n;
	for (size_t i = 0; i < pl.n; i++) {
		mark_unfinished(&pl.cases[i], pl.items[i].s, pl.items[i].points, pl.items[i].hidden);
		pl.cases[i].targets = pl.items[i].s->targets;	/* for res_tally's payers */
		pl.cases[i].target_causes = pl.items[i].s->target_causes;
	}
	out->interrupted = o->stop && *o->stop;
	out->repeat = pl.repeat;
	out->conventions = conventions;
	isolation_said(&ctx, out);
	out->seconds = now_s() - t0;
	prof_free(&eff);
	res_tally(out);
	free(pl.items);
	free(pl.q.order);
	free(pl.q.heavy);
	free(pl.q.taken);
	if (pl.q.cpus == &own_cpus)
		sem_destroy(&own_cpus);
	/* the working copies of failed cases: kept with --keep only */
	reach_close(&ctx.reach, o->keep);
	pthread_mutex_destroy(&pl.lock);
	pthread_mutex_destroy(&ctx.lock);
	pthread_mutex_destroy(&ctx.fixed_port_lock);
	return 0;
}

/* ---- build ---- */


unsigned
run_cpus(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	return ncpu < 1 ? 1 : ncpu > 256 ? 256 : (unsigned)ncpu;
}

unsigned
run_default_jobs(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (ncpu < 1)
		ncpu = 1;
	return ncpu > 64 ? 256 : (unsigned)ncpu * RUN_JOBS_PER_CORE;
}
