/*
 * sockcheck gradescope-bundle: a Gradescope autograder zip.
 */
#include <getopt.h>

#include "asg.h"
#include "bundle.h"
#include "grade.h"

#include "cli.h"

const char cli_bundle_help[] =
    "usage: sockcheck gradescope-bundle ASSIGNMENT [-o autograder.zip]\n"
    "\n"
    "From a source checkout, writes a Gradescope autograder zip that builds\n"
    "sockcheck and runs the suite with ASSIGNMENT in the student view.\n"
    "  -o, --output FILE    the zip to write (default autograder.zip)\n";

/* sockcheck gradescope-bundle ASSIGNMENT [-o FILE.zip]: from a source checkout. */
int
cmd_bundle(int argc, char **argv, volatile sig_atomic_t *stop)
{
	const char *asg_path = NULL, *out = "autograder.zip";
	char d[2048], src[PATH_MAX + 8];
	struct asg a;
	struct sc_err err;

	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	/* no '+': ASSIGNMENT -o FILE works as well as -o FILE ASSIGNMENT */
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'h': return cli_print_help(cli_bundle_help);
		default: return cli_option_error("gradescope-bundle", c, argv);
		}
	}
	if (optind < argc)
		asg_path = argv[optind++];
	if (optind < argc)
		return cli_usage_error("gradescope-bundle", "unexpected argument '%s'", argv[optind]);
	if (asg_path == NULL)
		return cli_usage_error("gradescope-bundle", "%s", "needs an ASSIGNMENT file");
	/* a broken assignment is found here, not on Gradescope */
	if (asg_load(asg_path, &a, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		return EXIT_USAGE;
	}
	asg_free(&a);
	cli_exe_dir(d, sizeof(d));
	snprintf(src, sizeof(src), "%s/..", d);
	if (bundle_gradescope(src, asg_path, out, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		return EXIT_USAGE;
	}
	printf("%s: upload it as the autograder of the assignment (Gradescope, Ubuntu image)\n",
	    out);
	return 0;
}
