/*
 * What the commands share: usage errors, help, colour, where the suite is.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsx.h"
#include "grade.h"

#include "cli.h"

/*
 * A usage error: one line naming the problem, then where the help is.
 * cmd is the command's name, or NULL for sockcheck itself.
 */
int
cli_usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "sockcheck%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\ntry 'sockcheck%s%s --help'\n", cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

/* getopt_long returned '?' or ':' (opterr is 0, the optstring starts "+:"). */
int
cli_option_error(const char *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];
	const char *eq;
	char name[128];

	if (strncmp(arg, "--", 2) != 0) {
		/* a short option: optopt is the letter */
		snprintf(name, sizeof(name), "-%c", optopt);
		return cli_usage_error(cmd, c == ':' ? "option '%s' needs a value" :
		    "unknown option '%s'", name);
	}
	eq = strchr(arg, '=');
	snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
	if (c == ':')
		return cli_usage_error(cmd, "option '%s' needs a value", name);
	if (eq && optopt)
		return cli_usage_error(cmd, "option '%s' takes no value", name);
	return cli_usage_error(cmd, "unknown option '%s'", name);
}

/* Colour only on a terminal, and never when NO_COLOR is set and not empty
 * (no-color.org); TERM=dumb has none either. */
int
cli_want_color(int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (nc && *nc)
		return 0;
	if (term && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fd);
}

int
cli_print_help(const char *text)
{
	fputs(text, stdout);
	return 0;
}

/* The directory holding this executable. */
void
cli_exe_dir(char *buf, size_t len)
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

void
cli_find_layout(struct cli_layout *l)
{
	char d[2048];

	cli_exe_dir(d, sizeof(d));
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

int
cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
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

int
cli_report_lost(const struct grade_lost *lost, const char *cmd)
{
	for (size_t i = 0; i < lost->n; i++)
		fprintf(stderr, "sockcheck: %s: no score (empty cells in gradebook.csv): %s\n",
		    lost->student[i], lost->why[i]);
	if (lost->n)
		fprintf(stderr, "sockcheck: %zu student%s without a score; run `sockcheck grade` again "
		    "on the class to grade %s again%s\n", lost->n, lost->n == 1 ? "" : "s",
		    lost->n == 1 ? "it" : "them", strcmp(cmd, "merge") == 0 ?
		    " (the shard that holds them), then merge" : "");
	return lost->n ? 1 : 0;
}

int
cli_finder_cache(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct sc_err err;
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/sockcheck/finder", xdg);
	else if (home && home[0] == '/')
		n = snprintf(buf, len, "%s/.cache/sockcheck/finder", home);
	else
		return -1;
	if (n < 0 || (size_t)n >= len || fsx_mkdirs(buf, &err) < 0 || access(buf, W_OK) < 0)
		return -1;
	return 0;
}
