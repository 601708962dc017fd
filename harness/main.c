/*
 * sockcheck: the command line's dispatch. Each command is a file of
 * harness/cli/ (cmd_NAME.c); only main() exits.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "sbx.h"

/* the one global: a signal handler's flag, handed to the command */
static volatile sig_atomic_t stop_requested;

/*
 * Each command's help: `sockcheck COMMAND --help` prints its entry alone;
 * `sockcheck --help` prints every synopsis and the one-line summaries of the
 * command table (commands[] below).
 */

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * The commands. `sockcheck --help` lists them in this order; a new command
 * is one row, its file harness/cli/cmd_NAME.c (its help text and cmd_NAME) and
 * its CLI_COMMAND line in harness/cli/cli.h.
 */
static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv, volatile sig_atomic_t *stop);
	const char *help;
	const char *summary;
	int sandboxes;		/* runs programs in sandboxes (sbx.h): namespaces wanted */
} commands[] = {
	{ "run", cmd_run, cli_run_help, "run the suite against one submission", 1 },
	{ "list", cmd_list, cli_list_help, "list the cases of the suite", 0 },
	{ "infer", cmd_infer, cli_infer_help, "how each program is run, as a commented profile",
	  1 },
	{ "validate", cmd_validate, cli_validate_help, "check scenario files", 0 },
	{ "explain", cmd_explain, cli_explain_help,
	  "a case's scenario, hint and how to reproduce it by hand", 0 },
	{ "payload", cmd_payload, cli_payload_help, "write a case's generated data", 0 },
	{ "grade", cmd_grade, cli_grade_help, "grade a class: every submission of a directory", 1 },
	{ "merge", cmd_merge, cli_merge_help, "merge the output directories of grade --shard", 0 },
	{ "gradescope-bundle", cmd_bundle, cli_bundle_help, "write a Gradescope autograder zip",
	  0 },
	{ "doctor", cmd_doctor, cli_doctor_help,
	  "which isolation this machine gives the cases, and how to get better", 0 },
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

/* --no-netns among a command's options (before a "--"). */
static int
wants_no_netns(int argc, char **argv)
{
	for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--no-netns") == 0)
			return 1;
	return 0;
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
		cli_isolation_line(stdout, 0);
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
			return cli_usage_error(NULL, "unknown command '%s'", argv[2]);
		return cli_print_help(cmd->help);
	}
	if (argv[1][0] == '-')
		return cli_usage_error(NULL, "unknown option '%s'", argv[1]);
	if ((cmd = find_command(argv[1])) == NULL)
		return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	/* unprivileged: a user namespace for the cases' namespaces, entered while
	 * sockcheck has one thread (the cases fall back to loopback otherwise) */
	if (cmd->sandboxes && !wants_no_netns(argc, argv)) {
		char why[256];
		sbx_user_enter(why, sizeof(why));
	}
	return cmd->fn(argc - 1, argv + 1, &stop_requested);
}
