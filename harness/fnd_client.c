/*
 * fnd_client: how a client is run (its arguments, its input, its quit
 * word), from probes of it against a reference server.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fnd.h"
#include "fnd_int.h"
#include "fsx.h"
#include "sbx.h"

struct cli_obs {
	int connected;		/* a connect() that worked */
	int refused_port;	/* a refused connect()'s port, or 0 */
	int udp;
	int exited, status, signal;
	char out_file[PATH_MAX];
	int gave_stdin;
	int traced;
};

static void
cli_from_trace(struct fnd_probe *pr, struct cli_obs *o)
{
	struct fnd_trace t;
	int stream = 0, dgram = 0;

	o->traced = fnd_trace_loaded(pr);
	fnd_trace_read(pr, &t);
	for (size_t i = 0; i < t.n; i++) {
		const struct fnd_trace_line *x = &t.l[i];
		if (x->kind == FND_T_SOCKET && (x->domain == 2 || x->domain == 10)) {
			if (x->type == 1)
				stream = 1;
			else if (x->type == 2)
				dgram = 1;
		} else if (x->kind == FND_T_CONNECT) {
			if (x->err == 0)
				o->connected = 1;
			else if (x->err == ECONNREFUSED && x->port > 0)
				o->refused_port = x->port;
		} else if (x->kind == FND_T_OPEN && x->err == 0 && o->out_file[0] == '\0' &&
		    ((x->flags & O_ACCMODE) != O_RDONLY || (x->flags & O_CREAT))) {
			const char *pth = x->path;
			size_t cl = strlen(pr->cwd);
			if (pth[0] == '/' && strncmp(pth, pr->cwd, cl) == 0 && pth[cl] == '/')
				pth += cl + 1;
			char norm[PATH_MAX];
			if (pth[0] != '/' && prof_path_inside(pth, "work", norm, sizeof(norm)) == 0)
				snprintf(o->out_file, sizeof(o->out_file), "%s", pth);
		}
	}
	free(t.l);
	if (dgram && !stream)
		o->udp = 1;
	if (pr->ended) {
		o->exited = 1;
		o->status = WIFEXITED(pr->wstatus) ? WEXITSTATUS(pr->wstatus) : -1;
		o->signal = WIFSIGNALED(pr->wstatus) ? WTERMSIG(pr->wstatus) : 0;
	}
}

static char **
client_argv(const char *tmpl, unsigned port, struct sc_err *err)
{
	return prof_expand(tmpl, "127.0.0.1", port, "file_server.c", "receive.dat", err);
}

static int
run_file_client(const struct fnd_env *e, const char *tmpl, unsigned port, unsigned n,
    struct cli_obs *o, struct sc_err *err)
{
	struct fnd_probe pr;
	char **argv = client_argv(tmpl, port, err);
	struct fnd_idle ia = { 0 };
	double until;

	memset(o, 0, sizeof(*o));
	if (argv == NULL)
		return -1;
	if (fnd_probe_open(e, "file_client", n, &pr, err) < 0 ||
	    fnd_probe_ref_server(&pr, "file_server", port, err) < 0) {
		prof_argv_free(argv);
		fnd_probe_close(&pr);
		return -1;
	}
	pr.pid = fnd_probe_spawn(&pr, argv, 1, err);
	prof_argv_free(argv);
	if (pr.pid < 0) {
		o->exited = 1;
		o->status = 127;
		fnd_probe_close(&pr);
		return 0;
	}
	until = fnd_now() + FND_CLIENT_WAIT;
	while (!pr.ended && fnd_now() < until) {
		if (fnd_probe_wait(&pr, fnd_cond_idle, &ia, until - fnd_now()) && !pr.ended) {
			if (o->gave_stdin)
				break;	/* waiting for more than a name: nothing to give */
			/* it asks for something before (or while) receiving: a file name */
			fnd_feed(&pr, "receive.dat\n");
			o->gave_stdin = 1;
			ia.since = 0;
			fnd_probe_pump(&pr, 20);
		}
	}
	if (!pr.ended && pr.in_fd >= 0) {
		fnd_feed(&pr, "\x04");	/* end of input on a terminal: ^D at the start of a line */
		fnd_probe_wait(&pr, fnd_cond_ended, NULL, 0.2);
	}
	fnd_probe_pump(&pr, 0);
	cli_from_trace(&pr, o);
	if (o->out_file[0] == '\0' && !o->traced) {
		/* no trace (a static program): a new regular file in its directory */
		char path[PATH_MAX * 2];
		snprintf(path, sizeof(path), "%s/receive.dat", pr.cwd);
		if (fsx_is_file(path))
			snprintf(o->out_file, sizeof(o->out_file), "receive.dat");
	}
	fnd_probe_close(&pr);
	return 0;
}

void
fnd_find_file_client(const struct fnd_env *e, const struct prof *p, struct fnd_prog *fp,
    struct sc_err *err)
{
	const struct prof_prog *pp = &p->progs[PROF_FILE_CLIENT];
	const char *tmpl = (pp->set & PROF_SET_COMMAND) ? pp->command : "./file_client {host} {port}";
	struct cli_obs o;
	unsigned port = FND_PROBE_PORT;

	for (int tries = 0; tries < 2; tries++) {
		if (run_file_client(e, tmpl, port, (unsigned)tries, &o, err) < 0)
			return;
		fp->runs++;
		if (!o.connected && o.refused_port > 0 && (unsigned)o.refused_port != port) {
			port = (unsigned)o.refused_port;	/* a port of its own: serve it there */
			fp->fixed_client_port = 1;
			continue;
		}
		break;
	}
	fnd_set_str(&fp->command, tmpl);
	if (o.udp) {
		fp->sock = FND_SOCK_UDP;
		return;
	}
	if (o.connected)
		fp->sock = FND_SOCK_TCP;
	if (fp->fixed_client_port) {
		fp->port_found = 1;
		fp->port_mode = PROF_PORT_FIXED;
		fp->fixed_port = port;
	}
	if (o.gave_stdin)
		fnd_set_str(&fp->stdin_text, "receive.dat\n");
	if (o.out_file[0])
		fnd_set_str(&fp->out, o.out_file);
	else if (o.connected)
		fp->note = strdup("no output file was seen");
}

int
fnd_client_start(const struct fnd_env *e, const struct fnd_client *cl, unsigned n,
    struct fnd_probe *pr, struct sc_err *err)
{
	char **argv = prof_expand(cl->tmpl, cl->host, cl->port, "file_server.c", "receive.dat", err);
	struct fnd_idle ia = { 0 };
	struct sc_err e2;

	if (argv == NULL)
		return -1;
	if (fnd_probe_open(e, prof_prog_name(cl->kind), n, pr, err) < 0) {
		prof_argv_free(argv);
		return -1;
	}
	/* a hard-coded remote address: the probe's loopback gets it, as a case's
	 * does; without a namespace the library redirects it there (route.c) */
	if (cl->add_host && sbx_mode(pr->sbx) == SBX_NETNS)
		sbx_add_address(pr->sbx, cl->host, &e2);
	else if (cl->add_host)
		snprintf(pr->redirect, sizeof(pr->redirect), "%s=%s", cl->host,
		    strchr(cl->host, ':') ? "::1" : "127.0.0.1");
	if (fnd_probe_ref_server(pr, cl->ref, cl->port, err) < 0) {
		prof_argv_free(argv);
		return -1;
	}
	pr->pid = fnd_probe_spawn(pr, argv, 1, err);
	prof_argv_free(argv);
	if (pr->pid < 0)
		return 0;
	fnd_probe_wait(pr, fnd_cond_idle, &ia, FND_CLIENT_WAIT);
	return 0;
}

void
fnd_find_quit(const struct fnd_env *e, const struct fnd_client *cl, const char *prompt_word,
    unsigned *n, struct fnd_prog *fp, struct sc_err *err)
{
	static const char *const usual[] = { "", "q", "Q", "quit", "exit" };
	const char *cands[8];
	size_t nc = 0, next = 0;
	int found = 0;

	if (prompt_word)
		cands[nc++] = prompt_word;
	for (size_t i = 0; i < 5; i++)
		if (!prompt_word || strcmp(usual[i], prompt_word) != 0)
			cands[nc++] = usual[i];
	/* try the words in turn; one start serves while the words leave it waiting */
	while (next < nc && *n < 8 && !found) {
		struct fnd_probe pr;
		memset(&pr, 0, sizeof(pr));
		if (fnd_client_start(e, cl, (*n)++, &pr, err) < 0) {
			fnd_probe_close(&pr);
			return;
		}
		fp->runs++;
		if (pr.pid < 0 || pr.ended || !fnd_reading_stdin(&pr)) {
			fnd_probe_close(&pr);
			break;		/* it does not wait for input: nothing to try */
		}
		while (next < nc) {
			struct fnd_idle ia = { 0 };
			char line[64];
			snprintf(line, sizeof(line), "%s\n", cands[next]);
			fnd_feed(&pr, line);
			fnd_probe_pump(&pr, 20);
			fnd_probe_wait(&pr, fnd_cond_idle, &ia, 0.4);
			if (pr.ended) {
				if (WIFEXITED(pr.wstatus) && WEXITSTATUS(pr.wstatus) == 0)
					found = 1;
				else
					next++;	/* that word ended it badly: start again */
				break;
			}
			next++;
			if (!fnd_reading_stdin(&pr))
				break;	/* stuck elsewhere (an echo of nothing): start again */
		}
		fnd_probe_close(&pr);
	}
	if (found) {
		fp->quit_found = 1;
		fnd_set_str(&fp->quit, cands[next]);
		fp->quit_from_prompt = prompt_word && next == 0;
	} else if (fp->sock != FND_SOCK_UNKNOWN) {
		/* it talked to the server and waited for input, and no word ended it */
		fp->quit_found = 1;
		fp->no_quit = 1;
	}
}

void
fnd_find_echo_client(const struct fnd_env *e, const struct prof *p, struct fnd_prog *fp,
    struct sc_err *err)
{
	const struct prof_prog *pp = &p->progs[PROF_ECHO_CLIENT];
	struct fnd_client cl = { .kind = PROF_ECHO_CLIENT, .ref = "echo_server",
		.tmpl = (pp->set & PROF_SET_COMMAND) ? pp->command : "./echo_client {host} {port}",
		.host = "127.0.0.1", .port = FND_PROBE_PORT };
	char prompt_word[32];
	unsigned n = 0;
	struct cli_obs o;
	int from_prompt = 0;

	fnd_set_str(&fp->command, cl.tmpl);
	/* the first start: its prompt, its socket, whether it connects where told */
	for (;;) {
		struct fnd_probe pr;
		memset(&pr, 0, sizeof(pr));
		if (fnd_client_start(e, &cl, n++, &pr, err) < 0) {
			fnd_probe_close(&pr);
			return;
		}
		fp->runs++;
		fnd_probe_pump(&pr, 0);
		memset(&o, 0, sizeof(o));	/* each start observed afresh */
		cli_from_trace(&pr, &o);
		if (!o.connected && o.refused_port > 0 && (unsigned)o.refused_port != cl.port && n < 2) {
			cl.port = (unsigned)o.refused_port;
			fp->fixed_client_port = 1;
			fnd_probe_close(&pr);
			continue;
		}
		if (o.udp) {
			fp->sock = FND_SOCK_UDP;
			fnd_probe_close(&pr);
			return;
		}
		if (o.connected)
			fp->sock = FND_SOCK_TCP;
		if (pr.out && fnd_quit_from_prompt(pr.out, pr.outn, prompt_word, sizeof(prompt_word)))
			from_prompt = 1;
		fnd_probe_close(&pr);
		break;
	}
	if (fp->fixed_client_port) {
		fp->port_found = 1;
		fp->port_mode = PROF_PORT_FIXED;
		fp->fixed_port = cl.port;
	}
	if (pp->set & PROF_SET_QUIT)
		return;
	fnd_find_quit(e, &cl, from_prompt ? prompt_word : NULL, &n, fp, err);
}
