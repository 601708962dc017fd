/*
 * sockcheck: the command line. Only this file prints errors and exits.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asg.h"
#include "fsx.h"
#include "grade.h"
#include "kind.h"
#include "prof.h"
#include "bundle.h"
#include "fnd.h"
#include "rpt.h"
#include "ref_opts.h"
#include "ref_payload.h"
#include "run.h"
#include "scn.h"

#define EXIT_USAGE 2

static volatile sig_atomic_t stop_requested;

/*
 * Each command's help: `sockcheck COMMAND --help` prints its entry alone;
 * `sockcheck --help` prints every synopsis and the one-line summaries of the
 * command table (commands[], at the end of the file). A new command adds its
 * help text here and a row to the table.
 */
static const char run_help[] =
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
    "  --jobs N             cases in parallel (default: the number of cores)\n"
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

static const char infer_help[] =
    "usage: sockcheck infer [--no-netns] [-o FILE] [SUBMISSION_DIR]\n"
    "\n"
    "Builds the submission and runs the convention finder on its programs (the\n"
    "port each listens on, the file it serves or writes, its quit word, ...; see\n"
    "docs/profile.md), then writes what it found as a commented sockcheck.yaml\n"
    "for review. run does the same before the cases; a profile overrides it.\n"
    "  -o, --output FILE    write the profile there (default: standard output)\n"
    "  --no-netns           no network namespaces: free loopback ports instead\n";

static const char list_help[] =
    "usage: sockcheck list [--suite DIR] [--only GLOB[,GLOB]]\n"
    "\n"
    "Lists the cases of the suite: id, level, points and title.\n"
    "  --suite DIR          scenarios (default: the installed suite)\n"
    "  --only GLOB[,GLOB]   only the cases whose id matches\n";

static const char validate_help[] =
    "usage: sockcheck validate FILE...\n"
    "\n"
    "Checks scenario files: prints 'FILE: ok (ID)' or the errors as\n"
    "file:line:col: message. Exit status 2 when a file has an error.\n";

static const char explain_help[] =
    "usage: sockcheck explain [--suite DIR] CASE_ID\n"
    "\n"
    "Prints a case's scenario, its hint and the commands that reproduce it by\n"
    "hand with the reference peers, in the order to start them.\n"
    "  --suite DIR          scenarios (default: the installed suite)\n";

static const char payload_help[] =
    "usage: sockcheck payload [--size N] [--pattern P] [--seed S] > FILE\n"
    "\n"
    "Writes a case's generated data to standard output (its digest to standard\n"
    "error), e.g. the file a file server must serve.\n"
    "  --size N             bytes (suffixes k, M, G: KiB, MiB, GiB; default 64)\n"
    "  --pattern P          text, binary, random or zero (default text)\n"
    "  --seed S             the generator's seed (default 1)\n";

static const char bundle_help[] =
    "usage: sockcheck gradescope-bundle ASSIGNMENT [-o autograder.zip]\n"
    "\n"
    "From a source checkout, writes a Gradescope autograder zip that builds\n"
    "sockcheck and runs the suite with ASSIGNMENT in the student view.\n"
    "  -o, --output FILE    the zip to write (default autograder.zip)\n";

static const char grade_help[] =
    "usage: sockcheck grade [options] CLASS_DIR\n"
    "\n"
    "Builds and runs every subdirectory of CLASS_DIR (one per student) and\n"
    "writes OUT/gradebook.csv, OUT/summary.md, OUT/summary.html and summary.json\n"
    "(the class at a glance) and OUT/students/NAME/ (reports, build.log).\n"
    "Students whose submission and configuration are unchanged since\n"
    "the last grade into OUT are skipped (resume). See docs/grading.md.\n"
    "  --out DIR            output directory (default: grades)\n"
    "  --assignment FILE, --suite DIR, --only GLOB, --timeout-scale X, --memcheck,\n"
    "  --no-memcheck, --no-netns, --no-capture, --keep   as for run\n"
    "  --jobs N             cases in flight over all students (default: cores)\n"
    "  --shard K/N          grade only shard K of N (a fixed split of the names)\n"
    "  --format LIST        reports per student (instructor view; json, html always)\n"
    "  --student-format LIST  student-view reports into OUT/students/NAME/student/\n"
    "  --build-timeout S    cap on every build (seconds)\n"
    "  --force              grade every student again\n"
    "  --no-retry           a case the harness could not run is not run again\n"
    "                       (otherwise once, up to 8 cases per student)\n"
    "  --open               print the path of OUT/summary.html and open it (xdg-open)\n";

static const char merge_help[] =
    "usage: sockcheck merge [--no-copy] OUT_DIR SHARD_DIR...\n"
    "\n"
    "Merges the OUT directories of the shards 1..N of a grade --shard into\n"
    "OUT_DIR (gradebook.csv, summary.md, summary.html and summary.json as one\n"
    "run would write them).\n"
    "  --no-copy            do not copy the students' directories\n";

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * A usage error: one line naming the problem, then where the help is.
 * cmd is the command's name, or NULL for sockcheck itself.
 */
static int
usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "sockcheck%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\ntry 'sockcheck%s%s --help'\n", cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

/* getopt_long returned '?' or ':' (opterr is 0, the optstring starts "+:"). */
static int
option_error(const char *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];
	const char *eq;
	char name[128];

	if (strncmp(arg, "--", 2) != 0) {
		/* a short option: optopt is the letter */
		snprintf(name, sizeof(name), "-%c", optopt);
		return usage_error(cmd, c == ':' ? "option '%s' needs a value" :
		    "unknown option '%s'", name);
	}
	eq = strchr(arg, '=');
	snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
	if (c == ':')
		return usage_error(cmd, "option '%s' needs a value", name);
	if (eq && optopt)
		return usage_error(cmd, "option '%s' takes no value", name);
	return usage_error(cmd, "unknown option '%s'", name);
}

/* Colour only on a terminal, and never when NO_COLOR is set and not empty
 * (no-color.org); TERM=dumb has none either. */
static int
want_color(int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (nc && *nc)
		return 0;
	if (term && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fd);
}

static int
print_help(const char *text)
{
	fputs(text, stdout);
	return 0;
}

/* The directory holding this executable. */
static void
exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0) {
		snprintf(buf, len, ".");
		return;
	}
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) != NULL)
		*slash = '\0';
}

/*
 * Where the suite, the reference peers and the preload library are: next to
 * the build tree (build/sockcheck) or installed (PREFIX/bin/sockcheck).
 */
struct layout {
	char suite[PATH_MAX], ref[PATH_MAX], inject[PATH_MAX];
	int have_inject;
};

static void
find_layout(struct layout *l)
{
	char d[2048];

	exe_dir(d, sizeof(d));
	snprintf(l->suite, sizeof(l->suite), "%s/../scenarios", d);
	if (!fsx_is_dir(l->suite))
		snprintf(l->suite, sizeof(l->suite), "%s/../share/sockcheck/scenarios", d);
	snprintf(l->ref, sizeof(l->ref), "%s/reference", d);
	if (!fsx_is_dir(l->ref))
		snprintf(l->ref, sizeof(l->ref), "%s/../libexec/sockcheck", d);
	snprintf(l->inject, sizeof(l->inject), "%s/lib/libscinject.so", d);
	if (!fsx_is_file(l->inject))
		snprintf(l->inject, sizeof(l->inject), "%s/../libexec/sockcheck/libscinject.so", d);
	l->have_inject = fsx_is_file(l->inject);
}

static int
parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi || s[0] == '-')
		return -1;
	*out = (unsigned)v;
	return 0;
}

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

static int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "assignment", required_argument, NULL, 'a' },
		{ "report-dir", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "timeout-scale", required_argument, NULL, 't' },
		{ "memcheck", no_argument, NULL, 'm' },
		{ "no-memcheck", no_argument, NULL, 'M' },
		{ "no-netns", no_argument, NULL, 'N' },
		{ "no-capture", no_argument, NULL, 'C' },
		{ "student-view", no_argument, NULL, 'S' },
		{ "keep", no_argument, NULL, 'k' },
		{ "no-retry", no_argument, NULL, 'R' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "no-finder", no_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct layout lay;
	struct run_opts ro;
	struct rpt_opts rop;
	struct scn_suite suite;
	struct prof prof;
	struct res_run run;
	struct asg asg;
	struct sc_err err;
	const char *suite_dir = NULL, *report_dir = NULL, *formats = NULL, *asg_path = NULL;
	unsigned build_timeout;
	char sub[PATH_MAX], work[PATH_MAX], built[PATH_MAX], blog[PATH_MAX];
	int c, built_ok = 0, rc, tmp_work = 0, tty = isatty(2);

	find_layout(&lay);
	memset(&ro, 0, sizeof(ro));
	memset(&rop, 0, sizeof(rop));
	ro.timeout_scale = 1.0;
	ro.memcheck = -1;
	ro.want_netns = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", opts, NULL)) != -1) {
		switch (c) {
		case 's': suite_dir = optarg; break;
		case 'o': ro.only = optarg; break;
		case 'a': asg_path = optarg; break;
		case 'r': report_dir = optarg; break;
		case 'f': formats = optarg; break;
		case 'j':
			if (parse_uint(optarg, 1, 256, &ro.jobs) < 0)
				return usage_error("run", "--jobs: '%s' is not a number from 1 to 256", optarg);
			break;
		case 't': {
			char *end;
			ro.timeout_scale = strtod(optarg, &end);
			if (end == optarg || *end || ro.timeout_scale < 0.1 || ro.timeout_scale > 100)
				return usage_error("run", "--timeout-scale: '%s' is not a number from 0.1 to 100",
				    optarg);
			break;
		}
		case 'm': ro.memcheck = 1; break;
		case 'M': ro.memcheck = 0; break;
		case 'N': ro.want_netns = 0; break;
		case 'C': ro.no_capture = 1; break;
		case 'S': rop.student_view = 1; break;
		case 'k': ro.keep = 1; break;
		case 'R': ro.no_retry = 1; break;
		case 'F': ro.no_finder = 1; break;
		case 'n':
			if (parse_uint(optarg, 1, 100000, &ro.repeat) < 0)
				return usage_error("run", "--repeat: '%s' is not a number from 1 to 100000",
				    optarg);
			break;
		case 'v': rop.verbose = 1; break;
		case 'h': return print_help(run_help);
		default: return option_error("run", c, argv);
		}
	}
	if (argc - optind > 1)
		return usage_error("run", "takes one submission directory; got '%s' too", argv[optind + 1]);
	if (realpath(optind < argc ? argv[optind] : ".", sub) == NULL || !fsx_is_dir(sub)) {
		fprintf(stderr, "sockcheck: %s: not a directory\n", optind < argc ? argv[optind] : ".");
		return EXIT_USAGE;
	}
	sc_err_clear(&err);
	memset(&asg, 0, sizeof(asg));
	if (asg_path && asg_load(asg_path, &asg, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		return EXIT_USAGE;
	}
	if (suite_dir == NULL)
		suite_dir = asg.suite ? asg.suite : lay.suite;
	if (scn_load_suite(suite_dir, &suite, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		asg_free(&asg);
		return EXIT_USAGE;
	}
	if (asg_path) {
		if (asg_check(&asg, &suite, &err) < 0) {
			sc_err_print(stderr, "sockcheck", &err);
			asg_free(&asg);
			scn_suite_free(&suite);
			return EXIT_USAGE;
		}
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
	}
	ro.work_dir = work;
	ro.ref_dir = lay.ref;
	ro.inject_lib = lay.have_inject ? lay.inject : NULL;
	ro.stop = &stop_requested;
	ro.progress = progress_line;
	ro.progress_ctx = &tty;
	snprintf(built, sizeof(built), "%s/build", work);
	snprintf(blog, sizeof(blog), "%s/build.log", work);
	if (fsx_mkdirs(work, &err) < 0 ||
	    run_build_stoppable(sub, built, &prof, blog, build_timeout, &stop_requested, &built_ok,
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
	rop.color = want_color(1);
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

/* sockcheck infer [--no-netns] [-o FILE] [DIR]: what the finder finds, as a profile. */
static int
cmd_infer(int argc, char **argv)
{
	struct layout lay;
	struct prof prof;
	struct fnd_result found;
	struct fnd_env fe;
	struct sc_err err;
	const char *out_path = NULL, *dir = ".";
	char sub[PATH_MAX], work[PATH_MAX] = "/tmp/sockcheck-infer.XXXXXX", built[PATH_MAX + 16];
	char blog[PATH_MAX + 16];
	int built_ok = 0, netns = 1, rc = 0, ndirs = 0;
	FILE *out = stdout;

	find_layout(&lay);
	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc)
			out_path = argv[++i];
		else if (strcmp(argv[i], "--no-netns") == 0)
			netns = 0;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return print_help(infer_help);
		else if (argv[i][0] == '-')
			return usage_error("infer", "unknown option '%s'", argv[i]);
		else if (ndirs++ == 0)
			dir = argv[i];
		else
			return usage_error("infer", "takes one submission directory; got '%s' too",
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
	if (run_build_stoppable(sub, built, &prof, blog, prof.build_timeout_s, &stop_requested,
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
	fe.inject_lib = lay.have_inject ? lay.inject : NULL;
	fe.want_netns = netns;
	fe.is_root = geteuid() == 0;
	if (fnd_run(&fe, &prof, &found, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		rc = EXIT_USAGE;
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

static int
cmd_list(int argc, char **argv)
{
	struct layout lay;
	struct scn_suite suite;
	struct sc_err err;
	const char *suite_dir = NULL, *only = NULL;

	static const struct option opts[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	find_layout(&lay);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': suite_dir = optarg; break;
		case 'o': only = optarg; break;
		case 'h': return print_help(list_help);
		default: return option_error("list", c, argv);
		}
	}
	if (optind < argc)
		return usage_error("list", "unexpected argument '%s'", argv[optind]);
	if (scn_load_suite(suite_dir ? suite_dir : lay.suite, &suite, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		return EXIT_USAGE;
	}
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

static int
cmd_validate(int argc, char **argv)
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
			return print_help(validate_help);
		return option_error("validate", c, argv);
	}
	if (optind >= argc)
		return usage_error("validate", "%s", "needs at least one FILE");
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
explain_peer(const struct scn *s, size_t i, const struct layout *lay, const char *payload)
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
explain_reproduce(const struct scn *s, const struct layout *lay)
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

/* sockcheck payload: a scenario's generated data, to reproduce a case by hand. */
static int
cmd_payload(int argc, char **argv)
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
				return usage_error("payload", "bad size '%s'", optarg);
			break;
		case 'S':
			if (ref_parse_size(optarg, &seed) < 0)
				return usage_error("payload", "bad seed '%s'", optarg);
			break;
		case 'p':
			if (ref_pattern_parse(optarg, &pat) < 0)
				return usage_error("payload", "unknown pattern '%s' (text, binary, "
				    "random, zero)", optarg);
			break;
		case 'h': return print_help(payload_help);
		default: return option_error("payload", c, argv);
		}
	}
	if (optind < argc)
		return usage_error("payload", "unexpected argument '%s'", argv[optind]);
	if (ref_payload_write_fd(1, "standard output", pat, seed, size, hex, ebuf,
	    sizeof(ebuf)) < 0) {
		fprintf(stderr, "sockcheck: %s\n", ebuf);
		return EXIT_USAGE;
	}
	fprintf(stderr, "sockcheck: %llu bytes, " REF_DIGEST_NAME " %s (as xxhsum -H2 prints it)\n", (unsigned long long)size, hex);
	return 0;
}

/* sockcheck gradescope-bundle ASSIGNMENT [-o FILE.zip]: from a source checkout. */
static int
cmd_bundle(int argc, char **argv)
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
		case 'h': return print_help(bundle_help);
		default: return option_error("gradescope-bundle", c, argv);
		}
	}
	if (optind < argc)
		asg_path = argv[optind++];
	if (optind < argc)
		return usage_error("gradescope-bundle", "unexpected argument '%s'", argv[optind]);
	if (asg_path == NULL)
		return usage_error("gradescope-bundle", "%s", "needs an ASSIGNMENT file");
	/* a broken assignment is found here, not on Gradescope */
	if (asg_load(asg_path, &a, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		return EXIT_USAGE;
	}
	asg_free(&a);
	exe_dir(d, sizeof(d));
	snprintf(src, sizeof(src), "%s/..", d);
	if (bundle_gradescope(src, asg_path, out, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		return EXIT_USAGE;
	}
	printf("%s: upload it as the autograder of the assignment (Gradescope, Ubuntu image)\n",
	    out);
	return 0;
}

static int
cmd_explain(int argc, char **argv)
{
	struct layout lay;
	struct scn_suite suite;
	struct sc_err err;
	const char *suite_dir = NULL, *id = NULL;
	const struct scn *s = NULL;

	static const struct option opts[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	find_layout(&lay);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 's': suite_dir = optarg; break;
		case 'h': return print_help(explain_help);
		default: return option_error("explain", c, argv);
		}
	}
	if (optind < argc)
		id = argv[optind++];
	if (optind < argc)
		return usage_error("explain", "unexpected argument '%s'", argv[optind]);
	if (id == NULL)
		return usage_error("explain", "%s", "needs a CASE_ID (see sockcheck list)");
	if (scn_load_suite(suite_dir ? suite_dir : lay.suite, &suite, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		return EXIT_USAGE;
	}
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

struct grade_progress {
	int tty;
	size_t pending;
	double last_draw;	/* elapsed at the last bar drawn */
	char last[160];		/* the last student graded, for the bar */
};

static void
fmt_dur(char *buf, size_t len, double s)
{
	unsigned long t = s > 0 ? (unsigned long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(buf, len, "%luh%02lum", t / 3600, t / 60 % 60);
	else
		snprintf(buf, len, "%lum%02lus", t / 60, t % 60);
}

/* The terminal's progress bar: students done, the share of the work done
 * (cases of students in progress counted) and the time left at that pace. */
static void
draw_bar(struct grade_progress *p, const struct grade_event *ev)
{
	char eta[32], el[32];
	int width = 24, fill = (int)(width * ev->fraction + 0.5);

	fmt_dur(el, sizeof(el), ev->elapsed);
	if (ev->fraction > 0.005)
		fmt_dur(eta, sizeof(eta), ev->elapsed / ev->fraction * (1 - ev->fraction));
	else
		snprintf(eta, sizeof(eta), "?");
	fprintf(stderr, "\r\033[K[%.*s%*s] %zu/%zu students %3.0f%%  %s elapsed, ETA %s%s%s",
	    fill, "########################", width - fill, "", ev->done, ev->pending,
	    100 * ev->fraction, el, eta, p->last[0] ? "  last: " : "", p->last);
	p->last_draw = ev->elapsed;
}

static void
grade_progress_cb(void *ctx, const struct grade_event *ev)
{
	struct grade_progress *p = ctx;

	if (ev->kind == GRADE_EV_PLAN) {
		p->pending = ev->pending;
		fprintf(stderr, "sockcheck: %zu student%s: %zu to grade, %zu unchanged (skipped)",
		    ev->total, ev->total == 1 ? "" : "s", ev->pending, ev->skipped);
		if (ev->pending)
			fprintf(stderr, "; %zu at a time", ev->workers);
		fputc('\n', stderr);
		return;
	}
	if (ev->kind == GRADE_EV_CASE) {
		/* the bar moves with every case, redrawn at most 5 times a second */
		if (p->tty && ev->elapsed - p->last_draw >= 0.2) {
			draw_bar(p, ev);
			fflush(stderr);
		}
		return;
	}
	if (p->tty) {
		snprintf(p->last, sizeof(p->last), "%.20s %u/%u%s%s", ev->student, ev->score,
		    ev->max_score, strcmp(ev->build, "ok") ? " build " : "",
		    strcmp(ev->build, "ok") ? ev->build : "");
		if (ev->message)
			fprintf(stderr, "\r\033[Ksockcheck: %s: %s\n", ev->student, ev->message);
		draw_bar(p, ev);
		if (ev->done == ev->pending)
			fputs("\r\033[K", stderr);
	} else {
		fprintf(stderr, "grade: [%zu/%zu] %s: %u/%u (build %s, %.1f s)%s%s\n", ev->done,
		    ev->pending, ev->student, ev->score, ev->max_score, ev->build, ev->seconds,
		    ev->message ? ": " : "", ev->message ? ev->message : "");
	}
	fflush(stderr);
}

/*
 * grade --open: print the dashboard's path, and show it with xdg-open when
 * a desktop is there to show it; without one (no DISPLAY or
 * WAYLAND_DISPLAY, no xdg-open) printing the path is all.
 */
static void
open_dashboard(const char *out_dir)
{
	char path[PATH_MAX + 16];
	pid_t pid;
	int st;

	snprintf(path, sizeof(path), "%s/summary.html", out_dir);
	printf("dashboard: %s\n", path);
	fflush(stdout);
	if ((getenv("DISPLAY") == NULL || !*getenv("DISPLAY")) &&
	    (getenv("WAYLAND_DISPLAY") == NULL || !*getenv("WAYLAND_DISPLAY")))
		return;
	/* twice forked: a browser that xdg-open starts in the foreground does not hold us */
	if ((pid = fork()) == 0) {
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (fork() == 0)
			execlp("xdg-open", "xdg-open", path, (char *)NULL);
		_exit(127);
	}
	/* what xdg-open does next (no browser configured, ...) is not a grading error */
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
}

static int
cmd_grade(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "assignment", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'O' },
		{ "format", required_argument, NULL, 'f' },
		{ "student-format", required_argument, NULL, 'F' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, 'K' },
		{ "timeout-scale", required_argument, NULL, 't' },
		{ "build-timeout", required_argument, NULL, 'b' },
		{ "memcheck", no_argument, NULL, 'm' },
		{ "no-memcheck", no_argument, NULL, 'M' },
		{ "no-netns", no_argument, NULL, 'N' },
		{ "no-capture", no_argument, NULL, 'C' },
		{ "force", no_argument, NULL, 'x' },
		{ "keep", no_argument, NULL, 'k' },
		{ "no-retry", no_argument, NULL, 'R' },
		{ "open", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct layout lay;
	struct grade_opts go;
	int open_dash = 0;
	struct grade_result res;
	struct grade_progress gp;
	struct scn_suite suite;
	struct asg asg;
	struct sc_err err;
	const char *suite_dir = NULL, *asg_path = NULL, *out = "grades";
	char class_dir[PATH_MAX], out_dir[PATH_MAX];
	int c, rc;

	find_layout(&lay);
	memset(&go, 0, sizeof(go));
	memset(&asg, 0, sizeof(asg));
	sc_err_clear(&err);
	go.timeout_scale = 1.0;
	go.memcheck = -1;
	go.want_netns = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': suite_dir = optarg; break;
		case 'o': go.only = optarg; break;
		case 'a': asg_path = optarg; break;
		case 'O': out = optarg; break;
		case 'f': go.formats = optarg; break;
		case 'F': go.student_formats = optarg; break;
		case 'j':
			if (parse_uint(optarg, 1, 256, &go.jobs) < 0)
				return usage_error("grade", "--jobs: '%s' is not a number from 1 to 256", optarg);
			break;
		case 'K':
			if (grade_parse_shard(optarg, &go.shard_k, &go.shard_n, &err) < 0)
				return usage_error("grade", "%s", err.msg);
			break;
		case 't': {
			char *end;
			go.timeout_scale = strtod(optarg, &end);
			if (end == optarg || *end || go.timeout_scale < 0.1 || go.timeout_scale > 100)
				return usage_error("grade", "--timeout-scale: '%s' is not a number from 0.1 to 100",
				    optarg);
			break;
		}
		case 'b':
			if (parse_uint(optarg, 1, 3600, &go.build_timeout_s) < 0)
				return usage_error("grade", "--build-timeout: '%s' is not a number of seconds from 1 "
				    "to 3600", optarg);
			break;
		case 'm': go.memcheck = 1; break;
		case 'M': go.memcheck = 0; break;
		case 'N': go.want_netns = 0; break;
		case 'C': go.no_capture = 1; break;
		case 'x': go.force = 1; break;
		case 'k': go.keep = 1; break;
		case 'R': go.no_retry = 1; break;
		case 'P': open_dash = 1; break;
		case 'h': return print_help(grade_help);
		default: return option_error("grade", c, argv);
		}
	}
	if (argc - optind != 1)
		return usage_error("grade", "%s", "takes one CLASS_DIR (one subdirectory per student)");
	if (realpath(argv[optind], class_dir) == NULL || !fsx_is_dir(class_dir)) {
		fprintf(stderr, "sockcheck: %s: not a directory\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (asg_path && asg_load(asg_path, &asg, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		return EXIT_USAGE;
	}
	if (suite_dir == NULL)
		suite_dir = asg.suite ? asg.suite : lay.suite;
	if (scn_load_suite(suite_dir, &suite, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		asg_free(&asg);
		return EXIT_USAGE;
	}
	if (asg_path && asg_check(&asg, &suite, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		asg_free(&asg);
		scn_suite_free(&suite);
		return EXIT_USAGE;
	}
	if (fsx_mkdirs(out, &err) < 0 || realpath(out, out_dir) == NULL) {
		fprintf(stderr, "sockcheck: %s: cannot create the output directory%s%s\n", out,
		    err.msg[0] ? ": " : "", err.msg);
		scn_suite_free(&suite);
		asg_free(&asg);
		return EXIT_USAGE;
	}
	go.class_dir = class_dir;
	go.out_dir = out_dir;
	go.suite = &suite;
	go.suite_dir = suite_dir;
	go.assignment = asg_path ? &asg : NULL;
	go.ref_dir = lay.ref;
	go.inject_lib = lay.have_inject ? lay.inject : NULL;
	go.stop = &stop_requested;
	memset(&gp, 0, sizeof(gp));
	gp.tty = isatty(2);
	go.progress = grade_progress_cb;
	go.progress_ctx = &gp;
	if (grade_class(&go, &res, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		rc = EXIT_USAGE;
	} else if (res.interrupted) {
		fprintf(stderr, "sockcheck: interrupted after %zu of %zu students; run the same "
		    "command again to resume\n", res.graded, res.students - res.skipped);
		rc = 1;
	} else {
		printf("%zu student%s: %zu graded, %zu unchanged (skipped)", res.students,
		    res.students == 1 ? "" : "s", res.graded, res.skipped);
		if (res.graded)
			printf(" in %.1f s (%.1f s per student; %zu student%s and %u case%s at a time)",
			    res.seconds, res.seconds / (double)res.graded, res.workers,
			    res.workers == 1 ? "" : "s", res.jobs, res.jobs == 1 ? "" : "s");
		printf("\n  %s/gradebook.csv\n  %s/summary.md\n  %s/summary.html\n", out, out, out);
		if (open_dash)
			open_dashboard(out_dir);
		rc = 0;
		if (res.errors) {
			fprintf(stderr, "sockcheck: %zu student%s could not be graded (build \"error\" in "
			    "the gradebook); run the same command again to retry them\n", res.errors,
			    res.errors == 1 ? "" : "s");
			rc = 1;
		}
	}
	scn_suite_free(&suite);
	asg_free(&asg);
	return rc;
}

static int
cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-copy", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sc_err err;
	int copy = 1, i, c;

	sc_err_clear(&err);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': copy = 0; break;
		case 'h': return print_help(merge_help);
		default: return option_error("merge", c, argv);
		}
	}
	i = optind;
	if (argc - i < 2)
		return usage_error("merge", "%s", "needs OUT_DIR and at least one shard directory");
	for (int k = i + 1; k < argc; k++)
		if (!fsx_is_dir(argv[k])) {
			fprintf(stderr, "sockcheck: %s: not a directory\n", argv[k]);
			return EXIT_USAGE;
		}
	if (grade_merge(argv[i], argv + i + 1, (size_t)(argc - i - 1), copy, &err) < 0) {
		sc_err_print(stderr, "sockcheck", &err);
		return EXIT_USAGE;
	}
	printf("merged %d shard%s into %s/gradebook.csv, %s/summary.md and %s/summary.html\n",
	    argc - i - 1, argc - i - 1 == 1 ? "" : "s", argv[i], argv[i], argv[i]);
	return 0;
}

/*
 * The commands. `sockcheck --help` lists them in this order; a new command
 * is one row (and its help text at the top of the file).
 */
static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
	const char *summary;
} commands[] = {
	{ "run", cmd_run, run_help, "run the suite against one submission" },
	{ "list", cmd_list, list_help, "list the cases of the suite" },
	{ "infer", cmd_infer, infer_help, "how each program is run, as a commented profile" },
	{ "validate", cmd_validate, validate_help, "check scenario files" },
	{ "explain", cmd_explain, explain_help,
	  "a case's scenario, hint and how to reproduce it by hand" },
	{ "payload", cmd_payload, payload_help, "write a case's generated data" },
	{ "grade", cmd_grade, grade_help, "grade a class: every submission of a directory" },
	{ "merge", cmd_merge, merge_help, "merge the output directories of grade --shard" },
	{ "gradescope-bundle", cmd_bundle, bundle_help, "write a Gradescope autograder zip" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *
find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* sockcheck --help: every synopsis (each help's first line), then the list. */
static void
general_help(FILE *out)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const char *h = commands[i].help + strlen("usage: ");
		fprintf(out, "%s%.*s\n", i ? "       " : "usage: ", (int)strcspn(h, "\n"), h);
	}
	fputs("       sockcheck help [COMMAND] | --help | --version\n\n", out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-18s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'sockcheck COMMAND --help' prints a command's options; 'man sockcheck' has\n"
	    "the files, the environment and the exit statuses.\n", out);
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (argc < 2) {
		general_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("sockcheck %s\n", SOCKCHECK_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		general_help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc == 2) {
			general_help(stdout);
			return 0;
		}
		if ((cmd = find_command(argv[2])) == NULL)
			return usage_error(NULL, "unknown command '%s'", argv[2]);
		return print_help(cmd->help);
	}
	if (argv[1][0] == '-')
		return usage_error(NULL, "unknown option '%s'", argv[1]);
	if ((cmd = find_command(argv[1])) == NULL)
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	return cmd->fn(argc - 1, argv + 1);
}
