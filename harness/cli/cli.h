/*
 * sockcheck's commands: one file per command (cmd_NAME.c, its help text and
 * its entry point), the dispatch in harness/main.c, what they share in
 * cli_util.c. Only these files print errors; only main() exits.
 */
#ifndef SC_CLI_H
#define SC_CLI_H

#include <limits.h>
#include <signal.h>
#include <stdio.h>

#define EXIT_USAGE 2

/*
 * Where the suite, the reference peers and the preload library are: next to
 * the build tree (build/sockcheck) or installed (PREFIX/bin/sockcheck).
 */
struct cli_layout {
	char suite[PATH_MAX], ref[PATH_MAX], inject[PATH_MAX];
	int have_inject;
};

/* A usage error: one line naming the problem, then where the help is.
 * cmd is the command's name, or NULL for sockcheck itself. */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);
/* getopt_long returned '?' or ':' (opterr is 0, the optstring starts "+:"). */
int cli_option_error(const char *cmd, int c, char **argv);
int cli_want_color(int fd);
int cli_print_help(const char *text);
void cli_exe_dir(char *buf, size_t len);
void cli_find_layout(struct cli_layout *l);
int cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out);
/*
 * The options of the commands that run cases (`run`, `grade`): CLI_CASE_OPTIONS
 * goes into the command's struct option table, cli_case_option takes what
 * getopt_long returned for one of them: 1 taken, 0 not one of them, -1 a
 * bad value (said on stderr: the command returns EXIT_USAGE).
 */
struct cli_case_opts {
	const char *suite_dir, *only, *asg_path;
	unsigned jobs;		/* 0: the default */
	double timeout_scale;
	int memcheck;		/* -1: as the scenario, profile or assignment says */
	int want_netns, no_capture, keep, no_retry;
};
#define CLI_CASE_OPTIONS \
	{ "suite", required_argument, NULL, 's' }, \
	{ "only", required_argument, NULL, 'o' }, \
	{ "assignment", required_argument, NULL, 'a' }, \
	{ "jobs", required_argument, NULL, 'j' }, \
	{ "timeout-scale", required_argument, NULL, 't' }, \
	{ "memcheck", no_argument, NULL, 'm' }, \
	{ "no-memcheck", no_argument, NULL, 'M' }, \
	{ "no-netns", no_argument, NULL, 'N' }, \
	{ "no-capture", no_argument, NULL, 'C' }, \
	{ "keep", no_argument, NULL, 'k' }, \
	{ "no-retry", no_argument, NULL, 'R' }
void cli_case_opts_init(struct cli_case_opts *o);
/* The shared options into a command's own (struct run_opts, struct grade_opts:
 * the same names). */
#define CLI_CASE_OPTS_TO(dst, co) do { \
	(dst).only = (co).only; \
	(dst).jobs = (co).jobs; \
	(dst).timeout_scale = (co).timeout_scale; \
	(dst).memcheck = (co).memcheck; \
	(dst).want_netns = (co).want_netns; \
	(dst).no_capture = (co).no_capture; \
	(dst).keep = (co).keep; \
	(dst).no_retry = (co).no_retry; \
} while (0)
int cli_case_option(const char *cmd, int c, const char *arg, struct cli_case_opts *o);

/*
 * The assignment (when asg_path) and the suite: suite_dir, else the
 * assignment's, else the installed one (lay); the assignment checked
 * against it. *asg is zeroed first. 0 (*suite_used, when not NULL: the
 * suite's directory), or EXIT_USAGE with the error said on stderr and
 * nothing left to free.
 */
struct asg;
struct scn_suite;
int cli_load_suite(const struct cli_layout *lay, const char *suite_dir, const char *asg_path,
    struct asg *asg, struct scn_suite *suite, const char **suite_used);

/* The user's cache for what the finder found ($XDG_CACHE_HOME/sockcheck/finder,
 * else ~/.cache/sockcheck/finder), created; 0, or -1 when there is none. */
int cli_finder_cache(char *buf, size_t len);
struct grade_lost;
/* On stderr, each student without a score and why (`grade` or `merge`); 1 when any, else 0. */
int cli_report_lost(const struct grade_lost *lost, const char *cmd);

/*
 * A command: argv[0] is its name; *stop is set by SIGINT/SIGTERM (finish
 * early). Returns the exit status.
 */
#define CLI_COMMAND(name) \
	extern const char cli_##name##_help[]; \
	int cmd_##name(int argc, char **argv, volatile sig_atomic_t *stop)
CLI_COMMAND(run);
CLI_COMMAND(list);
CLI_COMMAND(infer);
CLI_COMMAND(validate);
CLI_COMMAND(explain);
CLI_COMMAND(payload);
CLI_COMMAND(grade);
CLI_COMMAND(merge);
CLI_COMMAND(bundle);
CLI_COMMAND(doctor);

/* "isolation: KIND: why", the line --version ends with (cmd_doctor.c). */
void cli_isolation_line(FILE *out, int no_netns);

#endif
