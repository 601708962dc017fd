/*
 * fnd_server: how a TCP or UDP server is run (its port, the file it
 * serves), from probes of it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fnd.h"
#include "fnd_int.h"
#include "pnet.h"
#include "sbx.h"

/* A served-file candidate: a read-only open of a file of the submission's. */
static int
served_candidate(const struct fnd_trace_line *t, const char *cwd, char *rel, size_t len)
{
	static const char *const sys[] = { "/proc/", "/sys/", "/dev/", "/etc/", "/usr/", "/lib",
	    "/run/", "/var/", NULL };
	const char *p = t->path;
	size_t cl = strlen(cwd);
	char norm[PATH_MAX];

	if (t->kind != FND_T_OPEN || (t->flags & O_ACCMODE) != O_RDONLY ||
	    (t->flags & (O_CREAT | O_DIRECTORY)) || p[0] == '\0')
		return 0;
	if (p[0] == '/') {
		for (size_t i = 0; sys[i]; i++)
			if (strncmp(p, sys[i], strlen(sys[i])) == 0)
				return 0;
		if (strncmp(p, cwd, cl) != 0 || p[cl] != '/')
			return 0;
		p += cl + 1;
	}
	if (strstr(p, ".so") != NULL && strstr(p, ".so") == p + strlen(p) - 3)
		return 0;
	if (prof_path_inside(p, "work", norm, sizeof(norm)) < 0)
		return 0;
	snprintf(rel, len, "%s", p);
	return 1;
}

int
fnd_failed_open(const char *trace_path, const char *cwd, char *msg, size_t len)
{
	FILE *f = fopen(trace_path, "re");
	char *line = NULL, rel[PATH_MAX];
	size_t cap = 0;
	int found = 0;

	while (f && !found && getline(&line, &cap, f) > 0) {
		struct fnd_trace_line t;
		if (fnd_trace_parse(line, &t) < 0 || t.kind != FND_T_OPEN || t.err == 0)
			continue;
		if (served_candidate(&t, cwd, rel, sizeof(rel))) {
			snprintf(msg, len, "opened %s: %s", rel, strerror(t.err));
			found = 1;
		}
	}
	free(line);
	if (f)
		fclose(f);
	return found;
}

struct srv_obs {
	int listening;
	unsigned port;
	int udp;		/* a datagram socket and no stream socket */
	int want_udp;		/* a UDP server is looked for: "listening" is a bound datagram socket */
	int tcp;		/* (want_udp) it listens on TCP instead */
	int exited;
	int status, signal;
	int bind_port;		/* -1: not seen */
	int opened_arg;		/* it opened one of its arguments */
	char failed_open[PATH_MAX];	/* a candidate whose open failed (ENOENT) */
	int failed_errno;
	char read_file[PATH_MAX];	/* a candidate it opened */
	int traced;
	int port_in_use;	/* shared ports: a port its bind() found taken, or 0 */
};

static int
trace_bound_dgram_only(const struct fnd_probe *pr)
{
	struct fnd_trace t;
	int stream = 0, dgram = -1, bound = 0;

	fnd_trace_read(pr, &t);
	for (size_t i = 0; i < t.n; i++) {
		if (t.l[i].kind == FND_T_SOCKET && t.l[i].type == 1)
			stream = 1;
		else if (t.l[i].kind == FND_T_SOCKET && t.l[i].type == 2)
			dgram = t.l[i].fd;
		else if (t.l[i].kind == FND_T_BIND && t.l[i].fd == dgram)
			bound = 1;
	}
	free(t.l);
	return bound && !stream;
}

static int
cond_srv(struct fnd_probe *pr, void *arg)
{
	struct srv_obs *o = arg;
	unsigned ports[8];
	struct sc_err err;
	ssize_t k;

	if (pr->ended)
		return 1;
	if (o->want_udp && fnd_udp_bound_port(pr, &o->port) == 1) {
		o->listening = 1;
		return 1;
	}
	k = pnet_listening_ports_of(sbx_net_pid(pr->sbx), 0, pr->pid, ports, 8, &err);
	if (k > 0) {
		o->listening = !o->want_udp;
		o->tcp = o->want_udp;
		o->port = ports[0];
		return 1;
	}
	/* a datagram socket bound and no stream socket: a UDP server, no need to wait */
	return !o->want_udp && trace_bound_dgram_only(pr);
}

/* The port is in the output (a server printing its ephemeral port after bind). */
static int
cond_port_shown(struct fnd_probe *pr, void *arg)
{
	const struct srv_obs *o = arg;
	char pat[256];

	return pr->ended || (pr->out && fnd_port_printed(pr->out, pr->outn, o->port, pat, sizeof(pat)));
}

static int
udp_sockets_in(pid_t net_pid)
{
	char path[64], line[512];
	int n = 0;
	FILE *f;

	for (int v6 = 0; v6 < 2; v6++) {
		snprintf(path, sizeof(path), "/proc/%d/net/udp%s", (int)net_pid, v6 ? "6" : "");
		if ((f = fopen(path, "re")) == NULL)
			continue;
		if (fgets(line, sizeof(line), f))
			while (fgets(line, sizeof(line), f))
				n++;
		fclose(f);
	}
	return n;
}

static void
srv_from_trace(struct fnd_probe *pr, char **argv, struct srv_obs *o)
{
	struct fnd_trace t;
	int stream = 0, dgram = 0;

	o->traced = fnd_trace_loaded(pr);
	fnd_trace_read(pr, &t);
	o->bind_port = -1;
	for (size_t i = 0; i < t.n; i++) {
		const struct fnd_trace_line *x = &t.l[i];
		char rel[PATH_MAX];
		if (x->kind == FND_T_SOCKET && (x->domain == 2 || x->domain == 10)) {
			if (x->type == 1)
				stream = 1;
			else if (x->type == 2)
				dgram = 1;
		} else if (x->kind == FND_T_BIND && o->bind_port < 0) {
			o->bind_port = x->port;
		} else if (x->kind == FND_T_BIND_IN_USE && x->port > 0) {
			o->port_in_use = x->port;
		} else if (x->kind == FND_T_OPEN) {
			int is_arg = 0;
			for (size_t a = 1; argv[a]; a++)
				if (strcmp(x->path, argv[a]) == 0)
					is_arg = o->opened_arg = 1;
			if (!is_arg && served_candidate(x, pr->cwd, rel, sizeof(rel))) {
				if (x->err != 0 && o->failed_open[0] == '\0') {
					snprintf(o->failed_open, sizeof(o->failed_open), "%s", rel);
					o->failed_errno = x->err;
				} else if (x->err == 0 && o->read_file[0] == '\0') {
					snprintf(o->read_file, sizeof(o->read_file), "%s", rel);
				}
			}
		}
	}
	free(t.l);
	if (dgram && !stream)
		o->udp = 1;
	else if (!o->traced && !o->listening && sbx_mode(pr->sbx) == SBX_NETNS &&
	    udp_sockets_in(sbx_net_pid(pr->sbx)) > 0)
		o->udp = 1;
	if (pr->ended) {
		o->exited = 1;
		o->status = WIFEXITED(pr->wstatus) ? WEXITSTATUS(pr->wstatus) : -1;
		o->signal = WIFSIGNALED(pr->wstatus) ? WTERMSIG(pr->wstatus) : 0;
	}
}

static int
cond_peer_done(struct fnd_probe *pr, void *arg)
{
	(void)arg;
	return pr->peer_ended || pr->ended;
}

/*
 * One start of a server with `tmpl`, given port `given`: wait for it to
 * listen (or end); a file server then gets one reference client, so that a
 * file opened only after accept() is seen too.
 */
static int
probe_server(const struct fnd_env *e, enum prof_prog_kind kind, const char *tmpl, unsigned given,
    const char *file, char **files_present, unsigned n, struct srv_obs *o, struct fnd_probe *keep,
    struct sc_err *err)
{
	struct fnd_probe pr;
	char **argv;
	int rc = 0;

	memset(o, 0, sizeof(*o));
	o->want_udp = kind == PROF_UDP_SERVER;
	argv = prof_expand(tmpl, "127.0.0.1", given, file, "receive.dat", err);
	if (argv == NULL)
		return -1;
	if (fnd_probe_open(e, prof_prog_name(kind), n, &pr, err) < 0) {
		prof_argv_free(argv);
		fnd_probe_close(&pr);
		return -1;
	}
	for (size_t i = 0; files_present && files_present[i]; i++) {
		char norm[PATH_MAX];
		static const char data[] = "sockcheck: the file the server serves\n";
		if (prof_path_inside(files_present[i], "work", norm, sizeof(norm)) == 0)
			fnd_probe_put_file(&pr, norm, data, sizeof(data) - 1);
	}
	pr.pid = fnd_probe_spawn(&pr, argv, 1, err);
	if (pr.pid < 0) {
		o->exited = 1;
		o->status = 127;
		prof_argv_free(argv);
		fnd_probe_close(&pr);
		return 0;
	}
	fnd_probe_wait(&pr, cond_srv, o, FND_LISTEN_WAIT);
	if (o->listening && o->port >= 32768)
		fnd_probe_wait(&pr, cond_port_shown, o, 0.15);	/* an ephemeral port printed just after */
	if (o->listening && kind == PROF_FILE_SERVER && !pr.ended) {
		char port[16], *cargv[6];
		snprintf(port, sizeof(port), "%u", o->port);
		if (asprintf(&cargv[0], "%s/file_client", e->ref_dir) >= 0) {
			cargv[1] = (char *)"127.0.0.1";
			cargv[2] = port;
			cargv[3] = (char *)"/dev/null";
			cargv[4] = NULL;
			pr.peer = fnd_probe_spawn(&pr, cargv, 0, err);
			free(cargv[0]);
			if (pr.peer > 0)
				fnd_probe_wait(&pr, cond_peer_done, NULL, FND_LISTEN_WAIT);
		}
	}
	fnd_probe_pump(&pr, 0);
	srv_from_trace(&pr, argv, o);
	if (keep) {
		keep->out = pr.out;
		keep->outn = pr.outn;
		pr.out = NULL;
	}
	prof_argv_free(argv);
	fnd_probe_close(&pr);
	return rc;
}

/*
 * A server given FND_PROBE_PORT listened on o->port, another one: fixed in
 * its source, or made from its argument wrongly (htons() left out:
 * 5000 -> 34835)? Given another port, a fixed one stays where it was. One
 * that moves listens where no one told it: the cases read its port from
 * its socket (listening), and <role>.port-usable fails (hidden-port).
 */
static int
port_follows_argv(const struct fnd_env *e, enum prof_prog_kind kind, const char *form,
    const char *file, char **present, unsigned *runs, const struct srv_obs *o, struct sc_err *err)
{
	struct srv_obs o2;

	if (*runs >= 10 || probe_server(e, kind, form, FND_PROBE_PORT + 1, file, present, *runs, &o2,
	    NULL, err) < 0)
		return 0;
	(*runs)++;
	return o2.listening && o2.port != o->port;
}

void
fnd_find_server(const struct fnd_env *e, const struct prof *p, enum prof_prog_kind kind,
    struct fnd_prog *fp, struct sc_err *err)
{
	const struct prof_prog *pp = &p->progs[kind];
	const char *name = prof_prog_name(kind);
	char forms[5][256];
	size_t nforms = 0;
	char *present[4] = { NULL, NULL, NULL, NULL };
	size_t npresent = 0;
	const char *file = pp->file ? pp->file : "file_server.c";
	unsigned runs = 0;
	struct srv_obs o;
	char first_fail[PATH_MAX] = "";
	int first_errno = 0;

	if (pp->set & PROF_SET_COMMAND) {
		snprintf(forms[nforms++], sizeof(forms[0]), "%s", pp->command);
	} else {
		snprintf(forms[nforms++], sizeof(forms[0]), "./%s {port}", name);
		if (kind == PROF_FILE_SERVER) {
			snprintf(forms[nforms++], sizeof(forms[0]), "./%s {file}", name);
			snprintf(forms[nforms++], sizeof(forms[0]), "./%s {port} {file}", name);
			snprintf(forms[nforms++], sizeof(forms[0]), "./%s {file} {port}", name);
		}
		snprintf(forms[nforms++], sizeof(forms[0]), "./%s", name);
	}
	if (kind == PROF_FILE_SERVER && (pp->set & PROF_SET_FILE))
		present[npresent++] = (char *)file;
	for (size_t f = 0; f < nforms && runs < 10; f++) {
		int has_file = strstr(forms[f], "{file}") != NULL;
		/* the form `{port}` whose server opened its argv[1]: argv[1] is a file */
		for (int tries = 0; tries < 3 && runs < 10; tries++) {
			struct fnd_probe out;
			memset(&out, 0, sizeof(out));
			if (has_file && kind == PROF_FILE_SERVER && npresent < 3 &&
			    (npresent == 0 || strcmp(present[npresent - 1], file) != 0))
				present[npresent++] = (char *)file;
			if (probe_server(e, kind, forms[f], FND_PROBE_PORT, file, present, runs, &o, &out,
			    err) < 0) {
				free(out.out);
				return;
			}
			runs++;
			/* the machine's port, not the program: wait out a TIME-WAIT that
			 * is not sockcheck's (the library's SO_REUSEADDR passes those),
			 * then the same form again; a listener's port: say so */
			if (o.port_in_use) {
				free(out.out);
				if (tries < 2 && pnet_port_frees(getpid(), (unsigned)o.port_in_use, NULL, NULL))
					continue;
				if (asprintf(&fp->note, "port %d is in use on this machine (bind(): "
				    "EADDRINUSE, and no network namespace of its own): it could not be "
				    "observed", o.port_in_use) < 0)
					fp->note = NULL;
				goto done;
			}
			if (o.failed_open[0] && first_fail[0] == '\0') {
				snprintf(first_fail, sizeof(first_fail), "%s", o.failed_open);
				first_errno = o.failed_errno;
			}
			if (o.tcp) {
				/* a TCP server given as the UDP one: its cases say so, one line each */
				fp->sock = FND_SOCK_TCP;
				fnd_set_str(&fp->command, forms[f]);
				free(out.out);
				goto done;
			}
			if (o.udp && kind != PROF_UDP_SERVER) {
				fp->sock = FND_SOCK_UDP;
				fnd_set_str(&fp->command, forms[f]);
				free(out.out);
				goto done;
			}
			/* it opened the port it was given as a file, failed (fopen() unchecked)
			 * and listened anyway: that argument is a file name, whatever the
			 * open did; the forms with {file} come next */
			if (o.listening && o.opened_arg && !has_file && kind == PROF_FILE_SERVER &&
			    !(pp->set & PROF_SET_COMMAND)) {
				free(out.out);
				break;
			}
			if (o.listening) {
				fp->sock = kind == PROF_UDP_SERVER ? FND_SOCK_UDP : FND_SOCK_TCP;
				fnd_set_str(&fp->command, forms[f]);
				fp->port_found = 1;
				if (strstr(forms[f], "{port}") && o.port == FND_PROBE_PORT) {
					fp->port_mode = PROF_PORT_ARGV;
				} else {
					char pat[256];
					if (o.bind_port == 0 || (!o.traced && o.port >= 32768)) {
						if (out.out && fnd_port_printed(out.out, out.outn, o.port, pat,
						    sizeof(pat))) {
							fp->port_mode = PROF_PORT_PRINTED;
							fnd_set_str(&fp->port_pattern, pat[0] ? pat : NULL);
						} else {
							fp->port_mode = PROF_PORT_LISTENING;
						}
					} else {
						fp->port_mode = PROF_PORT_FIXED;
						fp->fixed_port = o.port;
						if (strstr(forms[f], "{port}") &&
						    port_follows_argv(e, kind, forms[f], file, present, &runs,
						    &o, err))
							fp->port_not_given = 1;
					}
				}
				if (fp->port_not_given)
					fp->port_mode = PROF_PORT_LISTENING;
				if (has_file) {
					fp->argv_file = 1;
				} else if (kind == PROF_FILE_SERVER) {
					if (o.read_file[0])
						fnd_set_str(&fp->file, o.read_file);
					else if (o.failed_open[0])
						fnd_set_str(&fp->file, o.failed_open);
					else if (npresent > 0)
						fnd_set_str(&fp->file, present[npresent - 1]);
				}
				free(out.out);
				goto done;
			}
			free(out.out);
			/* it wanted a file that was not there: give it one, same form */
			if (o.failed_open[0] && !o.opened_arg && npresent < 3 &&
			    (npresent == 0 || strcmp(present[npresent - 1], o.failed_open) != 0)) {
				present[npresent++] = strdup(o.failed_open);
				if (present[npresent - 1] == NULL)
					npresent--;
				continue;
			}
			break;
		}
	}
	fp->note = strdup(kind == PROF_UDP_SERVER ? "it never bound a UDP port, whatever its arguments" :
	    "it never listened, whatever its arguments");
done:
	if (first_fail[0]) {
		char *msg;
		if (asprintf(&msg, "opened %s: %s", first_fail, strerror(first_errno)) >= 0) {
			free(fp->open_error);
			fp->open_error = msg;
		}
	}
	/* the present[] entries strdup'd from failed opens */
	for (size_t i = 0; i < npresent; i++)
		if (present[i] != file)
			free(present[i]);
	fp->runs = (int)runs;
}
