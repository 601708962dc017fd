/*
 * sockcheck merge: the output directories of grade --shard.
 */
#include <getopt.h>
#include <stdio.h>

#include "fsx.h"
#include "grade.h"

#include "cli.h"

const char cli_merge_help[] =
    "usage: sockcheck merge [--no-copy] OUT_DIR SHARD_DIR...\n"
    "\n"
    "Merges the OUT directories of the shards 1..N of a grade --shard into\n"
    "OUT_DIR (gradebook.csv, summary.md, summary.html and summary.json as one\n"
    "run would write them).\n"
    "  --no-copy            do not copy the students' directories\n";

int
cmd_merge(int argc, char **argv, volatile sig_atomic_t *stop)
{
	static const struct option opts[] = {
		{ "no-copy", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sc_err err;
	struct grade_lost lost = { 0 };
	int copy = 1, i, c, rc;

	sc_err_clear(&err);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': copy = 0; break;
		case 'h': return cli_print_help(cli_merge_help);
		default: return cli_option_error("merge", c, argv);
		}
	}
	i = optind;
	if (argc - i < 2)
		return cli_usage_error("merge", "%s", "needs OUT_DIR and at least one shard directory");
	for (int k = i + 1; k < argc; k++)
		if (!fsx_is_dir(argv[k])) {
			fprintf(stderr, "sockcheck: %s: not a directory\n", argv[k]);
			return EXIT_USAGE;
		}
	if (grade_merge(argv[i], argv + i + 1, (size_t)(argc - i - 1), copy, &lost, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		grade_lost_free(&lost);
		return EXIT_USAGE;
	}
	printf("merged %d shard%s into %s/gradebook.csv, %s/summary.md and %s/summary.html\n",
	    argc - i - 1, argc - i - 1 == 1 ? "" : "s", argv[i], argv[i], argv[i]);
	rc = cli_report_lost(&lost, "merge");
	grade_lost_free(&lost);
	return rc;
}
