/*
 * What the commands that take the suite share: the options of the commands
 * that run cases (`run`, `grade`) and loading the suite with its assignment
 * (`run`, `grade`, `list`, `explain`).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asg.h"
#include "scn.h"

#include "cli.h"

void
cli_case_opts_init(struct cli_case_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_scale = 1.0;
	o->memcheck = -1;
	o->want_netns = 1;
}

int
cli_case_option(const char *cmd, int c, const char *arg, struct cli_case_opts *o)
{
	char *end;

	switch (c) {
	case 's': o->suite_dir = arg; return 1;
	case 'o': o->only = arg; return 1;
	case 'a': o->asg_path = arg; return 1;
	case 'j':
		if (cli_parse_uint(arg, 1, 256, &o->jobs) < 0) {
			cli_usage_error(cmd, "--jobs: '%s' is not a number from 1 to 256", arg);
			return -1;
		}
		return 1;
	case 't':
		o->timeout_scale = strtod(arg, &end);
		if (end == arg || *end || o->timeout_scale < 0.1 || o->timeout_scale > 100) {
			cli_usage_error(cmd, "--timeout-scale: '%s' is not a number from 0.1 to 100", arg);
			return -1;
		}
		return 1;
	case 'm': o->memcheck = 1; return 1;
	case 'M': o->memcheck = 0; return 1;
	case 'N': o->want_netns = 0; return 1;
	case 'C': o->no_capture = 1; return 1;
	case 'k': o->keep = 1; return 1;
	case 'R': o->no_retry = 1; return 1;
	default: return 0;
	}
}

int
cli_load_suite(const struct cli_layout *lay, const char *suite_dir, const char *asg_path,
    struct asg *asg, struct scn_suite *suite, const char **suite_used)
{
	struct sc_err err;

	sc_err_clear(&err);
	memset(asg, 0, sizeof(*asg));
	if (asg_path && asg_load(asg_path, asg, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		return EXIT_USAGE;
	}
	if (suite_dir == NULL)
		suite_dir = asg->suite ? asg->suite : lay->suite;
	if (scn_load_suite(suite_dir, suite, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		asg_free(asg);
		return EXIT_USAGE;
	}
	if (asg_path && asg_check(asg, suite, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		asg_free(asg);
		scn_suite_free(suite);
		return EXIT_USAGE;
	}
	if (suite_used)
		*suite_used = suite_dir;
	return 0;
}
