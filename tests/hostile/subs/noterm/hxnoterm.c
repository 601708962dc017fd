/* A working echo server that ignores SIGTERM, SIGINT, SIGHUP and SIGQUIT. */
#include "hx.h"
int main(int argc, char **argv)
{
	(void)argc;
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	hx_echo_forever(hx_listen(atoi(argv[1])));
}
