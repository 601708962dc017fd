/* The sandbox of a case: namespaces that live as long as the case. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
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
 * namespace's pid 1 at once (every fork in it then fails with ENOMEM).
 */
Test(sbx, namespace_lives_whatever_the_pipe_numbers, .timeout = 30)
{
	int saved[4];
	struct sbx *s;
	struct sc_err err;
	unsigned surv;
	char why[256];
	int rc;

	/* 3 may be the test runner's own (put back below); 0 and 1 are not used */
	for (int fd = 0; fd < 4; fd++)
		saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 64);
	cr_assert(saved[0] >= 0 && saved[1] >= 0);
	close(0);
	close(1);
	close(3);
	rc = sbx_open(1, &s, why, sizeof(why), &err);
	/* 0 and 1 now hold the sandbox's namespaces: only 3 goes back */
	if (saved[3] >= 0) {
		cr_assert_lt(fcntl(3, F_GETFD), 0, "descriptor 3 is taken");
		dup2(saved[3], 3);
	}
	cr_assert_eq(rc, 0, "%s", err.msg);
	if (sbx_mode(s) != SBX_NETNS) {
		sbx_close(s, &surv, &err);
		cr_skip_test("needs network and PID namespaces (root): %s", why);
	}
	/* the holder has had the time to act on a wrong descriptor */
	usleep(200 * 1000);
	int status = run_true(s);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	cr_assert_eq(sbx_close(s, &surv, &err), 0);
	cr_assert_eq(surv, 0);
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
