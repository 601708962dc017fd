/*
 * peer_argv: a reference peer waits for the program under test as long as
 * the case's deadline allows, scaled alike (memcheck, --timeout-scale).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

/* The value after `flag` in argv, or NULL; *count: how many times it is there. */
static const char *
value_of(char **argv, const char *flag, int *count)
{
	const char *v = NULL;

	*count = 0;
	for (size_t i = 0; argv[i]; i++)
		if (strcmp(argv[i], flag) == 0 && argv[i + 1]) {
			v = argv[i + 1];
			(*count)++;
		}
	return v;
}

static char **
argv_of(const char *prog, char *const *flags, double scale)
{
	struct sc_err err;
	char *args[] = { "127.0.0.1", "5000", NULL };
	size_t n = 0;
	char **argv;

	while (flags && flags[n])
		n++;
	argv = peer_argv("/ref", prog, NULL, NULL, flags, n, args, scale, &err);
	cr_assert(argv != NULL, "%s", err.msg);
	return argv;
}

static void
expect_flag(char **argv, const char *flag, const char *want)
{
	int count;
	const char *v = value_of(argv, flag, &count);

	if (want == NULL) {
		cr_expect(count == 0, "%s given (%s) where the peer takes none or none is scaled",
		    flag, v ? v : "");
		return;
	}
	cr_expect(count == 1, "%s given %d times", flag, count);
	cr_expect(v && strcmp(v, want) == 0, "%s %s, not %s", flag, v ? v : "(none)", want);
}

Test(peer_argv, unscaled_is_unchanged)
{
	char *flags[] = { "--timeout-ms", "2000", NULL };
	char **argv = argv_of("echo_client", flags, 1.0);

	expect_flag(argv, "--timeout-ms", "2000");
	expect_flag(argv, "--reply-timeout-ms", NULL);
	/* the positional arguments stay last */
	size_t n = 0;
	while (argv[n])
		n++;
	cr_expect_str_eq(argv[n - 2], "127.0.0.1");
	cr_expect_str_eq(argv[n - 1], "5000");
	peer_argv_free(argv);
}

/* The reference file server waits 5 s for "Thank you": under memcheck, 20 s. */
Test(peer_argv, defaults_are_scaled_where_the_scenario_gives_none)
{
	char **argv = argv_of("file_server", NULL, 4.0);

	expect_flag(argv, "--timeout-ms", "120000");
	expect_flag(argv, "--reply-timeout-ms", "20000");
	peer_argv_free(argv);
	argv = argv_of("file_client", NULL, 2.5);
	expect_flag(argv, "--timeout-ms", "75000");
	expect_flag(argv, "--reply-timeout-ms", NULL);	/* it takes none */
	peer_argv_free(argv);
	argv = argv_of("udp_echo_server", NULL, 4.0);
	expect_flag(argv, "--timeout-ms", NULL);	/* it waits for nobody */
	expect_flag(argv, "--reply-timeout-ms", NULL);
	peer_argv_free(argv);
}

Test(peer_argv, given_timeouts_are_scaled)
{
	char *udp[] = { "--sizes", "40x6", "--gap-ms", "40", "--reply-timeout-ms", "800", NULL };
	char **argv = argv_of("udp_echo_client", udp, 4.0);

	expect_flag(argv, "--reply-timeout-ms", "3200");
	expect_flag(argv, "--timeout-ms", "120000");
	expect_flag(argv, "--gap-ms", "40");		/* pacing stays as it is */
	expect_flag(argv, "--sizes", "40x6");
	peer_argv_free(argv);
}

/*
 * echo.server.concurrent-clients: the first client holds 3 s, the second
 * waits 2 s for its echo; an iterative server fails because 2 < 3. Scaled
 * alike, it still fails under memcheck (8 s < 12 s).
 */
Test(peer_argv, a_hold_keeps_its_order_with_the_timeouts)
{
	char *first[] = { "--hold-ms", "3000", NULL };
	char *second[] = { "--timeout-ms", "2000", NULL };
	char **a = argv_of("echo_client", first, 4.0);
	char **b = argv_of("echo_client", second, 4.0);
	int count;

	expect_flag(a, "--hold-ms", "12000");
	expect_flag(b, "--timeout-ms", "8000");
	cr_expect(atoi(value_of(a, "--hold-ms", &count)) > atoi(value_of(b, "--timeout-ms", &count)));
	peer_argv_free(a);
	peer_argv_free(b);
}
