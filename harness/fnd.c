/*
 * fnd: the convention finder (contract in fnd.h).
 *
 * A probe is one start of one program in a sandbox of its own (sbx, as a
 * case has), in a scratch copy of the built submission, with the preload
 * library tracing (SCINJECT_TRACE) and, for a client, a reference server.
 * A probe lasts a few hundred milliseconds at most; a program takes one to
 * a few probes.
 *
 * This file: the whole run (fnd_run) and the profile it fills
 * (fnd_effective); fnd_text.c reads output and traces, fnd_server.c and
 * fnd_client.c find how each kind of program is run, fnd_cache.c keeps what
 * was found, fnd_describe.c says it in words and as YAML.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnd.h"
#include "fnd_int.h"
#include "sbx.h"

const char *
fnd_sock_name(enum fnd_sock s)
{
	return s == FND_SOCK_TCP ? "TCP" : s == FND_SOCK_UDP ? "UDP" : "unknown";
}

/* ---- the whole ---- */

/* One program: from the cache, else observed (and then cached). */
struct find_one {
	const struct fnd_env *e;
	const struct prof *p;
	int k;
	struct fnd_prog *fp;
	char key[65];
};

static void *
find_one(void *arg)
{
	struct find_one *f = arg;
	struct fnd_prog *fp = f->fp;
	double t0 = fnd_now();
	struct sc_err e2;

	fp->probed = 1;
	sc_err_clear(&e2);
	switch (f->k) {
	case PROF_ECHO_SERVER:
	case PROF_FILE_SERVER:
	case PROF_UDP_SERVER:
		fnd_find_server(f->e, f->p, (enum prof_prog_kind)f->k, fp, &e2);
		break;
	case PROF_FILE_CLIENT:
		fnd_find_file_client(f->e, f->p, fp, &e2);
		break;
	case PROF_ECHO_CLIENT:
		fnd_find_echo_client(f->e, f->p, fp, &e2);
		break;
	case PROF_UDP_CLIENT:
		fnd_find_udp_client(f->e, f->p, fp, &e2);
		break;
	}
	fp->seconds = fnd_now() - t0;
	if (e2.msg[0] && fp->note == NULL) {
		char *m;
		if (asprintf(&m, "the finder could not observe it: %s", e2.msg) >= 0)
			fp->note = m;
	} else {
		fnd_cache_store(f->e, f->key, fp);
	}
	return NULL;
}

/*
 * Whether the probes may run at once: each in a network namespace of its
 * own. On the machine's loopback two programs that fix the same port would
 * take it from each other, so there they run one after the other.
 */
static int
probes_isolated(const struct fnd_env *e)
{
	struct sbx *s = NULL;
	struct sc_err err;
	char why[256];
	unsigned survivors;
	int netns;

	if (!e->want_netns || sbx_open(1, &s, why, sizeof(why), &err) < 0)
		return 0;
	netns = sbx_mode(s) == SBX_NETNS;
	sbx_close(s, &survivors, &err);
	return netns;
}

int
fnd_run(const struct fnd_env *e, const struct prof *p, struct fnd_result *r, struct sc_err *err)
{
	struct find_one todo[PROF_NPROGS];
	pthread_t th[PROF_NPROGS];
	int started[PROF_NPROGS] = { 0 };
	size_t n = 0;

	memset(r, 0, sizeof(*r));
	for (int k = 0; k < PROF_NPROGS; k++) {
		struct fnd_prog *fp = &r->progs[k];
		struct find_one *f = &todo[n];

		if (!p->progs[k].present || (e->need && !e->need[k]))
			continue;
		memset(f, 0, sizeof(*f));
		if (fnd_cache_key(e, p, (enum prof_prog_kind)k, f->key) < 0)
			continue;	/* not built: nothing to observe */
		if (fnd_cache_load(e, f->key, fp))
			continue;
		f->e = e;
		f->p = p;
		f->k = k;
		f->fp = fp;
		n++;
	}
	/* the probes mostly wait on the programs: together, they take the
	 * time of the slowest, not the sum */
	if (n > 1 && !e->serial && probes_isolated(e))
		for (size_t i = 0; i < n; i++)
			started[i] = pthread_create(&th[i], NULL, find_one, &todo[i]) == 0;
	for (size_t i = 0; i < n; i++)
		if (!started[i])
			find_one(&todo[i]);
	for (size_t i = 0; i < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	(void)err;
	return 0;
}

void
fnd_result_free(struct fnd_result *r)
{
	for (int k = 0; k < PROF_NPROGS; k++) {
		struct fnd_prog *fp = &r->progs[k];
		free(fp->command);
		free(fp->port_pattern);
		free(fp->file);
		free(fp->open_error);
		free(fp->out);
		free(fp->stdin_text);
		free(fp->quit);
		free(fp->host);
		free(fp->note);
	}
	memset(r, 0, sizeof(*r));
}

int
fnd_is_server(int k)
{
	return k == PROF_ECHO_SERVER || k == PROF_FILE_SERVER || k == PROF_UDP_SERVER;
}

int
fnd_is_udp(int k)
{
	return k == PROF_UDP_SERVER || k == PROF_UDP_CLIENT;
}

int
fnd_effective(const struct prof *p, const struct fnd_result *r, struct prof *eff,
    struct sc_err *err)
{
	if (prof_dup(p, eff, err) < 0)
		return -1;
	for (int k = 0; k < PROF_NPROGS; k++) {
		const struct fnd_prog *fp = &r->progs[k];
		struct prof_prog *ep = &eff->progs[k];
		if (!fp->probed)
			continue;
		if (!(ep->set & PROF_SET_COMMAND) && fp->command)
			fnd_set_str(&ep->command, fp->command);
		if (!(ep->set & PROF_SET_PORT) && fp->port_found) {
			ep->port_mode = fp->port_mode;
			ep->fixed_port = fp->fixed_port;
			if (!(ep->set & PROF_SET_PORT_PATTERN))
				fnd_set_str(&ep->port_pattern, fp->port_pattern);
		}
		if (!(ep->set & PROF_SET_FILE) && fp->file)
			fnd_set_str(&ep->file, fp->file);
		if (!(ep->set & PROF_SET_OUT) && fp->out)
			fnd_set_str(&ep->out, fp->out);
		if (!(ep->set & PROF_SET_STDIN) && fp->stdin_text)
			fnd_set_str(&ep->stdin_text, fp->stdin_text);
		if (!(ep->set & PROF_SET_QUIT) && fp->quit_found) {
			fnd_set_str(&ep->quit, fp->no_quit ? NULL : fp->quit);
			ep->no_quit = fp->no_quit;
		}
		if (!(ep->set & PROF_SET_HOST) && fp->host)
			fnd_set_str(&ep->host, fp->host);
		if (fp->sock == FND_SOCK_UDP && !fnd_is_udp(k) && !(ep->set & PROF_SET_COMMAND)) {
			char *m;
			if (asprintf(&m, "%s speaks UDP (it opened a datagram socket) where TCP is "
			    "expected", prof_prog_name((enum prof_prog_kind)k)) >= 0) {
				free(ep->skip);
				ep->skip = m;
			}
		}
	}
	return 0;
}
