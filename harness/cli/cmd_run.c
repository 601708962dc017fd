/*
 * sockcheck run: the suite against one submission.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asg.h"
#include "fsx.h"
#include "grade.h"
#include "prof.h"
#include "rpt.h"
#include "run.h"
#include "scn.h"

#include "cli.h"

const char cli_run_help[] =
    "usage: sockcheck run [options] [SUBMISSION_DIR]\n"
    "\n"
    "Runs the suite against the submission in SUBMISSION_DIR (default: the\n"
    "current directory): its programs are built (the profile's build command, or\n"
    "make when there is a Makefile), then each case runs them against reference\n"
    "peers. Exit status: 0 every must-case passed, 1 one failed, 2 usage,\n"
    "configuration or internal error.\n"
    "  --suite DIR          scenarios (default: the installed suite)\n"
    "  --only GLOB[,GLOB]   run the cases whose id matches (e.g. 'echo.server.*')\n"
    "  --assignment FILE    an assignment: selection, points, hidden cases\n"
    "  --report-dir DIR     write reports (and the case logs) there\n"
    "  --format LIST        json,junit,tap,md,html,gradescope,autolab (default json)\n"
    "  --jobs N             cases in parallel (default: four per core)\n"
    "  --timeout-scale X    multiply every deadline by X (slow machines)\n"
    "  --memcheck           run the student programs under valgrind memcheck\n"
    "  --no-memcheck        never, whatever the profile or scenarios say\n"
    "  --no-netns           no network namespaces: free loopback ports instead\n"
    "  --no-capture         no packet capture (capture.pcap in each case's directory)\n"
    "  --student-view       hidden cases show only that they failed\n"
    "  --keep               keep every case's working directory and large files whole\n"
    "  --no-finder          don't observe the programs first: the profile and the\n"
    "                       textbook defaults only (docs/profile.md)\n"
    "  --no-retry           a case the harness could not run (a failed fork, a\n"
    "                       reference peer that did not start) is not run again\n"
    "  --repeat N           run each case N times; a case whose verdicts differ is\n"
    "                       reported as flaky, with both outcomes (exit status 1)\n"
    "  -v, --verbose        details of passing cases too\n";

static void
progress_line(void *ctx, const struct res_case *c, size_t done, size_t total)
{
	int tty = *(int *)ctx;

	if (!tty)
		return;
	fprintf(stderr, "\r\033[K[%zu/%zu] %s %s", done, total, res_verdict_name(c->verdict), c->id);
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

int
cmd_run(int argc, char **argv, volatile sig_atomic_t *stop)
{
	static const struct option opts[] = {
		CLI_CASE_OPTIONS,
		{ "report-dir", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "student-view", no_argument, NULL, 'S' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "no-finder", no_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_layout lay;
	struct cli_case_opts co;
	struct run_opts ro;
	struct rpt_opts rop;
	struct scn_suite suite;
	struct prof prof;
	struct res_run run;
	struct asg asg;
	struct sc_err err;
	const char *suite_dir = NULL, *report_dir = NULL, *formats = NULL;
	unsigned build_timeout;
	char sub[PATH_MAX], work[PATH_MAX], built[PATH_MAX], blog[PATH_MAX], fcache[PATH_MAX];
	int c, built_ok = 0, rc, tmp_work = 0, tty = isatty(2);

	cli_find_layout(&lay);
	memset(&ro, 0, sizeof(ro));
	memset(&rop, 0, sizeof(rop));
	cli_case_opts_init(&co);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': report_dir = optarg; break;
		case 'f': formats = optarg; break;
		case 'S': rop.student_view = 1; break;
		case 'F': ro.no_finder = 1; break;
		case 'n':
			if (cli_parse_uint(optarg, 1, 100000, &ro.repeat) < 0)
				return cli_usage_error("run", "--repeat: '%s' is not a number from 1 to 100000",
				    optarg);
			break;
		case 'v': rop.verbose = 1; break;
		case 'h': return cli_print_help(cli_run_help);
		default:
			if ((rc = cli_case_option("run", c, optarg, &co)) < 0)
				return EXIT_USAGE;
			if (rc == 0)
				return cli_option_error("run", c, argv);
		}
	}
	CLI_CASE_OPTS_TO(ro, co);
	if (argc - optind > 1)
		return cli_usage_error("run", "takes one submission directory; got '%s' too", argv[optind + 1]);
	if (realpath(optind < argc ? argv[optind] : ".", sub) == NULL || !fsx_is_dir(sub)) {
		fprintf(stderr, "sockcheck: %s: not a directory\n", optind < argc ? argv[optind] : ".");
		return EXIT_USAGE;
	}
	sc_err_clear(&err);
	if (cli_load_suite(&lay, co.suite_dir, co.asg_path, &asg, &suite, &suite_dir) != 0)
		return EXIT_USAGE;
	if (co.asg_path) {
		ro.assignment = &asg;
		ro.report_cap = asg.report_cap;
		if (ro.memcheck < 0)
			ro.memcheck = asg.memcheck;
	}
	if (prof_load(sub, &prof, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		asg_free(&asg);
		scn_suite_free(&suite);
		return EXIT_USAGE;
	}
	build_timeout = prof.build_timeout_s;
	if (asg.build_timeout_s && (build_timeout == 0 || build_timeout > asg.build_timeout_s))
		build_timeout = asg.build_timeout_s;
	if (report_dir) {
		if (fsx_mkdirs(report_dir, &err) < 0 || realpath(report_dir, work) == NULL) {
			fprintf(stderr, "sockcheck: %s: cannot create the report directory\n", report_dir);
			return EXIT_USAGE;
		}
		strncat(work, "/work", sizeof(work) - strlen(work) - 1);
	} else {
		snprintf(work, sizeof(work), "/tmp/sockcheck.XXXXXX");
		if (mkdtemp(work) == NULL) {
			perror("sockcheck: mkdtemp");
			return EXIT_USAGE;
		}
		tmp_work = 1;
		/* the work directory goes at the end: what the finder found stays
		 * for the next run of the same programs */
		if (cli_finder_cache(fcache, sizeof(fcache)) == 0)
			ro.finder_cache = fcache;
	}
	ro.work_dir = work;
	ro.ref_dir = lay.ref;
	ro.inject_lib = lay.have_inject ? lay.inject : NULL;
	/* `make bench` compares with and without call sites (cite.h) */
	ro.no_sites = getenv("SOCKCHECK_NO_SITES") && strcmp(getenv("SOCKCHECK_NO_SITES"), "1") == 0;
	ro.stop = stop;
	ro.progress = progress_line;
	ro.progress_ctx = &tty;
	snprintf(built, sizeof(built), "%s/build", work);
	snprintf(blog, sizeof(blog), "%s/build.log", work);
	if (fsx_mkdirs(work, &err) < 0 ||
	    run_build_stoppable(sub, built, &prof, blog, build_timeout, stop, &built_ok,
	    &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		return EXIT_USAGE;
	}
	if (!built_ok) {
		ro.build_log = blog;
		fprintf(stderr, "sockcheck: the build failed (log: %s); the cases that need a "
		    "program that did not build will fail\n", blog);
		FILE *f = fopen(blog, "re");
		char line[512];
		while (f && fgets(line, sizeof(line), f))
			fputs(line, stderr);
		if (f)
			fclose(f);
	}
	rc = run_suite(&suite, &prof, sub, built, &ro, &run, &err);
	if (rc < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		rc = EXIT_USAGE;
		goto out;
	}
	run.suite = (free(run.suite), strdup(suite_dir));
	rop.color = cli_want_color(1);
	rpt_term(stdout, &run, &rop);
	if (getenv("GITHUB_ACTIONS") && strcmp(getenv("GITHUB_ACTIONS"), "true") == 0)
		rpt_gha(stdout, &run, &rop);
	rc = res_exit_status(&run);
	if (report_dir && rpt_write_all(&run, formats ? formats : "json", report_dir, &rop, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		rc = EXIT_USAGE;
	} else if (formats && !report_dir) {
		fprintf(stderr, "sockcheck: --format needs --report-dir\n");
		rc = EXIT_USAGE;
	}
	if (run.interrupted) {
		fprintf(stderr, "sockcheck: interrupted; unfinished cases are marked as errors\n");
		if (rc == 0)
			rc = 1;
	}
	res_run_free(&run);
out:
	if (tmp_work && !ro.keep)
		fsx_remove_tree(work, &err);
	else if (tmp_work)
		fprintf(stderr, "sockcheck: case directories kept in %s\n", work);
	prof_free(&prof);
	scn_suite_free(&suite);
	asg_free(&asg);
	return rc;
}
