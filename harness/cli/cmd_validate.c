/*
 * sockcheck validate: check scenario files.
 */
#include <getopt.h>
#include <stdio.h>

#include "scn.h"

#include "cli.h"

const char cli_validate_help[] =
    "usage: sockcheck validate FILE...\n"
    "\n"
    "Checks scenario files: prints 'FILE: ok (ID)' or the errors as\n"
    "file:line:col: message. Exit status 2 when a file has an error.\n";

int
cmd_validate(int argc, char **argv, volatile sig_atomic_t *stop)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int bad = 0, c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c == 'h')
			return cli_print_help(cli_validate_help);
		return cli_option_error("validate", c, argv);
	}
	if (optind >= argc)
		return cli_usage_error("validate", "%s", "needs at least one FILE");
	for (int i = optind; i < argc; i++) {
		struct sc_err err;
		struct scn *s;
		sc_err_clear(&err);
		if ((s = scn_load_file(argv[i], &err)) == NULL) {
			sc_err_print(stderr, "sockcheck", &err);
			bad = 1;
			continue;
		}
		printf("%s: ok (%s)\n", argv[i], s->id);
		scn_free(s);
	}
	return bad ? EXIT_USAGE : 0;
}
