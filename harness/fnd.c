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
#include "fsx.h"
#include "pnet.h"
#include "sbx.h"
#include "strv.h"

/* Bump when what is found, or how, changes: old cache entries then miss. */
#define FND_VERSION 1

#define PROBE_PORT 5000		/* the argv port a probe passes (netns: any) */
#define LISTEN_WAIT 0.6		/* seconds a server gets to listen */
#define CLIENT_WAIT 0.8		/* seconds a client gets to do its part */
#define SETTLE_MS 60		/* a client idle in read(0) this long is waiting for input */

const char *
fnd_sock_name(enum fnd_sock s)
{
	return s == FND_SOCK_TCP ? "TCP" : s == FND_SOCK_UDP ? "UDP" : "unknown";
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
	} else if (sscanf(line, "connect %d %d %d", &t->fd, &t->err, &t->port) == 3) {
		t->kind = FND_T_CONNECT;
	}
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

/* ---- probes ---- */

struct probe {
	const struct fnd_env *e;
	struct sbx *sbx;
	char root[PATH_MAX - 64];	/* the probe's scratch root (a case directory's analog) */
	char cwd[PATH_MAX];		/* root/work: the program's working copy */
	char side[PATH_MAX];		/* the trace */
	uid_t uid;
	pid_t pid, peer;
	int ended, wstatus, peer_ended, peer_status;
	int out_fd, err_fd, in_fd;
	char *out;			/* stdout and stderr so far (capped) */
	size_t outn;
	char *errt;
	size_t errn;
	double t0;
};

#define OUT_CAP 16384

static void
probe_env_free(char **env)
{
	strv_free(env);
}

static char **
probe_env(const struct probe *pr, const char *prog, int trace)
{
	char **env = calloc(12, sizeof(*env));
	const char *base = strrchr(prog, '/');
	size_t n = 0;

	if (env == NULL)
		return NULL;
	env[n++] = strdup("PATH=/usr/local/bin:/usr/bin:/bin");
	env[n++] = strdup("LANG=C");
	env[n++] = strdup("LC_ALL=C");
	env[n++] = strdup("TZ=UTC");
	if (asprintf(&env[n++], "HOME=%s", pr->cwd) < 0)
		env[n - 1] = NULL;
	if (trace && pr->e->inject_lib) {
		if (asprintf(&env[n++], "LD_PRELOAD=%s", pr->e->inject_lib) < 0)
			env[n - 1] = NULL;
		env[n++] = strdup("SCINJECT_TRACE=1");
		if (asprintf(&env[n++], "SCINJECT_TARGET=%s", base ? base + 1 : prog) < 0)
			env[n - 1] = NULL;
		if (asprintf(&env[n++], "SCINJECT_FD=%d", SBX_PASS_FD) < 0)
			env[n - 1] = NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (env[i] == NULL) {
			for (size_t k = 0; k < n; k++)
				free(env[k]);
			free(env);
			return NULL;
		}
	return env;
}

static int
probe_open(const struct fnd_env *e, const char *name, unsigned n, struct probe *pr,
    struct sc_err *err)
{
	char why[256];

	memset(pr, 0, sizeof(*pr));
	pr->e = e;
	pr->out_fd = pr->err_fd = pr->in_fd = -1;
	pr->pid = pr->peer = -1;
	snprintf(pr->root, sizeof(pr->root), "%s/finder/%s-%u", e->work_dir, name, n);
	snprintf(pr->cwd, sizeof(pr->cwd), "%s/work", pr->root);
	snprintf(pr->side, sizeof(pr->side), "%s/trace.log", pr->root);
	if (fsx_remove_tree(pr->root, err) < 0 || fsx_mkdirs(pr->root, err) < 0)
		return -1;
	chmod(pr->root, 0755);
	if (fsx_copy_tree(e->built_dir, pr->cwd, NULL, err) < 0)
		return -1;
	pr->uid = sbx_fresh_uid();
	if (e->is_root && fsx_chown_tree(pr->cwd, pr->uid, (gid_t)pr->uid, err) < 0)
		return -1;
	if (sbx_open(e->want_netns, &pr->sbx, why, sizeof(why), err) < 0)
		return -1;
	if (e->is_root)
		sbx_set_owner(pr->sbx, pr->uid);
	return 0;
}

static void
probe_close(struct probe *pr)
{
	unsigned survivors;
	struct sc_err err;

	if (pr->sbx) {
		if (pr->pid > 0 && !pr->ended)
			sbx_signal(pr->sbx, pr->pid, SIGKILL);
		if (pr->peer > 0 && !pr->peer_ended)
			sbx_signal(pr->sbx, pr->peer, SIGKILL);
		sbx_close(pr->sbx, &survivors, &err);
		pr->sbx = NULL;
	}
	if (pr->out_fd >= 0)
		close(pr->out_fd);
	if (pr->err_fd >= 0)
		close(pr->err_fd);
	if (pr->in_fd >= 0)
		close(pr->in_fd);
	pr->out_fd = pr->err_fd = pr->in_fd = -1;
	free(pr->out);
	free(pr->errt);
	pr->out = pr->errt = NULL;
	fsx_remove_tree(pr->root, &err);
}

int
fnd_make_parent_dirs(const char *root, const char *norm, struct sc_err *err)
{
	char path[PATH_MAX * 2];
	size_t rl = strlen(root);
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, norm) >= sizeof(path))
		return sc_err_set(err, "%s: path too long", norm);
	for (char *p = path + rl + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (lstat(path, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				*p = '/';
				return sc_err_set(err, "%s: a component is not a directory", norm);
			}
		} else if (errno != ENOENT || mkdir(path, 0755) < 0) {
			sc_err_sys(err, "mkdir %s", path);
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Write `len` bytes of text into `name` (relative to the probe's root), owned by the program. */
static int
probe_put_file(struct probe *pr, const char *norm, const char *data, size_t len)
{
	struct sc_err err;
	int fd;

	if (fnd_make_parent_dirs(pr->root, norm, &err) < 0)
		return -1;
	fd = fsx_open_beneath(pr->root, norm, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	if (pr->e->is_root && fchown(fd, pr->uid, (gid_t)pr->uid) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static pid_t
probe_spawn(struct probe *pr, char **argv, int student, struct sc_err *err)
{
	struct sbx_spawn sp;
	struct sbx_limits lim;
	struct termios tio;
	int out[2] = { -1, -1 }, er[2] = { -1, -1 }, in[2] = { -1, -1 }, side = -1;
	char **env = probe_env(pr, argv[0], student);
	pid_t pid;

	if (env == NULL) {
		sc_err_sys(err, "environment");
		return -1;
	}
	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	sp.envp = env;
	sp.fd_in = sp.fd_out = sp.fd_err = -1;
	if (!student) {
		sp.cwd = pr->root;
		pid = sbx_spawn(pr->sbx, &sp, err);
		probe_env_free(env);
		return pid;
	}
	/* stdin and stdout on a terminal, as when a student runs it: printf is
	 * line-buffered and a prompt is flushed when it reads its terminal (not
	 * when it reads a pipe). No echo: typed words must not look like output. */
	if (openpty(&out[0], &out[1], NULL, NULL, NULL) < 0 || pipe2(er, O_CLOEXEC) < 0) {
		sc_err_sys(err, "probe");
		goto fail;
	}
	fcntl(out[0], F_SETFD, FD_CLOEXEC);
	fcntl(out[1], F_SETFD, FD_CLOEXEC);
	if (tcgetattr(out[1], &tio) == 0) {
		tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tio.c_oflag &= ~(tcflag_t)OPOST;
		tcsetattr(out[1], TCSANOW, &tio);
	}
	if ((in[1] = dup(out[0])) < 0) {
		sc_err_sys(err, "probe");
		goto fail;
	}
	fcntl(in[1], F_SETFD, FD_CLOEXEC);
	side = open(pr->side, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	memset(&lim, 0, sizeof(lim));
	lim.cpu_s = 5;
	lim.fsize_bytes = 64 << 20;
	lim.nofile = 256;
	lim.nproc = 64;
	lim.as_bytes = (rlim_t)2 << 30;
	if (pr->e->is_root) {
		lim.drop_uid = 1;
		lim.uid = pr->uid;
		lim.gid = (gid_t)pr->uid;
	}
	sp.cwd = pr->cwd;
	sp.fd_in = out[1];
	sp.set_ctty = 1;
	sp.fd_out = out[1];
	sp.fd_err = er[1];
	sp.limits = &lim;
	sp.pass_fds[0] = side;
	sp.npass = side >= 0 ? 1 : 0;
	pid = sbx_spawn(pr->sbx, &sp, err);
	close(out[1]);
	close(er[1]);
	if (side >= 0)
		close(side);
	out[1] = er[1] = in[0] = -1;
	if (pid < 0)
		goto fail;
	pr->out_fd = out[0];
	pr->err_fd = er[0];
	pr->in_fd = in[1];
	fcntl(pr->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(pr->err_fd, F_SETFL, O_NONBLOCK);
	pr->t0 = now_s();
	probe_env_free(env);
	return pid;
fail:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0) close(out[i]);
		if (er[i] >= 0) close(er[i]);
		if (in[i] >= 0) close(in[i]);
	}
	probe_env_free(env);
	return -1;
}

static void
slurp(int *fd, char **buf, size_t *n)
{
	char tmp[4096];
	ssize_t r = -1;

	while (*fd >= 0 && (r = read(*fd, tmp, sizeof(tmp))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {	/* EIO: the terminal's other side is gone */
				close(*fd);
				*fd = -1;
			}
			return;
		}
		if (*n < OUT_CAP) {
			size_t take = (size_t)r < OUT_CAP - *n ? (size_t)r : OUT_CAP - *n;
			char *nb = realloc(*buf, *n + take + 1);
			if (nb == NULL)
				return;
			*buf = nb;
			memcpy(*buf + *n, tmp, take);
			*n += take;
			(*buf)[*n] = '\0';
		}
	}
	if (*fd >= 0 && r == 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Capture output and notice ends, waiting at most `ms`. */
static void
probe_pump(struct probe *pr, int ms)
{
	struct pollfd pfd[2];
	nfds_t n = 0;
	struct sc_err err;

	if (pr->out_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = pr->out_fd, .events = POLLIN };
	if (pr->err_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = pr->err_fd, .events = POLLIN };
	if (n)
		poll(pfd, n, ms);
	else if (ms > 0)
		usleep((useconds_t)ms * 1000);
	slurp(&pr->out_fd, &pr->out, &pr->outn);
	slurp(&pr->err_fd, &pr->errt, &pr->errn);
	if (pr->pid > 0 && !pr->ended &&
	    sbx_wait(pr->sbx, pr->pid, 0, &pr->wstatus, NULL, &err) == 1)
		pr->ended = 1;
	if (pr->peer > 0 && !pr->peer_ended &&
	    sbx_wait(pr->sbx, pr->peer, 0, &pr->peer_status, NULL, &err) == 1)
		pr->peer_ended = 1;
}

/* The trace so far. */
struct trace {
	struct fnd_trace_line *l;
	size_t n;
};

static void
trace_read(const struct probe *pr, struct trace *t)
{
	FILE *f = fopen(pr->side, "re");
	char *line = NULL;
	size_t cap = 0;

	t->l = NULL;
	t->n = 0;
	while (f && getline(&line, &cap, f) > 0) {
		struct fnd_trace_line x;
		if (fnd_trace_parse(line, &x) < 0 || x.kind == FND_T_OTHER)
			continue;
		struct fnd_trace_line *nl = realloc(t->l, (t->n + 1) * sizeof(*nl));
		if (nl == NULL)
			break;
		t->l = nl;
		t->l[t->n++] = x;
	}
	free(line);
	if (f)
		fclose(f);
}

static int
trace_loaded(const struct probe *pr)
{
	FILE *f = fopen(pr->side, "re");
	char line[512];
	int ok = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "loaded ", 7) == 0 && strstr(line, " trace=1"))
			ok = 1;
	if (f)
		fclose(f);
	return ok;
}

/* 1 when the program (its newest process) sleeps in read() on descriptor 0. */
static int
reading_stdin(const struct probe *pr)
{
	char path[64], buf[256];
	pid_t leaf = pnet_group_leaf(pr->pid);
	FILE *f;
	long nr = -1;
	unsigned long a0 = 1;
	int ok;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)leaf);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	ok = fgets(buf, sizeof(buf), f) != NULL && sscanf(buf, "%ld %lx", &nr, &a0) == 2;
	fclose(f);
	return ok && nr == 0 && a0 == 0;
}

/* Waits (pumping) until `cond` holds or `secs` pass; returns cond's value. */
typedef int (*probe_cond)(struct probe *pr, void *arg);

static int
probe_wait(struct probe *pr, probe_cond cond, void *arg, double secs)
{
	double until = now_s() + secs;

	for (;;) {
		if (cond(pr, arg))
			return 1;
		if (now_s() >= until)
			return 0;
		probe_pump(pr, 10);
	}
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
trace_bound_dgram_only(const struct probe *pr)
{
	struct trace t;
	int stream = 0, dgram = -1, bound = 0;

	trace_read(pr, &t);
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
cond_srv(struct probe *pr, void *arg)
{
	struct srv_obs *o = arg;
	unsigned ports[8];
	struct sc_err err;
	ssize_t k;

	if (pr->ended)
		return 1;
	k = pnet_listening_ports_of(sbx_net_pid(pr->sbx), 0, pr->pid, ports, 8, &err);
	if (k > 0) {
		o->listening = 1;
		o->port = ports[0];
		return 1;
	}
	/* a datagram socket bound and no stream socket: a UDP server, no need to wait */
	return trace_bound_dgram_only(pr);
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
srv_from_trace(struct probe *pr, char **argv, struct srv_obs *o)
{
	struct trace t;
	int stream = 0, dgram = 0;

	o->traced = trace_loaded(pr);
	trace_read(pr, &t);
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
cond_peer_done(struct probe *pr, void *arg)
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
    const char *file, char **files_present, unsigned n, struct srv_obs *o, struct probe *keep,
    struct sc_err *err)
{
	struct probe pr;
	char **argv;
	int rc = 0;

	memset(o, 0, sizeof(*o));
	argv = prof_expand(tmpl, "127.0.0.1", PROBE_PORT, file, "receive.dat", err);
	if (argv == NULL)
		return -1;
	if (probe_open(e, prof_prog_name(kind), n, &pr, err) < 0) {
		prof_argv_free(argv);
		probe_close(&pr);
		return -1;
	}
	for (size_t i = 0; files_present && files_present[i]; i++) {
		char norm[PATH_MAX];
		static const char data[] = "sockcheck: the file the server serves\n";
		if (prof_path_inside(files_present[i], "work", norm, sizeof(norm)) == 0)
			probe_put_file(&pr, norm, data, sizeof(data) - 1);
	}
	pr.pid = probe_spawn(&pr, argv, 1, err);
	if (pr.pid < 0) {
		o->exited = 1;
		o->status = 127;
		prof_argv_free(argv);
		probe_close(&pr);
		return 0;
	}
	probe_wait(&pr, cond_srv, o, LISTEN_WAIT);
	if (o->listening && kind == PROF_FILE_SERVER && !pr.ended) {
		char port[16], *cargv[6];
		snprintf(port, sizeof(port), "%u", o->port);
		if (asprintf(&cargv[0], "%s/file_client", e->ref_dir) >= 0) {
			cargv[1] = (char *)"127.0.0.1";
			cargv[2] = port;
			cargv[3] = (char *)"/dev/null";
			cargv[4] = NULL;
			pr.peer = probe_spawn(&pr, cargv, 0, err);
			free(cargv[0]);
			if (pr.peer > 0)
				probe_wait(&pr, cond_peer_done, NULL, LISTEN_WAIT);
		}
	}
	probe_pump(&pr, 0);
	srv_from_trace(&pr, argv, o);
	if (keep) {
		keep->out = pr.out;
		keep->outn = pr.outn;
		pr.out = NULL;
	}
	prof_argv_free(argv);
	probe_close(&pr);
	return rc;
}

static void
set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? strdup(src) : NULL;
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
			struct probe out;
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
			if (o.udp) {
				fp->sock = FND_SOCK_UDP;
				set_str(&fp->command, forms[f]);
				free(out.out);
				goto done;
			}
			if (o.listening) {
				fp->sock = FND_SOCK_TCP;
				set_str(&fp->command, forms[f]);
				fp->port_found = 1;
				if (strstr(forms[f], "{port}") && o.port == PROBE_PORT) {
					fp->port_mode = PROF_PORT_ARGV;
				} else {
					char pat[256];
					if (o.bind_port == 0 || (!o.traced && o.port >= 32768)) {
						if (out.out && fnd_port_printed(out.out, out.outn, o.port, pat,
						    sizeof(pat))) {
							fp->port_mode = PROF_PORT_PRINTED;
							set_str(&fp->port_pattern, pat[0] ? pat : NULL);
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
						set_str(&fp->file, o.read_file);
					else if (o.failed_open[0])
						set_str(&fp->file, o.failed_open);
					else if (npresent > 0)
						set_str(&fp->file, present[npresent - 1]);
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
	fp->note = strdup("it never listened, whatever its arguments");
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
cli_from_trace(struct probe *pr, struct cli_obs *o)
{
	struct trace t;
	int stream = 0, dgram = 0;

	o->traced = trace_loaded(pr);
	trace_read(pr, &t);
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

/* Start a reference server (echo_server / file_server) on `port` in the probe. */
static int
probe_ref_server(struct probe *pr, const char *prog, unsigned port, struct sc_err *err)
{
	char portbuf[16], *argv[5];
	struct sc_err e2;
	double until;

	snprintf(portbuf, sizeof(portbuf), "%u", port);
	if (asprintf(&argv[0], "%s/%s", pr->e->ref_dir, prog) < 0)
		return sc_err_sys(err, "probe");
	argv[1] = portbuf;
	argv[2] = NULL;
	if (strcmp(prog, "file_server") == 0) {
		static const char data[] = "sockcheck finder: a small file to receive\n";
		argv[2] = (char *)"served.dat";
		argv[3] = NULL;
		probe_put_file(pr, "served.dat", data, sizeof(data) - 1);
	}
	pr->peer = probe_spawn(pr, argv, 0, err);
	free(argv[0]);
	if (pr->peer < 0)
		return -1;
	until = now_s() + 2.0;
	while (now_s() < until && pnet_is_listening(sbx_net_pid(pr->sbx), port, &e2) != 1) {
		probe_pump(pr, 2);
		if (pr->peer_ended)
			return sc_err_set(err, "the reference %s did not start", prog);
	}
	return 0;
}

struct idle_arg {
	double since;
};

/* The client sleeps in read(0) (it waits for input), for SETTLE_MS, or has ended. */
static int
cond_idle(struct probe *pr, void *arg)
{
	struct idle_arg *a = arg;

	if (pr->ended)
		return 1;
	if (!reading_stdin(pr)) {
		a->since = 0;
		return 0;
	}
	if (a->since == 0)
		a->since = now_s();
	return now_s() - a->since >= SETTLE_MS / 1000.0;
}

static int
cond_ended(struct probe *pr, void *arg)
{
	(void)arg;
	return pr->ended;
}

static void
feed(struct probe *pr, const char *s)
{
	size_t len = strlen(s);
	if (pr->in_fd >= 0 && write(pr->in_fd, s, len) != (ssize_t)len) {
		close(pr->in_fd);
		pr->in_fd = -1;
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
	struct probe pr;
	char **argv = client_argv(tmpl, port, err);
	struct idle_arg ia = { 0 };
	double until;

	memset(o, 0, sizeof(*o));
	if (argv == NULL)
		return -1;
	if (probe_open(e, "file_client", n, &pr, err) < 0 ||
	    probe_ref_server(&pr, "file_server", port, err) < 0) {
		prof_argv_free(argv);
		probe_close(&pr);
		return -1;
	}
	pr.pid = probe_spawn(&pr, argv, 1, err);
	prof_argv_free(argv);
	if (pr.pid < 0) {
		o->exited = 1;
		o->status = 127;
		probe_close(&pr);
		return 0;
	}
	until = now_s() + CLIENT_WAIT;
	while (!pr.ended && now_s() < until) {
		if (probe_wait(&pr, cond_idle, &ia, until - now_s()) && !pr.ended) {
			if (o->gave_stdin)
				break;	/* waiting for more than a name: nothing to give */
			/* it asks for something before (or while) receiving: a file name */
			feed(&pr, "receive.dat\n");
			o->gave_stdin = 1;
			ia.since = 0;
			probe_pump(&pr, 20);
		}
	}
	if (!pr.ended && pr.in_fd >= 0) {
		feed(&pr, "\x04");	/* end of input on a terminal: ^D at the start of a line */
		probe_wait(&pr, cond_ended, NULL, 0.2);
	}
	probe_pump(&pr, 0);
	cli_from_trace(&pr, o);
	if (o->out_file[0] == '\0' && !o->traced) {
		/* no trace (a static program): a new regular file in its directory */
		char path[PATH_MAX * 2];
		snprintf(path, sizeof(path), "%s/receive.dat", pr.cwd);
		if (fsx_is_file(path))
			snprintf(o->out_file, sizeof(o->out_file), "receive.dat");
	}
	probe_close(&pr);
	return 0;
}

static void
find_file_client(const struct fnd_env *e, const struct prof *p, struct fnd_prog *fp,
    struct sc_err *err)
{
	const struct prof_prog *pp = &p->progs[PROF_FILE_CLIENT];
	const char *tmpl = (pp->set & PROF_SET_COMMAND) ? pp->command : "./file_client {host} {port}";
	struct cli_obs o;
	unsigned port = PROBE_PORT;

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
	set_str(&fp->command, tmpl);
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
		set_str(&fp->stdin_text, "receive.dat\n");
	if (o.out_file[0])
		set_str(&fp->out, o.out_file);
	else if (o.connected)
		fp->note = strdup("no output file was seen");
}

/* Start the echo client against a reference echo server; ready for input. */
static int
echo_client_start(const struct fnd_env *e, const char *tmpl, unsigned port, unsigned n,
    struct probe *pr, struct sc_err *err)
{
	char **argv = client_argv(tmpl, port, err);
	struct idle_arg ia = { 0 };

	if (argv == NULL)
		return -1;
	if (probe_open(e, "echo_client", n, pr, err) < 0 ||
	    probe_ref_server(pr, "echo_server", port, err) < 0) {
		prof_argv_free(argv);
		return -1;
	}
	pr->pid = probe_spawn(pr, argv, 1, err);
	prof_argv_free(argv);
	if (pr->pid < 0)
		return 0;
	probe_wait(pr, cond_idle, &ia, CLIENT_WAIT);
	return 0;
}

static void
find_echo_client(const struct fnd_env *e, const struct prof *p, struct fnd_prog *fp,
    struct sc_err *err)
{
	const struct prof_prog *pp = &p->progs[PROF_ECHO_CLIENT];
	const char *tmpl = (pp->set & PROF_SET_COMMAND) ? pp->command : "./echo_client {host} {port}";
	const char *cands[8];
	size_t nc = 0, next = 0;
	char prompt_word[32];
	unsigned port = PROBE_PORT, n = 0;
	struct cli_obs o;
	int from_prompt = 0, found = 0;

	set_str(&fp->command, tmpl);
	/* the first start: its prompt, its socket, whether it connects where told */
	for (;;) {
		struct probe pr;
		memset(&pr, 0, sizeof(pr));
		if (echo_client_start(e, tmpl, port, n++, &pr, err) < 0) {
			probe_close(&pr);
			return;
		}
		fp->runs++;
		probe_pump(&pr, 0);
		cli_from_trace(&pr, &o);
		if (!o.connected && o.refused_port > 0 && (unsigned)o.refused_port != port && n < 2) {
			port = (unsigned)o.refused_port;
			fp->fixed_client_port = 1;
			probe_close(&pr);
			continue;
		}
		if (o.udp) {
			fp->sock = FND_SOCK_UDP;
			probe_close(&pr);
			return;
		}
		if (o.connected)
			fp->sock = FND_SOCK_TCP;
		if (pr.out && fnd_quit_from_prompt(pr.out, pr.outn, prompt_word, sizeof(prompt_word)))
			from_prompt = 1;
		probe_close(&pr);
		break;
	}
	if (fp->fixed_client_port) {
		fp->port_found = 1;
		fp->port_mode = PROF_PORT_FIXED;
		fp->fixed_port = port;
	}
	if (pp->set & PROF_SET_QUIT)
		return;
	if (from_prompt)
		cands[nc++] = prompt_word;
	{
		static const char *const usual[] = { "", "q", "Q", "quit", "exit" };
		for (size_t i = 0; i < 5; i++)
			if (!from_prompt || strcmp(usual[i], prompt_word) != 0)
				cands[nc++] = usual[i];
	}
	/* try the words in turn; one start serves while the words leave it waiting */
	while (next < nc && n < 8 && !found) {
		struct probe pr;
		memset(&pr, 0, sizeof(pr));
		if (echo_client_start(e, tmpl, port, n++, &pr, err) < 0) {
			probe_close(&pr);
			return;
		}
		fp->runs++;
		if (pr.pid < 0 || pr.ended || !reading_stdin(&pr)) {
			probe_close(&pr);
			break;		/* it does not wait for input: nothing to try */
		}
		while (next < nc) {
			struct idle_arg ia = { 0 };
			char line[64];
			snprintf(line, sizeof(line), "%s\n", cands[next]);
			feed(&pr, line);
			probe_pump(&pr, 20);
			probe_wait(&pr, cond_idle, &ia, 0.4);
			if (pr.ended) {
				if (WIFEXITED(pr.wstatus) && WEXITSTATUS(pr.wstatus) == 0)
					found = 1;
				else
					next++;	/* that word ended it badly: start again */
				break;
			}
			next++;
			if (!reading_stdin(&pr))
				break;	/* stuck elsewhere (an echo of nothing): start again */
		}
		probe_close(&pr);
	}
	if (found) {
		fp->quit_found = 1;
		set_str(&fp->quit, cands[next]);
		fp->quit_from_prompt = from_prompt && next == 0;
		return;
	}
	if (o.connected) {
		fp->quit_found = 1;
		fp->no_quit = 1;
	}
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
	set_str(&fp->command, jstr(o, "command"));
	fp->port_found = json_is_true(json_object_get(o, "port_found"));
	fp->port_mode = (enum prof_port_mode)json_integer_value(json_object_get(o, "port_mode"));
	fp->fixed_port = (unsigned)json_integer_value(json_object_get(o, "fixed_port"));
	set_str(&fp->port_pattern, jstr(o, "port_pattern"));
	fp->argv_file = json_is_true(json_object_get(o, "argv_file"));
	set_str(&fp->file, jstr(o, "file"));
	set_str(&fp->open_error, jstr(o, "open_error"));
	set_str(&fp->out, jstr(o, "out"));
	set_str(&fp->stdin_text, jstr(o, "stdin"));
	fp->quit_found = json_is_true(json_object_get(o, "quit_found"));
	set_str(&fp->quit, jstr(o, "quit"));
	fp->no_quit = json_is_true(json_object_get(o, "no_quit"));
	fp->quit_from_prompt = json_is_true(json_object_get(o, "quit_from_prompt"));
	fp->fixed_client_port = json_is_true(json_object_get(o, "fixed_client_port"));
	set_str(&fp->note, jstr(o, "note"));
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
		double t0 = now_s();
		struct sc_err e2;

		/* the TCP programs; the UDP ones run as their profile says */
		if (k == PROF_UDP_SERVER || k == PROF_UDP_CLIENT)
			continue;
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
			find_server(e, p, (enum prof_prog_kind)k, fp, &e2);
			break;
		case PROF_FILE_CLIENT:
			find_file_client(e, p, fp, &e2);
			break;
		case PROF_ECHO_CLIENT:
			find_echo_client(e, p, fp, &e2);
			break;
		}
		fp->seconds = now_s() - t0;
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
		free(fp->note);
	}
	memset(r, 0, sizeof(*r));
}

static int
is_server(int k)
{
	return k == PROF_ECHO_SERVER || k == PROF_FILE_SERVER;
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
			set_str(&ep->command, fp->command);
		if (!(ep->set & PROF_SET_PORT) && fp->port_found) {
			ep->port_mode = fp->port_mode;
			ep->fixed_port = fp->fixed_port;
			if (!(ep->set & PROF_SET_PORT_PATTERN))
				set_str(&ep->port_pattern, fp->port_pattern);
		}
		if (!(ep->set & PROF_SET_FILE) && fp->file)
			set_str(&ep->file, fp->file);
		if (!(ep->set & PROF_SET_OUT) && fp->out)
			set_str(&ep->out, fp->out);
		if (!(ep->set & PROF_SET_STDIN) && fp->stdin_text)
			set_str(&ep->stdin_text, fp->stdin_text);
		if (!(ep->set & PROF_SET_QUIT) && fp->quit_found) {
			set_str(&ep->quit, fp->no_quit ? NULL : fp->quit);
			ep->no_quit = fp->no_quit;
		}
		if (fp->sock == FND_SOCK_UDP && !(ep->set & PROF_SET_COMMAND)) {
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

	if (fp->sock == FND_SOCK_UDP)
		CL("speaks UDP where TCP is expected: its TCP cases are skipped");
	if (fp->port_found && !(pp->set & PROF_SET_PORT)) {
		if (fp->port_mode == PROF_PORT_FIXED && is_server(k))
			CL("port fixed at %u", fp->fixed_port);
		else if (fp->port_mode == PROF_PORT_FIXED)
			CL("connects to port %u, fixed in the program", fp->fixed_port);
		else if (fp->port_mode == PROF_PORT_PRINTED)
			CL("ephemeral port, printed (%s)", fp->port_pattern ? fp->port_pattern :
			    "port[^0-9]*([0-9]+)");
		else if (fp->port_mode == PROF_PORT_LISTENING)
			CL("ephemeral port, not printed: read from its listening socket");
		else if (is_server(k))
			CL("port from argv");
	}
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
			fputs("    # not observed (not built, or a UDP program: run as the profile says)\n", f);
			fputs("    command: ", f), yq(f, pp->command), fputc('\n', f);
			continue;
		}
		if (fp->note)
			fprintf(f, "    # note: %s\n", fp->note);
		if (fp->sock == FND_SOCK_UDP)
			fputs("    # it speaks UDP where TCP is expected: its TCP cases are skipped\n", f);
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
				    "it listened there whatever port it was given" :
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
		if (k == PROF_ECHO_CLIENT && (fp->quit_found || (pp->set & PROF_SET_QUIT))) {
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
