/*
 * A working echo server that first double-forks a daemon: a new session,
 * SIGTERM and SIGHUP ignored, touching the marker file (argv[2]) every
 * 100 ms for ever. When the run is over the marker must stop changing.
 */
#include "hx.h"
int main(int argc, char **argv)
{
	pid_t p;

	if (argc < 3)
		return 2;
	if ((p = fork()) == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		close(0);
		close(1);
		close(2);
		for (;;) {
			int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0666);
			if (fd >= 0) {
				(void)!write(fd, "alive\n", 6);
				close(fd);
			}
			hx_sleep_ms(100);
		}
	}
	waitpid(p, NULL, 0);
	/* serve once the daemon has run: under load it may not have been
	 * scheduled before the case ends, and the test would test nothing */
	for (int i = 0; i < 200 && access(argv[2], F_OK) != 0; i++)
		hx_sleep_ms(10);
	hx_echo_forever(hx_listen(atoi(argv[1])));
}
