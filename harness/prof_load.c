/*
 * prof_load: the submission profile (sockcheck.yaml) and the textbook
 * defaults used without one (docs/profile.md).
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc.h"
#include "prof.h"
#include "strv.h"
#include "ycheck.h"
#include "ytree.h"

static const char *const prog_names[] = { "echo_server", "echo_client", "file_server",
	"file_client", "udp_echo_server", "udp_echo_client" };
static const char *const default_cmds[] = { "./echo_server {port}", "./echo_client {host} {port}",
	"./file_server {port}", "./file_client {host} {port}", "./udp_echo_server {port}",
	"./udp_echo_client {host} {port}" };

const char *
prof_prog_name(enum prof_prog_kind k)
{
	return (unsigned)k < PROF_NPROGS ? prog_names[k] : "?";
}

static int
exists_in(const char *dir, const char *name, const char *suffix)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s%s", dir, name, suffix);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void
defaults(const char *dir, struct prof *p)
{
	memset(p, 0, sizeof(*p));
	p->memcheck = -1;
	p->build_timeout_s = 120;
	for (int k = 0; k < PROF_NPROGS; k++) {
		struct prof_prog *pp = &p->progs[k];
		pp->command = strdup(default_cmds[k]);
		pp->port_mode = PROF_PORT_ARGV;
		/* a pty on stdout: printf output appears even without fflush */
		pp->stdout_mode = PROF_STDOUT_LINE;
		pp->present = exists_in(dir, prog_names[k], "") || exists_in(dir, prog_names[k], ".c");
	}
	p->progs[PROF_FILE_SERVER].file = strdup("file_server.c");
	p->progs[PROF_FILE_CLIENT].out = strdup("receive.dat");
	/* the lecture's client ends on an empty line */
	p->progs[PROF_ECHO_CLIENT].quit = strdup("");
	p->progs[PROF_UDP_CLIENT].quit = strdup("");
}

#define FAIL(n, ...) sc_err_at(err, path, (n)->line, (n)->col, __VA_ARGS__)

static int
load_prog(const char *path, const struct yt_node *m, struct prof_prog *pp, struct sc_err *err)
{
	static const char *const keys[] = { "command", "port", "port_pattern", "file", "out",
	    "stdin", "quit", "stdout", "host", NULL };
	const struct yc yc = { path, err };

	if (m->type != YT_MAP)
		return FAIL(m, "a program entry must be a mapping (command, port, ...)");
	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->keys[i];
		const struct yt_node *v = m->items[i];
		size_t j;
		for (j = 0; keys[j] && strcmp(keys[j], k) != 0; j++)
			;
		if (keys[j] == NULL)
			return FAIL(m->key_nodes[i], "unknown key '%s' in a program entry (command, port, "
			    "port_pattern, file, out, stdin, quit, stdout, host)", k);
		if (v->type != YT_SCALAR)
			return FAIL(v, "'%s' must be a scalar", k);
		if (strcmp(k, "command") == 0) {
			struct sc_err e2;
			char **argv = prof_expand(v->str, "127.0.0.1", 1, "f", "o", &e2);
			if (argv == NULL)
				return FAIL(v, "'command': %s", e2.msg);
			prof_argv_free(argv);
			if (yc_string(&yc, v, k, &pp->command) < 0)
				return -1;
			pp->set |= PROF_SET_COMMAND;
		} else if (strcmp(k, "port") == 0) {
			if (strcmp(v->str, "argv") == 0) {
				pp->port_mode = PROF_PORT_ARGV;
			} else if (strcmp(v->str, "printed") == 0) {
				pp->port_mode = PROF_PORT_PRINTED;
			} else if (strcmp(v->str, "listening") == 0) {
				pp->port_mode = PROF_PORT_LISTENING;
			} else {
				char *end;
				long n = strtol(v->str, &end, 10);
				if (*end || end == v->str || n < 1 || n > 65535)
					return FAIL(v, "'port' must be argv, printed, listening or a port "
					    "number from 1 to 65535; got '%s'", v->str);
				pp->port_mode = PROF_PORT_FIXED;
				pp->fixed_port = (unsigned)n;
			}
			pp->set |= PROF_SET_PORT;
		} else if (strcmp(k, "stdout") == 0) {
			if (strcmp(v->str, "pipe") == 0)
				pp->stdout_mode = PROF_STDOUT_PIPE;
			else if (strcmp(v->str, "line") == 0)
				pp->stdout_mode = PROF_STDOUT_LINE;
			else if (strcmp(v->str, "pty") == 0)
				pp->stdout_mode = PROF_STDOUT_PTY;
			else
				return FAIL(v, "'stdout' must be one of pipe, line or pty; got '%s'", v->str);
			pp->set |= PROF_SET_STDOUT;
		} else if (strcmp(k, "port_pattern") == 0) {
			regex_t re;
			int rc = regcomp(&re, v->str, REG_EXTENDED);
			if (rc != 0) {
				char why[128];
				regerror(rc, &re, why, sizeof(why));
				return FAIL(v, "'port_pattern' is not a POSIX extended regular expression: "
				    "%s", why);
			}
			if (re.re_nsub < 1) {
				regfree(&re);
				return FAIL(v, "'port_pattern' needs a group around the port, e.g. "
				    "\"port ([0-9]+)\"");
			}
			regfree(&re);
			if (yc_string(&yc, v, k, &pp->port_pattern) < 0)
				return -1;
			pp->set |= PROF_SET_PORT_PATTERN;
		} else if (strcmp(k, "file") == 0 || strcmp(k, "out") == 0) {
			/* inside the case's scratch root (the working copy and its parent),
			 * never outside it: "../test/data/x.c" is fine, "../../x" is not */
			char norm[4096];
			if (prof_path_inside(v->str, "work", norm, sizeof(norm)) < 0)
				return FAIL(v, "'%s' must be a file name relative to the program's working "
				    "directory that stays inside the case's scratch tree (no absolute path, "
				    "at most one '..' above the working directory); got '%s'", k, v->str);
			if (yc_string(&yc, v, k, strcmp(k, "file") == 0 ? &pp->file : &pp->out) < 0)
				return -1;
			pp->set |= strcmp(k, "file") == 0 ? PROF_SET_FILE : PROF_SET_OUT;
		} else if (strcmp(k, "stdin") == 0) {
			if (yc_string(&yc, v, k, &pp->stdin_text) < 0)
				return -1;
			pp->set |= PROF_SET_STDIN;
		} else if (strcmp(k, "quit") == 0) {
			/* `quit: none` (unquoted): no word ends the client */
			if (v->str && strcmp(v->str, "none") == 0 && !v->quoted) {
				free(pp->quit);
				pp->quit = NULL;
				pp->no_quit = 1;
			} else {
				if (yc_string(&yc, v, k, &pp->quit) < 0)
					return -1;
				pp->no_quit = 0;
			}
			pp->set |= PROF_SET_QUIT;
		} else if (strcmp(k, "host") == 0) {
			if (yc_string(&yc, v, k, &pp->host) < 0)
				return -1;
			pp->set |= PROF_SET_HOST;
		}
	}
	pp->present = 1;
	return 0;
}

/* limits: {cpu: S, memory: SIZE, file_size: SIZE, open_files: N, processes: N, report: SIZE} */
static int
load_limits(const char *path, const struct yt_node *v, struct prof *p, struct sc_err *err)
{
	if (v->type != YT_MAP)
		return FAIL(v, "'limits' must be a mapping (cpu, memory, file_size, open_files, "
		    "processes, report)");
	for (size_t i = 0; i < v->n; i++) {
		const char *k = v->keys[i];
		const struct yt_node *x = v->items[i];
		uint64_t n;
		int size = strcmp(k, "memory") == 0 || strcmp(k, "file_size") == 0 ||
		    strcmp(k, "report") == 0;
		if (strcmp(k, "cpu") && strcmp(k, "open_files") && strcmp(k, "processes") && !size)
			return FAIL(v->key_nodes[i], "unknown key '%s' in limits (cpu, memory, "
			    "file_size, open_files, processes, report)", k);
		if (x->type != YT_SCALAR || yc_parse_size(x->str, &n) < 0 || n == 0 ||
		    (!size && strpbrk(x->str, "KMG") != NULL))
			return FAIL(x, size ? "'limits.%s' must be a positive size, e.g. 512MiB" :
			    "'limits.%s' must be a positive number", k);
		if (strcmp(k, "cpu") == 0)
			p->limits.cpu_s = (unsigned long)n;
		else if (strcmp(k, "memory") == 0)
			p->limits.memory = n;
		else if (strcmp(k, "file_size") == 0)
			p->limits.file_size = n;
		else if (strcmp(k, "report") == 0)
			p->limits.report = n;
		else if (strcmp(k, "open_files") == 0)
			p->limits.open_files = (unsigned long)n;
		else
			p->limits.processes = (unsigned long)n;
	}
	return 0;
}

/*
 * One reply as bytes. Double-quoted YAML decodes its own escapes ("\0",
 * "\r", "\n", "\xNN"); in plain and single-quoted strings sockcheck
 * decodes the same ones: \0 \r \n \t \\ \xNN. The length is kept, NULs
 * included.
 */
static int
reply_bytes(const struct yc *yc, const struct yt_node *n, struct prof_reply *r)
{
	char *b = malloc(n->len + 1);
	size_t o = 0;

	if (b == NULL)
		return sc_err_sys(yc->err, "reply");
	for (size_t i = 0; i < n->len; i++) {
		char ch = n->str[i];
		if (n->quoted == 2 || ch != '\\') {
			b[o++] = ch;
			continue;
		}
		if (++i >= n->len) {
			free(b);
			return YC_FAIL(yc, n, "'reply': a backslash at the end (write \\\\ for one)");
		}
		switch (n->str[i]) {
		case '0': b[o++] = '\0'; break;
		case 'r': b[o++] = '\r'; break;
		case 'n': b[o++] = '\n'; break;
		case 't': b[o++] = '\t'; break;
		case '\\': b[o++] = '\\'; break;
		case 'x': {
			static const char hex[] = "0123456789abcdef";
			const char *h1 = i + 1 < n->len ? strchr(hex, n->str[i + 1] | 0x20) : NULL;
			const char *h2 = i + 2 < n->len ? strchr(hex, n->str[i + 2] | 0x20) : NULL;
			if (h1 == NULL || h2 == NULL || n->str[i + 1] == '\0' || n->str[i + 2] == '\0') {
				free(b);
				return YC_FAIL(yc, n, "'reply': \\x takes two hex digits (\\x0d)");
			}
			b[o++] = (char)((h1 - hex) << 4 | (h2 - hex));
			i += 2;
			break;
		}
		default:
			free(b);
			return YC_FAIL(yc, n, "'reply': unknown escape '\\%c' (\\0 \\r \\n \\t "
			    "\\\\ \\xNN)", n->str[i]);
		}
	}
	b[o] = '\0';
	r->bytes = b;
	r->len = o;
	return 0;
}

/* reply: a byte string, a list of them, or none (the protocol has no reply). */
static int
load_replies(const struct yc *yc, const struct yt_node *v, struct prof *p)
{
	size_t n = v->type == YT_SEQ ? v->n : 1;

	for (size_t i = 0; i < p->nreplies; i++)
		free(p->replies[i].bytes);
	free(p->replies);
	p->replies = NULL;
	p->nreplies = 0;
	p->reply_none = 0;
	if (v->type == YT_SCALAR && !v->quoted && strcmp(v->str, "none") == 0) {
		p->reply_none = 1;
		return 0;
	}
	if (v->type == YT_MAP || n == 0)
		return YC_FAIL(yc, v, "'reply' must be a string, a list of strings, or none");
	if ((p->replies = calloc(n, sizeof(*p->replies))) == NULL)
		return sc_err_sys(yc->err, "reply");
	for (size_t i = 0; i < n; i++) {
		const struct yt_node *item = v->type == YT_SEQ ? v->items[i] : v;
		if (item->type != YT_SCALAR)
			return YC_FAIL(yc, item, "'reply' must be a string or a list of strings");
		if (reply_bytes(yc, item, &p->replies[i]) < 0)
			return -1;
		p->nreplies++;
		if (p->replies[i].len == 0)
			return YC_FAIL(yc, item, "'reply': an empty reply (for no reply at all, "
			    "write reply: none)");
	}
	return 0;
}

int
prof_load_file(const char *path, const char *dir, struct prof *p, struct sc_err *err)
{
	const struct yc yc = { path, err };
	struct yt_node *root;

	defaults(dir, p);
	if ((root = yt_load_file(path, err)) == NULL) {
		prof_free(p);
		return -1;
	}
	p->path = strdup(path);
	if (root->type != YT_MAP) {
		FAIL(root, "a profile must be a mapping (build, programs, reply, ...)");
		goto fail;
	}
	for (size_t i = 0; i < root->n; i++) {
		const char *k = root->keys[i];
		const struct yt_node *v = root->items[i];
		if (strcmp(k, "build") == 0) {
			if (yc_string(&yc, v, k, &p->build) < 0)
				goto fail;
		} else if (strcmp(k, "build_timeout") == 0) {
			char *end;
			long n = v->type == YT_SCALAR ? strtol(v->str, &end, 10) : -1;
			if (v->type != YT_SCALAR || *end || n < 1 || n > 3600) {
				FAIL(v, "'build_timeout' must be a number of seconds from 1 to 3600");
				goto fail;
			}
			p->build_timeout_s = (unsigned)n;
		} else if (strcmp(k, "programs") == 0) {
			if (v->type != YT_MAP) {
				FAIL(v, "'programs' must be a mapping of program names");
				goto fail;
			}
			for (int j = 0; j < PROF_NPROGS; j++)
				p->progs[j].present = 0;
			for (size_t j = 0; j < v->n; j++) {
				int kind;
				for (kind = 0; kind < PROF_NPROGS; kind++)
					if (strcmp(v->keys[j], prog_names[kind]) == 0)
						break;
				if (kind == PROF_NPROGS) {
					FAIL(v->key_nodes[j], "unknown program '%s' (echo_server, echo_client, "
					    "file_server, file_client, udp_echo_server, udp_echo_client)", v->keys[j]);
					goto fail;
				}
				if (load_prog(path, v->items[j], &p->progs[kind], err) < 0)
					goto fail;
			}
		} else if (strcmp(k, "reply") == 0) {
			if (load_replies(&yc, v, p) < 0)
				goto fail;
		} else if (strcmp(k, "limits") == 0) {
			if (load_limits(path, v, p, err) < 0)
				goto fail;
		} else if (strcmp(k, "memcheck") == 0) {
			if (v->type != YT_SCALAR || (strcmp(v->str, "true") && strcmp(v->str, "false"))) {
				FAIL(v, "'memcheck' must be true or false");
				goto fail;
			}
			p->memcheck = strcmp(v->str, "true") == 0;
		} else if (strcmp(k, "memcheck_fail") == 0) {
			if (yc_strlist(&yc, v, k, &p->memcheck_fail, NULL) < 0)
				goto fail;
			for (size_t j = 0; p->memcheck_fail[j]; j++) {
				enum mc_kind mk;
				if (mc_kind_from_name(p->memcheck_fail[j], &mk) < 0) {
					FAIL(v, "'memcheck_fail': unknown kind '%s'", p->memcheck_fail[j]);
					goto fail;
				}
			}
		} else {
			FAIL(root->key_nodes[i], "unknown key '%s' in the profile (build, build_timeout, "
			    "programs, reply, limits, memcheck, memcheck_fail)", k);
			goto fail;
		}
	}
	yt_free(root);
	return 0;
fail:
	yt_free(root);
	prof_free(p);
	return -1;
}

int
prof_load(const char *dir, struct prof *p, struct sc_err *err)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/sockcheck.yaml", dir);
	if (access(path, F_OK) == 0)
		return prof_load_file(path, dir, p, err);
	defaults(dir, p);
	return 0;
}

void
prof_free(struct prof *p)
{
	for (int k = 0; k < PROF_NPROGS; k++) {
		struct prof_prog *pp = &p->progs[k];
		free(pp->command);
		free(pp->port_pattern);
		free(pp->file);
		free(pp->out);
		free(pp->stdin_text);
		free(pp->quit);
		free(pp->skip);
		free(pp->host);
	}
	free(p->path);
	free(p->build);
	for (size_t i = 0; i < p->nreplies; i++)
		free(p->replies[i].bytes);
	free(p->replies);
	strv_free(p->memcheck_fail);
	memset(p, 0, sizeof(*p));
}

#define WORD_MAX 4096

/* One byte onto the word being built; a word too long is an error, never cut. */
static void
put(char *word, size_t *w, char c, int *cut)
{
	if (*w < WORD_MAX - 1)
		word[(*w)++] = c;
	else
		*cut = 1;
}

/* {host} {port} {file} {out} at *sp: its value appended to word; *sp left on the '}'. */
static int
placeholder(const char **sp, const char *tmpl, const char *host, const char *port,
    const char *file, const char *out, char *word, size_t *w, int *cut, struct sc_err *err)
{
	const char *s = *sp, *e = strchr(s, '}'), *val = NULL;
	size_t len = e ? (size_t)(e - s + 1) : 0;

	if (e && strncmp(s, "{host}", len) == 0)
		val = host;
	else if (e && strncmp(s, "{port}", len) == 0)
		val = port;
	else if (e && strncmp(s, "{file}", len) == 0)
		val = file;
	else if (e && strncmp(s, "{out}", len) == 0)
		val = out;
	if (val == NULL)
		return sc_err_set(err, "unknown placeholder '%.*s' in '%s' (use {host}, {port}, "
		    "{file}, {out})", e ? (int)len : 1, s, tmpl);
	for (const char *v = val; *v; v++)
		put(word, w, *v, cut);
	*sp = e;
	return 0;
}

/* Shell-like words: '...' literal, "..." with \" and \\, backslash escapes. */
char **
prof_expand(const char *tmpl, const char *host, unsigned port, const char *file,
    const char *out, struct sc_err *err)
{
	char **argv = NULL, word[WORD_MAX];
	size_t n = 0, cap = 0, w = 0;
	int in_word = 0, cut = 0;
	char portbuf[16];

	snprintf(portbuf, sizeof(portbuf), "%u", port);
	for (const char *s = tmpl; ; s++) {
		char c = *s;
		if (c == '\0' || c == ' ' || c == '\t') {
			if (in_word) {
				if (cut) {
					sc_err_set(err, "a word of the command is longer than %d bytes",
					    WORD_MAX - 1);
					prof_argv_free(argv);
					return NULL;
				}
				if (n + 2 > cap) {
					char **nv = realloc(argv, (cap = cap ? 2 * cap : 8) * sizeof(*nv));
					if (nv == NULL)
						goto oom;
					argv = nv;
				}
				word[w] = '\0';
				if ((argv[n] = strdup(word)) == NULL)
					goto oom;
				argv[++n] = NULL;
				w = 0;
				in_word = 0;
			}
			if (c == '\0')
				break;
			continue;
		}
		in_word = 1;
		if (c == '\'') {
			const char *e = strchr(s + 1, '\'');
			if (e == NULL)
				goto unbalanced;
			for (s++; s < e; s++)
				put(word, &w, *s, &cut);
			continue;
		}
		if (c == '"') {
			for (s++; *s && *s != '"'; s++) {
				if (*s == '{') {
					if (placeholder(&s, tmpl, host, portbuf, file, out, word, &w, &cut,
					    err) < 0) {
						prof_argv_free(argv);
						return NULL;
					}
					continue;
				}
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				put(word, &w, *s, &cut);
			}
			if (*s != '"')
				goto unbalanced;
			continue;
		}
		if (c == '\\' && s[1]) {
			put(word, &w, *++s, &cut);
			continue;
		}
		if (c == '{') {
			if (placeholder(&s, tmpl, host, portbuf, file, out, word, &w, &cut, err) < 0) {
				prof_argv_free(argv);
				return NULL;
			}
			continue;
		}
		put(word, &w, c, &cut);
	}
	if (n == 0) {
		sc_err_set(err, "empty command");
		prof_argv_free(argv);
		return NULL;
	}
	return argv;
unbalanced:
	sc_err_set(err, "unbalanced quote in '%s'", tmpl);
	prof_argv_free(argv);
	return NULL;
oom:
	sc_err_sys(err, "command");
	prof_argv_free(argv);
	return NULL;
}

void
prof_argv_free(char **argv)
{
	strv_free(argv);
}

static int
dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	return (*dst = strdup(src)) == NULL ? -1 : 0;
}

int
prof_dup(const struct prof *src, struct prof *dst, struct sc_err *err)
{
	int bad = 0;

	*dst = *src;
	bad |= dup_str(&dst->path, src->path) | dup_str(&dst->build, src->build);
	for (int k = 0; k < PROF_NPROGS; k++) {
		const struct prof_prog *a = &src->progs[k];
		struct prof_prog *b = &dst->progs[k];
		bad |= dup_str(&b->command, a->command) | dup_str(&b->port_pattern, a->port_pattern) |
		    dup_str(&b->file, a->file) | dup_str(&b->out, a->out) |
		    dup_str(&b->stdin_text, a->stdin_text) | dup_str(&b->quit, a->quit) |
		    dup_str(&b->skip, a->skip) | dup_str(&b->host, a->host);
	}
	dst->replies = NULL;
	dst->memcheck_fail = NULL;
	dst->nreplies = 0;
	if (src->replies && src->nreplies) {
		/* exact bytes, NULs included */
		if ((dst->replies = calloc(src->nreplies, sizeof(*dst->replies))) == NULL)
			bad = 1;
		for (size_t i = 0; dst->replies && i < src->nreplies; i++) {
			dst->replies[i].len = src->replies[i].len;
			dst->replies[i].bytes = malloc(src->replies[i].len + 1);
			if (dst->replies[i].bytes == NULL) {
				bad = 1;
				break;
			}
			memcpy(dst->replies[i].bytes, src->replies[i].bytes, src->replies[i].len);
			dst->replies[i].bytes[src->replies[i].len] = '\0';
			dst->nreplies++;
		}
	}
	if (src->memcheck_fail && (dst->memcheck_fail = strv_dup(src->memcheck_fail)) == NULL)
		bad = 1;
	if (bad) {
		prof_free(dst);
		return sc_err_sys(err, "profile");
	}
	return 0;
}

int
prof_path_inside(const char *name, const char *work_name, char *norm, size_t len)
{
	char buf[4096], *save = NULL, *parts[256];
	size_t n = 0, o = 0;

	if (name == NULL || name[0] == '\0' || name[0] == '/' || strlen(name) >= sizeof(buf))
		return -1;
	parts[n++] = (char *)work_name;
	snprintf(buf, sizeof(buf), "%s", name);
	for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (n == 0)
				return -1;	/* above the scratch root */
			n--;
			continue;
		}
		if (n >= sizeof(parts) / sizeof(parts[0]))
			return -1;
		parts[n++] = c;
	}
	if (n == 0 || (n == 1 && strcmp(parts[0], work_name) == 0))
		return -1;		/* the root or the working directory itself */
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(norm + o, len - o, "%s%s", i ? "/" : "", parts[i]);
		if (w < 0 || (size_t)w >= len - o)
			return -1;
		o += (size_t)w;
	}
	return 0;
}
