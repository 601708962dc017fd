/*
 * pstall: processes stuck writing into each other's full pipes are found at
 * once; a writer whose pipe someone else (who may still read) holds is not.
 *
 * Real processes: two children in their own process group, each writing
 * forever into a pipe, as ncat -e /bin/cat and its cat do when the client
 * reads slowly.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pstall.h"

/* A child in process group pg (0: its own) that writes into wfd forever. */
static pid_t
writer(pid_t pg, int wfd, const int *close_fds, size_t n)
{
	pid_t pid = fork();

	cr_assert(pid >= 0);
	if (pid == 0) {
		static char buf[4096];
		setpgid(0, pg);
		for (size_t i = 0; i < n; i++)
			close(close_fds[i]);
		for (;;)
			if (write(wfd, buf, sizeof(buf)) < 0)
				_exit(1);
	}
	setpgid(pid, pg ? pg : pid);
	return pid;
}

/* pstall's answer once both writers had time to fill their pipes (<= 5 s). */
static int
look(pid_t pg, char *buf, size_t len, int want)
{
	unsigned long sig = 0;
	int got = 0;

	for (int i = 0; i < 100; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		got = pstall_pipe_cycle(&pg, 1, buf, len, &sig);
		if (got == want && i >= 4)	/* the same answer after the pipes filled */
			break;
		nanosleep(&ts, NULL);
	}
	return got;
}

static void
reap(pid_t a, pid_t b)
{
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
}

Test(pstall, two_writers_on_each_others_pipes, .timeout = 20)
{
	int p1[2], p2[2];
	char buf[512];

	cr_assert(pipe(p1) == 0 && pipe(p2) == 0);
	/* a writes into p1, which only b reads (b holds p1[0]); b writes into p2, read by a */
	int a_close[] = { p1[0], p2[1] }, b_close[] = { p2[0], p1[1] };
	pid_t a = writer(0, p1[1], a_close, 2);
	pid_t b = writer(a, p2[1], b_close, 2);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	int got = look(a, buf, sizeof(buf), 1);
	reap(a, b);
	cr_assert_eq(got, 1, "not found: %s", buf);
	cr_assert(strstr(buf, "is blocked writing to a pipe that only") != NULL, "%s", buf);
}

Test(pstall, a_reader_outside_is_no_deadlock, .timeout = 20)
{
	int p1[2], p2[2];
	char buf[512];

	cr_assert(pipe(p1) == 0 && pipe(p2) == 0);
	int a_close[] = { p1[0], p2[1] }, b_close[] = { p2[0], p1[1] };
	pid_t a = writer(0, p1[1], a_close, 2);
	pid_t b = writer(a, p2[1], b_close, 2);
	/* the test keeps p1's read end: it could read at any time */
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	int got = look(a, buf, sizeof(buf), 0);
	reap(a, b);
	close(p1[0]);
	cr_assert_eq(got, 0, "found: %s", buf);
}
