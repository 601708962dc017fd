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
