/*
 * grade: a whole class in one command; resume, shards, merge (grade.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "dash.h"
#include "fsx.h"
#include "grade.h"
#include "prof.h"
#include "results.h"
#include "rpt.h"
#include "run.h"
#include "trim.h"
#include "sbx.h"

#define STAMP_FORMAT "sockcheck-grade-student-1"
#define MANIFEST_FORMAT "sockcheck-grade-manifest-1"

/* snprintf for paths and fields: -1 when `buf` is too small (then cut). */
static int pathf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
to_hex(const unsigned char *md, unsigned len, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < len && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

static int
sha256_buf(const void *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -1;
	to_hex(md, mdlen, hex);
	return 0;
}

/* ---- shards ---- */

unsigned
grade_shard_of(const char *student, unsigned n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	uint64_t v = 0;

	if (n <= 1)
		return 1;
	if (EVP_Digest(student, strlen(student), md, &mdlen, EVP_sha256(), NULL) != 1)
		return 1;
	for (int i = 0; i < 8; i++)
		v = v << 8 | md[i];
	return (unsigned)(v % n) + 1;
}

int
grade_parse_shard(const char *s, unsigned *k, unsigned *n, struct sc_err *err)
{
	char *end, *end2;
	unsigned long a, b;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	a = strtoul(s, &end, 10);
	if (errno || *end != '/' || end[1] < '0' || end[1] > '9')
		goto bad;
	b = strtoul(end + 1, &end2, 10);
	if (errno || *end2 || a < 1 || b < 1 || a > b || b > 10000)
		goto bad;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
bad:
	return sc_err_set(err, "--shard: '%s' is not K/N with 1 <= K <= N <= 10000", s);
}

/* ---- the content hash of a submission ---- */

static int
list_tree(const char *root, const char *rel, int depth, char ***v, size_t *n, size_t *cap,
    struct sc_err *err)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *e;

	if (depth > 64)
		return sc_err_set(err, "%s/%s: nested too deep", root, rel);
	pathf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	if ((d = opendir(path)) == NULL)
		return sc_err_sys(err, "%s", path);
	while ((e = readdir(d)) != NULL) {
		char sub[PATH_MAX], full[PATH_MAX];
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)pathf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name) >=
		    sizeof(sub) - 1) {
			closedir(d);
			return sc_err_set(err, "%s/%s: path too long", root, rel);
		}
		pathf(full, sizeof(full), "%s/%s", root, sub);
		if (lstat(full, &st) < 0) {
			closedir(d);
			return sc_err_sys(err, "%s", full);
		}
		if (S_ISDIR(st.st_mode) && strcmp(e->d_name, ".git") == 0)
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			char **nv = realloc(*v, nc * sizeof(*nv));
			if (nv == NULL) {
				closedir(d);
				return sc_err_sys(err, "hash");
			}
			*v = nv;
			*cap = nc;
		}
		if (((*v)[*n] = strdup(sub)) == NULL) {
			closedir(d);
			return sc_err_sys(err, "hash");
		}
		(*n)++;
		if (S_ISDIR(st.st_mode) && list_tree(root, sub, depth + 1, v, n, cap, err) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

static int
hash_file(EVP_MD_CTX *ctx, const char *path, struct sc_err *err)
{
	unsigned char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return sc_err_sys(err, "%s", path);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			sc_err_sys(err, "%s", path);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)r);
	}
	close(fd);
	return 0;
}

int
grade_hash_tree(const char *dir, char hex[65], struct sc_err *err)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	EVP_MD_CTX *ctx = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int rc = -1;

	if (list_tree(dir, "", 0, &v, &n, &cap, err) < 0)
		goto out;
	qsort(v, n, sizeof(*v), cmp_str);
	if ((ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		sc_err_set(err, "SHA-256 is not available");
		goto out;
	}
	EVP_DigestUpdate(ctx, "sockcheck-tree-1", 17);
	for (size_t i = 0; i < n; i++) {
		char full[PATH_MAX], num[64];
		struct stat st;

		pathf(full, sizeof(full), "%s/%s", dir, v[i]);
		if (lstat(full, &st) < 0) {
			sc_err_sys(err, "%s", full);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			EVP_DigestUpdate(ctx, "d", 1);
			EVP_DigestUpdate(ctx, v[i], strlen(v[i]) + 1);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t len = readlink(full, target, sizeof(target) - 1);
			if (len < 0) {
				sc_err_sys(err, "%s", full);
				goto out;
			}
			target[len] = '\0';
			EVP_DigestUpdate(ctx, "l", 1);
			EVP_DigestUpdate(ctx, v[i], strlen(v[i]) + 1);
			EVP_DigestUpdate(ctx, target, (size_t)len + 1);
		} else if (S_ISREG(st.st_mode)) {
			int len = pathf(num, sizeof(num), "%c%llu", (st.st_mode & 0111) ? 'x' : '-',
			    (unsigned long long)st.st_size);
			EVP_DigestUpdate(ctx, "f", 1);
			EVP_DigestUpdate(ctx, v[i], strlen(v[i]) + 1);
			EVP_DigestUpdate(ctx, num, (size_t)len + 1);
			if (hash_file(ctx, full, err) < 0)
				goto out;
		} else {
			EVP_DigestUpdate(ctx, "o", 1);
			EVP_DigestUpdate(ctx, v[i], strlen(v[i]) + 1);
		}
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		sc_err_set(err, "SHA-256 failed");
		goto out;
	}
	to_hex(md, mdlen, hex);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	free_strings(v, n);
	return rc;
}

/* ---- the plan: which cases, with which points ---- */

struct col {
	char *id, *title, *level;
	unsigned points;
	int hidden;
	double scale;
	const struct scn *s;	/* grading only; NULL when read from a manifest */
};

struct cols {
	struct col *v;
	size_t n;
};

static void
cols_free(struct cols *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].id);
		free(c->v[i].title);
		free(c->v[i].level);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static int
plan_cols(const struct grade_opts *o, struct cols *c, struct sc_err *err)
{
	memset(c, 0, sizeof(*c));
	c->v = calloc(o->suite->count ? o->suite->count : 1, sizeof(*c->v));
	if (c->v == NULL)
		return sc_err_sys(err, "plan");
	for (size_t i = 0; i < o->suite->count; i++) {
		const struct scn *s = o->suite->items[i];
		struct col *k = &c->v[c->n];

		if (o->only && !scn_id_matches(s->id, o->only))
			continue;
		if (!asg_lookup(o->assignment, s, &k->points, &k->hidden, &k->scale))
			continue;
		k->s = s;
		k->id = strdup(s->id);
		k->title = strdup(s->title ? s->title : s->id);
		k->level = strdup(scn_level_name(s->level));
		c->n++;
		if (k->id == NULL || k->title == NULL || k->level == NULL) {
			cols_free(c);
			return sc_err_sys(err, "plan");
		}
	}
	if (c->n == 0) {
		cols_free(c);
		return sc_err_set(err, "no case to grade (check --only and the assignment)");
	}
	return 0;
}

/*
 * The configuration fingerprint: whatever changes the results of an
 * unchanged submission. A change grades everyone again.
 */
static int
config_hash(const struct grade_opts *o, const struct cols *c, char hex[65], struct sc_err *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (f == NULL)
		return sc_err_sys(err, "fingerprint");
	fprintf(f, "sockcheck-grade-1\ntool %s\nmemcheck %d\ntimeout_scale %.6g\nnetns %d\n"
	    "build_timeout %u\nasg_memcheck %d\nasg_build_timeout %u\n", SOCKCHECK_VERSION,
	    o->memcheck, o->timeout_scale, o->want_netns, o->build_timeout_s,
	    o->assignment ? o->assignment->memcheck : -1,
	    o->assignment ? o->assignment->build_timeout_s : 0);
	for (size_t i = 0; i < c->n; i++) {
		char sh[65] = "";
		uint64_t size;
		if (c->v[i].s->path && fsx_sha256_file(c->v[i].s->path, sh, &size, err) < 0) {
			fclose(f);
			free(text);
			return -1;
		}
		fprintf(f, "case %s %u %d %.6g %s\n", c->v[i].id, c->v[i].points, c->v[i].hidden,
		    c->v[i].scale, sh);
	}
	fclose(f);
	rc = sha256_buf(text, len, hex);
	free(text);
	return rc < 0 ? sc_err_set(err, "SHA-256 failed") : 0;
}

/* ---- report formats: which file each writes (as rpt_write_all names them) ---- */

static const struct {
	const char *name, *file;
} fmt_files[] = {
	{ "json", "results.json" }, { "junit", "junit.xml" }, { "tap", "results.tap" },
	{ "md", "summary.md" }, { "html", "report.html" }, { "gradescope", "gradescope.json" },
	{ "autolab", "autolab.txt" },
};

static const char *
fmt_file(const char *name)
{
	for (size_t i = 0; i < sizeof(fmt_files) / sizeof(fmt_files[0]); i++)
		if (strcmp(fmt_files[i].name, name) == 0)
			return fmt_files[i].file;
	return NULL;
}

static int
check_formats(const char *list, struct sc_err *err)
{
	char buf[512], *save = NULL;

	if (list == NULL)
		return 0;
	if (strlen(list) >= sizeof(buf))
		return sc_err_set(err, "format list too long");
	pathf(buf, sizeof(buf), "%s", list);
	for (char *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save))
		if (fmt_file(f) == NULL)
			return sc_err_set(err, "unknown report format '%s' (json, junit, tap, md, html, "
			    "gradescope, autolab)", f);
	return 0;
}

/* `list` names the format `name`. */
static int
has_format(const char *list, const char *name)
{
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == strlen(name) && strncmp(p, name, len) == 0)
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

/* Every report of `list` exists in `dir`. */
static int
formats_present(const char *list, const char *dir)
{
	char buf[512], *save = NULL, path[PATH_MAX];

	if (list == NULL)
		return 1;
	pathf(buf, sizeof(buf), "%s", list);
	for (char *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		pathf(path, sizeof(path), "%s/%s", dir, fmt_file(f));
		if (!fsx_is_file(path))
			return 0;
	}
	return 1;
}

/* ---- the per-student stamp (students/NAME/grade.json) ---- */

struct stamp {
	char sub_hash[65], config[65];
	char build[16];
	int complete;
	unsigned score, max_score;
	double seconds;
	char message[SC_ERR_MSG_MAX + 64];
};

static int
write_json(const char *path, json_t *root, struct sc_err *err)
{
	char *text;
	size_t len;
	int rc;

	if (root == NULL)
		return sc_err_set(err, "%s: could not build the document", path);
	text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(root);
	if (text == NULL)
		return sc_err_set(err, "%s: could not serialise", path);
	len = strlen(text);
	text[len] = '\n';
	rc = rpt_atomic_write(path, text, len + 1, err);
	free(text);
	return rc;
}

static int
stamp_write(const char *dir, const char *student, const struct stamp *s, struct sc_err *err)
{
	char path[PATH_MAX];

	pathf(path, sizeof(path), "%s/grade.json", dir);
	return write_json(path, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:i, s:i, s:f, s:o}",
	    "format", STAMP_FORMAT, "student", student, "submission_sha256", s->sub_hash,
	    "config_sha256", s->config, "build", s->build, "complete", s->complete,
	    "score", (int)s->score, "max_score", (int)s->max_score, "seconds", s->seconds,
	    "message", s->message[0] ? json_string(s->message) : json_null()), err);
}

static void
copy_str(char *dst, size_t len, const json_t *v)
{
	pathf(dst, len, "%s", json_is_string(v) ? json_string_value(v) : "");
}

/* 1: read; 0: absent or not a stamp. */
static int
stamp_read(const char *dir, struct stamp *s)
{
	char path[PATH_MAX];
	json_t *root;
	json_error_t je;

	memset(s, 0, sizeof(*s));
	pathf(path, sizeof(path), "%s/grade.json", dir);
	if ((root = json_load_file(path, 0, &je)) == NULL)
		return 0;
	if (!json_is_string(json_object_get(root, "format")) ||
	    strcmp(json_string_value(json_object_get(root, "format")), STAMP_FORMAT) != 0) {
		json_decref(root);
		return 0;
	}
	copy_str(s->sub_hash, sizeof(s->sub_hash), json_object_get(root, "submission_sha256"));
	copy_str(s->config, sizeof(s->config), json_object_get(root, "config_sha256"));
	copy_str(s->build, sizeof(s->build), json_object_get(root, "build"));
	copy_str(s->message, sizeof(s->message), json_object_get(root, "message"));
	s->complete = json_is_true(json_object_get(root, "complete"));
	s->score = (unsigned)json_integer_value(json_object_get(root, "score"));
	s->max_score = (unsigned)json_integer_value(json_object_get(root, "max_score"));
	s->seconds = json_number_value(json_object_get(root, "seconds"));
	json_decref(root);
	return 1;
}

/* Builds that produced results.json. */
static int
build_has_results(const char *build)
{
	return strcmp(build, "ok") == 0 || strcmp(build, "no-programs") == 0;
}

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
	const struct cols *cols;
	char config[65];
	char students_dir[PATH_MAX];
	char *formats;		/* o->formats with json (and html) first */
	struct student *st;
	size_t nst;
	size_t *queue, nqueue, next, done;
	unsigned jobs_per;	/* threads of each student's run */
	sem_t slots;		/* cases in flight over all students */
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
			.elapsed = now_s() - g->t0, .fraction = work_fraction(g),
		};
		g->o->progress(g->o->progress_ctx, &ev);
	}
	pthread_mutex_unlock(&g->lock);
}

/* Whether `st` needs no grading; notes how long its last grading took. */
static int
unchanged(const struct gctx *g, struct student *st)
{
	char dir[PATH_MAX], sdir[PATH_MAX + 16], res[PATH_MAX + 16];
	struct stamp s;
	int have;

	pathf(dir, sizeof(dir), "%s/%s", g->students_dir, st->name);
	have = stamp_read(dir, &s);
	st->prev_seconds = have && s.complete ? s.seconds : -1;
	if (g->o->force || st->hash[0] == '\0')
		return 0;
	if (!have || !s.complete || strcmp(s.sub_hash, st->hash) != 0 ||
	    strcmp(s.config, g->config) != 0)
		return 0;
	if (!build_has_results(s.build))
		return fsx_is_file((pathf(res, sizeof(res), "%s/build.log", dir), res));
	pathf(res, sizeof(res), "%s/results.json", dir);
	pathf(sdir, sizeof(sdir), "%s/student", dir);
	return fsx_is_file(res) && formats_present(g->formats, dir) &&
	    formats_present(g->o->student_formats, sdir);
}

/* Remove what grading need not keep: the built copy, each case's working copy. */
static void
prune_work(const char *work)
{
	char path[PATH_MAX];
	struct sc_err e;
	DIR *d;
	struct dirent *ent;

	pathf(path, sizeof(path), "%s/build", work);
	fsx_remove_tree(path, &e);
	pathf(path, sizeof(path), "%s/cases", work);
	if ((d = opendir(path)) == NULL)
		return;
	while ((ent = readdir(d)) != NULL) {
		char sub[PATH_MAX];
		if (ent->d_name[0] == '.')
			continue;
		if ((size_t)pathf(sub, sizeof(sub), "%s/%s/work", path, ent->d_name) < sizeof(sub))
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
		len += (size_t)pathf(only + len, sizeof(only) - len, "%s%s", len ? "," : "",
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
grade_one(struct gctx *g, const struct student *st, struct stamp *s, struct case_progress *cp)
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
	double t0 = now_s();

	memset(s, 0, sizeof(*s));
	sc_err_clear(&e);
	memcpy(s->sub_hash, st->hash, sizeof(s->sub_hash));
	memcpy(s->config, g->config, sizeof(s->config));
	pathf(dir, sizeof(dir), "%s/%s", g->students_dir, st->name);
	pathf(work, sizeof(work), "%s/work", dir);
	pathf(built, sizeof(built), "%s/build", work);
	pathf(blog, sizeof(blog), "%s/build.log", dir);
	pathf(sdir, sizeof(sdir), "%s/student", dir);
	pathf(s->build, sizeof(s->build), "error");
	s->complete = 0;
	s->max_score = 0;
	for (size_t i = 0; i < g->cols->n; i++)
		s->max_score += g->cols->v[i].points;

	if (fsx_remove_tree(dir, &e) < 0 || fsx_mkdirs(dir, &e) < 0) {
		pathf(s->message, sizeof(s->message), "%s", e.msg);
		goto done;
	}
	if (st->hash[0] == '\0') {
		pathf(s->message, sizeof(s->message), "%s", st->hash_err);
		goto done;
	}
	if (prof_load(st->sub, &prof, &e) < 0) {
		/* the student's sockcheck.yaml is wrong: that is the student's build failing */
		char text[SC_ERR_MSG_MAX + 600];
		pathf(text, sizeof(text), "sockcheck.yaml: %s%s%.0d%s%.0d%s%s\n%s\n",
		    e.file, e.file[0] ? ":" : "", e.line, e.line ? ":" : "", e.col,
		    e.col ? ":" : "", e.file[0] ? " " : "", e.msg);
		log_append(blog, text);
		pathf(s->build, sizeof(s->build), "failed");
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
		pathf(s->message, sizeof(s->message), "build: %s", e.msg);
		prof_free(&prof);
		goto done;
	}
	if (!built_ok) {
		pathf(s->build, sizeof(s->build), "%s", build_timed_out(blog) ? "timeout" : "failed");
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
	ro.stop = o->stop;
	ro.progress = case_ended;
	ro.progress_ctx = cp;
	if (run_suite(o->suite, &prof, st->sub, built, &ro, &run, &e) < 0) {
		pathf(s->message, sizeof(s->message), "run: %s", e.msg);
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
		pathf(s->message, sizeof(s->message), "internal: the run's cases differ from the "
		    "plan");
		res_run_free(&run);
		goto done;
	}
	struct rpt_opts full = { .color = 0, .verbose = 0, .student_view = 0 };
	struct rpt_opts student = { .color = 0, .verbose = 0, .student_view = 1 };
	if (rpt_write_all(&run, g->formats, dir, &full, &e) < 0 ||
	    (o->student_formats && rpt_write_all(&run, o->student_formats, sdir, &student, &e) < 0)) {
		pathf(s->message, sizeof(s->message), "reports: %s", e.msg);
		res_run_free(&run);
		goto done;
	}
	pathf(s->build, sizeof(s->build), "%s", skips == run.ncases ? "no-programs" : "ok");
	s->score = run.score;
	s->max_score = run.max_score;
	s->complete = 1;
	res_run_free(&run);
done:
	if (!o->keep)
		prune_work(work);
	s->seconds = now_s() - t0;
	if (interrupted)
		return 1;
	if (stamp_write(dir, st->name, s, &e) < 0) {
		s->complete = 0;
		pathf(s->build, sizeof(s->build), "error");
		pathf(s->message, sizeof(s->message), "%s", e.msg);
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
		struct stamp s;
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
				.elapsed = now_s() - g->t0, .fraction = work_fraction(g),
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
		if ((size_t)pathf(path, sizeof(path), "%s/%s", o->class_dir, e->d_name) >=
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
	qsort(names, n, sizeof(*names), cmp_str);
	if ((st = calloc(n ? n : 1, sizeof(*st))) == NULL)
		goto oom;
	for (k = 0; k < n; k++) {
		char path[PATH_MAX];
		st[k].name = names[k];
		/* a student directory may be a symlink: grade what it points to */
		pathf(path, sizeof(path), "%s/%s", o->class_dir, names[k]);
		if (realpath(path, st[k].sub) == NULL)
			pathf(st[k].sub, sizeof(st[k].sub), "%s", path);
	}
	free(names);
	*out = st;
	*count = n;
	return 0;
oom:
	if (d)
		closedir(d);
	free_strings(names, n);
	return sc_err_sys(err, "listing %s", o->class_dir);
}

/* ---- gradebook, summary, manifest ---- */

struct rec {
	char *name;
	char build[16];
	int has_results;	/* results.json read */
	int counted;		/* in the per-case statistics: the build was ok */
	unsigned total;
	unsigned *score;	/* per column */
	int *verdict;		/* per column: enum res_verdict, or -1 missing */
	char **summary;		/* per column, failures only */
};

static void
recs_free(struct rec *r, size_t n, size_t ncols)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].name);
		free(r[i].score);
		free(r[i].verdict);
		free_strings(r[i].summary, r[i].summary ? ncols : 0);
	}
	free(r);
}

static int
verdict_from(const char *s)
{
	static const char *const names[] = { "pass", "fail", "error", "skip" };
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* One student's row, from students/NAME/grade.json and results.json. */
static int
rec_load(const char *students_dir, const char *name, const struct cols *c, struct rec *r,
    struct sc_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct stamp s;

	memset(r, 0, sizeof(*r));
	r->name = strdup(name);
	r->score = calloc(c->n, sizeof(*r->score));
	r->verdict = calloc(c->n, sizeof(*r->verdict));
	r->summary = calloc(c->n, sizeof(*r->summary));
	if (r->name == NULL || r->score == NULL || r->verdict == NULL || r->summary == NULL)
		return sc_err_sys(err, "gradebook");
	for (size_t i = 0; i < c->n; i++)
		r->verdict[i] = -1;
	pathf(dir, sizeof(dir), "%s/%s", students_dir, name);
	if (!stamp_read(dir, &s)) {
		pathf(r->build, sizeof(r->build), "missing");
		return 0;
	}
	pathf(r->build, sizeof(r->build), "%s", s.complete ? s.build : "error");
	if (!s.complete || !build_has_results(s.build))
		return 0;
	pathf(path, sizeof(path), "%s/results.json", dir);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *cases;
	if (root == NULL || !json_is_array(cases = json_object_get(root, "cases"))) {
		json_decref(root);
		pathf(r->build, sizeof(r->build), "error");
		return 0;
	}
	r->has_results = 1;
	r->counted = strcmp(s.build, "ok") == 0;
	size_t from = 0;
	for (size_t k = 0; k < json_array_size(cases); k++) {
		json_t *jc = json_array_get(cases, k);
		const char *id = json_string_value(json_object_get(jc, "id"));
		size_t i;
		if (id == NULL)
			continue;
		/* the same order as the columns, normally: search from the last hit */
		for (i = 0; i < c->n && strcmp(c->v[(from + i) % c->n].id, id) != 0; i++)
			;
		if (i == c->n)
			continue;
		i = (from + i) % c->n;
		from = i + 1;
		r->verdict[i] = verdict_from(json_string_value(json_object_get(jc, "verdict")));
		/* the points it earned: a failed case charged elsewhere keeps them
		 * (one fault, one charge: res_tally) */
		r->score[i] = r->verdict[i] == RES_SKIP ? 0 :
		    (unsigned)json_integer_value(json_object_get(jc, "score"));
		if (r->verdict[i] == RES_FAIL || r->verdict[i] == RES_ERROR) {
			const char *sum = json_string_value(json_object_get(jc, "summary"));
			r->summary[i] = strdup(sum && *sum ? sum : res_verdict_name(r->verdict[i]));
		}
		r->total += r->score[i];
	}
	json_decref(root);
	return 0;
}

static void
csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' && (s[0] == '\0' || s[strlen(s) - 1] != ' ')) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int
write_gradebook(const char *out_dir, const struct cols *c, const struct rec *r, size_t n,
    struct sc_err *err)
{
	char *text = NULL, path[PATH_MAX];
	size_t len = 0, max = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (f == NULL)
		return sc_err_sys(err, "gradebook.csv");
	for (size_t i = 0; i < c->n; i++)
		max += c->v[i].points;
	fputs("student,total,max,build", f);
	for (size_t i = 0; i < c->n; i++) {
		fputc(',', f);
		csv_field(f, c->v[i].id);
	}
	fputc('\n', f);
	for (size_t k = 0; k < n; k++) {
		csv_field(f, r[k].name);
		fprintf(f, ",%u,%zu,%s", r[k].total, max, r[k].build);
		for (size_t i = 0; i < c->n; i++)
			fprintf(f, ",%u", r[k].score[i]);
		fputc('\n', f);
	}
	fclose(f);
	pathf(path, sizeof(path), "%s/gradebook.csv", out_dir);
	rc = rpt_atomic_write(path, text, len, err);
	free(text);
	return rc;
}

/* Markdown-safe text on one line. */
static void
md_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t')
			fputc(' ', f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (strchr("\\`*_[]|#", *s)) {
			fputc('\\', f);
			fputc(*s, f);
		} else
			fputc(*s, f);
	}
}

/* Numbers in a summary vary from student to student: group without them. */
static char *
failure_key(const char *s)
{
	size_t n = strlen(s);
	char *k = malloc(n + 1), *p = k;

	if (k == NULL)
		return NULL;
	while (*s) {
		if (*s >= '0' && *s <= '9') {
			*p++ = '#';
			while (*s >= '0' && *s <= '9')
				s++;
		} else {
			*p++ = *s++;
		}
	}
	*p = '\0';
	return k;
}

struct group {
	char *key;
	const char *example;	/* the first student's summary */
	int same;		/* every student's summary is the example */
	size_t count;
	const char **names;
};

static int
cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct case_stat {
	size_t idx;
	size_t failed, skipped, ran;
};

static int
cmp_case_stat(const void *a, const void *b)
{
	const struct case_stat *x = a, *y = b;
	if (x->failed != y->failed)
		return x->failed > y->failed ? -1 : 1;
	if (x->skipped != y->skipped)
		return x->skipped > y->skipped ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int
cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

static void
name_list(FILE *f, const char *const *names, size_t n)
{
	const size_t show = 12;
	fputs("  (", f);
	for (size_t i = 0; i < n && i < show; i++) {
		fputs(i ? ", " : "", f);
		md_text(f, names[i]);
	}
	if (n > show)
		fprintf(f, " and %zu more", n - show);
	fputs(")\n", f);
}

static int
write_summary(const char *out_dir, const char *title, const struct cols *c,
    const struct rec *r, size_t n, struct sc_err *err)
{
	char *text = NULL, path[PATH_MAX];
	size_t len = 0, max = 0, with_results = 0, full = 0;
	FILE *f = open_memstream(&text, &len);
	struct case_stat *cs = calloc(c->n, sizeof(*cs));
	unsigned *totals = calloc(n ? n : 1, sizeof(*totals));
	static const char *const builds[][2] = {
		{ "ok", "built" }, { "failed", "build failed" }, { "timeout", "build timed out" },
		{ "no-programs", "no programs (every case skipped)" },
		{ "error", "not graded (internal error; run grade again)" },
		{ "missing", "not graded yet" },
	};
	int rc;

	if (f == NULL || cs == NULL || totals == NULL) {
		if (f)
			fclose(f);
		free(text);
		free(cs);
		free(totals);
		return sc_err_sys(err, "summary.md");
	}
	for (size_t i = 0; i < c->n; i++)
		max += c->v[i].points;
	for (size_t k = 0; k < n; k++) {
		totals[k] = r[k].total;
		full += r[k].total == max;
		with_results += r[k].counted;
	}
	qsort(totals, n, sizeof(*totals), cmp_uint);

	fputs("# Grading summary", f);
	if (title) {
		fputs(": ", f);
		md_text(f, title);
	}
	fprintf(f, "\n\n%zu student%s, %zu case%s, %zu point%s in all.\n\n", n, n == 1 ? "" : "s",
	    c->n, c->n == 1 ? "" : "s", max, max == 1 ? "" : "s");
	if (n) {
		double sum = 0;
		for (size_t k = 0; k < n; k++)
			sum += totals[k];
		double median = n % 2 ? totals[n / 2] : (totals[n / 2 - 1] + totals[n / 2]) / 2.0;
		fprintf(f, "Scores: mean %.1f, median %.1f, lowest %u, highest %u; %zu with full "
		    "marks.\n\n", sum / (double)n, median, totals[0], totals[n - 1], full);
	}
	fputs("| build | students |\n|---|---|\n", f);
	for (size_t b = 0; b < sizeof(builds) / sizeof(builds[0]); b++) {
		size_t cnt = 0;
		for (size_t k = 0; k < n; k++)
			cnt += strcmp(r[k].build, builds[b][0]) == 0;
		if (cnt || b == 0)
			fprintf(f, "| %s | %zu |\n", builds[b][1], cnt);
	}

	for (size_t i = 0; i < c->n; i++) {
		cs[i].idx = i;
		for (size_t k = 0; k < n; k++) {
			if (!r[k].counted)
				continue;
			cs[i].ran++;
			cs[i].failed += r[k].verdict[i] == RES_FAIL || r[k].verdict[i] == RES_ERROR;
			cs[i].skipped += r[k].verdict[i] == RES_SKIP;
		}
	}
	qsort(cs, c->n, sizeof(*cs), cmp_case_stat);
	fprintf(f, "\n## Cases, most failed first\n\nOver the %zu student%s whose programs "
	    "built (the others are listed under \"Not run\" below).\n\n"
	    "| case | level | points | failed | skipped | hidden |\n|---|---|---|---|---|---|\n",
	    with_results, with_results == 1 ? "" : "s");
	for (size_t j = 0; j < c->n; j++) {
		const struct col *k = &c->v[cs[j].idx];
		fprintf(f, "| `%s` | %s | %u | %zu | %zu | %s |\n", k->id, k->level, k->points,
		    cs[j].failed, cs[j].skipped, k->hidden ? "hidden" : "");
	}

	fputs("\n## Failures by case\n", f);
	size_t shown = 0;
	for (size_t j = 0; j < c->n; j++) {
		size_t i = cs[j].idx, ng = 0;
		struct group *g;

		if (cs[j].failed == 0)
			continue;
		shown++;
		if ((g = calloc(cs[j].failed, sizeof(*g))) == NULL)
			continue;
		for (size_t k = 0; k < n; k++) {
			size_t x;
			char *key;
			if (!r[k].counted || r[k].summary[i] == NULL)
				continue;
			if ((key = failure_key(r[k].summary[i])) == NULL)
				continue;
			for (x = 0; x < ng && strcmp(g[x].key, key) != 0; x++)
				;
			if (x == ng) {
				g[ng].key = key;
				g[ng].example = r[k].summary[i];
				g[ng].same = 1;
				g[ng].names = calloc(cs[j].failed, sizeof(*g[ng].names));
				ng++;
			} else {
				free(key);
				if (strcmp(g[x].example, r[k].summary[i]) != 0)
					g[x].same = 0;
			}
			if (g[x].names)
				g[x].names[g[x].count] = r[k].name;
			g[x].count++;
		}
		qsort(g, ng, sizeof(*g), cmp_group);
		fprintf(f, "\n### `%s`: %zu of %zu student%s\n\n", c->v[i].id, cs[j].failed,
		    cs[j].ran, cs[j].ran == 1 ? "" : "s");
		for (size_t x = 0; x < ng; x++) {
			fprintf(f, "- **%zu**: ", g[x].count);
			md_text(f, g[x].same ? g[x].example : g[x].key);
			fputc('\n', f);
			if (g[x].names)
				name_list(f, g[x].names, g[x].count);
			free(g[x].key);
			free(g[x].names);
		}
		free(g);
	}
	if (shown == 0)
		fputs("\nNo student failed a case.\n", f);

	size_t nb = 0;
	for (size_t k = 0; k < n; k++)
		nb += !r[k].counted;
	if (nb) {
		fputs("\n## Not run\n\n", f);
		for (size_t k = 0; k < n; k++) {
			if (r[k].counted)
				continue;
			fputs("- ", f);
			md_text(f, r[k].name);
			fprintf(f, ": %s (students/", r[k].build);
			md_text(f, r[k].name);
			fputs("/build.log)\n", f);
		}
	}
	fclose(f);
	free(cs);
	free(totals);
	pathf(path, sizeof(path), "%s/summary.md", out_dir);
	rc = rpt_atomic_write(path, text, len, err);
	free(text);
	return rc;
}

static int
write_manifest(const char *out_dir, const char *config, const char *title, const struct cols *c,
    unsigned k, unsigned n, char *const *students, size_t nst, struct sc_err *err)
{
	char path[PATH_MAX];
	json_t *cases = json_array(), *names = json_array();

	for (size_t i = 0; i < c->n; i++)
		json_array_append_new(cases, json_pack("{s:s, s:s, s:s, s:i, s:b}", "id", c->v[i].id,
		    "title", c->v[i].title, "level", c->v[i].level, "points", (int)c->v[i].points,
		    "hidden", c->v[i].hidden));
	for (size_t i = 0; i < nst; i++)
		json_array_append_new(names, json_string(students[i]));
	pathf(path, sizeof(path), "%s/manifest.json", out_dir);
	return write_json(path, json_pack("{s:s, s:s, s:s, s:o, s:{s:i, s:i}, s:o, s:o}",
	    "format", MANIFEST_FORMAT, "tool_version", SOCKCHECK_VERSION, "config_sha256", config,
	    "title", title ? json_string(title) : json_null(), "shard", "k", (int)k, "n", (int)n,
	    "cases", cases, "students", names), err);
}

/* gradebook.csv, summary.md, summary.json and summary.html from students/ of each of `dirs`; names sorted. */
static int
write_outputs(const char *out_dir, const char *title, const struct cols *c, char **names,
    const char **name_dirs, size_t n, struct sc_err *err)
{
	struct rec *r = calloc(n ? n : 1, sizeof(*r));
	struct dash_case *dc = NULL;
	int rc = -1;

	if (r == NULL)
		return sc_err_sys(err, "gradebook");
	for (size_t k = 0; k < n; k++) {
		char sd[PATH_MAX];
		pathf(sd, sizeof(sd), "%s/students", name_dirs[k]);
		if (rec_load(sd, names[k], c, &r[k], err) < 0)
			goto out;
	}
	if (write_gradebook(out_dir, c, r, n, err) < 0 || write_summary(out_dir, title, c, r, n, err) < 0)
		goto out;
	if ((dc = calloc(c->n ? c->n : 1, sizeof(*dc))) == NULL) {
		sc_err_sys(err, "summary.html");
		goto out;
	}
	for (size_t i = 0; i < c->n; i++)
		dc[i] = (struct dash_case){ c->v[i].id, c->v[i].title, c->v[i].level, c->v[i].points,
			c->v[i].hidden };
	struct dash_class dcl = { out_dir, title, dc, c->n, names, name_dirs, n };
	if (dash_write(&dcl, err) < 0)
		goto out;
	rc = 0;
out:
	free(dc);
	recs_free(r, n, c->n);
	return rc;
}

int
grade_class(const struct grade_opts *o, struct grade_result *res, struct sc_err *err)
{
	struct gctx g;
	struct cols cols;
	struct stat out_st;
	pthread_t *threads = NULL;
	unsigned jobs = o->jobs;
	char **names = NULL;
	const char **dirs = NULL;
	int rc = -1, have_out_st;

	memset(res, 0, sizeof(*res));
	memset(&g, 0, sizeof(g));
	g.o = o;
	g.t0 = now_s();
	if (check_formats(o->formats, err) < 0 || check_formats(o->student_formats, err) < 0)
		return -1;
	if (!fsx_is_dir(o->class_dir))
		return sc_err_set(err, "%s: not a directory", o->class_dir);
	if (plan_cols(o, &cols, err) < 0)
		return -1;
	g.cols = &cols;
	if (config_hash(o, &cols, g.config, err) < 0)
		goto out;
	/* report.html too: the cells of summary.html link to it */
	if (asprintf(&g.formats, "json%s%s%s", has_format(o->formats, "html") ? "" : ",html",
	    o->formats ? "," : "", o->formats ? o->formats : "") < 0) {
		g.formats = NULL;
		sc_err_sys(err, "formats");
		goto out;
	}
	if (fsx_mkdirs(o->out_dir, err) < 0)
		goto out;
	pathf(g.students_dir, sizeof(g.students_dir), "%s/students", o->out_dir);
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
			pathf(g.st[i].hash_err, sizeof(g.st[i].hash_err), "%s", he.msg);
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
	if (jobs == 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = ncpu > 0 ? (unsigned)ncpu : 1;
	}
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
	if (write_outputs(o->out_dir, title, &cols, names, dirs, g.nst, err) < 0 ||
	    write_manifest(o->out_dir, g.config, title, &cols, o->shard_n > 1 ? o->shard_k : 1,
	    o->shard_n > 1 ? o->shard_n : 1, names, g.nst, err) < 0)
		goto out;
	rc = 0;
out:
	res->seconds = now_s() - g.t0;
	free(names);
	free(dirs);
	for (size_t i = 0; i < g.nst; i++)
		free(g.st[i].name);
	free(g.st);
	free(g.queue);
	free(g.formats);
	cols_free(&cols);
	return rc;
}

/* ---- merge ---- */

struct manifest {
	char dir[PATH_MAX];
	char config[65];
	char *title;
	unsigned k, n;
	struct cols cols;
	char **students;
	size_t nstudents;
};

static void
manifest_free(struct manifest *m)
{
	free(m->title);
	cols_free(&m->cols);
	free_strings(m->students, m->nstudents);
}

static int
manifest_read(const char *dir, struct manifest *m, struct sc_err *err)
{
	char path[PATH_MAX + 16];
	json_error_t je;
	json_t *root, *cases, *names, *shard;
	const char *fmt;

	memset(m, 0, sizeof(*m));
	pathf(m->dir, sizeof(m->dir), "%s", dir);
	pathf(path, sizeof(path), "%s/manifest.json", dir);
	if ((root = json_load_file(path, 0, &je)) == NULL)
		return fsx_is_file(path) ? sc_err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text) :
		    sc_err_set(err, "%s: no manifest.json: not the output of a finished "
		    "`sockcheck grade`", dir);
	fmt = json_string_value(json_object_get(root, "format"));
	cases = json_object_get(root, "cases");
	names = json_object_get(root, "students");
	shard = json_object_get(root, "shard");
	if (fmt == NULL || strcmp(fmt, MANIFEST_FORMAT) != 0 || !json_is_array(cases) ||
	    !json_is_array(names) || !json_is_object(shard)) {
		json_decref(root);
		return sc_err_set(err, "%s: not a sockcheck grade manifest (%s)", path, MANIFEST_FORMAT);
	}
	copy_str(m->config, sizeof(m->config), json_object_get(root, "config_sha256"));
	if (json_is_string(json_object_get(root, "title")))
		m->title = strdup(json_string_value(json_object_get(root, "title")));
	m->k = (unsigned)json_integer_value(json_object_get(shard, "k"));
	m->n = (unsigned)json_integer_value(json_object_get(shard, "n"));
	m->cols.v = calloc(json_array_size(cases) + 1, sizeof(*m->cols.v));
	m->students = calloc(json_array_size(names) + 1, sizeof(*m->students));
	if (m->cols.v == NULL || m->students == NULL) {
		json_decref(root);
		return sc_err_sys(err, "%s", path);
	}
	for (size_t i = 0; i < json_array_size(cases); i++) {
		json_t *jc = json_array_get(cases, i);
		struct col *k = &m->cols.v[m->cols.n++];
		k->id = strdup(json_string_value(json_object_get(jc, "id")) ?
		    json_string_value(json_object_get(jc, "id")) : "");
		k->title = strdup(json_string_value(json_object_get(jc, "title")) ?
		    json_string_value(json_object_get(jc, "title")) : "");
		k->level = strdup(json_string_value(json_object_get(jc, "level")) ?
		    json_string_value(json_object_get(jc, "level")) : "");
		k->points = (unsigned)json_integer_value(json_object_get(jc, "points"));
		k->hidden = json_is_true(json_object_get(jc, "hidden"));
	}
	for (size_t i = 0; i < json_array_size(names); i++) {
		const char *s = json_string_value(json_array_get(names, i));
		if (s == NULL || *s == '\0' || strchr(s, '/') || strcmp(s, ".") == 0 ||
		    strcmp(s, "..") == 0) {
			json_decref(root);
			return sc_err_set(err, "%s: bad student name in 'students'", path);
		}
		m->students[m->nstudents++] = strdup(s);
	}
	json_decref(root);
	if (m->n < 1 || m->k < 1 || m->k > m->n)
		return sc_err_set(err, "%s: bad shard %u/%u", path, m->k, m->n);
	return 0;
}

struct named {
	char *name;
	const char *dir;
};

static int
cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

static int
same_dir(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int
grade_merge(const char *out_dir, char *const *dirs, size_t ndirs, int copy, struct sc_err *err)
{
	struct manifest *m = calloc(ndirs ? ndirs : 1, sizeof(*m));
	struct named *all = NULL;
	char **names = NULL;
	const char **ndir = NULL;
	unsigned char *seen = NULL;
	size_t total = 0, loaded = 0;
	int rc = -1;

	if (m == NULL)
		return sc_err_sys(err, "merge");
	if (ndirs == 0) {
		free(m);
		return sc_err_set(err, "merge needs at least one shard directory");
	}
	for (; loaded < ndirs; loaded++) {
		if (manifest_read(dirs[loaded], &m[loaded], err) < 0) {
			loaded++;
			goto out;
		}
		total += m[loaded].nstudents;
	}
	/* one configuration, shards 1..N each once */
	for (size_t i = 1; i < ndirs; i++) {
		if (strcmp(m[i].config, m[0].config) != 0 || m[i].cols.n != m[0].cols.n) {
			sc_err_set(err, "%s and %s were graded with different configurations (suite, "
			    "assignment or options)", dirs[0], dirs[i]);
			goto out;
		}
		if (m[i].n != m[0].n) {
			sc_err_set(err, "%s is shard %u/%u but %s is shard %u/%u", dirs[0], m[0].k,
			    m[0].n, dirs[i], m[i].k, m[i].n);
			goto out;
		}
	}
	if ((seen = calloc(m[0].n + 1, 1)) == NULL) {
		sc_err_sys(err, "merge");
		goto out;
	}
	for (size_t i = 0; i < ndirs; i++) {
		if (seen[m[i].k]) {
			sc_err_set(err, "%s: shard %u/%u is given twice", dirs[i], m[i].k, m[i].n);
			goto out;
		}
		seen[m[i].k] = 1;
	}
	for (unsigned k = 1; k <= m[0].n; k++)
		if (!seen[k]) {
			sc_err_set(err, "shard %u/%u is missing (grade it with --shard %u/%u)", k,
			    m[0].n, k, m[0].n);
			goto out;
		}
	if ((all = calloc(total ? total : 1, sizeof(*all))) == NULL) {
		sc_err_sys(err, "merge");
		goto out;
	}
	total = 0;
	for (size_t i = 0; i < ndirs; i++)
		for (size_t s = 0; s < m[i].nstudents; s++)
			all[total++] = (struct named){ m[i].students[s], dirs[i] };
	qsort(all, total, sizeof(*all), cmp_named);
	for (size_t i = 1; i < total; i++)
		if (strcmp(all[i].name, all[i - 1].name) == 0) {
			sc_err_set(err, "student '%s' is in both %s and %s", all[i].name, all[i - 1].dir,
			    all[i].dir);
			goto out;
		}
	if (fsx_mkdirs(out_dir, err) < 0)
		goto out;
	if (copy) {
		char sd[PATH_MAX + 16];
		pathf(sd, sizeof(sd), "%s/students", out_dir);
		if (fsx_mkdirs(sd, err) < 0)
			goto out;
		for (size_t i = 0; i < total; i++) {
			char src[PATH_MAX], dst[PATH_MAX];
			if (same_dir(all[i].dir, out_dir))
				continue;
			pathf(src, sizeof(src), "%s/students/%s", all[i].dir, all[i].name);
			pathf(dst, sizeof(dst), "%s/students/%s", out_dir, all[i].name);
			if (fsx_remove_tree(dst, err) < 0 ||
			    (fsx_is_dir(src) && fsx_copy_tree(src, dst, NULL, err) < 0))
				goto out;
			all[i].dir = out_dir;
		}
	}
	names = calloc(total ? total : 1, sizeof(*names));
	ndir = calloc(total ? total : 1, sizeof(*ndir));
	if (names == NULL || ndir == NULL) {
		sc_err_sys(err, "merge");
		goto out;
	}
	for (size_t i = 0; i < total; i++) {
		names[i] = all[i].name;
		ndir[i] = all[i].dir;
	}
	if (write_outputs(out_dir, m[0].title, &m[0].cols, names, ndir, total, err) < 0)
		goto out;
	/* a merged directory that holds every student is itself a finished grade */
	if (copy && write_manifest(out_dir, m[0].config, m[0].title, &m[0].cols, 1, 1, names,
	    total, err) < 0)
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < loaded; i++)
		manifest_free(&m[i]);
	free(m);
	free(all);
	free(names);
	free(ndir);
	free(seen);
	return rc;
}
