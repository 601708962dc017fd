/*
 * build: the submission's build, confined like a case. A Makefile is code
 * the student wrote: it runs on a scratch copy, in its own network and PID
 * namespaces when the kernel allows (no network; whatever it starts dies with
 * it), as root under a uid of its own, with limits, and it can be stopped by
 * its timeout or by SIGINT/SIGTERM to sockcheck.
 *
 * It builds with debug information (-g), so that a failure can name the
 * line that made it (cite.h): the C compilers on PATH are wrappers that put
 * -g before the student's own flags (which win: -g0, -s). Setting CFLAGS
 * would not do: on make's command line it replaces the Makefile's own
 * CFLAGS (its -I and -D too), in the environment it is ignored by
 * `CFLAGS =` and replaces `CFLAGS ?=`, and a recipe that calls gcc
 * directly never sees it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsx.h"
#include "run.h"
#include "sbx.h"

static double
mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The scratch copy: build_dir, whose parent may lie inside the submission. */
static int
scratch_copy(const char *dir, const char *build_dir, struct sc_err *err)
{
	char work[PATH_MAX];
	char *slash;

	snprintf(work, sizeof(work), "%s", build_dir);
	if ((slash = strrchr(work, '/')) != NULL && slash != work)
		*slash = '\0';
	if (fsx_remove_tree(build_dir, err) < 0 || fsx_mkdirs(work, err) < 0 ||
	    fsx_copy_tree(dir, build_dir, work, err) < 0)
		return -1;
	return 0;
}

/*
 * A directory of compiler wrappers that add -g, for the build's PATH: a
 * fresh one in /tmp, searchable by the build's own uid (build_dir's parents
 * may not be), removed after the build. Its path in `dir`. The compilers
 * are the system's, by absolute path: a wrapper never finds itself.
 */
static int
debug_cc_dir(char *dir, size_t len, struct sc_err *err)
{
	static const char *const names[] = { "cc", "gcc", "c99", "clang" };
	static const char *const bins[] = { "/usr/local/bin", "/usr/bin", "/bin" };

	snprintf(dir, len, "/tmp/sockcheck-cc.XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) < 0)
		return sc_err_sys(err, "%s", dir);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (size_t k = 0; k < sizeof(bins) / sizeof(bins[0]); k++) {
			char real[PATH_MAX], path[PATH_MAX + 16];
			FILE *f;
			snprintf(real, sizeof(real), "%s/%s", bins[k], names[i]);
			if (access(real, X_OK) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if ((f = fopen(path, "we")) == NULL)
				return sc_err_sys(err, "%s", path);
			fprintf(f, "#!/bin/sh\n# sockcheck: debug information, so that a failure can "
			    "name its line\nexec %s -g \"$@\"\n", real);
			if (fclose(f) != 0 || chmod(path, 0755) < 0)
				return sc_err_sys(err, "%s", path);
			break;
		}
	return 0;
}

static void
log_line(const char *log_path, const char *msg)
{
	int fd = open(log_path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		dprintf(fd, "\nsockcheck: %s\n", msg);
		close(fd);
	}
}

int
run_build_stoppable(const char *dir, const char *build_dir, const struct prof *p,
    const char *log_path, unsigned timeout_s, volatile sig_atomic_t *stop, int *built,
    struct sc_err *err)
{
	char mk[PATH_MAX], home[PATH_MAX + 8], ccdir[PATH_MAX], path[PATH_MAX + 64];
	const char *cmd = p->build;
	struct stat st;
	struct sbx *sb;
	struct sbx_limits lim;
	struct sbx_spawn sp;
	int fd, status = 0, root = geteuid() == 0, ended = 0, ret = -1;
	unsigned limit = timeout_s ? timeout_s : 120;
	uid_t uid = sbx_fresh_uid();
	double deadline;
	pid_t pid;

	*built = 0;
	if (scratch_copy(dir, build_dir, err) < 0)
		return -1;
	snprintf(mk, sizeof(mk), "%s/Makefile", build_dir);
	if (cmd == NULL && stat(mk, &st) == 0)
		cmd = "make";
	if ((fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return sc_err_sys(err, "%s", log_path);
	if (cmd == NULL) {
		dprintf(fd, "no build command and no Makefile: using the programs as they are\n");
		close(fd);
		*built = 1;
		return 0;
	}
	dprintf(fd, "$ %s\n", cmd);
	if (debug_cc_dir(ccdir, sizeof(ccdir), err) < 0) {
		close(fd);
		return -1;
	}
	if (root && fsx_chown_tree(build_dir, uid, (gid_t)uid, err) < 0) {
		close(fd);
		goto out;
	}
	if (sbx_open(1, &sb, NULL, 0, err) < 0) {
		close(fd);
		goto out;
	}
	if (root)
		sbx_set_owner(sb, uid);

	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)cmd, NULL };
	snprintf(home, sizeof(home), "HOME=%s", build_dir);
	snprintf(path, sizeof(path), "PATH=%s:/usr/local/bin:/usr/bin:/bin", ccdir);
	char *envp[] = { path, (char *)"LANG=C", (char *)"LC_ALL=C", home, NULL };
	memset(&lim, 0, sizeof(lim));
	lim.cpu_s = limit + 10;
	lim.fsize_bytes = (rlim_t)256 << 20;	/* also caps the log */
	lim.nofile = 1024;
	lim.nproc = 512;
	lim.drop_uid = root;
	lim.uid = uid;
	lim.gid = (gid_t)uid;
	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	sp.envp = envp;
	sp.cwd = build_dir;
	sp.fd_in = -1;
	sp.fd_out = fd;
	sp.fd_err = fd;
	sp.limits = &lim;
	pid = sbx_spawn(sb, &sp, err);
	close(fd);
	if (pid < 0) {
		unsigned survivors;
		struct sc_err e2;
		sbx_close(sb, &survivors, &e2);
		goto out;
	}
	deadline = mono_s() + limit;
	for (;;) {
		int rc = sbx_wait(sb, pid, 20, &status, NULL, err);
		if (rc < 0)
			break;
		if (rc == 1) {
			ended = 1;
			break;
		}
		if (stop && *stop) {
			log_line(log_path, "build stopped: interrupted");
			break;
		}
		if (mono_s() >= deadline) {
			char msg[96];
			snprintf(msg, sizeof(msg), "build stopped after %u s (build_timeout)", limit);
			log_line(log_path, msg);
			break;
		}
	}
	{
		/* whatever the build started dies with its sandbox */
		unsigned survivors = 0;
		struct sc_err e2;
		sbx_signal(sb, pid, SIGKILL);
		sbx_close(sb, &survivors, &e2);
	}
	*built = ended && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	ret = 0;
out:
	{
		struct sc_err e3;
		fsx_remove_tree(ccdir, &e3);
	}
	return ret;
}

int
run_build(const char *dir, const char *build_dir, const struct prof *p, const char *log_path,
    unsigned timeout_s, int *built, struct sc_err *err)
{
	return run_build_stoppable(dir, build_dir, p, log_path, timeout_s, NULL, built, err);
}
