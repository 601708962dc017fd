/*
 * fnd_describe: what the finder found, in words (one line per program)
 * and as a commented sockcheck.yaml (infer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnd.h"
#include "fnd_int.h"

/* A YAML double-quoted scalar. */
static void
yq(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* One program's findings in words, each a clause; `sep` between them. */
static void
describe_prog(FILE *f, const struct prof *p, int k, const struct fnd_prog *fp)
{
	const struct prof_prog *pp = &p->progs[k];
	int n = 0;
#define CL(...) do { fputs(n++ ? "; " : "", f); fprintf(f, __VA_ARGS__); } while (0)

	if (fp->sock == FND_SOCK_UDP && !fnd_is_udp(k))
		CL("speaks UDP where TCP is expected: its TCP cases are skipped");
	if (fp->sock == FND_SOCK_TCP && fnd_is_udp(k))
		CL("speaks TCP where UDP is expected");
	if (fp->command && !(pp->set & PROF_SET_COMMAND) && k == PROF_UDP_CLIENT &&
	    strcmp(fp->command, "./udp_echo_client {host} {port}") != 0)
		CL("run as %s", fp->command);
	if (fp->port_found && !(pp->set & PROF_SET_PORT)) {
		if (fp->port_mode == PROF_PORT_FIXED && fnd_is_server(k))
			CL("port fixed at %u", fp->fixed_port);
		else if (fp->port_mode == PROF_PORT_FIXED)
			CL("%s port %u, fixed in the program", k == PROF_UDP_CLIENT ? "sends to" :
			    "connects to", fp->fixed_port);
		else if (fp->port_mode == PROF_PORT_PRINTED)
			CL("ephemeral port, printed (%s)", fp->port_pattern ? fp->port_pattern :
			    "port[^0-9]*([0-9]+)");
		else if (fp->port_mode == PROF_PORT_LISTENING && fp->port_not_given)
			CL("listens on port %u when given %u, a port it was not given: nobody can learn "
			    "it (read from its listening socket)", fp->fixed_port, FND_PROBE_PORT);
		else if (fp->port_mode == PROF_PORT_LISTENING)
			CL("ephemeral port, not printed: nobody can learn it (read from its listening "
			    "socket)");
		else if (fnd_is_server(k))
			CL("port from argv");
	}
	if (fp->host && !(pp->set & PROF_SET_HOST))
		CL("sends to %s, fixed in the program", fp->host);
	if (fp->udp_connected)
		CL("connect()s its socket");
	if (fp->argv_file && !(pp->set & PROF_SET_COMMAND))
		CL("%s is the served file", fp->command && strstr(fp->command, "{port} {file}") ?
		    "argv[2]" : "argv[1]");
	if (fp->file && !(pp->set & PROF_SET_FILE))
		CL("serves %s", fp->file);
	if (fp->stdin_text && !(pp->set & PROF_SET_STDIN))
		CL("asks for a file name on stdin before it goes on (given receive.dat)");
	if (fp->out && !(pp->set & PROF_SET_OUT))
		CL("writes %s", fp->out);
	if (fp->quit_found && !(pp->set & PROF_SET_QUIT)) {
		if (fp->no_quit)
			CL("no quit word ends it (quit: none)");
		else if (fp->quit[0] == '\0')
			CL("an empty line ends it");
		else
			CL("quit word \"%s\"%s", fp->quit, fp->quit_from_prompt ? " (from its prompt)" :
			    "");
	}
	if (fp->note)
		CL("%s", fp->note);
	if (n == 0)
		CL("as the textbook runs it");
	if (fp->cached)
		fputs(" (cached)", f);
	else
		fprintf(f, " (found in %.2f s, %d run%s)", fp->seconds, fp->runs, fp->runs == 1 ? "" : "s");
#undef CL
}

char *
fnd_describe(const struct prof *p, const struct fnd_result *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int any = 0;

	if (f == NULL)
		return NULL;
	for (int k = 0; k < PROF_NPROGS; k++) {
		const struct fnd_prog *fp = &r->progs[k];
		if (!fp->probed)
			continue;
		fprintf(f, "%s%s: ", any++ ? "\n" : "", prof_prog_name((enum prof_prog_kind)k));
		describe_prog(f, p, k, fp);
	}
	fclose(f);
	if (!any) {
		free(text);
		return NULL;
	}
	return text;
}

int
fnd_write_yaml(FILE *f, const struct prof *p, const struct fnd_result *r)
{
	fputs("# sockcheck.yaml written by `sockcheck infer` from how the programs behaved\n"
	    "# (the convention finder: docs/profile.md). Review it: every value was\n"
	    "# observed, none read from the sources. sockcheck finds the same without\n"
	    "# this file; keep only the keys you want fixed.\n", f);
	if (p->build)
		fputs("build: ", f), yq(f, p->build), fputc('\n', f);
	fputs("programs:\n", f);
	for (int k = 0; k < PROF_NPROGS; k++) {
		const struct fnd_prog *fp = &r->progs[k];
		const struct prof_prog *pp = &p->progs[k];
		if (!pp->present)
			continue;
		fprintf(f, "  %s:\n", prof_prog_name((enum prof_prog_kind)k));
		if (!fp->probed) {
			fputs("    # not observed (not built): run as the profile says\n", f);
			fputs("    command: ", f), yq(f, pp->command), fputc('\n', f);
			continue;
		}
		if (fp->note)
			fprintf(f, "    # note: %s\n", fp->note);
		if (fp->sock == FND_SOCK_UDP && !fnd_is_udp(k))
			fputs("    # it speaks UDP where TCP is expected: its TCP cases are skipped\n", f);
		if (fp->sock == FND_SOCK_TCP && fnd_is_udp(k))
			fputs("    # it speaks TCP where UDP is expected\n", f);
		if (fp->udp_connected)
			fputs("    # it connect()s its datagram socket (allowed)\n", f);
		fputs("    command: ", f);
		yq(f, (pp->set & PROF_SET_COMMAND) || !fp->command ? pp->command : fp->command);
		if (fp->argv_file)
			fputs("    # an argument is the served file", f);
		fputc('\n', f);
		if (fp->port_found || (pp->set & PROF_SET_PORT)) {
			enum prof_port_mode m = (pp->set & PROF_SET_PORT) ? pp->port_mode : fp->port_mode;
			unsigned fx = (pp->set & PROF_SET_PORT) ? pp->fixed_port : fp->fixed_port;
			const char *pat = (pp->set & PROF_SET_PORT) ? pp->port_pattern : fp->port_pattern;
			if (m == PROF_PORT_FIXED)
				fprintf(f, "    port: %u    # %s\n", fx, fnd_is_server(k) ?
				    "it listened there whatever port it was given" : k == PROF_UDP_CLIENT ?
				    "it sent there whatever port it was given" :
				    "it connected there whatever port it was given");
			else if (m == PROF_PORT_PRINTED) {
				fputs("    port: printed    # an ephemeral port, printed on stdout\n", f);
				if (pat)
					fputs("    port_pattern: ", f), yq(f, pat), fputc('\n', f);
			} else if (m == PROF_PORT_LISTENING)
				fputs(fp->port_not_given && !(pp->set & PROF_SET_PORT) ?
				    "    port: listening    # not the port it was given: nobody can learn it\n" :
				    "    port: listening    # an ephemeral port it does not print: nobody can "
				    "learn it\n", f);
			else if (fnd_is_server(k))
				fputs("    port: argv\n", f);
		}
		if (k == PROF_FILE_SERVER) {
			const char *fl = (pp->set & PROF_SET_FILE) || !fp->file ? pp->file : fp->file;
			if (fl) {
				fputs("    file: ", f), yq(f, fl);
				fputs(fp->file && !(pp->set & PROF_SET_FILE) ? "    # the file it opened\n" :
				    fp->argv_file ? "    # any name: it is passed as {file}\n" : "\n", f);
			}
			if (fp->open_error)
				fprintf(f, "    # without it: %s\n", fp->open_error);
		}
		if (k == PROF_FILE_CLIENT) {
			const char *o = (pp->set & PROF_SET_OUT) || !fp->out ? pp->out : fp->out;
			if (o) {
				fputs("    out: ", f), yq(f, o);
				fputs(fp->out && !(pp->set & PROF_SET_OUT) ?
				    "    # the file it created\n" : "\n", f);
			}
		}
		if (pp->stdin_text || fp->stdin_text) {
			fputs("    stdin: ", f);
			yq(f, (pp->set & PROF_SET_STDIN) || !fp->stdin_text ? pp->stdin_text :
			    fp->stdin_text);
			fputs("    # it reads standard input before it goes on\n", f);
		}
		if (fp->host && !(pp->set & PROF_SET_HOST)) {
			fputs("    host: ", f), yq(f, fp->host);
			fputs("    # it sent there whatever address it was given\n", f);
		}
		if ((k == PROF_ECHO_CLIENT || k == PROF_UDP_CLIENT) &&
		    (fp->quit_found || (pp->set & PROF_SET_QUIT))) {
			int none = (pp->set & PROF_SET_QUIT) ? pp->no_quit : fp->no_quit;
			const char *q = (pp->set & PROF_SET_QUIT) ? pp->quit : fp->quit;
			if (none)
				fputs("    quit: none    # no word ended it\n", f);
			else {
				fputs("    quit: ", f), yq(f, q ? q : "");
				fputs(fp->quit_from_prompt ? "    # announced by its prompt, and it works\n" :
				    "    # the word that ended it\n", f);
			}
		}
	}
	return ferror(f) ? -1 : 0;
}
