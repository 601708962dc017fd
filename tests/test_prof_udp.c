/*
 * prof, UDP and IPv6: the textbook names and commands of the UDP programs,
 * a profile declaring them, and an IPv6 literal as a client's host.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "prof.h"
#include "scratch.h"

TestSuite(prof_udp, .init = mk_tmp, .fini = rm_tmp, .timeout = 30);

Test(prof_udp, textbook_names_and_commands)
{
	struct prof p;
	struct sc_err err;

	write_file("udp_echo_server.c", "int main(void) { return 0; }\n", NULL, 0);
	cr_assert_eq(prof_load(tmpdir, &p, &err), 0, "%s", err.msg);
	cr_assert_str_eq(prof_prog_name(PROF_UDP_SERVER), "udp_echo_server");
	cr_assert_str_eq(prof_prog_name(PROF_UDP_CLIENT), "udp_echo_client");
	cr_assert(p.progs[PROF_UDP_SERVER].present, "found by its source's name");
	cr_assert_not(p.progs[PROF_UDP_CLIENT].present);
	cr_assert_str_eq(p.progs[PROF_UDP_SERVER].command, "./udp_echo_server {port}");
	cr_assert_str_eq(p.progs[PROF_UDP_CLIENT].command, "./udp_echo_client {host} {port}");
	cr_assert_str_eq(p.progs[PROF_UDP_CLIENT].quit, "", "an empty line ends it, as echo_client");
	prof_free(&p);
}

Test(prof_udp, declared_with_an_ipv6_host)
{
	struct prof p;
	struct sc_err err;
	char **argv;

	write_file("sockcheck.yaml",
	    "programs:\n"
	    "  udp_echo_server:\n    command: ./userver -p {port}\n"
	    "  udp_echo_client:\n    command: ./uclient {host} {port}\n    host: \"::1\"\n"
	    "    quit: bye\n", NULL, 0);
	sc_err_clear(&err);
	cr_assert_eq(prof_load(tmpdir, &p, &err), 0, "%s", err.msg);
	cr_assert(p.progs[PROF_UDP_SERVER].present);
	cr_assert(p.progs[PROF_UDP_CLIENT].present);
	cr_assert_not(p.progs[PROF_ECHO_SERVER].present, "only the declared programs");
	cr_assert_str_eq(p.progs[PROF_UDP_CLIENT].host, "::1");
	cr_assert_str_eq(p.progs[PROF_UDP_CLIENT].quit, "bye");
	argv = prof_expand(p.progs[PROF_UDP_CLIENT].command, p.progs[PROF_UDP_CLIENT].host, 5000,
	    "", "", &err);
	cr_assert_not_null(argv, "%s", err.msg);
	cr_assert_str_eq(argv[1], "::1");
	cr_assert_str_eq(argv[2], "5000");
	prof_argv_free(argv);
	prof_free(&p);
}

Test(prof_udp, unknown_program_lists_the_udp_names)
{
	struct prof p;
	struct sc_err err;

	write_file("sockcheck.yaml", "programs:\n  udp_server:\n    command: ./x {port}\n", NULL, 0);
	sc_err_clear(&err);
	cr_assert_eq(prof_load(tmpdir, &p, &err), -1);
	cr_assert_not_null(strstr(err.msg, "udp_echo_server, udp_echo_client"), "%s", err.msg);
}
