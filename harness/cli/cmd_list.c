/*
 * sockcheck list: the cases of the suite.
 */
#include <getopt.h>
#include <stdio.h>

#include "asg.h"
#include "scn.h"

#include "cli.h"

const char cli_list_help[] =
    "usage: sockcheck list [--suite DIR] [--only GLOB[,GLOB]]\n"
    "\n"
    "Lists the cases of the suite: id, level, points and title.\n"
    "  --suite DIR          scenarios (default: the installed suite)\n"
    "  --only GLOB[,GLOB]   only the cases whose id matches\n";

int
cmd_list(int argc, char **argv, volatile sig_atomic_t *stop)
{
	struct cli_layout lay;
	struct scn_suite suite;
	struct asg asg;	/* none: the suite alone */
	const char *suite_dir = NULL, *only = NULL;

	static const struct option opts[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	cli_find_layout(&lay);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': suite_dir = optarg; break;
		case 'o': only = optarg; break;
		case 'h': return cli_print_help(cli_list_help);
		default: return cli_option_error("list", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("list", "unexpected argument '%s'", argv[optind]);
	if (cli_load_suite(&lay, suite_dir, NULL, &asg, &suite, NULL) != 0)
		return EXIT_USAGE;
	for (size_t i = 0; i < suite.count; i++) {
		const struct scn *s = suite.items[i];
		if (only && !scn_id_matches(s->id, only))
			continue;
		printf("%-45s %-6s %3u  %s\n", s->id, scn_level_name(s->level), s->points,
		    s->title ? s->title : "");
	}
	scn_suite_free(&suite);
	return 0;
}
