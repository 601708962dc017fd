/*
 * sockcheck doctor: which isolation this machine gives the cases, why, what
 * it costs, and what to do for better (isol.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "isol.h"

#include "cli.h"

const char cli_doctor_help[] =
    "usage: sockcheck doctor [--no-netns]\n"
    "\n"
    "Says which isolation this machine gives sockcheck's cases (network and PID\n"
    "namespaces as root, the same through user namespaces unprivileged, or none:\n"
    "the machine's loopback, shared), why, what that costs, and what to do for\n"
    "better (the AppArmor profile on Ubuntu, the docker run flags, the sysctl).\n"
    "It tries what a case does. Exit status 0; 2 on a usage error.\n"
    "  --no-netns           what a run with --no-netns gets\n";

static void
setting(const char *name, long v)
{
	if (v < 0)
		printf("  %s: not in this kernel\n", name);
	else
		printf("  %s = %ld\n", name, v);
}

void
cli_isolation_line(FILE *out, int no_netns)
{
	struct isol_probe p;

	isol_probe(no_netns, &p);
	fprintf(out, "isolation: %s: %s\n", isol_name(p.kind), p.why);
}

int
cmd_doctor(int argc, char **argv, volatile sig_atomic_t *stop)
{
	static const struct option opts[] = {
		{ "no-netns", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct isol_probe p;
	struct utsname u;
	char exe[PATH_MAX], remedy[4096];
	int c, no_netns = 0;
	ssize_t n;

	(void)stop;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 'N': no_netns = 1; break;
		case 'h': return cli_print_help(cli_doctor_help);
		default: return cli_option_error("doctor", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("doctor", "unexpected argument '%s'", argv[optind]);
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		snprintf(exe, sizeof(exe), "/usr/local/bin/sockcheck");
	else
		exe[n] = '\0';
	isol_probe(no_netns, &p);
	printf("isolation: %s\n", isol_name(p.kind));
	printf("  why: %s\n", p.why);
	if (*isol_cost(p.kind))
		printf("  what it costs: %s\n", isol_cost(p.kind));
	printf("this machine:\n");
	if (uname(&u) == 0)
		printf("  %s %s\n", u.sysname, u.release);
	printf("  running as uid %u%s\n", (unsigned)geteuid(), p.container ? ", in a container" : "");
	setting("user.max_user_namespaces", p.max_user_namespaces);
	setting("kernel.unprivileged_userns_clone", p.unprivileged_userns_clone);
	setting("kernel.apparmor_restrict_unprivileged_userns", p.apparmor_restrict);
	isol_remedy(&p, exe, remedy, sizeof(remedy));
	if (remedy[0]) {
		const char *l = remedy;
		printf("for better isolation:\n");
		while (*l) {
			int len = (int)strcspn(l, "\n");
			printf("  %.*s\n", len, l);
			l += len + (l[len] ? 1 : 0);
		}
	}
	return 0;
}
