/*
 * sockcheck explain: a case's scenario, hint and how to reproduce it by hand.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kind.h"
#include "prof.h"
#include "run.h"
#include "asg.h"
#include "scn.h"

#include "cli.h"

const char cli_explain_help[] =
    "usage: sockcheck explain [--suite DIR] CASE_ID\n"
    "\n"
    "Prints a case's scenario, its hint and the commands that reproduce it by\n"
    "hand with the reference peers, in the order to start them.\n"
    "  --suite DIR          scenarios (default: the installed suite)\n";

static void
print_argv(const char *label, char *const *v)
{
	printf("  %s", label);
	for (size_t i = 0; v && v[i]; i++)
		printf(" %s", v[i]);
	printf("\n");
}

/* The reference peer of a case and its arguments, for a human to type. */
static void
explain_peer(const struct scn *s, size_t i, const struct cli_layout *lay, const char *payload)
{
	const char *prog = kind_peer(s, s->role != SCN_SERVER);
	const char *host = s->setup.ipv6 ? "::1" : "127.0.0.1";

	printf("  %s/%s%s", lay->ref, prog,
	    (s->role == SCN_SERVER && s->protocol == SCN_ECHO) ||
	    (s->role == SCN_CLIENT && s->protocol == SCN_FILE) ? payload : "");
	for (size_t k = 0; i < s->npeers && k < s->peers[i].nflags; k++)
		printf(" %s", s->peers[i].flags[k]);
	if (s->role == SCN_SERVER)
		printf(s->protocol == SCN_FILE ? " %s 5000 /dev/null\n" : " %s 5000\n", host);
	else
		printf(s->protocol == SCN_FILE ? " 5000 -\n" : " 5000\n");
	if (i < s->npeers && s->peers[i].delay_ms)
		printf("    (started %u ms after the previous one)\n", s->peers[i].delay_ms);
}

/* "Reproduce by hand": the commands, in the order to start them. */
static void
explain_reproduce(const struct scn *s, const struct cli_layout *lay)
{
	const struct scn_input *in = s->input.set ? &s->input : NULL;
	char payload[128] = "", inject[512] = "";
	const char *prog = prof_prog_name(kind_student(s, s->role == SCN_CLIENT));
	size_t npeers = s->npeers ? s->npeers : (s->setup.no_server ? 0 : 1);

	if (s->role == SCN_PAIR) {
		printf("Reproduce by hand: start your server, then your client against it.\n");
		return;
	}
	if (in && !in->text)
		snprintf(payload, sizeof(payload), " --size %llu --pattern %s --seed %llu",
		    (unsigned long long)in->size, scn_pattern_name(in->pattern),
		    (unsigned long long)in->seed);
	if (s->inject) {
		size_t n = 0;
		n += (size_t)snprintf(inject + n, sizeof(inject) - n, "LD_PRELOAD=%s SCINJECT='",
		    lay->have_inject ? lay->inject : "libscinject.so");
		for (size_t i = 0; s->inject[i] && n < sizeof(inject); i++)
			n += (size_t)snprintf(inject + n, sizeof(inject) - n, "%s%s", i ? ";" : "",
			    s->inject[i]);
		if (n < sizeof(inject))
			snprintf(inject + n, sizeof(inject) - n, "' ");
	}
	printf("Reproduce by hand (two terminals, port 5000):\n");
	if (s->role == SCN_SERVER) {
		if (s->protocol == SCN_FILE && in && !in->text && !s->setup.no_file) {
			/* the served file is the program's own source by convention */
			printf("  mkdir /tmp/try && cp file_server /tmp/try && cd /tmp/try\n");
			printf("  sockcheck payload%s > file_server.c   (the file it serves)\n", payload);
		}
		printf("  %s./%s 5000   (your server, first)\n", inject, prog);
		for (size_t i = 0; i < npeers; i++)
			explain_peer(s, i, lay, payload);
	} else {
		for (size_t i = 0; i < npeers; i++)
			explain_peer(s, i, lay, payload);
		printf("  %s./%s %s 5000   (your client)\n", inject, prog,
		    s->setup.ipv6 ? "::1" : "127.0.0.1");
		if (s->stdin_spec.nlines)
			print_argv("its standard input, one per line:", s->stdin_spec.lines);
	}
}

int
cmd_explain(int argc, char **argv, volatile sig_atomic_t *stop)
{
	struct cli_layout lay;
	struct scn_suite suite;
	struct asg asg;	/* none: the suite alone */
	const char *suite_dir = NULL, *id = NULL;
	const struct scn *s = NULL;

	static const struct option opts[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	cli_find_layout(&lay);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 's': suite_dir = optarg; break;
		case 'h': return cli_print_help(cli_explain_help);
		default: return cli_option_error("explain", c, argv);
		}
	}
	if (optind < argc)
		id = argv[optind++];
	if (optind < argc)
		return cli_usage_error("explain", "unexpected argument '%s'", argv[optind]);
	if (id == NULL)
		return cli_usage_error("explain", "%s", "needs a CASE_ID (see sockcheck list)");
	if (cli_load_suite(&lay, suite_dir, NULL, &asg, &suite, NULL) != 0)
		return EXIT_USAGE;
	for (size_t i = 0; i < suite.count; i++)
		if (strcmp(suite.items[i]->id, id) == 0)
			s = suite.items[i];
	if (s == NULL) {
		fprintf(stderr, "sockcheck: no case '%s' (sockcheck list shows them)\n", id);
		scn_suite_free(&suite);
		return EXIT_USAGE;
	}
	char where[PATH_MAX];
	if (s->path == NULL || realpath(s->path, where) == NULL)
		snprintf(where, sizeof(where), "%s", s->path ? s->path : "");
	double secs = run_case_seconds(s);
	char data_time[64] = "";
	if (secs - s->timeout_s >= 0.5)	/* the data's time at the floor rate */
		snprintf(data_time, sizeof(data_time), " + %.0f s for its data", secs - s->timeout_s);
	printf("%s: %s\n  level %s, %u point%s, timeout %.0f s%s\n  file: %s\n\n", s->id,
	    s->title ? s->title : "", scn_level_name(s->level), s->points,
	    s->points == 1 ? "" : "s", s->timeout_s, data_time, where);
	if (s->hint)
		printf("Hint:\n  %s\n\n", s->hint);
	explain_reproduce(s, &lay);
	scn_suite_free(&suite);
	return 0;
}
