/* /proc observation: a group's processes, and how a task waits. */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pnet.h"

/* Until the task sleeps in a system call (not the moment after fork). */
static void
wait_asleep(pid_t pid, struct pnet_task *t)
{
	struct sc_err err;

	for (int i = 0; i < 500; i++) {
		cr_assert_eq(pnet_task(pid, t, &err), 0);
		if (t->state == 'S' && t->syscall >= 0)
			return;
		usleep(2000);
	}
	cr_assert_fail("task %d never went to sleep", (int)pid);
}

static pid_t
child_polling(int ms)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		poll(NULL, 0, ms);
		_exit(0);
	}
	return pid;
}

static void
end(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A wait with no timeout only input ends; one with a timeout ends by itself. */
Test(pnet, waits_forever_tells_timeouts, .timeout = 30)
{
	struct pnet_task t;
	pid_t forever = child_polling(-1), timed = child_polling(60000);
	int p[2];
	pid_t reader;

	wait_asleep(forever, &t);
	cr_expect(pnet_waits_forever(&t), "poll(-1) waits forever");
	wait_asleep(timed, &t);
	cr_expect(!pnet_waits_forever(&t), "poll(60000) ends by itself");
	cr_assert_eq(pipe(p), 0);
	reader = fork();
	cr_assert_geq(reader, 0);
	if (reader == 0) {
		char c;
		_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	wait_asleep(reader, &t);
	cr_expect(pnet_waits_forever(&t), "read() of a pipe waits forever");
	end(forever);
	end(timed);
	end(reader);
	close(p[0]);
	close(p[1]);
}

/* The newest live process of a group, and its tasks, from the leader's descendants. */
Test(pnet, group_leaf_and_tasks, .timeout = 30)
{
	int ready[2];
	char c;
	pid_t leader, tasks[16];
	size_t n;

	cr_assert_eq(pipe(ready), 0);
	leader = fork();
	cr_assert_geq(leader, 0);
	if (leader == 0) {
		setpgid(0, 0);
		if (fork() == 0) {	/* the program, in the leader's group */
			if (write(ready[1], "x", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		pause();
		_exit(0);
	}
	setpgid(leader, leader);
	cr_assert_eq(read(ready[0], &c, 1), 1);
	pid_t leaf = pnet_group_leaf(leader);
	cr_expect_neq(leaf, leader, "the leader's child is the group's leaf");
	n = pnet_group_tasks(leader, 0, tasks, 16);
	cr_expect_eq(n, 1);
	cr_expect_eq(n ? tasks[0] : 0, leaf);
	n = pnet_group_tasks(leader, 1, tasks, 16);
	cr_expect_eq(n, 2, "with the leader: both");
	kill(-leader, SIGKILL);
	waitpid(leader, NULL, 0);
	close(ready[0]);
	close(ready[1]);
}
