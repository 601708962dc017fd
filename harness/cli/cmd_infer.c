/*
 * sockcheck infer: what the convention finder finds, as a profile.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fnd.h"
#include "fsx.h"
#include "prof.h"
#include "reach.h"
#include "run.h"

#include "cli.h"

const char cli_infer_help[] =
    "usage: sockcheck infer [--no-netns] [-o FILE] [SUBMISSION_DIR]\n"
    "\n"
    "Builds the submission and runs the convention finder on its programs (the\n"
    "port each listens on, the file it serves or writes, its quit word, ...; see\n"
    "docs/profile.md), then writes what it found as a commented sockcheck.yaml\n"
    "for review. run does the same before the cases; a profile overrides it.\n"
    "  -o, --output FILE    write the profile there (default: standard output)\n"
    "  --no-netns           no network namespaces: free loopback ports instead\n";

/* sockcheck infer [--no-netns] [-o FILE] [DIR]: what the finder finds, as a profile. */
int
cmd_infer(int argc, char **argv, volatile sig_atomic_t *stop)
{
	struct cli_layout lay;
	struct prof prof;
	struct fnd_result found;
	struct fnd_env fe;
	struct reach reach;
	struct sc_err err;
	const char *out_path = NULL, *dir = ".";
	char sub[PATH_MAX], work[PATH_MAX] = "/tmp/sockcheck-infer.XXXXXX", built[PATH_MAX + 16];
	char blog[PATH_MAX + 16];
	int built_ok = 0, netns = 1, rc = 0, ndirs = 0;
	FILE *out = stdout;

	cli_find_layout(&lay);
	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc)
			out_path = argv[++i];
		else if (strcmp(argv[i], "--no-netns") == 0)
			netns = 0;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return cli_print_help(cli_infer_help);
		else if (argv[i][0] == '-')
			return cli_usage_error("infer", "unknown option '%s'", argv[i]);
		else if (ndirs++ == 0)
			dir = argv[i];
		else
			return cli_usage_error("infer", "takes one submission directory; got '%s' too",
			    argv[i]);
	}
	if (realpath(dir, sub) == NULL || !fsx_is_dir(sub)) {
		fprintf(stderr, "sockcheck: %s: not a directory\n", dir);
		return EXIT_USAGE;
	}
	sc_err_clear(&err);
	if (prof_load(sub, &prof, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		return EXIT_USAGE;
	}
	if (mkdtemp(work) == NULL) {
		perror("sockcheck: mkdtemp");
		prof_free(&prof);
		return EXIT_USAGE;
	}
	chmod(work, 0755);
	snprintf(built, sizeof(built), "%s/build", work);
	snprintf(blog, sizeof(blog), "%s/build.log", work);
	if (run_build_stoppable(sub, built, &prof, blog, prof.build_timeout_s, stop,
	    &built_ok, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (!built_ok)
		fprintf(stderr, "sockcheck: the build failed (log: %s); programs that did not build "
		    "are not observed\n", blog);
	memset(&fe, 0, sizeof(fe));
	fe.built_dir = built;
	fe.work_dir = work;
	fe.ref_dir = lay.ref;
	fe.want_netns = netns;
	fe.is_root = geteuid() == 0;
	/* the preload library where the probes' uid can load it */
	if (reach_open(&reach, fe.is_root, NULL, lay.have_inject ? lay.inject : NULL, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		rc = EXIT_USAGE;
		goto out;
	}
	fe.inject_lib = reach_inject(&reach);
	rc = fnd_run(&fe, &prof, &found, &err) < 0 ? EXIT_USAGE : 0;
	reach_close(&reach, 0);
	if (rc != 0) {
		sc_err_print(stderr, "sockcheck", &err);
		goto out;
	}
	if (out_path && (out = fopen(out_path, "we")) == NULL) {
		fprintf(stderr, "sockcheck: %s: %s\n", out_path, strerror(errno));
		rc = EXIT_USAGE;
	} else {
		char *desc = fnd_describe(&prof, &found);
		if (desc)
			fprintf(stderr, "%s\n", desc);
		free(desc);
		if (fnd_write_yaml(out, &prof, &found) < 0 || (out_path && fclose(out) != 0)) {
			fprintf(stderr, "sockcheck: %s: write error\n", out_path ? out_path : "stdout");
			rc = EXIT_USAGE;
		}
	}
	fnd_result_free(&found);
out:
	if (built_ok || rc == 0)
		fsx_remove_tree(work, &err);
	prof_free(&prof);
	return rc;
}
