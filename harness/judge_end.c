/*
 * judge_end: the checks every case makes of how a program ended: its start,
 * its exit or signal, its deadline, its error message and its time, and the
 * cause such a failure has in the case at hand.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cause.h"
#include "judge.h"
#include "judge_int.h"
#include "kind.h"

const char *
judge_end_cause(const struct judge_in *in, int client, const char *otherwise)
{
	const struct scn *s = in->s;

	/* the cases for a failure the program must stop at: whatever it did
	 * instead (ran on, hung, reported success), it went on */
	if (s->setup.args != SCN_ARGS_USUAL)
		return "args-unchecked";
	if (s->inject && s->expect.exit == SCN_EXIT_FAILURE)
		return "error-ignored";
	if (!client || s->protocol == SCN_FILE || s->expect.exit == SCN_EXIT_FAILURE ||
	    s->setup.no_server)
		return otherwise;
	if (s->protocol == SCN_UDP && in->npeers > 0 && in->peers[0].dgram_dropped &&
	    in->peers[0].dgrams_in <= s->stdin_spec.nlines * 3 + 3)
		return "no-receive-timeout";	/* waiting for the reply the server dropped */
	/* stuck waiting for the echo of a line it never sent whole: the send
	 * it did not continue is the fault */
	if ((strcmp(otherwise, "hang") == 0 || strcmp(otherwise, "spin") == 0) &&
	    s->protocol == SCN_ECHO && judge_sends_cut(in))
		return "short-write";
	/* stopped while stuck on a line (waiting for an echo that was all
	 * there): its quit word or its input's end was never reached */
	if ((strcmp(otherwise, "hang") == 0 || strcmp(otherwise, "spin") == 0) &&
	    s->protocol == SCN_ECHO && in->nmsgs > 0 &&
	    !judge_echoes_printed(in, s->role == SCN_PAIR ? &in->student2 : &in->student))
		return otherwise;
	if (s->stdin_spec.quit)
		return "quit-word";
	if (s->stdin_spec.close)
		return "no-eof-exit";
	return otherwise;
}

const char *
judge_server_cause(const struct judge_in *in, const char *otherwise)
{
	const struct judge_proc *p = &in->student;

	if (in->open_failed && in->s->protocol == SCN_FILE && !in->s->setup.no_file)
		return "missing-served-file";
	/* after a death by a signal, what the kernel did to its sockets (a FIN,
	 * an RST for what arrived later, refused connections) is the death's
	 * doing, never the program's own */
	if (p->started && p->ended && !p->exited)
		return p->signal == SIGPIPE ? "sigpipe-death" : "crash";
	/* gone after its failed accept(): whether a client got into the backlog
	 * before it left is a race, the exit is the fault */
	if (strcmp(otherwise, "not-serving") == 0 && p->ended && judge_accept_failed(in))
		return "accept-error-exit";
	return otherwise;
}

/*
 * A file transfer as large as the cases that cap the program's memory below
 * the file's size (run_proc.c, BIG_DATA), and the program said it ran out
 * of memory: it held the file instead of streaming it.
 */
static int
out_of_memory(const struct judge_in *in, const struct judge_proc *p)
{
	return in->s->protocol == SCN_FILE && in->have_expected &&
	    in->exp_size >= ((uint64_t)32 << 20) && p->err &&
	    (memmem(p->err, p->err_len, "Cannot allocate memory", 22) != NULL ||
	    memmem(p->err, p->err_len, "out of memory", 13) != NULL);
}

int
judge_check_end(struct res_case *c, const struct judge_in *in, const struct judge_proc *p,
    const char *label, enum scn_exit_expect want, int client, int *failed)
{
	const char *sname;

	if (!p->started) {
		judge_check(c, "start", "no-start", 0, "the program starts", "%s",
		    p->start_error ? p->start_error : "it could not be started");
		return 0;
	}
	if (p->ended && !p->exited) {
		sname = judge_signal_name(p->signal);
		judge_check(c, "exit", client ? (p->signal == SIGPIPE ? (in->s->setup.no_server ?
		    "unchecked-connect" : "sigpipe-death") : "crash") :
		    judge_server_cause(in, p->signal == SIGPIPE ? "sigpipe-death" : "crash"), 0,
		    "no death by a signal", "%s died of %s", label,
		    sname ? sname : strsignal(p->signal));
		if (p->signal == SIGPIPE && client && in->s->setup.no_server)
			judge_diag(c, "Nothing listened, so its connect() failed, and it wrote to the "
			    "socket anyway: check connect()'s return value and stop there.");
		else if (p->signal == SIGPIPE)
			judge_diag(c, "It wrote to a connection its peer had already closed or reset; "
			    "ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) or send with MSG_NOSIGNAL "
			    "and handle the EPIPE error instead.");
		else if (p->signal == SIGXFSZ)
			judge_diag(c, "It reached the file-size limit: it wrote more than the data it "
			    "received, or the profile's limits.file_size is too small for the case.");
		else if (p->signal == SIGSEGV)
			judge_diag(c, "Look for a buffer indexed past its end, a NULL pointer, or a "
			    "string function on bytes that are not NUL-terminated.");
		return 0;
	}
	if (p->killed_at_deadline) {
		/* nothing listened: a client still at it never checked its connect() */
		judge_check(c, "exit", client && in->s->setup.no_server ? "unchecked-connect" :
		    judge_end_cause(in, client, in->spun ? "spin" : "hang"), 0,
		    "the program ends in time", in->spun ?
		    "%s was spinning, and was stopped after %.1f s" :
		    "%s was still running after %.1f s and was stopped", label, p->seconds);
		return 0;
	}
	if (!p->ended && !client && scn_server_refuses(in->s) && in->ready) {
		/* it listens on its port: it took what it should have refused */
		judge_check(c, "exit", judge_end_cause(in, 0, "hang"), 0, "a non-zero exit status",
		    "%s listened on port %u instead, and was stopped", label, in->port);
		return 0;
	}
	if (!p->ended)		/* a server stopped by sockcheck after the exchange */
		return 1;
	switch (want) {
	case SCN_EXIT_SUCCESS:
		if (!judge_check(c, "exit", out_of_memory(in, p) ? "not-streamed" :
		    judge_end_cause(in, client, "exit-status"), p->status == 0,
		    "exit status 0",
		    "exit status %d", p->status))
			*failed = 1;
		break;
	case SCN_EXIT_FAILURE:
		if (!judge_check(c, "exit", judge_end_cause(in, 0, "exit-0-on-error"), p->status != 0,
		    "a non-zero exit status", "exit status %d%s", p->status,
		    p->status == 0 ? " (success reported although it failed)" : ""))
			*failed = 1;
		break;
	default:
		break;
	}
	return 1;
}

void
judge_check_stderr(struct res_case *c, const struct judge_in *in, const struct judge_proc *p,
    int *failed)
{
	size_t i, k;

	if (in->s->expect.stderr_message != SCN_YES)
		return;
	for (i = 0; i < p->err_len; i++)
		if (p->err[i] != ' ' && p->err[i] != '\n' && p->err[i] != '\t' && p->err[i] != '\r')
			break;
	for (k = 0; k < p->out_len; k++)
		if (p->out[k] != ' ' && p->out[k] != '\n' && p->out[k] != '\t' && p->out[k] != '\r')
			break;
	if (i == p->err_len && k < p->out_len && p->ended && p->exited && p->status != 0) {
		/* the message went to stdout, and the status says it failed: the case's
		 * point (a clear failure) holds; where the message went is a warning */
		judge_check(c, "stderr", "stderr-message", 1, "an error message on standard error",
		    "a message on standard output, none on standard error, and exit status %d",
		    p->status);
		judge_diag(c, "Warning: the error message went to standard output; print errors on "
		    "standard error (perror(), or fprintf(stderr, ...)) so that they are seen "
		    "even when the output is redirected.");
		return;
	}
	if (i < p->err_len) {
		/* its first line, as the student will recognise it */
		size_t n = 0;
		while (i + n < p->err_len && n < 72 && p->err[i + n] != '\n' && p->err[i + n] != '\r')
			n++;
		judge_check(c, "stderr", "stderr-message", 1, "an error message on standard error",
		    "\"%.*s%s\" on standard error", (int)n, p->err + i,
		    i + n < p->err_len && p->err[i + n] != '\n' && p->err[i + n] != '\r' ? "..." : "");
		return;
	}
	if (!judge_check(c, "stderr", "stderr-message", 0, "an error message on standard error",
	    p->err_len ? "only white space on standard error" : "nothing on standard error"))
		*failed = 1;
}

void
judge_check_time(struct res_case *c, const struct judge_in *in, const struct judge_proc *p,
    int *failed)
{
	char exp[64];

	if (in->s->expect.max_seconds <= 0 || !p->ended)
		return;
	/* as every deadline: slower under valgrind or a --timeout-scale */
	double lim = in->s->expect.max_seconds * (in->time_factor > 0 ? in->time_factor : 1);
	/* the time a busy machine kept it from a CPU is not the program's */
	double own = p->seconds - p->queued_seconds;
	snprintf(exp, sizeof(exp), "ends within %.1f s", lim);
	if (p->queued_seconds >= 0.05) {
		if (!judge_check(c, "time", judge_end_cause(in, in->s->role != SCN_SERVER, "too-slow"),
		    own <= lim, exp, "ended after %.2f s, %.2f s of it waiting for a CPU",
		    p->seconds, p->queued_seconds))
			*failed = 1;
	} else if (!judge_check(c, "time", judge_end_cause(in, in->s->role != SCN_SERVER, "too-slow"),
	    own <= lim, exp, "ended after %.2f s", p->seconds))
		*failed = 1;
}

void
judge_check_port(struct res_case *c, const struct judge_in *in, int *failed)
{
	const struct scn *s = in->s;

	if (s->expect.port_usable != SCN_YES || s->role != SCN_SERVER || !in->ready)
		return;
	/* `listening`: sockcheck read the port from the server's own socket, as no
	 * client can (the finder found it ephemeral and never printed, or not the
	 * port its command line gave it) */
	if (judge_check(c, "port", "hidden-port",
	    in->p->progs[kind_student(s, 0)].port_mode != PROF_PORT_LISTENING,
	    "it listens where a client can learn: the port it was given, one fixed in its "
	    "source, or one it prints",
	    "it listens on port %u, which it never told anyone: bind the port it was given, "
	    "or print the one it got", in->port))
		return;
	*failed = 1;
	judge_diag(c, "sockcheck read port %u from the server's own listening socket to run the "
	    "other cases; a user of the program has no way to. The port from the command line "
	    "goes through htons(atoi(argv[1])) into sin_port; a port the kernel chooses (port 0) "
	    "is found with getsockname() after bind() and printed.", in->port);
}
