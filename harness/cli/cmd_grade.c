/*
 * sockcheck grade: a class, every submission of a directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asg.h"
#include "fsx.h"
#include "grade.h"

#include "cli.h"

const char cli_grade_help[] =
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
    "  --jobs N             cases in flight over all students (default: one per core)\n"
    "  --shard K/N          grade only shard K of N (a fixed split of the names)\n"
    "  --format LIST        reports per student (instructor view; json, html always)\n"
    "  --student-format LIST  student-view reports into OUT/students/NAME/student/\n"
    "  --build-timeout S    cap on every build (seconds)\n"
    "  --force              grade every student again\n"
    "  --no-retry           a case the harness could not run is not run again\n"
    "                       (otherwise once, up to 8 cases per student)\n"
    "  --open               print the path of OUT/summary.html and open it (xdg-open)\n";

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

int
cmd_grade(int argc, char **argv, volatile sig_atomic_t *stop)
{
	static const struct option opts[] = {
		CLI_CASE_OPTIONS,
		{ "out", required_argument, NULL, 'O' },
		{ "format", required_argument, NULL, 'f' },
		{ "student-format", required_argument, NULL, 'F' },
		{ "shard", required_argument, NULL, 'K' },
		{ "build-timeout", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'x' },
		{ "open", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_layout lay;
	struct cli_case_opts co;
	struct grade_opts go;
	int open_dash = 0;
	struct grade_result res = { 0 };
	struct grade_progress gp;
	struct scn_suite suite;
	struct asg asg;
	struct sc_err err;
	const char *suite_dir = NULL, *out = "grades";
	char class_dir[PATH_MAX], out_dir[PATH_MAX];
	int c, rc;

	cli_find_layout(&lay);
	memset(&go, 0, sizeof(go));
	sc_err_clear(&err);
	cli_case_opts_init(&co);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 'O': out = optarg; break;
		case 'f': go.formats = optarg; break;
		case 'F': go.student_formats = optarg; break;
		case 'K':
			if (grade_parse_shard(optarg, &go.shard_k, &go.shard_n, &err) < 0)
				return cli_usage_error("grade", "%s", err.msg);
			break;
		case 'b':
			if (cli_parse_uint(optarg, 1, 3600, &go.build_timeout_s) < 0)
				return cli_usage_error("grade", "--build-timeout: '%s' is not a number of seconds from 1 "
				    "to 3600", optarg);
			break;
		case 'x': go.force = 1; break;
		case 'P': open_dash = 1; break;
		case 'h': return cli_print_help(cli_grade_help);
		default:
			if ((rc = cli_case_option("grade", c, optarg, &co)) < 0)
				return EXIT_USAGE;
			if (rc == 0)
				return cli_option_error("grade", c, argv);
		}
	}
	CLI_CASE_OPTS_TO(go, co);
	if (argc - optind != 1)
		return cli_usage_error("grade", "%s", "takes one CLASS_DIR (one subdirectory per student)");
	if (realpath(argv[optind], class_dir) == NULL || !fsx_is_dir(class_dir)) {
		fprintf(stderr, "sockcheck: %s: not a directory\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_load_suite(&lay, co.suite_dir, co.asg_path, &asg, &suite, &suite_dir) != 0)
		return EXIT_USAGE;
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
	go.assignment = co.asg_path ? &asg : NULL;
	go.ref_dir = lay.ref;
	go.inject_lib = lay.have_inject ? lay.inject : NULL;
	go.stop = stop;
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
		rc = cli_report_lost(&res.lost, "grade");
		if (res.errors) {
			fprintf(stderr, "sockcheck: %zu student%s could not be graded (build \"error\" in "
			    "the gradebook); run the same command again to retry them\n", res.errors,
			    res.errors == 1 ? "" : "s");
			rc = 1;
		}
	}
	grade_lost_free(&res.lost);
	scn_suite_free(&suite);
	asg_free(&asg);
	return rc;
}
