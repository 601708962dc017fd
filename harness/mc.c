/*
 * mc: valgrind memcheck support (contract in mc.h): the command prefix,
 * the XML read with libxml2, and the descriptor leaks read from the text
 * log (valgrind 3.19's XML has no records for them).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "mc.h"

static const char *const kind_names[MC_NKINDS] = {
	"invalid-read", "invalid-write", "invalid-free", "mismatched-free",
	"uninit-cond", "uninit-value", "syscall-param", "overlap",
	"leak-definite", "leak-indirect", "leak-possible", "leak-reachable",
	"fd-leak", "other",
};

const char *
mc_kind_name(enum mc_kind k)
{
	return (unsigned)k < MC_NKINDS ? kind_names[k] : "other";
}

int
mc_kind_from_name(const char *name, enum mc_kind *kind)
{
	for (int i = 0; i < MC_NKINDS; i++)
		if (strcmp(name, kind_names[i]) == 0) {
			*kind = (enum mc_kind)i;
			return 0;
		}
	return -1;
}

int
mc_kind_fails(enum mc_kind kind, char *const *fail_kinds)
{
	if (fail_kinds == NULL)
		return kind <= MC_LEAK_DEFINITE;
	for (size_t i = 0; fail_kinds[i]; i++)
		if (strcmp(fail_kinds[i], mc_kind_name(kind)) == 0)
			return 1;
	return 0;
}

/*
 * The valgrind to run: $SOCKCHECK_VALGRIND when set (a path, or empty for
 * none: how tests and users switch memcheck off for a machine), else the
 * first executable `valgrind` on PATH.
 */
static int
valgrind_path(char *buf, size_t len)
{
	const char *env = getenv("SOCKCHECK_VALGRIND");
	const char *path = getenv("PATH");

	if (env != NULL) {
		snprintf(buf, len, "%s", env);
		return env[0] != '\0' && access(env, X_OK) == 0 ? 0 : -1;
	}
	for (const char *p = path ? path : "/usr/bin:/bin"; *p; ) {
		size_t n = strcspn(p, ":");
		if (n > 0 && (size_t)snprintf(buf, len, "%.*s/valgrind", (int)n, p) < len &&
		    access(buf, X_OK) == 0)
			return 0;
		p += n;
		if (*p == ':')
			p++;
	}
	return -1;
}

int
mc_available(void)
{
	char path[PATH_MAX];
	return valgrind_path(path, sizeof(path)) == 0;
}

double
mc_time_factor(void)
{
	/* measured: startup 0.5-1.5 s to listen(); loopback throughput ~10x slower */
	return 4.0;
}

char **
mc_wrap_argv(char *const argv[], int xml_fd, int log_fd, struct sc_err *err)
{
	const char *opts[] = {
		"valgrind", "--tool=memcheck", "--leak-check=full",
		"--show-leak-kinds=definite,indirect,possible", "--track-origins=yes",
		"--track-fds=yes", "--xml=yes", NULL, NULL, "--num-callers=30",
		/* a program that forks per client: children's reports are noise */
		"--child-silent-after-fork=yes", "--error-exitcode=0",
		/* no gdbserver: its /tmp/vgdb-pipe-* files are named by the pid (2 in
		 * every case's namespace) and owned by another case's uid */
		"--vgdb=no",
	};
	size_t nopts = sizeof(opts) / sizeof(opts[0]), n = 0, i;
	char **out;

	char vg[PATH_MAX];

	if (valgrind_path(vg, sizeof(vg)) < 0) {
		sc_err_set(err, "valgrind is not installed");
		return NULL;
	}
	while (argv[n])
		n++;
	if ((out = calloc(nopts + n + 1, sizeof(*out))) == NULL) {
		sc_err_sys(err, "valgrind argv");
		return NULL;
	}
	for (i = 0; i < nopts; i++) {
		if (i == 0) {
			out[i] = strdup(vg);
		} else if (i == 7) {
			if (asprintf(&out[i], "--xml-fd=%d", xml_fd) < 0)
				out[i] = NULL;
		} else if (i == 8) {
			if (asprintf(&out[i], "--log-fd=%d", log_fd) < 0)
				out[i] = NULL;
		} else {
			out[i] = strdup(opts[i]);
		}
	}
	for (size_t k = 0; k < n; k++)
		out[nopts + k] = strdup(argv[k]);
	for (i = 0; i < nopts + n; i++)
		if (out[i] == NULL) {
			mc_argv_free(out);
			sc_err_sys(err, "valgrind argv");
			return NULL;
		}
	return out;
}

void
mc_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static enum mc_kind
kind_of(const char *k)
{
	static const struct { const char *name; enum mc_kind kind; } map[] = {
		{ "InvalidRead", MC_INVALID_READ }, { "InvalidWrite", MC_INVALID_WRITE },
		{ "InvalidFree", MC_INVALID_FREE }, { "MismatchedFree", MC_MISMATCHED_FREE },
		{ "UninitCondition", MC_UNINIT_COND }, { "UninitValue", MC_UNINIT_VALUE },
		{ "SyscallParam", MC_SYSCALL_PARAM }, { "Overlap", MC_OVERLAP },
		{ "Leak_DefinitelyLost", MC_LEAK_DEFINITE }, { "Leak_IndirectlyLost", MC_LEAK_INDIRECT },
		{ "Leak_PossiblyLost", MC_LEAK_POSSIBLE }, { "Leak_StillReachable", MC_LEAK_REACHABLE },
		{ "FdNotClosed", MC_FD_LEAK },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, k) == 0)
			return map[i].kind;
	return MC_OTHER;
}

static xmlNode *
child(xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

static char *
text_of(xmlNode *n)
{
	xmlChar *t;
	char *s;

	if (n == NULL)
		return NULL;
	t = xmlNodeGetContent(n);
	s = t ? strdup((const char *)t) : NULL;
	xmlFree(t);
	return s;
}

/* Is `file` (in `dir`) one of the submission's own sources? */
static int
own_source(const char *src_root, const char *dir, const char *file, char *path, size_t len)
{
	struct stat st;

	if (file == NULL || src_root == NULL)
		return 0;
	if (dir && strncmp(dir, src_root, strlen(src_root)) == 0) {
		snprintf(path, len, "%s/%s", dir, file);
		if (stat(path, &st) == 0)
			return 1;
	}
	/* built in a scratch copy: the same file name in the submission counts */
	snprintf(path, len, "%s/%s", src_root, file);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *
source_line(const char *path, int line)
{
	char buf[1024];
	FILE *f = fopen(path, "re");
	int n = 0;

	if (f == NULL)
		return NULL;
	while (fgets(buf, sizeof(buf), f))
		if (++n == line) {
			fclose(f);
			buf[strcspn(buf, "\n")] = '\0';
			return strdup(buf);
		}
	fclose(f);
	return NULL;
}

/*
 * Is `obj` the program's own binary (or an object of the submission)? The
 * program valgrind ran is `exe` (its argv[0], perhaps relative), and the
 * submission lies beneath `src_root`; valgrind's preload objects and the
 * system's libraries are neither.
 */
static int
own_object(const char *obj, const char *exe, const char *src_root)
{
	const char *ob, *eb;
	size_t n;

	if (obj == NULL || strstr(obj, "/valgrind/") != NULL)
		return 0;
	ob = strrchr(obj, '/');
	ob = ob ? ob + 1 : obj;
	if (exe && exe[0]) {
		eb = strrchr(exe, '/');
		eb = eb ? eb + 1 : exe;
		if (strcmp(ob, eb) == 0 && (exe[0] != '/' || strcmp(obj, exe) == 0))
			return 1;
	}
	n = src_root ? strlen(src_root) : 0;
	return n > 0 && strncmp(obj, src_root, n) == 0 && obj[n] == '/' &&
	    strstr(ob, ".so") == NULL;
}

/*
 * The finding's own frame: the first whose source is in the submission (its
 * line is read for the report); failing that, when the program was built
 * elsewhere and its sources are not here, the first frame in the program's
 * own binary, which still names the function and, with -g, file:line.
 */
static void
set_own(struct mc_finding *f, const char *src_root, const char *exe)
{
	char path[PATH_MAX];

	f->own = -1;
	for (size_t i = 0; i < f->nstack; i++)
		if (f->stack[i].line > 0 &&
		    own_source(src_root, f->stack[i].dir, f->stack[i].file, path, sizeof(path))) {
			f->own = (int)i;
			f->source_line = source_line(path, f->stack[i].line);
			return;
		}
	for (size_t i = 0; i < f->nstack; i++)
		if (own_object(f->stack[i].obj, exe, src_root)) {
			f->own = (int)i;
			return;
		}
}

static int
same_finding(const struct mc_finding *a, const struct mc_finding *b)
{
	if (a->kind != b->kind || a->nstack != b->nstack)
		return 0;
	for (size_t i = 0; i < a->nstack; i++) {
		const struct mc_frame *x = &a->stack[i], *y = &b->stack[i];
		if (x->line != y->line || (x->fn == NULL) != (y->fn == NULL) ||
		    (x->fn && strcmp(x->fn, y->fn) != 0) || (x->file == NULL) != (y->file == NULL) ||
		    (x->file && strcmp(x->file, y->file) != 0))
			return 0;
	}
	return 1;
}

static void
finding_free(struct mc_finding *f)
{
	for (size_t i = 0; i < f->nstack; i++) {
		free(f->stack[i].fn);
		free(f->stack[i].file);
		free(f->stack[i].dir);
		free(f->stack[i].obj);
	}
	free(f->stack);
	free(f->kind_name);
	free(f->what);
	free(f->source_line);
	free(f->aux);
}

/* Add a finding, merging it into an identical one. */
static void
add_finding(struct mc_report *r, struct mc_finding *f)
{
	for (size_t i = 0; i < r->count; i++)
		if (same_finding(&r->findings[i], f)) {
			r->findings[i].count++;
			r->findings[i].bytes += f->bytes;
			r->findings[i].blocks += f->blocks;
			finding_free(f);
			return;
		}
	struct mc_finding *nf = realloc(r->findings, (r->count + 1) * sizeof(*nf));
	if (nf == NULL) {
		finding_free(f);
		return;
	}
	r->findings = nf;
	f->count = 1;
	r->findings[r->count++] = *f;
}

static void
read_stack(xmlNode *stack, struct mc_finding *f)
{
	for (xmlNode *fr = stack ? stack->children : NULL; fr; fr = fr->next) {
		if (fr->type != XML_ELEMENT_NODE || strcmp((const char *)fr->name, "frame") != 0)
			continue;
		struct mc_frame *ns = realloc(f->stack, (f->nstack + 1) * sizeof(*ns));
		if (ns == NULL)
			return;
		f->stack = ns;
		struct mc_frame *m = &f->stack[f->nstack++];
		memset(m, 0, sizeof(*m));
		m->fn = text_of(child(fr, "fn"));
		m->file = text_of(child(fr, "file"));
		m->dir = text_of(child(fr, "dir"));
		m->obj = text_of(child(fr, "obj"));
		char *line = text_of(child(fr, "line"));
		m->line = line ? atoi(line) : 0;
		free(line);
	}
}

/*
 * In XML mode valgrind 3.19 prints the descriptor list to the text log without
 * stacks, and writes each stack as a bare top-level <stack> in the XML, in the
 * same order as the log's non-inherited "Open ..." records.
 */
struct fd_stacks {
	struct mc_finding *v;	/* only .stack/.nstack used */
	size_t n, next;
};

static int
read_xml(const char *xml_path, const char *src_root, struct mc_report *r,
    struct fd_stacks *fds, char *exe, size_t exe_len, struct sc_err *err)
{
	xmlDoc *doc = xmlReadFile(xml_path, NULL, XML_PARSE_RECOVER | XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNode *root;

	if (doc == NULL) {
		r->note = strdup("valgrind wrote no readable XML (the program was killed before "
		    "it started?)");
		return 0;
	}
	r->ran = 1;
	root = xmlDocGetRootElement(doc);
	for (xmlNode *n = root ? root->children : NULL; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)n->name, "args") == 0) {
			/* <args><argv><exe>: the program (valgrind's own is in <vargv>) */
			char *e = text_of(child(child(n, "argv"), "exe"));
			snprintf(exe, exe_len, "%s", e ? e : "");
			free(e);
			continue;
		}
		if (strcmp((const char *)n->name, "status") == 0) {
			char *state = text_of(child(n, "state"));
			if (state && strstr(state, "FINISHED"))
				r->leak_check_done = 1;
			if (state && strstr(state, "RUNNING"))
				r->started = 1;
			free(state);
			continue;
		}
		if (strcmp((const char *)n->name, "stack") == 0) {
			struct mc_finding *nv = realloc(fds->v, (fds->n + 1) * sizeof(*nv));
			if (nv == NULL)
				continue;
			fds->v = nv;
			memset(&nv[fds->n], 0, sizeof(nv[0]));
			read_stack(n, &nv[fds->n]);
			fds->n++;
			continue;
		}
		if (strcmp((const char *)n->name, "error") != 0)
			continue;
		struct mc_finding f;
		memset(&f, 0, sizeof(f));
		f.kind_name = text_of(child(n, "kind"));
		f.kind = kind_of(f.kind_name ? f.kind_name : "");
		xmlNode *xw = child(n, "xwhat");
		if (xw) {
			f.what = text_of(child(xw, "text"));
			char *b = text_of(child(xw, "leakedbytes")), *k = text_of(child(xw, "leakedblocks"));
			f.bytes = b ? strtoull(b, NULL, 10) : 0;
			f.blocks = k ? strtoull(k, NULL, 10) : 0;
			free(b);
			free(k);
		} else {
			f.what = text_of(child(n, "what"));
		}
		f.aux = text_of(child(n, "auxwhat"));
		read_stack(child(n, "stack"), &f);
		set_own(&f, src_root, exe);
		add_finding(r, &f);
	}
	xmlFreeDoc(doc);
	(void)err;
	return 0;
}

/* "   at 0x4A0B1C3: socket (syscall-template.S:120)" / "   by 0x1092AB: main (echo_server.c:42)" */
static int
parse_text_frame(const char *line, struct mc_frame *m)
{
	const char *p = strstr(line, ": ");
	char fn[256], loc[512];

	memset(m, 0, sizeof(*m));
	if ((strstr(line, " at 0x") == NULL && strstr(line, " by 0x") == NULL) || p == NULL)
		return -1;
	if (sscanf(p + 2, "%255s (%511[^)])", fn, loc) < 1)
		return -1;
	m->fn = strdup(fn);
	char *colon = strrchr(loc, ':');
	if (colon && isdigit((unsigned char)colon[1]) && strstr(loc, "in ") != loc) {
		*colon = '\0';
		m->file = strdup(loc);
		m->line = atoi(colon + 1);
	} else {
		m->obj = strdup(strncmp(loc, "in ", 3) == 0 ? loc + 3 : loc);
	}
	return 0;
}

/* The next descriptor stack from the XML, moved into f (when the log had none). */
static void
take_fd_stack(struct fd_stacks *fds, struct mc_finding *f)
{
	if (fds->next >= fds->n)
		return;
	struct mc_finding *src = &fds->v[fds->next++];
	if (f->nstack == 0) {
		f->stack = src->stack;
		f->nstack = src->nstack;
		src->stack = NULL;
		src->nstack = 0;
	}
}

static int
read_fd_log(const char *log_path, const char *src_root, const char *exe,
    struct mc_report *r, struct fd_stacks *fds)
{
	FILE *f = fopen(log_path, "re");
	char line[1024];
	struct mc_finding cur, scratch;
	int in_fd = 0, have = 0, pending_stack = 0, skipped = 0;

	memset(&scratch, 0, sizeof(scratch));
	if (f == NULL)
		return 0;
	memset(&cur, 0, sizeof(cur));
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		line[strcspn(line, "\n")] = '\0';
		if (p[0] == '=' && p[1] == '=' && (p = strstr(p + 2, "==")) != NULL)
			p += 2;		/* drop the ==PID== prefix */
		else
			p = line;
		while (*p == ' ')
			p++;
		if (strncmp(p, "FILE DESCRIPTORS:", 17) == 0) {
			in_fd = 1;
			continue;
		}
		if (!in_fd)
			continue;
		if (strncmp(p, "Open ", 5) == 0) {
			if (pending_stack)
				take_fd_stack(fds, skipped ? &scratch : &cur);
			if (skipped)
				finding_free(&scratch);
			memset(&scratch, 0, sizeof(scratch));
			pending_stack = 1;
			skipped = 0;
			if (have) {
				set_own(&cur, src_root, exe);
				add_finding(r, &cur);
			}
			memset(&cur, 0, sizeof(cur));
			/* a server's listening socket (bound to the wildcard address, no
			 * peer) lives as long as the server: not a leak. An accepted
			 * socket whose client is gone shows its own address instead. */
			if (strstr(p, "<-> unbound") != NULL &&
			    (strstr(p, " 0.0.0.0:") != NULL || strstr(p, " :::") != NULL ||
			    strstr(p, " [::]:") != NULL)) {
				have = 0;
				skipped = 1;
				continue;
			}
			have = 1;
			cur.kind = MC_FD_LEAK;
			cur.kind_name = strdup("FdNotClosed");
			if (asprintf(&cur.what, "%s not closed at exit", p + 5) < 0)
				cur.what = NULL;
			continue;
		}
		if (strstr(p, "<inherited from parent>"))
			pending_stack = 0;	/* inherited descriptors have no XML stack */
		if (have && strstr(p, "<inherited from parent>")) {
			finding_free(&cur);
			memset(&cur, 0, sizeof(cur));
			have = 0;
			continue;
		}
		struct mc_frame m;
		if (have && parse_text_frame(p, &m) == 0) {
			struct mc_frame *ns = realloc(cur.stack, (cur.nstack + 1) * sizeof(*ns));
			if (ns) {
				cur.stack = ns;
				cur.stack[cur.nstack++] = m;
			}
		}
	}
	if (pending_stack)
		take_fd_stack(fds, skipped ? &scratch : &cur);
	finding_free(&scratch);
	if (have) {
		set_own(&cur, src_root, exe);
		add_finding(r, &cur);
	}
	fclose(f);
	return 0;
}

int
mc_read(const char *xml_path, const char *log_path, const char *src_root,
    struct mc_report *r, struct sc_err *err)
{
	struct fd_stacks fds = { NULL, 0, 0 };
	char exe[PATH_MAX] = "";

	memset(r, 0, sizeof(*r));
	if (read_xml(xml_path, src_root, r, &fds, exe, sizeof(exe), err) < 0)
		return -1;
	if (log_path)
		read_fd_log(log_path, src_root, exe, r, &fds);
	for (size_t i = 0; i < fds.n; i++)
		finding_free(&fds.v[i]);
	free(fds.v);
	int any_stack = 0;
	for (size_t i = 0; i < r->count; i++)
		for (size_t k = 0; k < r->findings[i].nstack; k++) {
			any_stack = 1;
			if (r->findings[i].stack[k].line > 0)
				r->debug_info = 1;
		}
	if (r->ran && !r->leak_check_done && r->note == NULL)
		r->note = strdup("the program was killed before valgrind's leak check ran: leak "
		    "data is missing");
	else if (any_stack && !r->debug_info && r->note == NULL)
		r->note = strdup("build with -g for line numbers");
	return 0;
}

/* The file an fd-leak finding names ("file descriptor 3: x.c not closed at exit"), or NULL. */
static const char *
open_file_name(const struct mc_finding *f, size_t *len)
{
	static const char lead[] = "file descriptor ", tail[] = " not closed at exit";
	const char *p, *end;

	if (f->kind != MC_FD_LEAK || f->what == NULL || strncmp(f->what, lead, sizeof(lead) - 1))
		return NULL;
	if ((p = strstr(f->what, ": ")) == NULL || (end = strstr(p, tail)) == NULL)
		return NULL;
	p += 2;
	*len = (size_t)(end - p);
	return p;
}

void
mc_drop_open_files(struct mc_report *r)
{
	size_t kept = 0;

	/* first mark (the names are compared while every finding is in place), then compact */
	for (size_t i = 0; i < r->count; i++) {
		struct mc_finding *f = &r->findings[i];
		size_t len, olen;
		const char *name = open_file_name(f, &len), *other;
		unsigned opens = name ? f->count : 0;

		for (size_t k = 0; name && k < r->count; k++)
			if (k != i && (other = open_file_name(&r->findings[k], &olen)) != NULL &&
			    olen == len && memcmp(other, name, len) == 0)
				opens += r->findings[k].count;
		f->fails = name && opens == 1;	/* reused as the mark; the judge sets it later */
	}
	for (size_t i = 0; i < r->count; i++) {
		if (r->findings[i].fails) {
			finding_free(&r->findings[i]);
			continue;
		}
		r->findings[kept++] = r->findings[i];
	}
	r->count = kept;
}

void
mc_report_free(struct mc_report *r)
{
	for (size_t i = 0; i < r->count; i++)
		finding_free(&r->findings[i]);
	free(r->findings);
	free(r->note);
	memset(r, 0, sizeof(*r));
}
