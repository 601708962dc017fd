/* The sandbox of a case: namespaces that live as long as the case. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx.h"

static char *const true_argv[] = { "/bin/true", NULL };
static char *const env[] = { "PATH=/usr/bin:/bin", NULL };

/* Start /bin/true in the sandbox and wait for it; its wait status. */
static int
run_true(struct sbx *s)
{
	struct sbx_spawn sp;
	struct sc_err err;
	int status = -1;
	pid_t pid;

	memset(&sp, 0, sizeof(sp));
	sp.argv = true_argv;
	sp.envp = env;
	sp.fd_in = sp.fd_out = sp.fd_err = -1;
	pid = sbx_spawn(s, &sp, &err);
	cr_assert_gt(pid, 0, "spawn failed: %s", err.msg);
	cr_assert_eq(sbx_wait(s, pid, 10000, &status, NULL, &err), 1, "%s", err.msg);
	return status;
}

static struct sbx *
open_netns_or_skip(void)
{
	struct sbx *s;
	struct sc_err err;
	char why[256];

	sbx_user_enter(why, sizeof(why));	/* unprivileged: namespaces through a user namespace */
	cr_assert_eq(sbx_open(1, &s, why, sizeof(why), &err), 0, "%s", err.msg);
	if (sbx_mode(s) != SBX_NETNS) {
		unsigned surv;
		sbx_close(s, &surv, &err);
		cr_skip_test("needs network and PID namespaces (root): %s", why);
	}
	return s;
}

/*
 * The holder's life pipe may get any descriptor number, 3 included (another
 * thread closes 3 between our two pipe2() calls). Forced here: with 0, 1
 * and 3 free, the report pipe takes 0 and 1 and the life pipe 3. The
 * holder must still wait for the end of its life pipe, not kill the
 * namespace's pid 1 at once (every fork in it then fails with ENOMEM:
 * exit 12 below).
 */
Test(sbx, namespace_lives_whatever_the_pipe_numbers, .timeout = 30)
{
	int status = -1;
	pid_t child;

	/* in a child: the test runner's own descriptors (3 is one) stay intact */
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		struct sbx *s;
		struct sc_err err;
		struct sbx_spawn sp;
		unsigned surv;
		int st = -1;
		pid_t pid;

		close(0);
		close(1);
		close(3);
		sbx_user_enter(NULL, 0);
		if (sbx_open(1, &s, NULL, 0, &err) < 0)
			_exit(10);
		if (sbx_mode(s) != SBX_NETNS)
			_exit(11);
		/* the holder has had the time to act on a wrong descriptor */
		usleep(200 * 1000);
		memset(&sp, 0, sizeof(sp));
		sp.argv = true_argv;
		sp.envp = env;
		sp.fd_in = sp.fd_out = sp.fd_err = -1;
		if ((pid = sbx_spawn(s, &sp, &err)) < 0)
			_exit(strstr(err.msg, "Cannot allocate memory") ? 12 : 13);
		if (sbx_wait(s, pid, 10000, &st, NULL, &err) != 1 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			_exit(14);
		if (sbx_close(s, &surv, &err) < 0 || surv != 0)
			_exit(15);
		_exit(0);
	}
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status), "status 0x%x", status);
	if (WEXITSTATUS(status) == 11)
		cr_skip_test("needs network and PID namespaces (root)");
	cr_assert_neq(WEXITSTATUS(status), 12,
	    "the first fork in the namespace failed with ENOMEM: its pid 1 was killed");
	cr_assert_eq(WEXITSTATUS(status), 0, "step %d failed", WEXITSTATUS(status));
}

/* Several programs, one after the other, in one sandbox. */
Test(sbx, namespace_serves_several_spawns, .timeout = 30)
{
	struct sbx *s = open_netns_or_skip();
	struct sc_err err;
	unsigned surv;

	for (int i = 0; i < 5; i++) {
		int status = run_true(s);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	}
	cr_assert_eq(sbx_close(s, &surv, &err), 0);
	cr_assert_eq(surv, 0);
}

/* A reaped program's pid (and group) may be anyone's: it is never signalled. */
Test(sbx, no_signal_after_reaping, .timeout = 30)
{
	struct sbx *s = open_netns_or_skip();
	struct sbx_spawn sp;
	struct sc_err err;
	unsigned surv;
	int status;
	pid_t pid;

	memset(&sp, 0, sizeof(sp));
	sp.argv = true_argv;
	sp.envp = env;
	sp.fd_in = sp.fd_out = sp.fd_err = -1;
	pid = sbx_spawn(s, &sp, &err);
	cr_assert_gt(pid, 0, "%s", err.msg);
	cr_assert_eq(sbx_wait(s, pid, 10000, &status, NULL, &err), 1);
	cr_assert_eq(sbx_signal(s, pid, SIGTERM), -1);
	cr_assert_eq(sbx_signal(s, pid, SIGKILL), -1);
	cr_assert_eq(sbx_signal(s, getpid(), SIGKILL), -1, "not one of the sandbox's");
	cr_assert_eq(sbx_close(s, &surv, &err), 0);
	cr_assert_eq(surv, 0);
}

/*
 * A case's namespace has a connection table of its own, a small one: every
 * look at its sockets (sock_diag, /proc/net/tcp) walks its buckets, and the
 * host's shared table has hundreds of thousands (issue 24). A kernel older
 * than 6.1 has no such knob: skipped there.
 */
Test(sbx, namespace_has_small_tables, .timeout = 30)
{
	static char *const cat_argv[] = { "/bin/cat", "/proc/sys/net/ipv4/tcp_ehash_entries",
	    NULL };
	struct sbx *s;
	struct sbx_spawn sp;
	struct sc_err err;
	unsigned surv;
	int out[2], status = -1;
	char buf[64] = "";
	ssize_t n;
	pid_t pid;

	if (access("/proc/sys/net/ipv4/tcp_child_ehash_entries", F_OK) < 0)
		cr_skip_test("the kernel has no per-namespace connection tables");
	s = open_netns_or_skip();
	cr_assert_eq(pipe(out), 0);
	memset(&sp, 0, sizeof(sp));
	sp.argv = cat_argv;
	sp.envp = env;
	sp.fd_in = sp.fd_err = -1;
	sp.fd_out = out[1];
	pid = sbx_spawn(s, &sp, &err);
	cr_assert_gt(pid, 0, "spawn failed: %s", err.msg);
	close(out[1]);
	n = read(out[0], buf, sizeof(buf) - 1);
	close(out[0]);
	cr_assert_eq(sbx_wait(s, pid, 10000, &status, NULL, &err), 1, "%s", err.msg);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	/* negative: the namespace shares the host's table */
	cr_expect_eq(strtol(buf, NULL, 10), 128, "tcp_ehash_entries in the case: %s", buf);
	sbx_close(s, &surv, &err);
}

/*
 * Unprivileged (here uid 65534, from root): a user namespace for sockcheck,
 * one per case owning the case's network and PID namespaces; the program
 * runs as the caller's uid, on a loopback that is up with ::1, and a fork
 * bomb's RLIMIT_NPROC counts the case's processes only (the caller's 40
 * others do not make its first fork fail).
 */
Test(sbx, unprivileged_user_namespace, .timeout = 60)
{
	int status = -1;
	pid_t child = fork();

	cr_assert_geq(child, 0);
	if (child == 0) {
		char *const argv[] = { "/bin/sh", "-c",
			"[ \"$(id -u)\" = 65534 ] || exit 3; "
			"grep -q '^0*1 .* lo$' /proc/net/if_inet6 || exit 4; "
			"( exit 0 ) & wait $! || exit 5; "
			"f=/proc/sys/net/ipv4/tcp_ehash_entries; "
			"[ ! -e $f ] || [ \"$(cat $f)\" = 128 ] || exit 6", NULL };
		struct sbx_limits lim = { .nproc = 8 };
		struct sbx_spawn sp;
		struct sbx *s;
		struct sc_err err;
		pid_t others[40], pid;
		unsigned surv;
		int st = -1;
		char why[256];

		/* dumpable again after setuid, as after an exec: else /proc/self/uid_map
		 * stays root's and the map can't be written */
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0 ||
		    prctl(PR_SET_DUMPABLE, 1) < 0))
			_exit(20);
		if (!sbx_user_enter(why, sizeof(why)))
			_exit(11);	/* no user namespaces on this kernel */
		/* the caller's own processes, more than the program's limit */
		for (int i = 0; i < 40; i++)
			if ((others[i] = fork()) == 0) {
				pause();
				_exit(0);
			}
		if (sbx_open(1, &s, why, sizeof(why), &err) < 0 || sbx_mode(s) != SBX_NETNS)
			_exit(12);
		memset(&sp, 0, sizeof(sp));
		sp.argv = argv;
		sp.envp = env;
		sp.fd_in = sp.fd_out = sp.fd_err = -1;
		sp.limits = &lim;
		if ((pid = sbx_spawn(s, &sp, &err)) < 0)
			_exit(13);
		if (sbx_wait(s, pid, 20000, &st, NULL, &err) != 1 || !WIFEXITED(st))
			_exit(14);
		for (int i = 0; i < 40; i++)
			if (others[i] > 0)
				kill(others[i], SIGKILL);
		if (sbx_close(s, &surv, &err) < 0 || surv != 0)
			_exit(15);
		_exit(WEXITSTATUS(st));
	}
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status), "status 0x%x", status);
	if (WEXITSTATUS(status) == 11)
		cr_skip_test("this kernel gives no user namespace to an unprivileged user");
	cr_assert_neq(WEXITSTATUS(status), 3, "the program did not run as the caller's uid");
	cr_assert_neq(WEXITSTATUS(status), 4, "no ::1 on an up loopback in the case");
	/* 2: the shell's own complaint when its fork fails */
	cr_assert(WEXITSTATUS(status) != 5 && WEXITSTATUS(status) != 2, "the program's first fork "
	    "failed: RLIMIT_NPROC counted the caller's processes");
	cr_assert_neq(WEXITSTATUS(status), 6, "the case's connection tables are the host's");
	cr_assert_eq(WEXITSTATUS(status), 0, "step %d failed", WEXITSTATUS(status));
}
