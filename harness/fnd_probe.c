/*
 * fnd_probe: one start of one program for the convention finder (fnd.c,
 * fnd_udp.c; contract in fnd_int.h): a sandbox of its own (sbx, as a case
 * has), a scratch copy of the built submission, a terminal for its standard
 * streams, the preload library tracing its opens and sockets, and the
 * reference peer it talks to.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
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

double
fnd_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
probe_env_free(char **env)
{
	strv_free(env);
}

static char **
probe_env(const struct fnd_probe *pr, const char *prog, int trace)
{
	char **env = calloc(13, sizeof(*env));
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
		/* the machine's ports: a probe's TIME-WAIT must not fail the next bind */
		if (pr->sbx && sbx_mode(pr->sbx) == SBX_LOOPBACK)
			env[n++] = strdup("SCINJECT_SHARED=1");
		/* and the address a client was seen using goes to loopback, as a case's */
		if (pr->redirect[0] && asprintf(&env[n++], "SCINJECT_REDIRECT=%s", pr->redirect) < 0)
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

int
fnd_probe_open(const struct fnd_env *e, const char *name, unsigned n, struct fnd_probe *pr,
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

void
fnd_probe_close(struct fnd_probe *pr)
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
int
fnd_probe_put_file(struct fnd_probe *pr, const char *norm, const char *data, size_t len)
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

pid_t
fnd_probe_spawn(struct fnd_probe *pr, char **argv, int student, struct sc_err *err)
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
	pr->t0 = fnd_now();
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
		if (*n < FND_OUT_CAP) {
			size_t take = (size_t)r < FND_OUT_CAP - *n ? (size_t)r : FND_OUT_CAP - *n;
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
void
fnd_probe_pump(struct fnd_probe *pr, int ms)
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

void
fnd_trace_read(const struct fnd_probe *pr, struct fnd_trace *t)
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

int
fnd_trace_loaded(const struct fnd_probe *pr)
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
int
fnd_reading_stdin(const struct fnd_probe *pr)
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

int
fnd_probe_wait(struct fnd_probe *pr, fnd_probe_cond cond, void *arg, double secs)
{
	double until = fnd_now() + secs;

	for (;;) {
		if (cond(pr, arg))
			return 1;
		if (fnd_now() >= until)
			return 0;
		fnd_probe_pump(pr, 10);
	}
}

void
fnd_set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? strdup(src) : NULL;
}

int
fnd_probe_ref_server(struct fnd_probe *pr, const char *prog, unsigned port, struct sc_err *err)
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
		fnd_probe_put_file(pr, "served.dat", data, sizeof(data) - 1);
	}
	pr->peer = fnd_probe_spawn(pr, argv, 0, err);
	free(argv[0]);
	if (pr->peer < 0)
		return -1;
	until = fnd_now() + 2.0;
	while (fnd_now() < until && (strncmp(prog, "udp_", 4) == 0 ?
	    pnet_udp_is_bound(sbx_net_pid(pr->sbx), port, &e2) :
	    pnet_is_listening(sbx_net_pid(pr->sbx), port, &e2)) != 1) {
		fnd_probe_pump(pr, 2);
		if (pr->peer_ended)
			return sc_err_set(err, "the reference %s did not start", prog);
	}
	return 0;
}

/* The client sleeps in read(0) (it waits for input), for FND_SETTLE_MS, or has ended. */
int
fnd_cond_idle(struct fnd_probe *pr, void *arg)
{
	struct fnd_idle *a = arg;

	if (pr->ended)
		return 1;
	if (!fnd_reading_stdin(pr)) {
		a->since = 0;
		return 0;
	}
	if (a->since == 0)
		a->since = fnd_now();
	return fnd_now() - a->since >= FND_SETTLE_MS / 1000.0;
}

int
fnd_cond_ended(struct fnd_probe *pr, void *arg)
{
	(void)arg;
	return pr->ended;
}

void
fnd_feed(struct fnd_probe *pr, const char *s)
{
	size_t len = strlen(s);
	if (pr->in_fd >= 0 && write(pr->in_fd, s, len) != (ssize_t)len) {
		close(pr->in_fd);
		pr->in_fd = -1;
	}
}
