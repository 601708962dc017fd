/*
 * cite: the line of the student's source a cause is about (cite.h). The
 * rules that pick the recorded call per cause are in cite_rule.c, the
 * sentences in cite_say.c; here the call's site is mapped to its file and
 * line (srcmap.h), its text and the lines around it read from the
 * submission, and the check's cite filled: the close() of the connection,
 * the read of the reply where shutdown() belongs, the write that raised
 * SIGPIPE, the read that spun, the fopen() that failed and the line that
 * used its NULL, the IPv4-only call, the fgets() whose end was ignored and
 * the send that repeated the line, the one read() of an echo, the faulting
 * line of a crash, and the caller of a helper (send_all()) where that is
 * where the arguments were chosen.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cite.h"
#include "cite_int.h"
#include "site.h"
#include "srcmap.h"

#define CONTEXT 3		/* lines shown before and after the cited one */

static const char *const cited[] = {
	"close-not-shutdown", "no-shutdown", "sigpipe-death", "spin", "short-write",
	"missing-served-file", "ipv4-only", "no-eof-exit", "echo-missing", "crash",
	/* and those whose call is plain too */
	"exit-0-on-error", "no-listen", "short-read", "lost-bytes", "data-mismatch",
	"binary-unsafe", "extra-bytes", "no-reply", "sent-bytes", "reply-before-eof",
	"truncated-datagram", "datagram-unanswered", "reply-address", "no-receive-timeout",
	"split-datagram", "stderr-message", "hidden-port", "one-client-at-a-time", "not-serving",
	"error-ignored",
	"no-eintr-retry", "prints-sent", "unchecked-connect", "accept-error-exit", "not-streamed",
	"args-unchecked",
};

int
cite_cause_cited(const char *cause)
{
	for (size_t i = 0; cause && i < sizeof(cited) / sizeof(cited[0]); i++)
		if (strcmp(cause, cited[i]) == 0)
			return 1;
	return 0;
}

/* ---- the student's programs in the case ---- */

static void
case_progs(const struct res_case *c, const char *run_dir, struct progs *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < c->nprocs && p->n < MAX_PROGS; i++) {
		char *const *av = c->procs[i].argv;
		const char *prog, *base;
		if (strncmp(c->procs[i].role, "student", 7) != 0 || av == NULL || av[0] == NULL)
			continue;
		prog = av[0];
		base = strrchr(prog, '/');
		if (strcmp(base ? base + 1 : prog, "valgrind") == 0) {
			/* memcheck: the program is valgrind's first operand */
			for (size_t k = 1; av[k]; k++)
				if (av[k][0] != '-') {
					prog = av[k];
					break;
				}
			base = strrchr(prog, '/');
		}
		snprintf(p->name[p->n], sizeof(p->name[0]), "%.15s", base ? base + 1 : prog);
		if (prog[0] == '/')
			snprintf(p->path[p->n], sizeof(p->path[0]), "%s", prog);
		else
			snprintf(p->path[p->n], sizeof(p->path[0]), "%s/%s", run_dir, prog);
		p->n++;
	}
}
/* ---- the line and its text ---- */

/* `path` minus the directory `dir` ("a.c" for dir/a.c), or NULL. */
static const char *
under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(path, dir, n) == 0 && path[n] == '/')
		return path + n + 1;
	return NULL;
}

/* Lines first..last of `path`, NULL-ended; NULL when it can't be read. */
static char **
read_lines(const char *path, int first, int last)
{
	FILE *f = fopen(path, "re");
	char **v, *line = NULL;
	size_t cap = 0, n = 0;
	int no = 0;

	if (f == NULL)
		return NULL;
	if ((v = calloc((size_t)(last - first + 2), sizeof(*v))) == NULL) {
		fclose(f);
		return NULL;
	}
	while (getline(&line, &cap, f) >= 0 && ++no <= last) {
		if (no < first)
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		if ((v[n++] = strdup(line)) == NULL)
			break;
	}
	free(line);
	fclose(f);
	return v;
}
/*
 * A cite for address `at`: 1 when it has a line in the submission's
 * sources, 0 when it was made without one (no line, or a source that is
 * not in the submission), -1 when the object could not be read.
 */
static int
locate(struct srcmap *m, const struct site_addr *at, int ret, const char *built_dir,
    struct res_cite *ci)
{
	struct srcmap_loc loc;
	struct sc_err err;
	char path[PATH_MAX * 2];
	const char *rel, *base;
	struct stat st;
	int own = 0;

	if (at->obj == NULL || srcmap_lookup(m, at->obj, at->vaddr, ret, &loc, &err) < 0)
		return -1;
	base = strrchr(at->obj, '/');
	ci->object = strdup(base ? base + 1 : at->obj);
	ci->function = loc.fn[0] ? strdup(loc.fn) : NULL;
	ci->offset = loc.fn_off;
	if (loc.line == 0)
		return 0;
	ci->line = loc.line;
	/* built from source here: the path lies in the built copy; else the same
	 * name in the submission (a binary built elsewhere, with its sources) */
	if ((rel = under(loc.file, built_dir)) == NULL) {
		base = strrchr(loc.file, '/');
		rel = base ? base + 1 : loc.file;
	}
	snprintf(path, sizeof(path), "%s/%s", built_dir, rel);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		int first = loc.line > CONTEXT ? loc.line - CONTEXT : 1;
		char **v = read_lines(path, first, loc.line + CONTEXT);
		ci->file = strdup(rel);
		if (v && loc.line - first < 64 && v[loc.line - first]) {
			const char *t = v[loc.line - first];
			ci->text = strdup(t + strspn(t, " \t"));
			ci->context = v;
			ci->context_first = first;
			own = 1;
		} else if (v) {
			for (size_t i = 0; v[i]; i++)
				free(v[i]);
			free(v);
		}
	} else {
		ci->file = strdup(rel);
	}
	return own;
}

static struct res_cite *
cite_new(const char *call)
{
	struct res_cite *ci = calloc(1, sizeof(*ci));

	if (ci && (ci->call = strdup(call)) == NULL) {
		free(ci);
		return NULL;
	}
	return ci;
}

static void
no_line_note(struct res_cite *ci)
{
	if (ci->line == 0 && ci->note == NULL)
		ci->note = strdup(ci->function ? "built without debug information: build with -g "
		    "for the file and line" : "no symbols (stripped): build with -g, and don't "
		    "strip, for the file and line");
}

/* The crash's frame in the student's source: the first with a line there,
 * else the first with a function in the program itself. */
static struct res_cite *
crash_cite(struct srcmap *m, const struct site_crash *cr, const char *built_dir)
{
	struct res_cite *best = NULL;

	for (size_t i = 0; i < cr->nframes; i++) {
		struct res_cite *ci = cite_new("crash");
		int r;
		if (ci == NULL)
			break;
		r = locate(m, &cr->frames[i], i > 0, built_dir, ci);
		if (r == 1) {
			res_cite_free(best);
			return ci;
		}
		if (r == 0 && best == NULL && ci->function && ci->object &&
		    strstr(ci->object, ".so") == NULL) {
			best = ci;
			continue;
		}
		res_cite_free(ci);
	}
	if (best)
		no_line_note(best);
	return best;
}

/*
 * The line that called the function the call was made in (send_all()'s
 * caller, where its arguments were chosen), when it is another function
 * with a line in the submission; else NULL.
 */
static struct res_cite *
caller_cite(struct srcmap *m, const struct pick *pk, const struct res_cite *site,
    const char *built_dir)
{
	struct res_cite *ci;
	struct pick none = { .call = "" };

	if (pk->up.obj == NULL || site->function == NULL || strcmp(site->function, "main") == 0 ||
	    (ci = cite_new("call")) == NULL)
		return NULL;
	if (locate(m, &pk->up, 1, built_dir, ci) != 1 || (ci->function &&
	    strcmp(ci->function, site->function) == 0)) {
		res_cite_free(ci);
		return NULL;
	}
	free(ci->call);
	ci->call = strdup(site->function);
	ci->say = cite_say("caller", &none, ci->text, 0);
	return ci;
}

static struct res_cite *
cite_cause(struct srcmap *m, const char *cause, int client, const struct site_log *l,
    const struct progs *p, const char *built_dir)
{
	struct pick pk[2];
	const struct site_crash *cr;
	struct res_cite *head = NULL, **tail = &head;
	int n = cite_pick(cause, client, l, p, pk, &cr);

	for (int i = 0; i < n; i++) {
		struct res_cite *ci = cite_new(pk[i].call);
		if (ci == NULL)
			break;
		if (locate(m, &pk[i].at, pk[i].ret, built_dir, ci) < 0) {
			res_cite_free(ci);
			continue;
		}
		no_line_note(ci);
		ci->say = cite_say(pk[i].role, &pk[i], ci->text, 0);
		*tail = ci;
		tail = &ci->next;
		if ((ci = caller_cite(m, &pk[i], ci, built_dir)) != NULL) {
			*tail = ci;
			tail = &ci->next;
		}
	}
	if (cr) {
		struct res_cite *ci = crash_cite(m, cr, built_dir);
		if (ci) {
			struct pick none = { .call = "crash" };
			ci->say = cite_say(head ? "use" : "crash", &none, ci->text, cr->sig);
			*tail = ci;
		}
	}
	return head;
}

/* The static program among ours, or NULL: no preload library enters it. */
static const char *
static_prog(const struct site_log *l, const struct progs *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (!site_loaded(l, p->name[i]) && srcmap_is_static(p->path[i]) == 1)
			return p->name[i];
	return NULL;
}

int
cite_case(struct res_case *c, const char *log_path, const char *built_dir,
    const char *run_dir, struct sc_err *err)
{
	struct site_log l;
	struct srcmap *m = NULL;
	struct progs p;
	const char *st = NULL;
	int any = 0;

	for (size_t i = 0; i < c->nchecks; i++)
		any |= !c->checks[i].ok && cite_cause_cited(c->checks[i].cause);
	if (!any)
		return 0;
	case_progs(c, run_dir, &p);
	if (site_log_read(log_path, &l, err) < 0)
		return -1;
	if (srcmap_open(&m, err) < 0) {
		site_log_free(&l);
		return -1;
	}
	st = static_prog(&l, &p);
	for (size_t i = 0; i < c->nchecks; i++) {
		struct res_check *ck = &c->checks[i];
		if (ck->ok || ck->cite || !cite_cause_cited(ck->cause))
			continue;
		ck->cite = cite_cause(m, ck->cause, c->role && strcmp(c->role, "client") == 0, &l,
		    &p, built_dir);
		if (ck->cite == NULL && st && (ck->cite = cite_new(ck->cause)) != NULL) {
			ck->cite->object = strdup(st);
			if (asprintf(&ck->cite->note, "%s is statically linked: sockcheck's preload "
			    "library cannot enter it, so no line can be named (link it "
			    "dynamically)", st) < 0)
				ck->cite->note = NULL;
		}
	}
	srcmap_close(m);
	site_log_free(&l);
	return 0;
}
