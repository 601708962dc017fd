/*
 * srcmap, site, cite: a small program built with -g, without it, stripped
 * and statically linked, run under the preload library with call sites on;
 * its recorded sites and its crash mapped back to file:line (libdw).
 */
#include <criterion/criterion.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cite.h"
#include "cite_int.h"
#include "scratch.h"
#include "site.h"
#include "srcmap.h"

TestSuite(srcmap, .init = mk_tmp, .fini = rm_tmp, .timeout = 60);

/* Line 9 writes; line 5 crashes (a NULL pointer) when argv[1] is "crash",
 * called from line 11. */
static const char prog_c[] =
    "#include <string.h>\n"				/* 1 */
    "#include <unistd.h>\n"				/* 2 */
    "static void poke(char *p)\n"			/* 3 */
    "{\n"						/* 4 */
    "	p[0] = 'x';\n"					/* 5 */
    "}\n"						/* 6 */
    "int main(int argc, char **argv)\n"		/* 7 */
    "{\n"						/* 8 */
    "	write(1, \"hello\\n\", 6);\n"			/* 9 */
    "	if (argc > 1 && strcmp(argv[1], \"crash\") == 0)\n"	/* 10 */
    "		poke(NULL);\n"				/* 11 */
    "	(void)argv;\n"					/* 12 */
    "	return 0;\n"					/* 13 */
    "}\n";

/* BUILD/lib/libscinject.so, next to BUILD/tests/ where this program runs from. */
static void
preload_path(char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	cr_assert_gt(n, 0);
	exe[n] = '\0';
	snprintf(out, len, "%s/lib/libscinject.so", dirname(dirname(exe)));
	cr_assert_eq(access(out, R_OK), 0, "%s: make first", out);
}

/* Build prog.c as `name` with `flags`; its path in `bin`. */
static void
build(const char *name, const char *flags, char *bin, size_t len)
{
	char src[PATH_MAX], cmd[3 * PATH_MAX];

	write_file("prog.c", prog_c, src, sizeof(src));
	snprintf(bin, len, "%s/%s", tmpdir, name);
	snprintf(cmd, sizeof(cmd), "cc -O0 %s -o '%s' '%s'", flags, bin, src);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* Run `bin` [arg] under the preload library; the side channel in `log`.
 * Returns its wait status. */
static int
run_sites(const char *bin, const char *arg, char *log, size_t len)
{
	char lib[PATH_MAX], cmd[4 * PATH_MAX];
	int st;

	preload_path(lib, sizeof(lib));
	snprintf(log, len, "%s/side.log", tmpdir);
	unlink(log);
	snprintf(cmd, sizeof(cmd), "exec 9>>'%s'; LD_PRELOAD='%s' SCINJECT_SITES=1 SCINJECT_FD=9 "
	    "'%s' %s >/dev/null 2>&1", log, lib, bin, arg ? arg : "");
	st = system(cmd);
	return st;
}

static const struct site_at *
find_at(const struct site_log *l, const char *event, const char *call)
{
	for (size_t i = 0; i < l->nat; i++)
		if (strcmp(l->at[i].event, event) == 0 && strcmp(l->at[i].call, call) == 0)
			return &l->at[i];
	return NULL;
}

static void
lookup(const struct site_addr *a, int ret, struct srcmap_loc *loc)
{
	struct srcmap *m;
	struct sc_err err;

	cr_assert_not_null(a->obj, "the site lies in a known object");
	cr_assert_eq(srcmap_open(&m, &err), 0, "%s", err.msg);
	cr_assert_eq(srcmap_lookup(m, a->obj, a->vaddr, ret, loc, &err), 0, "%s", err.msg);
	srcmap_close(m);
}

Test(srcmap, with_g_names_file_line_and_function)
{
	char bin[PATH_MAX], log[PATH_MAX];
	struct site_log l;
	struct sc_err err;
	struct srcmap_loc loc;
	const struct site_at *w;

	build("prog", "-g", bin, sizeof(bin));
	cr_assert_eq(srcmap_is_static(bin), 0);
	cr_assert_eq(run_sites(bin, NULL, log, sizeof(log)), 0);
	cr_assert_eq(site_log_read(log, &l, &err), 0, "%s", err.msg);
	cr_assert(site_loaded(&l, "prog"));
	cr_assert_not_null(w = find_at(&l, "use", "write"), "the write to stdout was recorded");
	cr_expect_eq(w->fd, 1);
	lookup(&w->at, 1, &loc);
	cr_expect_str_eq(basename(loc.file), "prog.c");
	cr_expect_eq(loc.line, 9, "write() is on line 9, got %d", loc.line);
	cr_expect_str_eq(loc.fn, "main");
	site_log_free(&l);
}

Test(srcmap, crash_names_the_faulting_line_and_dies_of_the_same_signal)
{
	char bin[PATH_MAX], log[PATH_MAX];
	struct site_log l;
	struct sc_err err;
	struct srcmap_loc loc;
	int st;

	build("prog", "-g", bin, sizeof(bin));
	st = run_sites(bin, "crash", log, sizeof(log));
	/* the shell reports the signal as 128 + N */
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGSEGV, "status %#x", st);
	cr_assert_eq(site_log_read(log, &l, &err), 0, "%s", err.msg);
	cr_assert_eq(l.ncrash, 1);
	cr_expect_eq(l.crash[0].sig, SIGSEGV);
	cr_assert_geq(l.crash[0].nframes, 2);
	lookup(&l.crash[0].frames[0], 0, &loc);
	cr_expect_eq(loc.line, 5, "the PC is on line 5, got %d", loc.line);
	cr_expect_str_eq(loc.fn, "poke");
	lookup(&l.crash[0].frames[1], 1, &loc);
	cr_expect_eq(loc.line, 11, "called from line 11, got %d", loc.line);
	site_log_free(&l);
}

Test(srcmap, without_g_function_only_stripped_nothing)
{
	char bin[PATH_MAX], log[PATH_MAX];
	struct site_log l;
	struct sc_err err;
	struct srcmap_loc loc;
	const struct site_at *w;

	build("prog-nog", "-g0", bin, sizeof(bin));
	cr_assert_eq(run_sites(bin, NULL, log, sizeof(log)), 0);
	cr_assert_eq(site_log_read(log, &l, &err), 0, "%s", err.msg);
	cr_assert_not_null(w = find_at(&l, "use", "write"));
	lookup(&w->at, 1, &loc);
	cr_expect_eq(loc.line, 0);
	cr_expect_str_eq(loc.fn, "main");
	cr_expect_gt(loc.fn_off, 0);
	site_log_free(&l);

	build("prog-stripped", "-g0 -s", bin, sizeof(bin));
	cr_assert_eq(run_sites(bin, NULL, log, sizeof(log)), 0);
	cr_assert_eq(site_log_read(log, &l, &err), 0, "%s", err.msg);
	cr_assert_not_null(w = find_at(&l, "use", "write"));
	lookup(&w->at, 1, &loc);
	cr_expect_eq(loc.line, 0);
	cr_expect_str_eq(loc.fn, "");
	site_log_free(&l);
}

Test(srcmap, static_program_is_not_entered)
{
	char bin[PATH_MAX], log[PATH_MAX];
	struct site_log l;
	struct sc_err err;

	build("prog-static", "-g -static", bin, sizeof(bin));
	cr_assert_eq(srcmap_is_static(bin), 1);
	cr_assert_eq(run_sites(bin, NULL, log, sizeof(log)), 0);
	cr_assert_eq(site_log_read(log, &l, &err), 0, "%s", err.msg);
	cr_expect_not(site_loaded(&l, "prog-static"));
	cr_expect_eq(l.nat, 0);
	site_log_free(&l);
	cr_expect_eq(srcmap_is_static("/nonexistent"), -1);
}

/* cite_case on a crashed case: the faulting line with its text; the same
 * program statically linked: the note that no line can be named. */
Test(srcmap, cite_case_names_the_crash_line_or_says_why_not)
{
	char bin[PATH_MAX], log[PATH_MAX];
	char *argv[2];
	struct res_proc proc;
	struct res_check ck;
	struct res_case c;
	struct sc_err err;

	build("prog", "-g", bin, sizeof(bin));
	run_sites(bin, "crash", log, sizeof(log));
	memset(&c, 0, sizeof(c));
	memset(&ck, 0, sizeof(ck));
	memset(&proc, 0, sizeof(proc));
	ck.cause = (char *)"crash";
	c.checks = &ck;
	c.nchecks = 1;
	proc.role = (char *)"student";
	argv[0] = (char *)"./prog";
	argv[1] = NULL;
	proc.argv = argv;
	c.procs = &proc;
	c.nprocs = 1;
	cr_assert_eq(cite_case(&c, log, tmpdir, tmpdir, &err), 0, "%s", err.msg);
	cr_assert_not_null(ck.cite);
	cr_expect_str_eq(ck.cite->file, "prog.c");
	cr_expect_eq(ck.cite->line, 5);
	cr_expect_str_eq(ck.cite->text, "p[0] = 'x';");
	cr_expect_eq(ck.cite->context_first, 2);
	cr_expect_not_null(ck.cite->say);
	cr_expect_null(ck.cite->note);
	res_cite_free(ck.cite);
	ck.cite = NULL;

	build("prog", "-g -static", bin, sizeof(bin));
	run_sites(bin, "crash", log, sizeof(log));
	cr_assert_eq(cite_case(&c, log, tmpdir, tmpdir, &err), 0, "%s", err.msg);
	cr_assert_not_null(ck.cite);
	cr_expect_null(ck.cite->file);
	cr_expect(ck.cite->note && strstr(ck.cite->note, "statically linked"), "note: %s",
	    ck.cite->note);
	res_cite_free(ck.cite);
}

/* A call made in a helper: the helper's line, then its caller's ("called
 * from here"). (Once, a caller's sentence looped forever.) */
Test(srcmap, cite_names_a_helpers_caller, .timeout = 60)
{
	static const char helper_c[] =
	    "#include <stdio.h>\n"				/* 1 */
	    "static int get(char *buf, int n)\n"		/* 2 */
	    "{\n"						/* 3 */
	    "	return fgets(buf, n, stdin) != NULL;\n"	/* 4 */
	    "}\n"						/* 5 */
	    "int main(void)\n"					/* 6 */
	    "{\n"						/* 7 */
	    "	char line[64];\n"				/* 8 */
	    "	while (get(line, sizeof(line)))\n"		/* 9 */
	    "		;\n"					/* 10 */
	    "	return 0;\n"					/* 11 */
	    "}\n";
	char src[PATH_MAX], bin[PATH_MAX], cmd[4 * PATH_MAX + 128], log[PATH_MAX], lib[PATH_MAX];
	char *argv[2] = { (char *)"./helper", NULL };
	struct res_proc proc;
	struct res_check ck;
	struct res_case c;
	struct sc_err err;

	write_file("helper.c", helper_c, src, sizeof(src));
	snprintf(bin, sizeof(bin), "%s/helper", tmpdir);
	snprintf(cmd, sizeof(cmd), "cc -g -O0 -o '%s' '%s'", bin, src);
	cr_assert_eq(system(cmd), 0);
	preload_path(lib, sizeof(lib));
	snprintf(log, sizeof(log), "%s/helper.log", tmpdir);
	snprintf(cmd, sizeof(cmd), "exec 9>>'%s'; echo a | LD_PRELOAD='%s' SCINJECT_SITES=1 "
	    "SCINJECT_FD=9 '%s' >/dev/null", log, lib, bin);
	cr_assert_eq(system(cmd), 0);
	memset(&c, 0, sizeof(c));
	memset(&ck, 0, sizeof(ck));
	memset(&proc, 0, sizeof(proc));
	ck.cause = (char *)"no-eof-exit";
	c.checks = &ck;
	c.nchecks = 1;
	c.role = (char *)"client";
	proc.role = (char *)"student";
	proc.argv = argv;
	c.procs = &proc;
	c.nprocs = 1;
	cr_assert_eq(cite_case(&c, log, tmpdir, tmpdir, &err), 0, "%s", err.msg);
	cr_assert_not_null(ck.cite);
	cr_expect_eq(ck.cite->line, 4);
	cr_expect_str_eq(ck.cite->function, "get");
	cr_assert_not_null(ck.cite->next, "the caller's line");
	cr_expect_eq(ck.cite->next->line, 9);
	cr_expect_str_eq(ck.cite->next->say, "called from here");
	res_cite_free(ck.cite);
}

/* A log without end keeps its first and last lines, in order. */
Test(srcmap, site_log_keeps_first_and_last_lines)
{
	char path[PATH_MAX];
	struct site_log l;
	struct sc_err err;
	FILE *f;
	size_t total = SITE_KEEP_FIRST + SITE_KEEP_LAST + 1234;

	snprintf(path, sizeof(path), "%s/long.log", tmpdir);
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f, "object p 0 /bin/p\n");
	for (size_t i = 0; i < total; i++)
		fprintf(f, "at p use write %zu 0 0 0x10\n", i);
	fwrite("\x01garbage\0line\nat p use\n", 1, 24, f);	/* not the library's */
	fclose(f);
	cr_assert_eq(site_log_read(path, &l, &err), 0, "%s", err.msg);
	cr_assert_eq(l.nat, SITE_KEEP_FIRST + SITE_KEEP_LAST);
	cr_expect_eq(l.dropped, total - l.nat);
	cr_expect_eq(l.at[SITE_KEEP_FIRST - 1].fd, SITE_KEEP_FIRST - 1);
	cr_expect_eq(l.at[SITE_KEEP_FIRST].fd, (int)(total - SITE_KEEP_LAST));
	cr_expect_eq(l.at[l.nat - 1].fd, (int)(total - 1));
	cr_expect_str_eq(l.at[0].at.obj, "/bin/p");
	site_log_free(&l);
}

/* A site log of program "p" with these "at" lines, read as cite.c reads one. */
static void
read_log(const char *name, const char *lines, struct site_log *l)
{
	char path[PATH_MAX];
	struct sc_err err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f, "object p 0 /bin/p\n%s", lines);
	fclose(f);
	cr_assert_eq(site_log_read(path, l, &err), 0, "%s", err.msg);
}

/* The call cite_pick() names first for `cause` in the log of program "p". */
static const char *
picked(const char *cause, int client, const struct site_log *l, struct pick *pk)
{
	struct progs p = { .n = 1 };
	const struct site_crash *crash;

	strcpy(p.name[0], "p");
	cr_assert_geq(cite_pick(cause, client, l, &p, pk, &crash), 1, "%s: nothing picked", cause);
	return pk[0].call;
}

/*
 * A client that went on after a failed write (ECONNRESET) and then saw the
 * server's end: the silence on standard error is about the write, not about
 * the end of the data it read after its own shutdown (UNP's str_cli).
 */
Test(srcmap, stderr_message_cites_the_failed_write_before_the_end)
{
	struct site_log l;
	struct pick pk[2];

	read_log("write-err.log", "at p use socket 3 2 0 0x10\n"
	    "at p use connect 3 0 0 0x20\n"
	    "at p err write 3 104 0 0x30\n"
	    "at p use read 3 0 0 0x40\n"
	    "at p eof read 3 0 0 0x40\n", &l);
	cr_expect_str_eq(picked("stderr-message", 1, &l, pk), "write");
	cr_expect_eq(pk[0].arg, 104);
	cr_expect_str_eq(picked("exit-0-on-error", 1, &l, pk), "write");
	site_log_free(&l);
}

/* A port made of an argument never checked (atoi("abc") is 0): the bind() that used it. */
Test(srcmap, args_unchecked_cites_where_the_port_was_used)
{
	struct site_log l;
	struct pick pk[2];

	read_log("args.log", "at p use socket 3 2 0 0x10\n"
	    "at p use bind 3 0 0 0x20\n"
	    "at p use listen 3 0 0 0x30\n", &l);
	cr_expect_str_eq(picked("args-unchecked", 0, &l, pk), "bind");
	site_log_free(&l);
}
