/*
 * scn_load: scenario files -> struct scn, checked against a schema table.
 * Each mapping of the format (scenarios/README.md) has a table of keys;
 * each row names the key and the function that checks and stores its
 * value. Errors carry the file, line and column of the offending node.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cause.h"
#include "mc.h"
#include "scn.h"
#include "strv.h"
#include "ycheck.h"
#include "ytree.h"

static const char *const protocol_names[] = { "echo", "file", "udp", NULL };
static const char *const role_names[] = { "server", "client", "pair", NULL };
static const char *const level_names[] = { "must", "should", "info", NULL };
static const char *const pattern_names[] = { "text", "binary", "random", "zero", NULL };
static const char *const exit_names[] = { "default", "success", "failure", "any", NULL };
static const char *const peer_expect_names[] = { "echo", "nothing", "ignore", NULL };
static const char *const args_names[] = { "usual", "extra", "bad-port", NULL };

/* input */
static int in_size(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_size(c, n, "input.size", &((struct scn_input *)o)->size); }
static int in_pattern(const struct yc *c, const struct yt_node *n, void *o)
{
	int v;
	if (yc_enum(c, n, "input.pattern", pattern_names, &v) < 0)
		return -1;
	((struct scn_input *)o)->pattern = (enum scn_pattern)v;
	return 0;
}
static int in_seed(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_uint(c, n, "input.seed", 0, UINT64_MAX, &((struct scn_input *)o)->seed); }
static int in_text(const struct yc *c, const struct yt_node *n, void *o)
{
	struct scn_input *in = o;
	if (yc_scalar(c, n, "input.text", "a string") < 0)
		return -1;
	free(in->text);
	if ((in->text = malloc(n->len + 1)) == NULL)
		return sc_err_sys(c->err, "input.text");
	memcpy(in->text, n->str, n->len + 1);	/* NUL bytes are data */
	in->text_len = n->len;
	return 0;
}
static const struct yc_row input_rows[] = {
	{ "size", in_size }, { "pattern", in_pattern }, { "seed", in_seed }, { "text", in_text },
	{ NULL, NULL }
};

static int
load_input(const struct yc *c, const struct yt_node *n, struct scn_input *in)
{
	in->set = 1;
	in->size = 64;
	in->seed = 1;
	in->pattern = SCN_PAT_TEXT;
	return yc_apply(c, n, "input", input_rows, in);
}

/* stdin */
static int st_lines(const struct yc *c, const struct yt_node *n, void *o)
{
	struct scn_stdin *s = o;
	if (n->type != YT_SEQ)
		return YC_FAIL(c, n, "'stdin.lines' must be a list of strings");
	return yc_strlist(c, n, "stdin.lines", &s->lines, &s->nlines);
}
static int st_quit(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_bool(c, n, "stdin.quit", &((struct scn_stdin *)o)->quit); }
static int st_close(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_bool(c, n, "stdin.close", &((struct scn_stdin *)o)->close); }
static int st_gap(const struct yc *c, const struct yt_node *n, void *o)
{
	uint64_t v;
	if (yc_uint(c, n, "stdin.line_gap_ms", 0, 60000, &v) < 0)
		return -1;
	((struct scn_stdin *)o)->line_gap_ms = (unsigned)v;
	return 0;
}
static const struct yc_row stdin_rows[] = {
	{ "lines", st_lines }, { "quit", st_quit }, { "close", st_close },
	{ "line_gap_ms", st_gap }, { NULL, NULL }
};

/* peers[] */
static int pe_flags(const struct yc *c, const struct yt_node *n, void *o)
{
	struct scn_peer *p = o;
	if (n->type != YT_SEQ)
		return YC_FAIL(c, n, "'peers[].flags' must be a list, e.g. [--chunk, 1]");
	return yc_strlist(c, n, "peers[].flags", &p->flags, &p->nflags);
}
static int pe_delay(const struct yc *c, const struct yt_node *n, void *o)
{
	uint64_t v;
	if (yc_uint(c, n, "peers[].delay_ms", 0, 600000, &v) < 0)
		return -1;
	((struct scn_peer *)o)->delay_ms = (unsigned)v;
	return 0;
}
static int pe_conc(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_bool(c, n, "peers[].concurrent", &((struct scn_peer *)o)->concurrent); }
static int pe_input(const struct yc *c, const struct yt_node *n, void *o)
{ return load_input(c, n, &((struct scn_peer *)o)->input); }
static int pe_expect(const struct yc *c, const struct yt_node *n, void *o)
{
	int v;
	if (yc_enum(c, n, "peers[].expect", peer_expect_names, &v) < 0)
		return -1;
	((struct scn_peer *)o)->expect = (enum scn_peer_expect)v;
	return 0;
}
static const struct yc_row peer_rows[] = {
	{ "flags", pe_flags }, { "delay_ms", pe_delay }, { "concurrent", pe_conc },
	{ "input", pe_input }, { "expect", pe_expect }, { NULL, NULL }
};

/* setup */
static int su_nofile(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_bool(c, n, "setup.no_file", &((struct scn_setup *)o)->no_file); }
static int su_noserver(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_bool(c, n, "setup.no_server", &((struct scn_setup *)o)->no_server); }
static int su_ipv6(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_bool(c, n, "setup.ipv6", &((struct scn_setup *)o)->ipv6); }
static int su_noargs(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_bool(c, n, "setup.no_args", &((struct scn_setup *)o)->no_args); }
static int su_args(const struct yc *c, const struct yt_node *n, void *o)
{
	int v;
	if (yc_enum(c, n, "setup.args", args_names, &v) < 0)
		return -1;
	((struct scn_setup *)o)->args = (enum scn_args)v;
	return 0;
}
static const struct yc_row setup_rows[] = {
	{ "no_file", su_nofile }, { "no_server", su_noserver }, { "ipv6", su_ipv6 },
	{ "no_args", su_noargs }, { "args", su_args }, { NULL, NULL }
};

/* expect */
static int
tri(const struct yc *c, const struct yt_node *n, const char *key, enum scn_tristate *out)
{
	int b;
	if (yc_bool(c, n, key, &b) < 0)
		return -1;
	*out = b ? SCN_YES : SCN_NO;
	return 0;
}
static int ex_exit(const struct yc *c, const struct yt_node *n, void *o)
{
	int v;
	if (yc_enum(c, n, "expect.exit", exit_names, &v) < 0)
		return -1;
	((struct scn_expect *)o)->exit = (enum scn_exit_expect)v;
	return 0;
}
#define TRI(fn, field) static int fn(const struct yc *c, const struct yt_node *n, void *o) \
	{ return tri(c, n, "expect." #field, &((struct scn_expect *)o)->field); }
TRI(ex_data, data)
TRI(ex_eof, eof)
TRI(ex_reply, reply)
TRI(ex_stderr, stderr_message)
TRI(ex_absent, output_absent)
TRI(ex_closes, closes)
TRI(ex_next, serves_next)
TRI(ex_sent, sent_exact)
TRI(ex_usable, port_usable)
static int ex_max(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_double(c, n, "expect.max_seconds", 0.01, 3600, &((struct scn_expect *)o)->max_seconds); }
static const struct yc_row expect_rows[] = {
	{ "exit", ex_exit }, { "data", ex_data }, { "eof", ex_eof }, { "reply", ex_reply },
	{ "stderr_message", ex_stderr }, { "output_absent", ex_absent }, { "closes", ex_closes },
	{ "serves_next", ex_next }, { "max_seconds", ex_max }, { "sent_exact", ex_sent },
	{ "port_usable", ex_usable }, { NULL, NULL }
};

/* inject: stored as "key=value" strings for the preload library */
static const char *const inject_keys[] = { "read_max", "write_max", "fail", "eintr_every",
	"reads_fail", "seed", "calls", NULL };

static int
load_inject(const struct yc *c, const struct yt_node *n, struct scn *s)
{
	size_t count = 0, cap = 0;
	char **v = NULL;

	if (n->type != YT_MAP)
		return YC_FAIL(c, n, "'inject' must be a mapping, e.g. {write_max: 7}");
	for (size_t i = 0; i < n->n; i++) {
		const struct yt_node *val = n->items[i];
		int known = 0;
		for (size_t k = 0; inject_keys[k]; k++)
			known |= strcmp(inject_keys[k], n->keys[i]) == 0;
		if (!known)
			return YC_FAIL(c, n->key_nodes[i], "unknown key '%s' in inject (read_max, write_max, "
			    "fail, eintr_every, reads_fail, seed, calls)", n->keys[i]);
		if (strcmp(n->keys[i], "read_max") == 0 || strcmp(n->keys[i], "write_max") == 0 ||
		    strcmp(n->keys[i], "eintr_every") == 0) {
			uint64_t x;
			if (yc_uint(c, val, n->keys[i], 1, 1 << 30, &x) < 0)
				return -1;
		}
		if (strcmp(n->keys[i], "reads_fail") == 0) {
			unsigned k = 0;
			char e[16] = "", rest;
			if (val->type != YT_SCALAR || sscanf(val->str, "%u:%15[A-Z]%c", &k, e, &rest) != 2 ||
			    k == 0)
				return YC_FAIL(c, val, "'inject.reads_fail' must be K:ERRNO, e.g. "
				    "\"1:ECONNRESET\" (every read of the first connection fails)");
		}
		size_t nvals = val->type == YT_SEQ ? val->n : 1;
		for (size_t j = 0; j < nvals; j++) {
			const struct yt_node *item = val->type == YT_SEQ ? val->items[j] : val;
			if (item->type != YT_SCALAR)
				return YC_FAIL(c, item, "'inject.%s' must be a scalar or a list of them",
				    n->keys[i]);
			if (count + 2 > cap) {
				cap = cap ? cap * 2 : 8;
				char **nv = realloc(v, cap * sizeof(*v));
				if (nv == NULL)
					return sc_err_sys(c->err, "inject");
				v = nv;
				v[count] = NULL;
				s->inject = v;	/* scn_free frees it on a later error */
			}
			if (asprintf(&v[count], "%s=%s", n->keys[i], item->str) < 0)
				return sc_err_sys(c->err, "inject");
			v[++count] = NULL;
		}
	}
	s->inject = v;
	return 0;
}

/* top level */
static int sc_id(const struct yc *c, const struct yt_node *n, void *o)
{
	struct scn *s = o;
	if (yc_scalar(c, n, "id", "a string") < 0)
		return -1;
	if (s->id && strcmp(s->id, n->str) != 0)
		return YC_FAIL(c, n, "'id' is '%s' but the file's place in the suite makes it '%s'",
		    n->str, s->id);
	return yc_string(c, n, "id", &s->id);
}
static int sc_title(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_string(c, n, "title", &((struct scn *)o)->title); }
static int sc_proto(const struct yc *c, const struct yt_node *n, void *o)
{
	int v;
	if (yc_enum(c, n, "protocol", protocol_names, &v) < 0)
		return -1;
	((struct scn *)o)->protocol = (enum scn_protocol)v;
	return 0;
}
static int sc_role(const struct yc *c, const struct yt_node *n, void *o)
{
	int v;
	if (yc_enum(c, n, "role", role_names, &v) < 0)
		return -1;
	((struct scn *)o)->role = (enum scn_role)v;
	return 0;
}
static int sc_level(const struct yc *c, const struct yt_node *n, void *o)
{
	int v;
	if (yc_enum(c, n, "level", level_names, &v) < 0)
		return -1;
	((struct scn *)o)->level = (enum scn_level)v;
	return 0;
}
static int sc_points(const struct yc *c, const struct yt_node *n, void *o)
{
	uint64_t v;
	if (yc_uint(c, n, "points", 0, 1000, &v) < 0)
		return -1;
	((struct scn *)o)->points = (unsigned)v;
	return 0;
}
static int sc_timeout(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_double(c, n, "timeout", 0.1, 3600, &((struct scn *)o)->timeout_s); }
static int sc_input(const struct yc *c, const struct yt_node *n, void *o)
{ return load_input(c, n, &((struct scn *)o)->input); }
static int sc_stdin(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_apply(c, n, "stdin", stdin_rows, &((struct scn *)o)->stdin_spec); }
static int sc_peers(const struct yc *c, const struct yt_node *n, void *o)
{
	struct scn *s = o;
	if (n->type != YT_SEQ)
		return YC_FAIL(c, n, "'peers' must be a list of mappings");
	free(s->peers);
	s->peers = calloc(n->n ? n->n : 1, sizeof(*s->peers));
	s->npeers = 0;
	if (s->peers == NULL)
		return sc_err_sys(c->err, "peers");
	for (size_t i = 0; i < n->n; i++) {
		s->npeers++;
		if (yc_apply(c, n->items[i], "peers[]", peer_rows, &s->peers[i]) < 0)
			return -1;
	}
	return 0;
}
static int sc_setup(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_apply(c, n, "setup", setup_rows, &((struct scn *)o)->setup); }
static int sc_expect(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_apply(c, n, "expect", expect_rows, &((struct scn *)o)->expect); }
static int sc_hint(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_string(c, n, "hint", &((struct scn *)o)->hint); }
static int sc_memcheck(const struct yc *c, const struct yt_node *n, void *o)
{ return yc_bool(c, n, "memcheck", &((struct scn *)o)->memcheck); }
static int sc_mcfail(const struct yc *c, const struct yt_node *n, void *o)
{
	struct scn *s = o;
	size_t count;
	if (n->type != YT_SEQ)
		return YC_FAIL(c, n, "'memcheck_fail' must be a list of finding kinds");
	if (yc_strlist(c, n, "memcheck_fail", &s->memcheck_fail, &count) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		enum mc_kind k;
		if (mc_kind_from_name(s->memcheck_fail[i], &k) < 0)
			return YC_FAIL(c, n->items[i], "'memcheck_fail': unknown kind '%s'",
			    s->memcheck_fail[i]);
	}
	return 0;
}
static int sc_inject(const struct yc *c, const struct yt_node *n, void *o)
{ return load_inject(c, n, o); }
/* "no-start, no-listen, ...": the cause ids, for an error message */
static void
cause_id_list(char *buf, size_t size)
{
	unsigned n;
	const struct cause *t = cause_table(&n);
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && len < size; i++) {
		int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", t[i].id);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/*
 * target: the aspects with their own case (cause.h) that this case judges,
 * and the cause ids (cause.c) this case is for: an aspect also makes its
 * checks this case's target (judge.c); a cause id decides only who pays for
 * the cause (res_payer), never a verdict.
 */
static int sc_target(const struct yc *c, const struct yt_node *n, void *o)
{
	struct scn *s = o;
	size_t nvals = n->type == YT_SEQ ? n->n : 1;

	if (n->type != YT_SEQ && n->type != YT_SCALAR)
		return YC_FAIL(c, n, "'target' must be an aspect or a cause id, or a list of them");
	s->targets = 0;
	s->target_causes = 0;
	for (size_t i = 0; i < nvals; i++) {
		const struct yt_node *item = n->type == YT_SEQ ? n->items[i] : n;
		int a, k;
		if (yc_scalar(c, item, "target", "an aspect or a cause id") < 0)
			return -1;
		if ((a = cause_aspect_parse(item->str)) >= 0)
			s->targets |= 1u << a;
		else if ((k = cause_index(item->str)) >= 0)
			s->target_causes |= (uint64_t)1 << k;
		else {
			char ids[1024];
			cause_id_list(ids, sizeof(ids));
			return YC_FAIL(c, item, "'target': unknown aspect or cause '%s' (aspects: "
			    "end-of-input, quit-word, reply, error-text, half-close; causes: %s)",
			    item->str, ids);
		}
	}
	return 0;
}

static const struct yc_row top_rows[] = {
	{ "id", sc_id }, { "title", sc_title }, { "protocol", sc_proto }, { "role", sc_role },
	{ "level", sc_level }, { "points", sc_points }, { "timeout", sc_timeout },
	{ "input", sc_input }, { "stdin", sc_stdin }, { "peers", sc_peers }, { "setup", sc_setup },
	{ "expect", sc_expect }, { "hint", sc_hint }, { "memcheck", sc_memcheck },
	{ "memcheck_fail", sc_mcfail }, { "inject", sc_inject }, { "target", sc_target },
	{ NULL, NULL }
};

/* ---- loading ---- */

static int
check_required(const struct yc *c, const struct yt_node *root, struct scn *s)
{
	static const char *const req[] = { "title", "protocol", "role", "hint", NULL };
	for (size_t i = 0; req[i]; i++)
		if (yt_get(root, req[i]) == NULL)
			return sc_err_at(c->err, c->path, root->line, root->col,
			    "missing required key '%s'", req[i]);
	if (s->setup.no_file && !(s->protocol == SCN_FILE && s->role == SCN_SERVER))
		return YC_FAIL(c, yt_get(root, "setup"), "'setup.no_file' applies to file.server only");
	if (s->setup.no_server && s->role != SCN_CLIENT)
		return YC_FAIL(c, yt_get(root, "setup"), "'setup.no_server' applies to clients only");
	if (s->expect.port_usable == SCN_YES && s->role != SCN_SERVER)
		return YC_FAIL(c, yt_get(root, "expect"), "'expect.port_usable' applies to servers only");
	if (s->setup.no_args && s->role == SCN_PAIR)
		return YC_FAIL(c, yt_get(root, "setup"), "'setup.no_args' applies to servers and clients");
	if (s->setup.no_args && (yt_get(root, "peers") || yt_get(root, "inject")))
		return YC_FAIL(c, yt_get(root, "setup"),
		    "'setup.no_args': the program only prints its usage: no peers, no inject");
	if (s->setup.args && s->role == SCN_PAIR)
		return YC_FAIL(c, yt_get(root, "setup"), "'setup.args' applies to servers and clients");
	/* a client's server is there (one that ignores its arguments runs as
	 * usual, and ends with status 0); a server gets no client */
	if (s->setup.args && (s->setup.no_args || yt_get(root, "peers") || yt_get(root, "inject")))
		return YC_FAIL(c, yt_get(root, "setup"),
		    "'setup.args': the program only prints its usage: no peers, no inject, no no_args");
	return 0;
}

/* Role defaults for what the scenario did not say. */
static void
fill_defaults(struct scn *s, const struct yt_node *root)
{
	const struct yt_node *ex = yt_get(root, "expect");

	if (yt_get(root, "peers") == NULL && !s->setup.no_server && !s->setup.no_args &&
	    !(s->setup.args && s->role == SCN_SERVER) && s->role != SCN_PAIR) {
		s->peers = calloc(1, sizeof(*s->peers));
		s->npeers = s->peers ? 1 : 0;
	}
	if (s->setup.no_server) {
		for (size_t i = 0; i < s->npeers; i++) {
			for (size_t k = 0; k < s->peers[i].nflags; k++)
				free(s->peers[i].flags[k]);
			free(s->peers[i].flags);
			free(s->peers[i].input.text);
		}
		s->npeers = 0;
	}
	if (ex == NULL || yt_get(ex, "data") == NULL)
		s->expect.data = SCN_YES;
	if (s->protocol == SCN_FILE && s->role == SCN_SERVER && (ex == NULL || !yt_get(ex, "eof")))
		s->expect.eof = SCN_YES;
	if (s->protocol == SCN_FILE && (ex == NULL || !yt_get(ex, "reply")))
		s->expect.reply = SCN_YES;
	if (s->protocol == SCN_ECHO && s->role == SCN_CLIENT && (ex == NULL || !yt_get(ex, "closes")))
		s->expect.closes = SCN_YES;
	if (s->setup.no_server || s->setup.no_file || scn_usage_case(s)) {
		s->expect.data = SCN_NO;
		s->expect.reply = SCN_NO;
		s->expect.closes = SCN_ANY;
	}
}

static struct scn *
load(const char *path, const char *id, struct sc_err *err)
{
	struct yc c = { .path = path, .err = err };
	struct yt_node *root = yt_load_file(path, err);
	struct scn *s;

	if (root == NULL)
		return NULL;
	if (root->type != YT_MAP) {
		YC_FAIL(&c, root, "a scenario must be a mapping of keys (title, protocol, role, ...)");
		yt_free(root);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		yt_free(root);
		sc_err_sys(err, "%s", path);
		return NULL;
	}
	s->path = strdup(path);
	s->id = id ? strdup(id) : NULL;
	s->level = SCN_MUST;
	s->points = 1;
	s->timeout_s = 10;
	s->memcheck = -1;
	s->stdin_spec.close = 1;
	if (yc_apply(&c, root, "the scenario", top_rows, s) < 0 || check_required(&c, root, s) < 0) {
		yt_free(root);
		scn_free(s);
		return NULL;
	}
	fill_defaults(s, root);
	if (s->id == NULL) {
		/* outside a suite: the id from the protocol, role and file name */
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		size_t len = strlen(base);
		if (len > 5 && strcmp(base + len - 5, ".yaml") == 0)
			len -= 5;
		if (asprintf(&s->id, "%s.%s.%.*s", scn_protocol_name(s->protocol),
		    scn_role_name(s->role), (int)len, base) < 0)
			s->id = NULL;
	} else {
		char want[64];
		snprintf(want, sizeof(want), "%s.%s.", scn_protocol_name(s->protocol),
		    scn_role_name(s->role));
		if (strncmp(s->id, want, strlen(want)) != 0) {
			const struct yt_node *n = yt_get(root, "role");
			YC_FAIL(&c, n ? n : root, "protocol '%s' and role '%s' don't match the file's place "
			    "in the suite (id '%s')", scn_protocol_name(s->protocol),
			    scn_role_name(s->role), s->id);
			yt_free(root);
			scn_free(s);
			return NULL;
		}
	}
	yt_free(root);
	return s;
}

/* Whether `name` (len bytes) is one of names. */
static int
among(const char *name, size_t len, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (strlen(names[i]) == len && strncmp(name, names[i], len) == 0)
			return 1;
	return 0;
}

struct scn *
scn_load_file(const char *path, struct sc_err *err)
{
	/* inside a suite's <protocol>/<role>/ directories: the id the suite
	 * would give it, so that validate checks what list and run check */
	const char *base = strrchr(path, '/'), *role = NULL, *proto = NULL;
	char id[PATH_MAX];

	if (base) {
		for (role = base; role > path && role[-1] != '/'; role--)
			;
		if (role > path)
			for (proto = role - 1; proto > path && proto[-1] != '/'; proto--)
				;
	}
	size_t blen = base ? strlen(base + 1) : 0;
	if (proto && role && blen > 5 && strcmp(base + 1 + blen - 5, ".yaml") == 0 &&
	    among(proto, (size_t)(role - 1 - proto), protocol_names) &&
	    among(role, (size_t)(base - role), role_names)) {
		snprintf(id, sizeof(id), "%.*s.%.*s.%.*s", (int)(role - 1 - proto), proto,
		    (int)(base - role), role, (int)(blen - 5), base + 1);
		return load(path, id, err);
	}
	return load(path, NULL, err);
}

static int
cmp_scn(const void *a, const void *b)
{
	return strcmp((*(struct scn *const *)a)->id, (*(struct scn *const *)b)->id);
}

static int
walk(const char *dir, const char *rel, int depth, struct scn_suite *suite, struct sc_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (d == NULL)
		return sc_err_sys(err, "%s", dir);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char path[PATH_MAX], sub[PATH_MAX];
		struct stat st;
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth >= 2)
				continue;
			snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "." : "", de->d_name);
			rc = walk(path, sub, depth + 1, suite, err);
			continue;
		}
		if (len <= 5 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		if (depth != 2) {
			rc = sc_err_set(err, "%s: scenario files live in <protocol>/<role>/", path);
			break;
		}
		char id[PATH_MAX];
		snprintf(id, sizeof(id), "%s.%.*s", rel, (int)(len - 5), de->d_name);
		struct scn *s = load(path, id, err);
		if (s == NULL) {
			rc = -1;
			break;
		}
		struct scn **items = realloc(suite->items, (suite->count + 1) * sizeof(*items));
		if (items == NULL) {
			scn_free(s);
			rc = sc_err_sys(err, "suite");
			break;
		}
		suite->items = items;
		suite->items[suite->count++] = s;
	}
	closedir(d);
	return rc;
}

int
scn_load_suite(const char *dir, struct scn_suite *suite, struct sc_err *err)
{
	memset(suite, 0, sizeof(*suite));
	if (walk(dir, "", 0, suite, err) < 0) {
		scn_suite_free(suite);
		return -1;
	}
	if (suite->count == 0)
		return sc_err_set(err, "%s: no scenarios (*.yaml under <protocol>/<role>/)", dir);
	qsort(suite->items, suite->count, sizeof(*suite->items), cmp_scn);
	for (size_t i = 1; i < suite->count; i++)
		if (strcmp(suite->items[i - 1]->id, suite->items[i]->id) == 0) {
			sc_err_set(err, "%s: duplicate scenario id '%s'", suite->items[i]->path,
			    suite->items[i]->id);
			scn_suite_free(suite);
			return -1;
		}
	return 0;
}

void
scn_free(struct scn *s)
{
	if (s == NULL)
		return;
	free(s->id);
	free(s->path);
	free(s->title);
	free(s->input.text);
	strv_free(s->stdin_spec.lines);
	for (size_t i = 0; i < s->npeers; i++) {
		strv_free(s->peers[i].flags);
		free(s->peers[i].input.text);
	}
	free(s->peers);
	free(s->hint);
	strv_free(s->memcheck_fail);
	strv_free(s->inject);
	free(s);
}

void
scn_suite_free(struct scn_suite *suite)
{
	for (size_t i = 0; i < suite->count; i++)
		scn_free(suite->items[i]);
	free(suite->items);
	memset(suite, 0, sizeof(*suite));
}

int
scn_id_matches(const char *id, const char *globs)
{
	char buf[1024], *save = NULL;

	if (globs == NULL || *globs == '\0')
		return 1;
	snprintf(buf, sizeof(buf), "%s", globs);
	for (char *g = strtok_r(buf, ",", &save); g; g = strtok_r(NULL, ",", &save))
		if (fnmatch(g, id, 0) == 0)
			return 1;
	return 0;
}

int
scn_usage_case(const struct scn *s)
{
	return s->setup.no_args || s->setup.args != SCN_ARGS_USUAL;
}

int
scn_server_refuses(const struct scn *s)
{
	return s->role == SCN_SERVER && s->expect.exit == SCN_EXIT_FAILURE && s->npeers == 0 &&
	    !s->setup.no_file && !s->setup.no_args;
}

const char *scn_protocol_name(enum scn_protocol p) { return protocol_names[p]; }
const char *scn_role_name(enum scn_role r) { return role_names[r]; }
const char *scn_level_name(enum scn_level l) { return level_names[l]; }
const char *scn_pattern_name(enum scn_pattern p) { return pattern_names[p]; }
