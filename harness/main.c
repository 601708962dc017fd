/*
 * sockcheck: command line. Only this file prints errors and exits.
 */
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: sockcheck run [options] [SUBMISSION_DIR]\n"
    "       sockcheck list [--suite DIR]\n"
    "       sockcheck validate FILE...\n"
    "       sockcheck --help | --version\n";

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("sockcheck %s\n", SOCKCHECK_VERSION);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	fputs(usage, stderr);
	return 2;
}
