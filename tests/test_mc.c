/*
 * mc_read: which frame of a valgrind finding is the program's own, from
 * XML samples shaped like valgrind 3.19's (protocol 4).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc.h"
#include "scratch.h"

TestSuite(mc, .init = mk_tmp, .fini = rm_tmp, .timeout = 10);

/*
 * A definite leak: malloc() in valgrind's preload object, called from
 * main() at echo_server.c:56 in the program's binary `obj`, which was built
 * in `dir` (-g: file and line; without -g: neither), then __libc_start_main.
 */
static void
write_leak_xml(const char *rel, const char *exe, const char *obj, const char *dir, int line,
    char *path, size_t len)
{
	char xml[8192], loc[1024] = "";

	if (line > 0)
		snprintf(loc, sizeof(loc), "<dir>%s</dir><file>echo_server.c</file><line>%d</line>",
		    dir, line);
	snprintf(xml, sizeof(xml),
	    "<?xml version=\"1.0\"?>\n<valgrindoutput>\n"
	    "<protocolversion>4</protocolversion>\n<protocoltool>memcheck</protocoltool>\n"
	    "<args><vargv><exe>/usr/bin/valgrind.bin</exe><arg>--xml=yes</arg></vargv>\n"
	    "<argv><exe>%s</exe><arg>5000</arg></argv></args>\n"
	    "<status><state>RUNNING</state><time>00:00:00:00.050</time></status>\n"
	    "<status><state>FINISHED</state><time>00:00:00:01.200</time></status>\n"
	    "<error><unique>0x1</unique><tid>1</tid><kind>Leak_DefinitelyLost</kind>\n"
	    "<xwhat><text>512 bytes in 1 blocks are definitely lost in loss record 1 of 1</text>"
	    "<leakedbytes>512</leakedbytes><leakedblocks>1</leakedblocks></xwhat>\n"
	    "<stack>\n"
	    "<frame><ip>0x48407B4</ip><obj>/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"
	    "</obj><fn>malloc</fn><dir>./coregrind/m_replacemalloc</dir>"
	    "<file>vg_replace_malloc.c</file><line>381</line></frame>\n"
	    "<frame><ip>0x109312</ip><obj>%s</obj><fn>main</fn>%s</frame>\n"
	    "<frame><ip>0x48F018A</ip><obj>/usr/lib/x86_64-linux-gnu/libc.so.6</obj>"
	    "<fn>(below main)</fn><dir>./csu/../sysdeps/nptl</dir>"
	    "<file>libc_start_call_main.h</file><line>58</line></frame>\n"
	    "</stack></error>\n</valgrindoutput>\n", exe, obj, loc);
	write_file(rel, xml, path, len);
}

static const struct mc_frame *
own_frame(const struct mc_report *r)
{
	cr_assert_eq(r->count, 1);
	cr_assert_geq(r->findings[0].own, 0, "no own frame");
	return &r->findings[0].stack[r->findings[0].own];
}

/* Built elsewhere, sources not in the submission: the binary's frame still counts. */
Test(mc, binary_frame_without_sources)
{
	char root[PATH_MAX], obj[PATH_MAX + 16], xml[PATH_MAX];
	struct mc_report r;
	struct sc_err err;

	snprintf(root, sizeof(root), "%s/work", tmpdir);
	write_file("work/echo_server", "\x7f" "ELF", NULL, 0);
	snprintf(obj, sizeof(obj), "%s/echo_server", root);
	write_leak_xml("a.xml", "./echo_server", obj, "/home/student/hw3", 56, xml, sizeof(xml));
	cr_assert_eq(mc_read(xml, NULL, root, &r, &err), 0, "%s", err.msg);
	const struct mc_frame *fr = own_frame(&r);
	cr_assert_str_eq(fr->fn, "main");
	cr_assert_str_eq(fr->file, "echo_server.c");
	cr_assert_eq(fr->line, 56);
	cr_assert_eq(r.findings[0].own, 1);
	cr_assert_null(r.findings[0].source_line, "no source to quote");
	cr_assert_eq(r.findings[0].kind, MC_LEAK_DEFINITE);
	mc_report_free(&r);
}

/* The same binary run by an absolute path outside the submission (a profile command). */
Test(mc, binary_frame_by_exe_name)
{
	char xml[PATH_MAX];
	struct mc_report r;
	struct sc_err err;

	write_leak_xml("b.xml", "/opt/course/bin/echo_server", "/opt/course/bin/echo_server",
	    "/build", 56, xml, sizeof(xml));
	cr_assert_eq(mc_read(xml, NULL, tmpdir, &r, &err), 0, "%s", err.msg);
	cr_assert_eq(own_frame(&r)->line, 56);
	mc_report_free(&r);
}

/* Without -g: the function of the binary, no line, and the note to use -g. */
Test(mc, binary_frame_without_debug_info)
{
	char root[PATH_MAX], obj[PATH_MAX + 16], xml[PATH_MAX];
	struct mc_report r;
	struct sc_err err;

	snprintf(root, sizeof(root), "%s/work", tmpdir);
	snprintf(obj, sizeof(obj), "%s/echo_server", root);
	write_leak_xml("c.xml", "./echo_server", obj, NULL, 0, xml, sizeof(xml));
	cr_assert_eq(mc_read(xml, NULL, root, &r, &err), 0, "%s", err.msg);
	const struct mc_frame *fr = own_frame(&r);
	cr_assert_str_eq(fr->fn, "main");
	cr_assert_null(fr->file);
	mc_report_free(&r);
}

/* Sources present: the source frame wins and its line is quoted. */
Test(mc, source_frame_quoted)
{
	char root[PATH_MAX], obj[PATH_MAX + 16], xml[PATH_MAX], src[4096] = "";

	for (int i = 1; i <= 60; i++)
		snprintf(src + strlen(src), sizeof(src) - strlen(src), "line %d\n", i);
	snprintf(root, sizeof(root), "%s/work", tmpdir);
	write_file("work/echo_server.c", src, NULL, 0);
	snprintf(obj, sizeof(obj), "%s/echo_server", root);
	write_leak_xml("d.xml", "./echo_server", obj, root, 56, xml, sizeof(xml));
	struct mc_report r;
	struct sc_err err;
	cr_assert_eq(mc_read(xml, NULL, root, &r, &err), 0, "%s", err.msg);
	cr_assert_eq(own_frame(&r)->line, 56);
	cr_assert_str_eq(r.findings[0].source_line, "line 56");
	mc_report_free(&r);
}

/* Another program's frames (a library of the system) are never the program's own. */
Test(mc, library_frames_are_not_own)
{
	char xml[PATH_MAX];
	struct mc_report r;
	struct sc_err err;

	write_leak_xml("e.xml", "./echo_server", "/usr/lib/x86_64-linux-gnu/libfoo.so.1",
	    "/build", 56, xml, sizeof(xml));
	cr_assert_eq(mc_read(xml, NULL, tmpdir, &r, &err), 0, "%s", err.msg);
	cr_assert_eq(r.count, 1);
	cr_assert_eq(r.findings[0].own, -1);
	mc_report_free(&r);
}

static void
add_fd_finding(struct mc_report *r, const char *what, unsigned count)
{
	r->findings = realloc(r->findings, (r->count + 1) * sizeof(*r->findings));
	cr_assert_not_null(r->findings);
	memset(&r->findings[r->count], 0, sizeof(r->findings[0]));
	r->findings[r->count].kind = MC_FD_LEAK;
	r->findings[r->count].what = strdup(what);
	r->findings[r->count].own = -1;
	r->findings[r->count].count = count;
	r->count++;
}

/* A stopped program's files open once are its state; sockets and files reopened stay. */
Test(mc, stopped_program_keeps_sockets_and_reopened_files)
{
	struct mc_report r;

	memset(&r, 0, sizeof(r));
	add_fd_finding(&r, "file descriptor 3: file_server.c not closed at exit", 1);
	add_fd_finding(&r, "AF_INET socket 4: 127.0.0.1:5000 <-> 127.0.0.1:40112 not closed at exit", 1);
	add_fd_finding(&r, "file descriptor 5: data.txt not closed at exit", 1);
	add_fd_finding(&r, "file descriptor 6: data.txt not closed at exit", 1);
	add_fd_finding(&r, "file descriptor 7: log.txt not closed at exit", 2);
	mc_drop_open_files(&r);
	cr_assert_eq(r.count, 4, "kept %zu", r.count);
	cr_assert_str_eq(r.findings[0].what,
	    "AF_INET socket 4: 127.0.0.1:5000 <-> 127.0.0.1:40112 not closed at exit");
	cr_assert_str_eq(r.findings[1].what, "file descriptor 5: data.txt not closed at exit");
	cr_assert_str_eq(r.findings[2].what, "file descriptor 6: data.txt not closed at exit");
	cr_assert_str_eq(r.findings[3].what, "file descriptor 7: log.txt not closed at exit");
	for (size_t i = 0; i < r.count; i++)
		cr_assert_eq(r.findings[i].fails, 0);
	mc_report_free(&r);
}
