/*
 * grade: a whole class in one command (grade.h): list the students, grade
 * the changed ones on a pool of threads, then write the class's outputs
 * (grade_book.c). Fingerprints: grade_hash.c; the stamp: grade_stamp.c;
 * merge: grade_merge.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsx.h"
#include "grade_int.h"
#include "prof.h"
#include "results.h"
#include "rpt.h"
#include "run.h"
#include "trim.h"
#include "sbx.h"

/* ---- grading ---- */

struct student {
	char *name;
	char sub[PATH_MAX];
	char hash[65];
	char hash_err[SC_ERR_MSG_MAX];
	double prev_seconds;	/* its last grading took this long; -1 unknown */
};

struct gctx {
	const struct grade_opts *o;
	const struct grade_cols *cols;
	char config[65];
	char students_dir[PATH_MAX];
	char *formats;		/* o->formats with json (and html) first */
	struct student *st;
	size_t nst;
	size_t *queue, nqueue, next, done;
	unsigned jobs_per;	/* threads of each student's run */
	sem_t slots;		/* cases in flight over all students */
	sem_t cpus;		/* heavy cases in flight over all students (run.h) */
	size_t workers;
	double t0;
	size_t graded, errors;
	int interrupted;
	double student_seconds;
	double partial;		/* sum of the in-progress students' done fractions */
	pthread_mutex_t lock;
};

/* One student's share in the progress: the fraction of its cases done. */
struct case_progress {
	struct gctx *g;
	double credited;	/* added to g->partial so far */
};

/* Under g->lock: the pending work done so far, 0..1. */
static double
work_fraction(const struct gctx *g)
{
	double f = g->nqueue ? ((double)g->done + g->partial) / (double)g->nqueue : 1.0;

	return f < 0 ? 0 : f > 1 ? 1 : f;
}

/* run_opts.progress of one student's run: a case ended. */
static void
case_ended(void *ctx, const struct res_case *c, size_t done, size_t total)
{
	struct case_progress *cp = ctx;
	struct gctx *g = cp->g;
	double f = total ? (double)done / (double)total : 1.0;

	(void)c;
	pthread_mutex_lock(&g->lock);
	g->partial += f - cp->credited;
	cp->credited = f;
	if (g->o->progress) {
		struct grade_event ev = {
			.kind = GRADE_EV_CASE, .total = g->nst, .pending = g->nqueue,
			.skipped = g->nst - g->nqueue, .done = g->done, .workers = g->workers,
			.elapsed = grade_now_s() - g->t0, .fraction = work_fraction(g),
		};
		g->o->progress(g->o->progress_ctx, &ev);
	}
	pthread_mutex_unlock(&g->lock);
}

/* Whether `st` needs no grading; notes how long its last grading took. */
static int
unchanged(const struct gctx *g, struct student *st)
{
	char dir[PATH_MAX], sdir[PATH_MAX + 16], res[PATH_MAX + 16], why[PATH_MAX + 256];
	struct grade_stamp s;
	int have;

	grade_pathf(dir, sizeof(dir), "%s/%s", g->students_dir, st->name);
	have = grade_stamp_read(dir, &s, why, sizeof(why)) > 0;
	st->prev_seconds = have && s.complete ? s.seconds : -1;
	if (g->o->force || st->hash[0] == '\0')
		return 0;
	if (!have || !s.complete || strcmp(s.sub_hash, st->hash) != 0 ||
	    strcmp(s.config, g->config) != 0)
		return 0;
	if (!grade_build_has_results(s.build))
		return fsx_is_file((grade_pathf(res, sizeof(res), "%s/build.log", dir), res));
	grade_pathf(res, sizeof(res), "%s/results.json", dir);
	grade_pathf(sdir, sizeof(sdir), "%s/student", dir);
	/* results the gradebook could not read are graded again */
	return grade_results_readable(res) && grade_formats_present(g->formats, dir) &&
	    grade_formats_present(g->o->student_formats, sdir);
}

/* Remove what grading need not keep: the built copy, each case's working copy. */
static void
prune_work(const char *work)
{
	char path[PATH_MAX];
	struct sc_err e;
	DIR *d;
	struct dirent *ent;

	grade_pathf(path, sizeof(path), "%s/build", work);
	fsx_remove_tree(path, &e);
	grade_pathf(path, sizeof(path), "%s/cases", work);
	if ((d = opendir(path)) == NULL)
		return;
	while ((ent = readdir(d)) != NULL) {
		char sub[PATH_MAX];
		if (ent->d_name[0] == '.')
			continue;
		if ((size_t)grade_pathf(sub, sizeof(sub), "%s/%s/work", path, ent->d_name) < sizeof(sub))
			fsx_remove_tree(sub, &e);
	}
	closedir(d);
}

static void
log_append(const char *path, const char *text)
{
	FILE *f = fopen(path, "ae");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* 1 when the log says the build ran out of time (run_build's note). */
static int
build_timed_out(const char *log)
{
	FILE *f = fopen(log, "re");
	char line[512];
	int hit = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "sockcheck: build stopped after", 30) == 0)
			hit = 1;
	if (f)
		fclose(f);
	return hit;
}

/*
 * A case the harness could not run (a reference peer that did not come up,
 * a fork that failed for lack of processes or memory): not the student's
 * doing as far as can be told, and it must not cost points by chance.
 */
static int
transient(const struct res_case *c)
{
	if (c->verdict != RES_ERROR)
		return 0;
	if (c->summary && strncmp(c->summary, "could not run the case", 22) == 0)
		return 1;
	for (size_t k = 0; k < c->nchecks; k++) {
		const struct res_check *ck = &c->checks[k];
		if (!ck->ok && strcmp(ck->name, "start") == 0 && ck->actual &&
		    (strstr(ck->actual, "Resource temporarily unavailable") ||
		    strstr(ck->actual, "Cannot allocate memory")))
			return 1;
	}
	return 0;
}

/* Run the transient errors of `run` once more; the second outcome stands. */
static void
retry_transient(struct res_run *run, const struct grade_opts *o, const struct prof *prof,
    const char *sub, const char *built, const struct run_opts *ro)
{
	char only[1024] = "";
	size_t len = 0, n = 0;
	struct run_opts again = *ro;
	struct res_run rerun;
	struct sc_err e;

	again.progress = NULL;	/* the student's cases are already counted */

	for (size_t i = 0; i < run->ncases; i++) {
		if (!transient(&run->cases[i]))
			continue;
		size_t idl = strlen(run->cases[i].id);
		if (len + idl + 2 > sizeof(only) || ++n > 8)
			return;	/* that many: the submission's own doing, or a broken machine */
		len += (size_t)grade_pathf(only + len, sizeof(only) - len, "%s%s", len ? "," : "",
		    run->cases[i].id);
	}
	if (n == 0)
		return;
	again.only = only;
	if (run_suite(o->suite, prof, sub, built, &again, &rerun, &e) < 0)
		return;
	for (size_t j = 0; j < rerun.ncases; j++)
		for (size_t i = 0; i < run->ncases; i++)
			if (strcmp(run->cases[i].id, rerun.cases[j].id) == 0) {
				res_case_free(&run->cases[i]);
				run->cases[i] = rerun.cases[j];
				memset(&rerun.cases[j], 0, sizeof(rerun.cases[j]));
				break;
			}
	run->interrupted |= rerun.interrupted;
	res_run_free(&rerun);
	res_tally(run);
}

/*
 * Grade one student into students/NAME. Returns 1 when interrupted (no
 * stamp written), else 0; the stamp says how it went.
 */
static int
grade_one(struct gctx *g, const struct student *st, struct grade_stamp *s, struct case_progress *cp)
{
	const struct grade_opts *o = g->o;
	char dir[PATH_MAX], work[PATH_MAX + 8], built[PATH_MAX + 16], blog[PATH_MAX + 16];
	char sdir[PATH_MAX + 16];
	struct sc_err e;
	struct prof prof;
	struct run_opts ro;
	struct res_run run;
	unsigned timeout;
	int built_ok = 0, interrupted = 0;
	double t0 = grade_now_s();

	memset(s, 0, sizeof(*s));
	sc_err_clear(&e);
	memcpy(s->sub_hash, st->hash, sizeof(s->sub_hash));
	memcpy(s->config, g->config, sizeof(s->config));
	grade_pathf(dir, sizeof(dir), "%s/%s", g->students_dir, st->name);
	grade_pathf(work, sizeof(work), "%s/work", dir);
	grade_pathf(built, sizeof(built), "%s/build", work);
	grade_pathf(blog, sizeof(blog), "%s/build.log", dir);
	grade_pathf(sdir, sizeof(sdir), "%s/student", dir);
	grade_pathf(s->build, sizeof(s->build), "error");
	s->complete = 0;
	s->max_score = 0;
	for (size_t i = 0; i < g->cols->n; i++)
		s->max_score += g->cols->v[i].points;

	if (fsx_remove_tree(dir, &e) < 0 || fsx_mkdirs(dir, &e) < 0) {
		grade_pathf(s->message, sizeof(s->message), "%s", e.msg);
		goto done;
	}
	if (st->hash[0] == '\0') {
		grade_pathf(s->message, sizeof(s->message), "%s", st->hash_err);
		goto done;
	}
	if (prof_load(st->sub, &prof, &e) < 0) {
		/* the student's sockcheck.yaml is wrong: that is the student's build failing */
		char text[SC_ERR_MSG_MAX + 600];
		grade_pathf(text, sizeof(text), "sockcheck.yaml: %s%s%.0d%s%.0d%s%s\n%s\n",
		    e.file, e.file[0] ? ":" : "", e.line, e.line ? ":" : "", e.col,
		    e.col ? ":" : "", e.file[0] ? " " : "", e.msg);
		log_append(blog, text);
		grade_pathf(s->build, sizeof(s->build), "failed");
		s->complete = 1;
		goto done;
	}
	timeout = prof.build_timeout_s;
	if (o->assignment && o->assignment->build_timeout_s &&
	    (timeout == 0 || timeout > o->assignment->build_timeout_s))
		timeout = o->assignment->build_timeout_s;
	if (o->build_timeout_s && (timeout == 0 || timeout > o->build_timeout_s))
		timeout = o->build_timeout_s;
	if (run_build(st->sub, built, &prof, blog, timeout, &built_ok, &e) < 0) {
		grade_pathf(s->message, sizeof(s->message), "build: %s", e.msg);
		prof_free(&prof);
		goto done;
	}
	if (!built_ok) {
		grade_pathf(s->build, sizeof(s->build), "%s", build_timed_out(blog) ? "timeout" : "failed");
		s->complete = 1;
		prof_free(&prof);
		goto done;
	}

	memset(&ro, 0, sizeof(ro));
	ro.ref_dir = o->ref_dir;
	ro.inject_lib = o->inject_lib;
	ro.work_dir = work;
	ro.only = o->only;
	ro.jobs = g->jobs_per;
	ro.timeout_scale = o->timeout_scale > 0 ? o->timeout_scale : 1.0;
	ro.memcheck = o->memcheck;
	if (ro.memcheck < 0 && o->assignment)
		ro.memcheck = o->assignment->memcheck;
	ro.want_netns = o->want_netns;
	ro.no_capture = o->no_capture;
	ro.keep = o->keep;
	ro.no_retry = o->no_retry;
	ro.assignment = o->assignment;
	/* a student's sockcheck.yaml can lower the cap of the class, not raise it */
	ro.report_cap = o->assignment && o->assignment->report_cap ? o->assignment->report_cap :
	    TRIM_REPORT_CAP;
	ro.slots = &g->slots;
	ro.cpus = &g->cpus;
	ro.stop = o->stop;
	ro.progress = case_ended;
	ro.progress_ctx = cp;
	if (run_suite(o->suite, &prof, st->sub, built, &ro, &run, &e) < 0) {
		grade_pathf(s->message, sizeof(s->message), "run: %s", e.msg);
		prof_free(&prof);
		goto done;
	}
	if (!run.interrupted && !o->no_retry)
		retry_transient(&run, o, &prof, st->sub, built, &ro);
	prof_free(&prof);
	if (run.interrupted) {
		interrupted = 1;
		res_run_free(&run);
		goto done;
	}
	free(run.suite);
	run.suite = strdup(o->suite_dir ? o->suite_dir : "");
	/* the run must have the planned cases, in order */
	int same = run.ncases == g->cols->n;
	size_t skips = 0;
	for (size_t i = 0; same && i < run.ncases; i++) {
		same = strcmp(run.cases[i].id, g->cols->v[i].id) == 0 &&
		    run.cases[i].points == g->cols->v[i].points;
		skips += run.cases[i].verdict == RES_SKIP;
	}
	if (!same) {
		grade_pathf(s->message, sizeof(s->message), "internal: the run's cases differ from the "
		    "plan");
		res_run_free(&run);
		goto done;
	}
	struct rpt_opts full = { .color = 0, .verbose = 0, .student_view = 0 };
	struct rpt_opts student = { .color = 0, .verbose = 0, .student_view = 1 };
	if (rpt_write_all(&run, g->formats, dir, &full, &e) < 0 ||
	    (o->student_formats && rpt_write_all(&run, o->student_formats, sdir, &student, &e) < 0)) {
		grade_pathf(s->message, sizeof(s->message), "reports: %s", e.msg);
		res_run_free(&run);
		goto done;
	}
	grade_pathf(s->build, sizeof(s->build), "%s", skips == run.ncases ? "no-programs" : "ok");
	s->score = run.score;
	s->max_score = run.max_score;
	s->complete = 1;
	res_run_free(&run);
done:
	if (!o->keep)
		prune_work(work);
	s->seconds = grade_now_s() - t0;
	if (interrupted)
		return 1;
	if (grade_stamp_write(dir, st->name, s, &e) < 0) {
		s->complete = 0;
		grade_pathf(s->build, sizeof(s->build), "error");
		grade_pathf(s->message, sizeof(s->message), "%s", e.msg);
	}
	return 0;
}

static void *
worker(void *arg)
{
	struct gctx *g = arg;
	const struct grade_opts *o = g->o;

	for (;;) {
		size_t i;
		struct grade_stamp s;
		int intr;

		pthread_mutex_lock(&g->lock);
		if (g->next >= g->nqueue || (o->stop && *o->stop)) {
			if (g->next < g->nqueue)
				g->interrupted = 1;	/* students left ungraded */
			pthread_mutex_unlock(&g->lock);
			return NULL;
		}
		i = g->queue[g->next++];
		pthread_mutex_unlock(&g->lock);

		struct case_progress cp = { .g = g, .credited = 0 };
		intr = grade_one(g, &g->st[i], &s, &cp);

		pthread_mutex_lock(&g->lock);
		g->partial -= cp.credited;
		if (intr) {
			g->interrupted = 1;
			pthread_mutex_unlock(&g->lock);
			continue;
		}
		g->done++;
		g->graded++;
		g->student_seconds += s.seconds;
		if (!s.complete)
			g->errors++;
		if (o->progress) {
			struct grade_event ev = {
				.kind = GRADE_EV_DONE, .total = g->nst, .pending = g->nqueue,
				.skipped = g->nst - g->nqueue, .done = g->done, .workers = g->workers,
				.student = g->st[i].name, .build = s.build, .score = s.score,
				.max_score = s.max_score, .seconds = s.seconds,
				.elapsed = grade_now_s() - g->t0, .fraction = work_fraction(g),
				.message = s.message[0] ? s.message : NULL,
			};
			o->progress(o->progress_ctx, &ev);
		}
		pthread_mutex_unlock(&g->lock);
	}
}

static int
cmp_longest(const void *a, const void *b, void *arg)
{
	const struct student *st = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	double sx = st[x].prev_seconds < 0 ? 1e300 : st[x].prev_seconds;
	double sy = st[y].prev_seconds < 0 ? 1e300 : st[y].prev_seconds;

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The students of the class (sorted), this shard's only; `skip` is the output directory. */
static int
list_students(const struct grade_opts *o, const struct stat *skip, struct student **out,
    size_t *count, struct sc_err *err)
{
	DIR *d = opendir(o->class_dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, k = 0;
	struct student *st;

	*out = NULL;
	*count = 0;
	if (d == NULL)
		return sc_err_sys(err, "%s", o->class_dir);
	while ((e = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat sb;

		if (e->d_name[0] == '.')
			continue;
		if ((size_t)grade_pathf(path, sizeof(path), "%s/%s", o->class_dir, e->d_name) >=
		    sizeof(path) - 64)
			continue;
		if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
			continue;
		if (skip && sb.st_dev == skip->st_dev && sb.st_ino == skip->st_ino)
			continue;
		if (o->shard_n > 1 && grade_shard_of(e->d_name, o->shard_n) != o->shard_k)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nv = realloc(names, cap * sizeof(*nv));
			if (nv == NULL)
				goto oom;
			names = nv;
		}
		if ((names[n] = strdup(e->d_name)) == NULL)
			goto oom;
		n++;
	}
	closedir(d);
	d = NULL;
	qsort(names, n, sizeof(*names), grade_cmp_str);
	if ((st = calloc(n ? n : 1, sizeof(*st))) == NULL)
		goto oom;
	for (k = 0; k < n; k++) {
		char path[PATH_MAX];
		st[k].name = names[k];
		/* a student directory may be a symlink: grade what it points to */
		grade_pathf(path, sizeof(path), "%s/%s", o->class_dir, names[k]);
		if (realpath(path, st[k].sub) == NULL)
			grade_pathf(st[k].sub, sizeof(st[k].sub), "%s", path);
	}
	free(names);
	*out = st;
	*count = n;
	return 0;
oom:
	if (d)
		closedir(d);
	grade_free_strings(names, n);
	return sc_err_sys(err, "listing %s", o->class_dir);
}


int
grade_class(const struct grade_opts *o, struct grade_result *res, struct sc_err *err)
{
	struct gctx g;
	struct grade_cols cols;
	struct stat out_st;
	pthread_t *threads = NULL;
	unsigned jobs = o->jobs;
	char **names = NULL;
	const char **dirs = NULL;
	int rc = -1, have_out_st;

	memset(res, 0, sizeof(*res));
	memset(&g, 0, sizeof(g));
	g.o = o;
	g.t0 = grade_now_s();
	if (grade_check_formats(o->formats, err) < 0 || grade_check_formats(o->student_formats, err) < 0)
		return -1;
	if (!fsx_is_dir(o->class_dir))
		return sc_err_set(err, "%s: not a directory", o->class_dir);
	if (grade_plan_cols(o, &cols, err) < 0)
		return -1;
	g.cols = &cols;
	if (grade_config_hash(o, &cols, g.config, err) < 0)
		goto out;
	/* report.html too: the cells of summary.html link to it */
	if (asprintf(&g.formats, "json%s%s%s", grade_has_format(o->formats, "html") ? "" : ",html",
	    o->formats ? "," : "", o->formats ? o->formats : "") < 0) {
		g.formats = NULL;
		sc_err_sys(err, "formats");
		goto out;
	}
	if (fsx_mkdirs(o->out_dir, err) < 0)
		goto out;
	grade_pathf(g.students_dir, sizeof(g.students_dir), "%s/students", o->out_dir);
	if (fsx_mkdirs(g.students_dir, err) < 0)
		goto out;
	have_out_st = stat(o->out_dir, &out_st) == 0;
	if (list_students(o, have_out_st ? &out_st : NULL, &g.st, &g.nst, err) < 0)
		goto out;
	res->students = g.nst;

	/* what changed since the last run */
	if ((g.queue = calloc(g.nst ? g.nst : 1, sizeof(*g.queue))) == NULL) {
		sc_err_sys(err, "plan");
		goto out;
	}
	for (size_t i = 0; i < g.nst; i++) {
		struct sc_err he;
		if (grade_hash_tree(g.st[i].sub, g.st[i].hash, &he) < 0) {
			g.st[i].hash[0] = '\0';
			grade_pathf(g.st[i].hash_err, sizeof(g.st[i].hash_err), "%s", he.msg);
		}
		if (unchanged(&g, &g.st[i]))
			res->skipped++;
		else
			g.queue[g.nqueue++] = i;
	}
	/*
	 * The longest first (as long as they took last time; the unknown ones
	 * before them), so that no long student is left to run alone at the end.
	 */
	qsort_r(g.queue, g.nqueue, sizeof(*g.queue), cmp_longest, g.st);

	/* students at a time, cases per student */
	/* one per core, not run's four: measured on 2 cores (make bench, a class
	 * of 40 on a loaded machine), four per core took 459 s and 233 s of
	 * system time against 410 s and 119 s: eight students at once hold
	 * eight times the cases' memory, and every fork() of sockcheck for a
	 * case copies the page tables of all of it */
	if (jobs == 0)
		jobs = run_cpus();
	g.workers = g.nqueue < jobs ? g.nqueue : jobs;
	if (g.workers > 1) {
		/*
		 * Without network namespaces, programs with a fixed port can only run
		 * one at a time, which the runner arranges within one student only.
		 */
		struct sbx *sb = NULL;
		struct sc_err se;
		char why[256];
		unsigned surv;
		if (!o->want_netns || sbx_open(1, &sb, why, sizeof(why), &se) < 0 ||
		    sbx_mode(sb) != SBX_NETNS)
			g.workers = 1;
		if (sb)
			sbx_close(sb, &surv, &se);
	}
	if (g.workers == 0)
		g.workers = 1;
	/*
	 * Each student's run has up to jobs threads (at most 8), and every case
	 * holds one of `jobs` slots shared by all: the cases in flight never
	 * exceed --jobs, and the last students of the batch get every slot.
	 */
	g.jobs_per = jobs < 8 ? jobs : 8;
	if (g.workers == 1)
		g.jobs_per = jobs;
	if (sem_init(&g.slots, 0, jobs) < 0) {
		sc_err_sys(err, "semaphore");
		goto out;
	}
	if (sem_init(&g.cpus, 0, run_cpus()) < 0) {
		sem_destroy(&g.slots);
		sc_err_sys(err, "semaphore");
		goto out;
	}
	res->workers = g.workers;
	res->jobs = jobs;
	if (o->progress) {
		struct grade_event ev = { .kind = GRADE_EV_PLAN, .total = g.nst, .skipped = res->skipped,
			.pending = g.nqueue, .workers = g.workers };
		o->progress(o->progress_ctx, &ev);
	}

	pthread_mutex_init(&g.lock, NULL);
	threads = calloc(g.workers, sizeof(*threads));
	size_t started = 0;
	for (; threads && started < g.workers; started++)
		if (pthread_create(&threads[started], NULL, worker, &g) != 0)
			break;
	if (started == 0)
		worker(&g);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_destroy(&g.lock);
	sem_destroy(&g.slots);
	sem_destroy(&g.cpus);

	res->graded = g.graded;
	res->errors = g.errors;
	res->student_seconds = g.student_seconds;
	res->interrupted = g.interrupted;
	if (res->interrupted) {
		rc = 0;
		goto out;
	}

	names = calloc(g.nst ? g.nst : 1, sizeof(*names));
	dirs = calloc(g.nst ? g.nst : 1, sizeof(*dirs));
	if (names == NULL || dirs == NULL) {
		sc_err_sys(err, "gradebook");
		goto out;
	}
	for (size_t i = 0; i < g.nst; i++) {
		names[i] = g.st[i].name;
		dirs[i] = o->out_dir;
	}
	const char *title = o->assignment ? o->assignment->title : NULL;
	if (grade_write_outputs(o->out_dir, title, &cols, names, dirs, g.nst, &res->lost, err) < 0 ||
	    grade_write_manifest(o->out_dir, g.config, title, &cols, o->shard_n > 1 ? o->shard_k : 1,
	    o->shard_n > 1 ? o->shard_n : 1, names, g.nst, err) < 0)
		goto out;
	rc = 0;
out:
	res->seconds = grade_now_s() - g.t0;
	free(names);
	free(dirs);
	for (size_t i = 0; i < g.nst; i++)
		free(g.st[i].name);
	free(g.st);
	free(g.queue);
	free(g.formats);
	grade_cols_free(&cols);
	return rc;
}

