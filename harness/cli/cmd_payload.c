/*
 * sockcheck payload: a case's generated data.
 */
#include <getopt.h>
#include <stdio.h>

#include "ref_opts.h"
#include "ref_payload.h"

#include "cli.h"

const char cli_payload_help[] =
    "usage: sockcheck payload [--size N] [--pattern P] [--seed S] > FILE\n"
    "\n"
    "Writes a case's generated data to standard output (its digest to standard\n"
    "error), e.g. the file a file server must serve.\n"
    "  --size N             bytes (suffixes k, M, G: KiB, MiB, GiB; default 64)\n"
    "  --pattern P          text, binary, random or zero (default text)\n"
    "  --seed S             the generator's seed (default 1)\n";

/* sockcheck payload: a scenario's generated data, to reproduce a case by hand. */
int
cmd_payload(int argc, char **argv, volatile sig_atomic_t *stop)
{
	uint64_t size = 64, seed = 1;
	enum ref_pattern pat = REF_PAT_TEXT;
	char hex[REF_DIGEST_HEX], ebuf[256];

	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "pattern", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (ref_parse_size(optarg, &size) < 0)
				return cli_usage_error("payload", "bad size '%s'", optarg);
			break;
		case 'S':
			if (ref_parse_size(optarg, &seed) < 0)
				return cli_usage_error("payload", "bad seed '%s'", optarg);
			break;
		case 'p':
			if (ref_pattern_parse(optarg, &pat) < 0)
				return cli_usage_error("payload", "unknown pattern '%s' (text, binary, "
				    "random, zero)", optarg);
			break;
		case 'h': return cli_print_help(cli_payload_help);
		default: return cli_option_error("payload", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("payload", "unexpected argument '%s'", argv[optind]);
	if (ref_payload_write_fd(1, "standard output", pat, seed, size, hex, ebuf,
	    sizeof(ebuf)) < 0) {
		fprintf(stderr, "sockcheck: %s\n", ebuf);
		return EXIT_USAGE;
	}
	fprintf(stderr, "sockcheck: %llu bytes, " REF_DIGEST_NAME " %s (as xxhsum -H2 prints it)\n", (unsigned long long)size, hex);
	return 0;
}
