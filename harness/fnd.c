/*
 * fnd: the convention finder (contract in fnd.h).
 *
 * A probe is one start of one program in a sandbox of its own (sbx, as a
 * case has), in a scratch copy of the built submission, with the preload
 * library tracing (SCINJECT_TRACE) and, for a client, a reference server.
 * A probe lasts a few hundred milliseconds at most; a program takes one to
 * a few probes.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pty.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fnd.h"
#include "fnd_int.h"
#include "fsx.h"
#include "pnet.h"
#include "sbx.h"
#include "strv.h"

/* Bump when what is found, or how, changes: old cache entries then miss. */
#define FND_VERSION 2

const char *
fnd_sock_name(enum fnd_sock s)
{
	return s == FND_SOCK_TCP ? "TCP" : s == FND_SOCK_UDP ? "UDP" : "unknown";
}

/* ---- pure helpers ---- */

int
fnd_trace_parse(const char *line, struct fnd_trace_line *t)
{
	int n = 0;

	memset(t, 0, sizeof(*t));
	t->kind = FND_T_OTHER;
	t->port = -1;
	if (strncmp(line, "open ", 5) == 0) {
		const char *p;
		size_t o = 0;
		if (sscanf(line, "open %d %d %n", &t->err, &t->flags, &n) < 2 || n == 0)
			return -1;
		for (p = line + n; *p && *p != '\n' && o + 1 < sizeof(t->path); p++) {
			if (*p == '\\' && p[1]) {
				p++;
				t->path[o++] = *p == 'n' ? '\n' : *p;
			} else {
				t->path[o++] = *p;
			}
		}
		t->path[o] = '\0';
		t->kind = FND_T_OPEN;
	} else if (sscanf(line, "socket %d %d %d", &t->fd, &t->domain, &t->type) == 3) {
		t->kind = FND_T_SOCKET;
	} else if (sscanf(line, "bind %d %d", &t->fd, &t->port) == 2) {
		t->kind = FND_T_BIND;
	} else if (sscanf(line, "listen %d", &t->fd) == 1) {
		t->kind = FND_T_LISTEN;
	} else if (sscanf(line, "connect %d %d %d %63s", &t->fd, &t->err, &t->port, t->addr) >= 3) {
		t->kind = FND_T_CONNECT;
	} else if (sscanf(line, "sendto %d %d %d %63s", &t->fd, &t->err, &t->port, t->addr) >= 3) {
		t->kind = FND_T_SENDTO;
	}
	if (strcmp(t->addr, "-") == 0)
		t->addr[0] = '\0';
	return 0;
}

/* The first match of `re` in text (NUL-terminated): group `g` into word. */
static int
match_word(const char *text, const char *re_src, int g, char *word, size_t wlen)
{
	regex_t re;
	regmatch_t m[4];
	int ok = 0;

	if (regcomp(&re, re_src, REG_EXTENDED | REG_ICASE) != 0)
		return 0;
	if (regexec(&re, text, 4, m, 0) == 0 && m[g].rm_so >= 0) {
		size_t n = (size_t)(m[g].rm_eo - m[g].rm_so);
		if (n > 0 && n < wlen) {
			memcpy(word, text + m[g].rm_so, n);
			word[n] = '\0';
			ok = 1;
		}
	}
	regfree(&re);
	return ok;
}

int
fnd_quit_from_prompt(const char *text, size_t len, char *word, size_t wlen)
{
	/* the word, then "to quit/exit/end/stop/finish" or "for quit"; or
	 * "quit: X" / "exit=X"; or X before the Korean 종료 ("end") */
	static const struct { const char *re; int g; } pats[] = {
		{ "[(\"' ]['\"]?([A-Za-z]{1,8})['\"]?[[:space:]]*(to|for)[[:space:]]+"
		  "(quit|exit|end|stop|finish|terminate)", 1 },
		{ "^['\"]?([A-Za-z]{1,8})['\"]?[[:space:]]*(to|for)[[:space:]]+"
		  "(quit|exit|end|stop|finish|terminate)", 1 },
		{ "(quit|exit|end)[[:space:]]*[:=][[:space:]]*['\"]?([A-Za-z]{1,8})", 2 },
		{ "['\"(]([A-Za-z]{1,8})['\"]?[^A-Za-z(]{0,6}\xec\xa2\x85\xeb\xa3\x8c", 1 },
	};
	static const char *const not_words[] = { "want", "you", "me", "key", "message", "input",
	    "enter", "press", "type", "or", "and", "a", "the", "here", "how", "ready", NULL };
	char *buf = malloc(len + 1);
	int found = 0;

	if (buf == NULL)
		return 0;
	memcpy(buf, text, len);
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	for (size_t i = 0; !found && i < sizeof(pats) / sizeof(pats[0]); i++) {
		if (!match_word(buf, pats[i].re, pats[i].g, word, wlen))
			continue;
		found = 1;
		for (size_t k = 0; not_words[k]; k++)
			if (strcasecmp(word, not_words[k]) == 0)
				found = 0;
	}
	free(buf);
	return found;
}

/* ERE-escape `s` (n bytes) into out. */
static void
ere_escape(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 3 < len; i++) {
		if (strchr(".[]()*+?{}|^$\\", s[i]))
			out[o++] = '\\';
		out[o++] = s[i];
	}
	out[o] = '\0';
}

int
fnd_port_printed(const char *text, size_t len, unsigned port, char *pattern, size_t plen)
{
	char num[16], word[32];
	size_t nlen;
	const char *hit = NULL;

	if (plen)
		pattern[0] = '\0';
	nlen = (size_t)snprintf(num, sizeof(num), "%u", port);
	/* the number as a whole number */
	for (size_t i = 0; i + nlen <= len; i++) {
		if (memcmp(text + i, num, nlen) != 0)
			continue;
		if ((i > 0 && text[i - 1] >= '0' && text[i - 1] <= '9') ||
		    (i + nlen < len && text[i + nlen] >= '0' && text[i + nlen] <= '9'))
			continue;
		hit = text + i;
		break;
	}
	if (hit == NULL)
		return 0;
	{
		/* sockcheck's default pattern finds this number first: nothing to add */
		char *buf = malloc(len + 1);
		int dflt = 0;
		if (buf) {
			memcpy(buf, text, len);
			buf[len] = '\0';
			for (size_t i = 0; i < len; i++)
				if (buf[i] == '\0')
					buf[i] = ' ';
			dflt = match_word(buf, "port[^0-9]*([0-9]+)", 1, word, sizeof(word)) &&
			    strcmp(word, num) == 0;
			free(buf);
		}
		if (dflt)
			return 1;
	}
	{
		/* the text just before the number on its line, up to 24 bytes */
		const char *b = hit;
		while (b > text && b[-1] != '\n' && b[-1] != '\r' && hit - b < 24)
			b--;
		while (b < hit && (*b == ' ' || *b == '\t'))
			b++;
		char esc[128];
		ere_escape(b, (size_t)(hit - b), esc, sizeof(esc));
		snprintf(pattern, plen, "%s([0-9]+)", esc);
	}
	return 1;
}

/* A program file under the working copy, for messages and the cache key. */
static void
prog_path(const struct fnd_env *e, char *const *argv, char *out, size_t len)
{
	const char *a = argv[0];
	if (strncmp(a, "./", 2) == 0)
		a += 2;
	snprintf(out, len, "%s/%s", e->built_dir, a);
}

/* ---- servers ---- */

/* A served-file candidate: a read-only open of a file of the submission's. */
static int
served_candidate(const struct fnd_trace_line *t, const char *cwd, char *rel, size_t len)
{
	static const char *const sys[] = { "/proc/", "/sys/", "/dev/", "/etc/", "/usr/", "/lib",
	    "/run/", "/var/", NULL };
	const char *p = t->path;
	size_t cl = strlen(cwd);
	char norm[PATH_MAX];

	if (t->kind != FND_T_OPEN || (t->flags & O_ACCMODE) != O_RDONLY ||
	    (t->flags & (O_CREAT | O_DIRECTORY)) || p[0] == '\0')
		return 0;
	if (p[0] == '/') {
		for (size_t i = 0; sys[i]; i++)
			if (strncmp(p, sys[i], strlen(sys[i])) == 0)
				return 0;
		if (strncmp(p, cwd, cl) != 0 || p[cl] != '/')
			return 0;
		p += cl + 1;
	}
	if (strstr(p, ".so") != NULL && strstr(p, ".so") == p + strlen(p) - 3)
		return 0;
	if (prof_path_inside(p, "work", norm, sizeof(norm)) < 0)
		return 0;
	snprintf(rel, len, "%s", p);
	return 1;
}

int
fnd_failed_open(const char *trace_path, const char *cwd, char *msg, size_t len)
{
	FILE *f = fopen(trace_path, "re");
	char *line = NULL, rel[PATH_MAX];
	size_t cap = 0;
	int found = 0;

	while (f && !found && getline(&line, &cap, f) > 0) {
		struct fnd_trace_line t;
		if (fnd_trace_parse(line, &t) < 0 || t.kind != FND_T_OPEN || t.err == 0)
			continue;
		if (served_candidate(&t, cwd, rel, sizeof(rel))) {
			snprintf(msg, len, "opened %s: %s", rel, strerror(t.err));
			found = 1;
		}
	}
	free(line);
	if (f)
		fclose(f);
	return found;
}

struct srv_obs {
	int listening;
	unsigned port;
	int udp;		/* a datagram socket and no stream socket */
	int want_udp;		/* a UDP server is looked for: "listening" is a bound datagram socket */
	int tcp;		/* (want_udp) it listens on TCP instead */
	int exited;
	int status, signal;
	int bind_port;		/* -1: not seen */
	int opened_arg;		/* it opened one of its arguments */
	char failed_open[PATH_MAX];	/* a candidate whose open failed (ENOENT) */
	int failed_errno;
	char read_file[PATH_MAX];	/* a candidate it opened */
	int traced;
};

static int
trace_bound_dgram_only(const struct fnd_probe *pr)
{
	struct fnd_trace t;
	int stream = 0, dgram = -1, bound = 0;

	fnd_trace_read(pr, &t);
	for (size_t i = 0; i < t.n; i++) {
		if (t.l[i].kind == FND_T_SOCKET && t.l[i].type == 1)
			stream = 1;
		else if (t.l[i].kind == FND_T_SOCKET && t.l[i].type == 2)
			dgram = t.l[i].fd;
		else if (t.l[i].kind == FND_T_BIND && t.l[i].fd == dgram)
			bound = 1;
	}
	free(t.l);
	return bound && !stream;
}

static int
cond_srv(struct fnd_probe *pr, void *arg)
{
	struct srv_obs *o = arg;
	unsigned ports[8];
	struct sc_err err;
	ssize_t k;

	if (pr->ended)
		return 1;
	if (o->want_udp && fnd_udp_bound_port(pr, &o->port) == 1) {
		o->listening = 1;
		return 1;
	}
	k = pnet_listening_ports_of(sbx_net_pid(pr->sbx), 0, pr->pid, ports, 8, &err);
	if (k > 0) {
		o->listening = !o->want_udp;
		o->tcp = o->want_udp;
		o->port = ports[0];
		return 1;
	}
	/* a datagram socket bound and no stream socket: a UDP server, no need to wait */
	return !o->want_udp && trace_bound_dgram_only(pr);
}

/* The port is in the output (a server printing its ephemeral port after bind). */
static int
cond_port_shown(struct fnd_probe *pr, void *arg)
{
	const struct srv_obs *o = arg;
	char pat[256];

	return pr->ended || (pr->out && fnd_port_printed(pr->out, pr->outn, o->port, pat, sizeof(pat)));
}

static int
udp_sockets_in(pid_t net_pid)
{
	char path[64], line[512];
	int n = 0;
	FILE *f;

	for (int v6 = 0; v6 < 2; v6++) {
		snprintf(path, sizeof(path), "/proc/%d/net/udp%s", (int)net_pid, v6 ? "6" : "");
		if ((f = fopen(path, "re")) == NULL)
			continue;
		if (fgets(line, sizeof(line), f))
			while (fgets(line, sizeof(line), f))
				n++;
		fclose(f);
	}
	return n;
}

static void
srv_from_trace(struct fnd_probe *pr, char **argv, struct srv_obs *o)
{
	struct fnd_trace t;
	int stream = 0, dgram = 0;

	o->traced = fnd_trace_loaded(pr);
	fnd_trace_read(pr, &t);
	o->bind_port = -1;
	for (size_t i = 0; i < t.n; i++) {
		const struct fnd_trace_line *x = &t.l[i];
		char rel[PATH_MAX];
		if (x->kind == FND_T_SOCKET && (x->domain == 2 || x->domain == 10)) {
			if (x->type == 1)
				stream = 1;
			else if (x->type == 2)
				dgram = 1;
		} else if (x->kind == FND_T_BIND && o->bind_port < 0) {
			o->bind_port = x->port;
		} else if (x->kind == FND_T_OPEN) {
			int is_arg = 0;
			for (size_t a = 1; argv[a]; a++)
				if (strcmp(x->path, argv[a]) == 0)
					is_arg = o->opened_arg = 1;
			if (!is_arg && served_candidate(x, pr->cwd, rel, sizeof(rel))) {
				if (x->err != 0 && o->failed_open[0] == '\0') {
					snprintf(o->failed_open, sizeof(o->failed_open), "%s", rel);
					o->failed_errno = x->err;
				} else if (x->err == 0 && o->read_file[0] == '\0') {
					snprintf(o->read_file, sizeof(o->read_file), "%s", rel);
				}
			}
		}
	}
	free(t.l);
	if (dgram && !stream)
		o->udp = 1;
	else if (!o->traced && !o->listening && sbx_mode(pr->sbx) == SBX_NETNS &&
	    udp_sockets_in(sbx_net_pid(pr->sbx)) > 0)
		o->udp = 1;
	if (pr->ended) {
		o->exited = 1;
		o->status = WIFEXITED(pr->wstatus) ? WEXITSTATUS(pr->wstatus) : -1;
		o->signal = WIFSIGNALED(pr->wstatus) ? WTERMSIG(pr->wstatus) : 0;
	}
}

static int
cond_peer_done(struct fnd_probe *pr, void *arg)
{
	(void)arg;
	return pr->peer_ended || pr->ended;
}

/*
 * One start of a server with `tmpl`: wait for it to listen (or end); a file
 * server then gets one reference client, so that a file opened only after
 * accept() is seen too.
 */
static int
probe_server(const struct fnd_env *e, enum prof_prog_kind kind, const char *tmpl,
    const char *file, char **files_present, unsigned n, struct srv_obs *o, struct fnd_probe *keep,
    struct sc_err *err)
{
	struct fnd_probe pr;
	char **argv;
	int rc = 0;

	memset(o, 0, sizeof(*o));
	o->want_udp = kind == PROF_UDP_SERVER;
	argv = prof_expand(tmpl, "127.0.0.1", FND_PROBE_PORT, file, "receive.dat", err);
	if (argv == NULL)
		return -1;
	if (fnd_probe_open(e, prof_prog_name(kind), n, &pr, err) < 0) {
		prof_argv_free(argv);
		fnd_probe_close(&pr);
		return -1;
	}
	for (size_t i = 0; files_present && files_present[i]; i++) {
		char norm[PATH_MAX];
		static const char data[] = "sockcheck: the file the server serves\n";
		if (prof_path_inside(files_present[i], "work", norm, sizeof(norm)) == 0)
			fnd_probe_put_file(&pr, norm, data, sizeof(data) - 1);
	}
	pr.pid = fnd_probe_spawn(&pr, argv, 1, err);
	if (pr.pid < 0) {
		o->exited = 1;
		o->status = 127;
		prof_argv_free(argv);
		fnd_probe_close(&pr);
		return 0;
	}
	fnd_probe_wait(&pr, cond_srv, o, FND_LISTEN_WAIT);
	if (o->listening && o->port >= 32768)
		fnd_probe_wait(&pr, cond_port_shown, o, 0.15);	/* an ephemeral port printed just after */
	if (o->listening && kind == PROF_FILE_SERVER && !pr.ended) {
		char port[16], *cargv[6];
		snprintf(port, sizeof(port), "%u", o->port);
		if (asprintf(&cargv[0], "%s/file_client", e->ref_dir) >= 0) {
			cargv[1] = (char *)"127.0.0.1";
			cargv[2] = port;
			cargv[3] = (char *)"/dev/null";
			cargv[4] = NULL;
			pr.peer = fnd_probe_spawn(&pr, cargv, 0, err);
			free(cargv[0]);
			if (pr.peer > 0)
				fnd_probe_wait(&pr, cond_peer_done, NULL, FND_LISTEN_WAIT);
		}
	}
	fnd_probe_pump(&pr, 0);
	srv_from_trace(&pr, argv, o);
	if (keep) {
		keep->out = pr.out;
		keep->outn = pr.outn;
		pr.out = NULL;
	}
	prof_argv_free(argv);
	fnd_probe_close(&pr);
	return rc;
}

static void
find_server(const struct fnd_env *e, const struct prof *p, enum prof_prog_kind kind,
    struct fnd_prog *fp, struct sc_err *err)
{
	const struct prof_prog *pp = &p->progs[kind];
	const char *name = prof_prog_name(kind);
	char forms[5][256];
	size_t nforms = 0;
	char *present[4] = { NULL, NULL, NULL, NULL };
	size_t npresent = 0;
	const char *file = pp->file ? pp->file : "file_server.c";
	unsigned runs = 0;
	struct srv_obs o;
	char first_fail[PATH_MAX] = "";
	int first_errno = 0;

	if (pp->set & PROF_SET_COMMAND) {
		snprintf(forms[nforms++], sizeof(forms[0]), "%s", pp->command);
	} else {
		snprintf(forms[nforms++], sizeof(forms[0]), "./%s {port}", name);
		if (kind == PROF_FILE_SERVER) {
			snprintf(forms[nforms++], sizeof(forms[0]), "./%s {file}", name);
			snprintf(forms[nforms++], sizeof(forms[0]), "./%s {port} {file}", name);
			snprintf(forms[nforms++], sizeof(forms[0]), "./%s {file} {port}", name);
		}
		snprintf(forms[nforms++], sizeof(forms[0]), "./%s", name);
	}
	if (kind == PROF_FILE_SERVER && (pp->set & PROF_SET_FILE))
		present[npresent++] = (char *)file;
	for (size_t f = 0; f < nforms && runs < 10; f++) {
		int has_file = strstr(forms[f], "{file}") != NULL;
		/* the form `{port}` whose server opened its argv[1]: argv[1] is a file */
		for (int tries = 0; tries < 3 && runs < 10; tries++) {
			struct fnd_probe out;
			memset(&out, 0, sizeof(out));
			if (has_file && kind == PROF_FILE_SERVER && npresent < 3 &&
			    (npresent == 0 || strcmp(present[npresent - 1], file) != 0))
				present[npresent++] = (char *)file;
			if (probe_server(e, kind, forms[f], file, present, runs, &o, &out, err) < 0) {
				free(out.out);
				return;
			}
			runs++;
			if (o.failed_open[0] && first_fail[0] == '\0') {
				snprintf(first_fail, sizeof(first_fail), "%s", o.failed_open);
				first_errno = o.failed_errno;
			}
			if (o.tcp) {
				/* a TCP server given as the UDP one: its cases say so, one line each */
				fp->sock = FND_SOCK_TCP;
				fnd_set_str(&fp->command, forms[f]);
				free(out.out);
				goto done;
			}
			if (o.udp && kind != PROF_UDP_SERVER) {
				fp->sock = FND_SOCK_UDP;
				fnd_set_str(&fp->command, forms[f]);
				free(out.out);
				goto done;
			}
			if (o.listening) {
				fp->sock = kind == PROF_UDP_SERVER ? FND_SOCK_UDP : FND_SOCK_TCP;
				fnd_set_str(&fp->command, forms[f]);
				fp->port_found = 1;
				if (strstr(forms[f], "{port}") && o.port == FND_PROBE_PORT) {
					fp->port_mode = PROF_PORT_ARGV;
				} else {
					char pat[256];
					if (o.bind_port == 0 || (!o.traced && o.port >= 32768)) {
						if (out.out && fnd_port_printed(out.out, out.outn, o.port, pat,
						    sizeof(pat))) {
							fp->port_mode = PROF_PORT_PRINTED;
							fnd_set_str(&fp->port_pattern, pat[0] ? pat : NULL);
						} else {
							fp->port_mode = PROF_PORT_LISTENING;
						}
					} else {
						fp->port_mode = PROF_PORT_FIXED;
						fp->fixed_port = o.port;
					}
				}
				if (has_file) {
					fp->argv_file = 1;
				} else if (kind == PROF_FILE_SERVER) {
					if (o.read_file[0])
						fnd_set_str(&fp->file, o.read_file);
					else if (o.failed_open[0])
						fnd_set_str(&fp->file, o.failed_open);
					else if (npresent > 0)
						fnd_set_str(&fp->file, present[npresent - 1]);
				}
				free(out.out);
				goto done;
			}
			free(out.out);
			/* it wanted a file that was not there: give it one, same form */
			if (o.failed_open[0] && !o.opened_arg && npresent < 3 &&
			    (npresent == 0 || strcmp(present[npresent - 1], o.failed_open) != 0)) {
				present[npresent++] = strdup(o.failed_open);
				if (present[npresent - 1] == NULL)
					npresent--;
				continue;
			}
			break;
		}
	}
	fp->note = strdup(kind == PROF_UDP_SERVER ? "it never bound a UDP port, whatever its arguments" :
	    "it never listened, whatever its arguments");
done:
	if (first_fail[0]) {
		char *msg;
		if (asprintf(&msg, "opened %s: %s", first_fail, strerror(first_errno)) >= 0) {
			free(fp->open_error);
			fp->open_error = msg;
		}
	}
	/* the present[] entries strdup'd from failed opens */
	for (size_t i = 0; i < npresent; i++)
		if (present[i] != file)
			free(present[i]);
	fp->runs = (int)runs;
}

/* ---- clients ---- */

struct cli_obs {
	int connected;		/* a connect() that worked */
	int refused_port;	/* a refused connect()'s port, or 0 */
	int udp;
	int exited, status, signal;
	char out_file[PATH_MAX];
	int gave_stdin;
	int traced;
};

static void
cli_from_trace(struct fnd_probe *pr, struct cli_obs *o)
{
	struct fnd_trace t;
	int stream = 0, dgram = 0;

	o->traced = fnd_trace_loaded(pr);
	fnd_trace_read(pr, &t);
	for (size_t i = 0; i < t.n; i++) {
		const struct fnd_trace_line *x = &t.l[i];
		if (x->kind == FND_T_SOCKET && (x->domain == 2 || x->domain == 10)) {
			if (x->type == 1)
				stream = 1;
			else if (x->type == 2)
				dgram = 1;
		} else if (x->kind == FND_T_CONNECT) {
			if (x->err == 0)
				o->connected = 1;
			else if (x->err == ECONNREFUSED && x->port > 0)
				o->refused_port = x->port;
		} else if (x->kind == FND_T_OPEN && x->err == 0 && o->out_file[0] == '\0' &&
		    ((x->flags & O_ACCMODE) != O_RDONLY || (x->flags & O_CREAT))) {
			const char *pth = x->path;
			size_t cl = strlen(pr->cwd);
			if (pth[0] == '/' && strncmp(pth, pr->cwd, cl) == 0 && pth[cl] == '/')
				pth += cl + 1;
			char norm[PATH_MAX];
			if (pth[0] != '/' && prof_path_inside(pth, "work", norm, sizeof(norm)) == 0)
				snprintf(o->out_file, sizeof(o->out_file), "%s", pth);
		}
	}
	free(t.l);
	if (dgram && !stream)
		o->udp = 1;
	if (pr->ended) {
		o->exited = 1;
		o->status = WIFEXITED(pr->wstatus) ? WEXITSTATUS(pr->wstatus) : -1;
		o->signal = WIFSIGNALED(pr->wstatus) ? WTERMSIG(pr->wstatus) : 0;
	}
}

static char **
client_argv(const char *tmpl, unsigned port, struct sc_err *err)
{
	return prof_expand(tmpl, "127.0.0.1", port, "file_server.c", "receive.dat", err);
}

static int
run_file_client(const struct fnd_env *e, const char *tmpl, unsigned port, unsigned n,
    struct cli_obs *o, struct sc_err *err)
{
	struct fnd_probe pr;
	char **argv = client_argv(tmpl, port, err);
	struct fnd_idle ia = { 0 };
	double until;

	memset(o, 0, sizeof(*o));
	if (argv == NULL)
		return -1;
	if (fnd_probe_open(e, "file_client", n, &pr, err) < 0 ||
	    fnd_probe_ref_server(&pr, "file_server", port, err) < 0) {
		prof_argv_free(argv);
		fnd_probe_close(&pr);
		return -1;
	}
	pr.pid = fnd_probe_spawn(&pr, argv, 1, err);
	prof_argv_free(argv);
	if (pr.pid < 0) {
		o->exited = 1;
		o->status = 127;
		fnd_probe_close(&pr);
		return 0;
	}
	until = fnd_now() + FND_CLIENT_WAIT;
	while (!pr.ended && fnd_now() < until) {
		if (fnd_probe_wait(&pr, fnd_cond_idle, &ia, until - fnd_now()) && !pr.ended) {
			if (o->gave_stdin)
				break;	/* waiting for more than a name: nothing to give */
			/* it asks for something before (or while) receiving: a file name */
			fnd_feed(&pr, "receive.dat\n");
			o->gave_stdin = 1;
			ia.since = 0;
			fnd_probe_pump(&pr, 20);
		}
	}
	if (!pr.ended && pr.in_fd >= 0) {
		fnd_feed(&pr, "\x04");	/* end of input on a terminal: ^D at the start of a line */
		fnd_probe_wait(&pr, fnd_cond_ended, NULL, 0.2);
	}
	fnd_probe_pump(&pr, 0);
	cli_from_trace(&pr, o);
	if (o->out_file[0] == '\0' && !o->traced) {
		/* no trace (a static program): a new regular file in its directory */
		char path[PATH_MAX * 2];
		snprintf(path, sizeof(path), "%s/receive.dat", pr.cwd);
		if (fsx_is_file(path))
			snprintf(o->out_file, sizeof(o->out_file), "receive.dat");
	}
	fnd_probe_close(&pr);
	return 0;
}

static void
find_file_client(const struct fnd_env *e, const struct prof *p, struct fnd_prog *fp,
    struct sc_err *err)
{
	const struct prof_prog *pp = &p->progs[PROF_FILE_CLIENT];
	const char *tmpl = (pp->set & PROF_SET_COMMAND) ? pp->command : "./file_client {host} {port}";
	struct cli_obs o;
	unsigned port = FND_PROBE_PORT;

	for (int tries = 0; tries < 2; tries++) {
		if (run_file_client(e, tmpl, port, (unsigned)tries, &o, err) < 0)
			return;
		fp->runs++;
		if (!o.connected && o.refused_port > 0 && (unsigned)o.refused_port != port) {
			port = (unsigned)o.refused_port;	/* a port of its own: serve it there */
			fp->fixed_client_port = 1;
			continue;
		}
		break;
	}
	fnd_set_str(&fp->command, tmpl);
	if (o.udp) {
		fp->sock = FND_SOCK_UDP;
		return;
	}
	if (o.connected)
		fp->sock = FND_SOCK_TCP;
	if (fp->fixed_client_port) {
		fp->port_found = 1;
		fp->port_mode = PROF_PORT_FIXED;
		fp->fixed_port = port;
	}
	if (o.gave_stdin)
		fnd_set_str(&fp->stdin_text, "receive.dat\n");
	if (o.out_file[0])
		fnd_set_str(&fp->out, o.out_file);
	else if (o.connected)
		fp->note = strdup("no output file was seen");
}

int
fnd_client_start(const struct fnd_env *e, const struct fnd_client *cl, unsigned n,
    struct fnd_probe *pr, struct sc_err *err)
{
	char **argv = prof_expand(cl->tmpl, cl->host, cl->port, "file_server.c", "receive.dat", err);
	struct fnd_idle ia = { 0 };
	struct sc_err e2;

	if (argv == NULL)
		return -1;
	if (fnd_probe_open(e, prof_prog_name(cl->kind), n, pr, err) < 0) {
		prof_argv_free(argv);
		return -1;
	}
	/* a hard-coded remote address: the probe's loopback gets it, as a case's does */
	if (cl->add_host && sbx_mode(pr->sbx) == SBX_NETNS)
		sbx_add_address(pr->sbx, cl->host, &e2);
	if (fnd_probe_ref_server(pr, cl->ref, cl->port, err) < 0) {
		prof_argv_free(argv);
		return -1;
	}
	pr->pid = fnd_probe_spawn(pr, argv, 1, err);
	prof_argv_free(argv);
	if (pr->pid < 0)
		return 0;
	fnd_probe_wait(pr, fnd_cond_idle, &ia, FND_CLIENT_WAIT);
	return 0;
}

void
fnd_find_quit(const struct fnd_env *e, const struct fnd_client *cl, const char *prompt_word,
    unsigned *n, struct fnd_prog *fp, struct sc_err *err)
{
	static const char *const usual[] = { "", "q", "Q", "quit", "exit" };
	const char *cands[8];
	size_t nc = 0, next = 0;
	int found = 0;

	if (prompt_word)
		cands[nc++] = prompt_word;
	for (size_t i = 0; i < 5; i++)
		if (!prompt_word || strcmp(usual[i], prompt_word) != 0)
			cands[nc++] = usual[i];
	/* try the words in turn; one start serves while the words leave it waiting */
	while (next < nc && *n < 8 && !found) {
		struct fnd_probe pr;
		memset(&pr, 0, sizeof(pr));
		if (fnd_client_start(e, cl, (*n)++, &pr, err) < 0) {
			fnd_probe_close(&pr);
			return;
		}
		fp->runs++;
		if (pr.pid < 0 || pr.ended || !fnd_reading_stdin(&pr)) {
			fnd_probe_close(&pr);
			break;		/* it does not wait for input: nothing to try */
		}
		while (next < nc) {
			struct fnd_idle ia = { 0 };
			char line[64];
			snprintf(line, sizeof(line), "%s\n", cands[next]);
			fnd_feed(&pr, line);
			fnd_probe_pump(&pr, 20);
			fnd_probe_wait(&pr, fnd_cond_idle, &ia, 0.4);
			if (pr.ended) {
				if (WIFEXITED(pr.wstatus) && WEXITSTATUS(pr.wstatus) == 0)
					found = 1;
				else
					next++;	/* that word ended it badly: start again */
				break;
			}
			next++;
			if (!fnd_reading_stdin(&pr))
				break;	/* stuck elsewhere (an echo of nothing): start again */
		}
		fnd_probe_close(&pr);
	}
	if (found) {
		fp->quit_found = 1;
		fnd_set_str(&fp->quit, cands[next]);
		fp->quit_from_prompt = prompt_word && next == 0;
	} else if (fp->sock != FND_SOCK_UNKNOWN) {
		/* it talked to the server and waited for input, and no word ended it */
		fp->quit_found = 1;
		fp->no_quit = 1;
	}
}

static void
find_echo_client(const struct fnd_env *e, const struct prof *p, struct fnd_prog *fp,
    struct sc_err *err)
{
	const struct prof_prog *pp = &p->progs[PROF_ECHO_CLIENT];
	struct fnd_client cl = { .kind = PROF_ECHO_CLIENT, .ref = "echo_server",
		.tmpl = (pp->set & PROF_SET_COMMAND) ? pp->command : "./echo_client {host} {port}",
		.host = "127.0.0.1", .port = FND_PROBE_PORT };
	char prompt_word[32];
	unsigned n = 0;
	struct cli_obs o;
	int from_prompt = 0;

	fnd_set_str(&fp->command, cl.tmpl);
	/* the first start: its prompt, its socket, whether it connects where told */
	for (;;) {
		struct fnd_probe pr;
		memset(&pr, 0, sizeof(pr));
		if (fnd_client_start(e, &cl, n++, &pr, err) < 0) {
			fnd_probe_close(&pr);
			return;
		}
		fp->runs++;
		fnd_probe_pump(&pr, 0);
		memset(&o, 0, sizeof(o));	/* each start observed afresh */
		cli_from_trace(&pr, &o);
		if (!o.connected && o.refused_port > 0 && (unsigned)o.refused_port != cl.port && n < 2) {
			cl.port = (unsigned)o.refused_port;
			fp->fixed_client_port = 1;
			fnd_probe_close(&pr);
			continue;
		}
		if (o.udp) {
			fp->sock = FND_SOCK_UDP;
			fnd_probe_close(&pr);
			return;
		}
		if (o.connected)
			fp->sock = FND_SOCK_TCP;
		if (pr.out && fnd_quit_from_prompt(pr.out, pr.outn, prompt_word, sizeof(prompt_word)))
			from_prompt = 1;
		fnd_probe_close(&pr);
		break;
	}
	if (fp->fixed_client_port) {
		fp->port_found = 1;
		fp->port_mode = PROF_PORT_FIXED;
		fp->fixed_port = cl.port;
	}
	if (pp->set & PROF_SET_QUIT)
		return;
	fnd_find_quit(e, &cl, from_prompt ? prompt_word : NULL, &n, fp, err);
}

/* ---- the cache ---- */

static int
cache_key(const struct fnd_env *e, const struct prof *p, enum prof_prog_kind kind,
    char hex[65])
{
	char path[PATH_MAX * 2], tmpl[512];
	const struct prof_prog *pp = &p->progs[kind];
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	struct sc_err err;
	char **argv;
	int fd;
	ssize_t r;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	/* what the probes depend on besides the program: the finder and the profile */
	snprintf(tmpl, sizeof(tmpl), "fnd %d %s %u|%s|%s|%s|%d|%s|%s|%s", FND_VERSION,
	    prof_prog_name(kind), pp->set, pp->command ? pp->command : "",
	    pp->file ? pp->file : "", pp->out ? pp->out : "", e->want_netns,
	    pp->quit ? pp->quit : "", pp->stdin_text ? pp->stdin_text : "",
	    e->inject_lib ? "trace" : "");
	EVP_DigestUpdate(ctx, tmpl, strlen(tmpl));
	argv = prof_expand(pp->command, "h", 1, "f", "o", &err);
	if (argv == NULL) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	prog_path(e, argv, path, sizeof(path));
	prof_argv_free(argv);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)r);
	close(fd);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static void
cache_dir(const struct fnd_env *e, char *out, size_t len)
{
	if (e->cache_dir)
		snprintf(out, len, "%s", e->cache_dir);
	else
		snprintf(out, len, "%s/finder-cache", e->work_dir);
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
cache_load(const struct fnd_env *e, const char *key, struct fnd_prog *fp)
{
	char dir[PATH_MAX], path[PATH_MAX + 80];
	json_error_t je;
	json_t *o;

	cache_dir(e, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s.json", dir, key);
	if ((o = json_load_file(path, 0, &je)) == NULL)
		return 0;
	fp->probed = 1;
	fp->cached = 1;
	fp->runs = 0;
	fp->sock = (enum fnd_sock)json_integer_value(json_object_get(o, "sock"));
	fnd_set_str(&fp->command, jstr(o, "command"));
	fp->port_found = json_is_true(json_object_get(o, "port_found"));
	fp->port_mode = (enum prof_port_mode)json_integer_value(json_object_get(o, "port_mode"));
	fp->fixed_port = (unsigned)json_integer_value(json_object_get(o, "fixed_port"));
	fnd_set_str(&fp->port_pattern, jstr(o, "port_pattern"));
	fp->argv_file = json_is_true(json_object_get(o, "argv_file"));
	fnd_set_str(&fp->file, jstr(o, "file"));
	fnd_set_str(&fp->open_error, jstr(o, "open_error"));
	fnd_set_str(&fp->out, jstr(o, "out"));
	fnd_set_str(&fp->stdin_text, jstr(o, "stdin"));
	fp->quit_found = json_is_true(json_object_get(o, "quit_found"));
	fnd_set_str(&fp->quit, jstr(o, "quit"));
	fp->no_quit = json_is_true(json_object_get(o, "no_quit"));
	fp->quit_from_prompt = json_is_true(json_object_get(o, "quit_from_prompt"));
	fp->fixed_client_port = json_is_true(json_object_get(o, "fixed_client_port"));
	fnd_set_str(&fp->host, jstr(o, "host"));
	fp->udp_connected = json_is_true(json_object_get(o, "udp_connected"));
	fnd_set_str(&fp->note, jstr(o, "note"));
	json_decref(o);
	return 1;
}

static void
cache_store(const struct fnd_env *e, const char *key, const struct fnd_prog *fp)
{
	char dir[PATH_MAX], path[PATH_MAX + 80], tmp[PATH_MAX + 100];
	json_t *o = json_object();
	struct sc_err err;

	if (o == NULL)
		return;
	cache_dir(e, dir, sizeof(dir));
	if (fsx_mkdirs(dir, &err) < 0) {
		json_decref(o);
		return;
	}
#define PUTS(k, v) if (v) json_object_set_new(o, k, json_string(v))
	json_object_set_new(o, "sock", json_integer(fp->sock));
	PUTS("command", fp->command);
	json_object_set_new(o, "port_found", json_boolean(fp->port_found));
	json_object_set_new(o, "port_mode", json_integer(fp->port_mode));
	json_object_set_new(o, "fixed_port", json_integer(fp->fixed_port));
	PUTS("port_pattern", fp->port_pattern);
	json_object_set_new(o, "argv_file", json_boolean(fp->argv_file));
	PUTS("file", fp->file);
	PUTS("open_error", fp->open_error);
	PUTS("out", fp->out);
	PUTS("stdin", fp->stdin_text);
	json_object_set_new(o, "quit_found", json_boolean(fp->quit_found));
	PUTS("quit", fp->quit);
	json_object_set_new(o, "no_quit", json_boolean(fp->no_quit));
	json_object_set_new(o, "quit_from_prompt", json_boolean(fp->quit_from_prompt));
	json_object_set_new(o, "fixed_client_port", json_boolean(fp->fixed_client_port));
	PUTS("host", fp->host);
	json_object_set_new(o, "udp_connected", json_boolean(fp->udp_connected));
	PUTS("note", fp->note);
#undef PUTS
	snprintf(path, sizeof(path), "%s/%s.json", dir, key);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	if (json_dump_file(o, tmp, JSON_INDENT(1) | JSON_SORT_KEYS) == 0)
		rename(tmp, path);
	else
		unlink(tmp);
	json_decref(o);
}

/* ---- the whole ---- */

int
fnd_run(const struct fnd_env *e, const struct prof *p, struct fnd_result *r, struct sc_err *err)
{
	memset(r, 0, sizeof(*r));
	for (int k = 0; k < PROF_NPROGS; k++) {
		struct fnd_prog *fp = &r->progs[k];
		char key[65] = "";
		double t0 = fnd_now();
		struct sc_err e2;

		if (!p->progs[k].present || (e->need && !e->need[k]))
			continue;
		if (cache_key(e, p, (enum prof_prog_kind)k, key) < 0)
			continue;	/* not built: nothing to observe */
		if (cache_load(e, key, fp))
			continue;
		fp->probed = 1;
		sc_err_clear(&e2);
		switch (k) {
		case PROF_ECHO_SERVER:
		case PROF_FILE_SERVER:
		case PROF_UDP_SERVER:
			find_server(e, p, (enum prof_prog_kind)k, fp, &e2);
			break;
		case PROF_FILE_CLIENT:
			find_file_client(e, p, fp, &e2);
			break;
		case PROF_ECHO_CLIENT:
			find_echo_client(e, p, fp, &e2);
			break;
		case PROF_UDP_CLIENT:
			fnd_find_udp_client(e, p, fp, &e2);
			break;
		}
		fp->seconds = fnd_now() - t0;
		if (e2.msg[0] && fp->note == NULL) {
			char *m;
			if (asprintf(&m, "the finder could not observe it: %s", e2.msg) >= 0)
				fp->note = m;
		} else {
			cache_store(e, key, fp);
		}
	}
	(void)err;
	return 0;
}

void
fnd_result_free(struct fnd_result *r)
{
	for (int k = 0; k < PROF_NPROGS; k++) {
		struct fnd_prog *fp = &r->progs[k];
		free(fp->command);
		free(fp->port_pattern);
		free(fp->file);
		free(fp->open_error);
		free(fp->out);
		free(fp->stdin_text);
		free(fp->quit);
		free(fp->host);
		free(fp->note);
	}
	memset(r, 0, sizeof(*r));
}

static int
is_server(int k)
{
	return k == PROF_ECHO_SERVER || k == PROF_FILE_SERVER || k == PROF_UDP_SERVER;
}

static int
is_udp(int k)
{
	return k == PROF_UDP_SERVER || k == PROF_UDP_CLIENT;
}

int
fnd_effective(const struct prof *p, const struct fnd_result *r, struct prof *eff,
    struct sc_err *err)
{
	if (prof_dup(p, eff, err) < 0)
		return -1;
	for (int k = 0; k < PROF_NPROGS; k++) {
		const struct fnd_prog *fp = &r->progs[k];
		struct prof_prog *ep = &eff->progs[k];
		if (!fp->probed)
			continue;
		if (!(ep->set & PROF_SET_COMMAND) && fp->command)
			fnd_set_str(&ep->command, fp->command);
		if (!(ep->set & PROF_SET_PORT) && fp->port_found) {
			ep->port_mode = fp->port_mode;
			ep->fixed_port = fp->fixed_port;
			if (!(ep->set & PROF_SET_PORT_PATTERN))
				fnd_set_str(&ep->port_pattern, fp->port_pattern);
		}
		if (!(ep->set & PROF_SET_FILE) && fp->file)
			fnd_set_str(&ep->file, fp->file);
		if (!(ep->set & PROF_SET_OUT) && fp->out)
			fnd_set_str(&ep->out, fp->out);
		if (!(ep->set & PROF_SET_STDIN) && fp->stdin_text)
			fnd_set_str(&ep->stdin_text, fp->stdin_text);
		if (!(ep->set & PROF_SET_QUIT) && fp->quit_found) {
			fnd_set_str(&ep->quit, fp->no_quit ? NULL : fp->quit);
			ep->no_quit = fp->no_quit;
		}
		if (!(ep->set & PROF_SET_HOST) && fp->host)
			fnd_set_str(&ep->host, fp->host);
		if (fp->sock == FND_SOCK_UDP && !is_udp(k) && !(ep->set & PROF_SET_COMMAND)) {
			char *m;
			if (asprintf(&m, "%s speaks UDP (it opened a datagram socket) where TCP is "
			    "expected", prof_prog_name((enum prof_prog_kind)k)) >= 0) {
				free(ep->skip);
				ep->skip = m;
			}
		}
	}
	return 0;
}

/* A YAML double-quoted scalar. */
static void
yq(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* One program's findings in words, each a clause; `sep` between them. */
static void
describe_prog(FILE *f, const struct prof *p, int k, const struct fnd_prog *fp)
{
	const struct prof_prog *pp = &p->progs[k];
	int n = 0;
#define CL(...) do { fputs(n++ ? "; " : "", f); fprintf(f, __VA_ARGS__); } while (0)

	if (fp->sock == FND_SOCK_UDP && !is_udp(k))
		CL("speaks UDP where TCP is expected: its TCP cases are skipped");
	if (fp->sock == FND_SOCK_TCP && is_udp(k))
		CL("speaks TCP where UDP is expected");
	if (fp->command && !(pp->set & PROF_SET_COMMAND) && k == PROF_UDP_CLIENT &&
	    strcmp(fp->command, "./udp_echo_client {host} {port}") != 0)
		CL("run as %s", fp->command);
	if (fp->port_found && !(pp->set & PROF_SET_PORT)) {
		if (fp->port_mode == PROF_PORT_FIXED && is_server(k))
			CL("port fixed at %u", fp->fixed_port);
		else if (fp->port_mode == PROF_PORT_FIXED)
			CL("%s port %u, fixed in the program", k == PROF_UDP_CLIENT ? "sends to" :
			    "connects to", fp->fixed_port);
		else if (fp->port_mode == PROF_PORT_PRINTED)
			CL("ephemeral port, printed (%s)", fp->port_pattern ? fp->port_pattern :
			    "port[^0-9]*([0-9]+)");
		else if (fp->port_mode == PROF_PORT_LISTENING)
			CL("ephemeral port, not printed: read from its listening socket");
		else if (is_server(k))
			CL("port from argv");
	}
	if (fp->host && !(pp->set & PROF_SET_HOST))
		CL("sends to %s, fixed in the program", fp->host);
	if (fp->udp_connected)
		CL("connect()s its socket");
	if (fp->argv_file && !(pp->set & PROF_SET_COMMAND))
		CL("%s is the served file", fp->command && strstr(fp->command, "{port} {file}") ?
		    "argv[2]" : "argv[1]");
	if (fp->file && !(pp->set & PROF_SET_FILE))
		CL("serves %s", fp->file);
	if (fp->stdin_text && !(pp->set & PROF_SET_STDIN))
		CL("asks for a file name on stdin before it goes on (given receive.dat)");
	if (fp->out && !(pp->set & PROF_SET_OUT))
		CL("writes %s", fp->out);
	if (fp->quit_found && !(pp->set & PROF_SET_QUIT)) {
		if (fp->no_quit)
			CL("no quit word ends it (quit: none)");
		else if (fp->quit[0] == '\0')
			CL("an empty line ends it");
		else
			CL("quit word \"%s\"%s", fp->quit, fp->quit_from_prompt ? " (from its prompt)" :
			    "");
	}
	if (fp->note)
		CL("%s", fp->note);
	if (n == 0)
		CL("as the textbook runs it");
	if (fp->cached)
		fputs(" (cached)", f);
	else
		fprintf(f, " (found in %.2f s, %d run%s)", fp->seconds, fp->runs, fp->runs == 1 ? "" : "s");
#undef CL
}

char *
fnd_describe(const struct prof *p, const struct fnd_result *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int any = 0;

	if (f == NULL)
		return NULL;
	for (int k = 0; k < PROF_NPROGS; k++) {
		const struct fnd_prog *fp = &r->progs[k];
		if (!fp->probed)
			continue;
		fprintf(f, "%s%s: ", any++ ? "\n" : "", prof_prog_name((enum prof_prog_kind)k));
		describe_prog(f, p, k, fp);
	}
	fclose(f);
	if (!any) {
		free(text);
		return NULL;
	}
	return text;
}

int
fnd_write_yaml(FILE *f, const struct prof *p, const struct fnd_result *r)
{
	fputs("# sockcheck.yaml written by `sockcheck infer` from how the programs behaved\n"
	    "# (the convention finder: docs/profile.md). Review it: every value was\n"
	    "# observed, none read from the sources. sockcheck finds the same without\n"
	    "# this file; keep only the keys you want fixed.\n", f);
	if (p->build)
		fputs("build: ", f), yq(f, p->build), fputc('\n', f);
	fputs("programs:\n", f);
	for (int k = 0; k < PROF_NPROGS; k++) {
		const struct fnd_prog *fp = &r->progs[k];
		const struct prof_prog *pp = &p->progs[k];
		if (!pp->present)
			continue;
		fprintf(f, "  %s:\n", prof_prog_name((enum prof_prog_kind)k));
		if (!fp->probed) {
			fputs("    # not observed (not built): run as the profile says\n", f);
			fputs("    command: ", f), yq(f, pp->command), fputc('\n', f);
			continue;
		}
		if (fp->note)
			fprintf(f, "    # note: %s\n", fp->note);
		if (fp->sock == FND_SOCK_UDP && !is_udp(k))
			fputs("    # it speaks UDP where TCP is expected: its TCP cases are skipped\n", f);
		if (fp->sock == FND_SOCK_TCP && is_udp(k))
			fputs("    # it speaks TCP where UDP is expected\n", f);
		if (fp->udp_connected)
			fputs("    # it connect()s its datagram socket (allowed)\n", f);
		fputs("    command: ", f);
		yq(f, (pp->set & PROF_SET_COMMAND) || !fp->command ? pp->command : fp->command);
		if (fp->argv_file)
			fputs("    # an argument is the served file", f);
		fputc('\n', f);
		if (fp->port_found || (pp->set & PROF_SET_PORT)) {
			enum prof_port_mode m = (pp->set & PROF_SET_PORT) ? pp->port_mode : fp->port_mode;
			unsigned fx = (pp->set & PROF_SET_PORT) ? pp->fixed_port : fp->fixed_port;
			const char *pat = (pp->set & PROF_SET_PORT) ? pp->port_pattern : fp->port_pattern;
			if (m == PROF_PORT_FIXED)
				fprintf(f, "    port: %u    # %s\n", fx, is_server(k) ?
				    "it listened there whatever port it was given" : k == PROF_UDP_CLIENT ?
				    "it sent there whatever port it was given" :
				    "it connected there whatever port it was given");
			else if (m == PROF_PORT_PRINTED) {
				fputs("    port: printed    # an ephemeral port, printed on stdout\n", f);
				if (pat)
					fputs("    port_pattern: ", f), yq(f, pat), fputc('\n', f);
			} else if (m == PROF_PORT_LISTENING)
				fputs("    port: listening    # an ephemeral port it does not print\n", f);
			else if (is_server(k))
				fputs("    port: argv\n", f);
		}
		if (k == PROF_FILE_SERVER) {
			const char *fl = (pp->set & PROF_SET_FILE) || !fp->file ? pp->file : fp->file;
			if (fl) {
				fputs("    file: ", f), yq(f, fl);
				fputs(fp->file && !(pp->set & PROF_SET_FILE) ? "    # the file it opened\n" :
				    fp->argv_file ? "    # any name: it is passed as {file}\n" : "\n", f);
			}
			if (fp->open_error)
				fprintf(f, "    # without it: %s\n", fp->open_error);
		}
		if (k == PROF_FILE_CLIENT) {
			const char *o = (pp->set & PROF_SET_OUT) || !fp->out ? pp->out : fp->out;
			if (o) {
				fputs("    out: ", f), yq(f, o);
				fputs(fp->out && !(pp->set & PROF_SET_OUT) ?
				    "    # the file it created\n" : "\n", f);
			}
		}
		if (pp->stdin_text || fp->stdin_text) {
			fputs("    stdin: ", f);
			yq(f, (pp->set & PROF_SET_STDIN) || !fp->stdin_text ? pp->stdin_text :
			    fp->stdin_text);
			fputs("    # it reads standard input before it goes on\n", f);
		}
		if (fp->host && !(pp->set & PROF_SET_HOST)) {
			fputs("    host: ", f), yq(f, fp->host);
			fputs("    # it sent there whatever address it was given\n", f);
		}
		if ((k == PROF_ECHO_CLIENT || k == PROF_UDP_CLIENT) &&
		    (fp->quit_found || (pp->set & PROF_SET_QUIT))) {
			int none = (pp->set & PROF_SET_QUIT) ? pp->no_quit : fp->no_quit;
			const char *q = (pp->set & PROF_SET_QUIT) ? pp->quit : fp->quit;
			if (none)
				fputs("    quit: none    # no word ended it\n", f);
			else {
				fputs("    quit: ", f), yq(f, q ? q : "");
				fputs(fp->quit_from_prompt ? "    # announced by its prompt, and it works\n" :
				    "    # the word that ended it\n", f);
			}
		}
	}
	return ferror(f) ? -1 : 0;
}
