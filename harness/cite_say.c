/*
 * cite_say: the sentence under a cited line: what that call did and what
 * belongs there (cite_int.h).
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cite_int.h"
#include "judge.h"

/* The first argument of `call(` in `text` (a variable's name), or "". */
static void
first_arg(const char *text, const char *call, char *buf, size_t len)
{
	size_t n = strlen(call), o = 0;
	const char *s = text;
	int depth = 0;

	buf[0] = '\0';
	while (n > 0 && text && (s = strstr(s, call)) != NULL) {
		const char *q = s + n;
		if ((s == text || !(isalnum((unsigned char)s[-1]) || s[-1] == '_')) &&
		    *(q += strspn(q, " ")) == '(') {
			for (q++; *q == ' '; q++)
				;
			for (; *q && o + 1 < len; q++) {
				if ((*q == ',' || *q == ')') && depth == 0)
					break;
				depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
				buf[o++] = *q;
			}
			while (o > 0 && buf[o - 1] == ' ')
				o--;
			buf[o] = '\0';
			return;
		}
		s += n;
	}
}

/*
 * What each kind of line says, by role (the cause, or a variant of it).
 * Placeholders: {call} the call with its first argument ("close(csd)"),
 * {fd} that argument (or "sock"), {err} strerror(arg), {n} arg, {sig} the
 * signal, {end} what the call returns at the end (NULL, -1, 0), {ret} what
 * a spinning read returned, {eintr} the advice for EINTR, {v4} the
 * IPv6-capable way, {after} the advice after a failed setup call.
 */
static const struct { const char *role, *text; } says[] = {
	{ "close-not-shutdown", "{call} closes both directions: shutdown({fd}, SHUT_WR) here, "
	  "then read the reply, then close()" },
	{ "no-shutdown", "{call} is the last write of the data: shutdown({fd}, SHUT_WR) belongs "
	  "after it, so the client sees the end" },
	{ "no-shutdown-read", "{call} waits for the client's reply while the client still waits "
	  "for the end of the data: shutdown({fd}, SHUT_WR) belongs just before it" },
	{ "sigpipe-death", "{call} raised SIGPIPE: the peer had closed the connection; ignore "
	  "SIGPIPE or pass MSG_NOSIGNAL, and handle EPIPE" },
	{ "spin", "{call} kept returning {ret} and the loop around it called it again: close "
	  "the connection or stop when it fails" },
	{ "short-write", "{call} accepted only {n} bytes and the rest was never written: loop "
	  "until every byte is written" },
	{ "missing-served-file", "{call} failed ({err}) and its result was used all the same: "
	  "check it before using it" },
	{ "ipv4-only", "{call} is IPv4 only: {v4}" },
	{ "no-eof-exit", "{call} reached the end of standard input and the program went on: "
	  "stop when it returns {end}" },
	{ "repeat", "{call} sent again after the end of standard input" },
	{ "echo-missing", "{call} takes whatever has arrived, which may be part of the echo: "
	  "loop until as many bytes as were sent came back" },
	{ "crash", "the program died of {sig} here" },
	{ "use", "the program died of {sig} here, using that result" },
	{ "exit-0-on-error", "{call} failed here ({err}) and the program went on to exit with "
	  "status 0: say why on standard error and exit non-zero" },
	{ "error-ignored", "{call} failed here ({err}) and the program went on as if it had "
	  "worked: check its result, say why on standard error and exit non-zero" },
	{ "stderr-message", "{call} failed here ({err}), and nothing was said on standard error: "
	  "report it (perror()) and exit non-zero" },
	{ "eof-taken", "{call} returned 0 here (the other side closed) and the program went on "
	  "as if all went well: say so on standard error and exit non-zero" },
	{ "no-listen", "{call} failed here ({err}) and the server gave up: {after}" },
	{ "short-read", "{call} failed here ({err}) and the loop took it for the end of the "
	  "file: only 0 is the end{eintr}" },
	{ "short-read-stop", "the loop around {call} stopped before it returned 0: a short count "
	  "is not the end of the file" },
	{ "unfinished-read", "the loop around {call} stopped before the end of the file, so not "
	  "all of it was sent: read until it returns 0" },
	{ "lost-bytes", "{call} moved fewer bytes than there were: loop until every byte is "
	  "sent" },
	{ "data-mismatch", "{call} wrote other bytes than read() returned: write exactly that "
	  "count (fwrite(buf, 1, n, f) or write()), never a string function" },
	{ "data-mismatch-sent", "{call} sent other bytes than it received: send exactly the "
	  "count recv() returned" },
	{ "no-reply", "{call} returned 0 (the end of the file) here: the reply belongs after "
	  "this loop, written on the same socket" },
	{ "sent-bytes", "{call} sent other bytes than the line: send the line's length, not the "
	  "whole buffer" },
	{ "reply-before-eof", "{call} wrote the reply before read() had returned 0: a pause in "
	  "the data is not its end" },
	{ "truncated-datagram", "{call} received into a buffer smaller than the datagram, and "
	  "the rest was dropped: receive into 65507 bytes" },
	{ "no-receive-timeout", "{call} waited forever for a reply that was lost: set "
	  "SO_RCVTIMEO (or poll() with a timeout) first" },
	{ "empty-datagram", "{call} returned 0 for an empty datagram, and the server stopped: 0 "
	  "is a datagram like any other; answer it" },
	{ "datagram-unanswered", "a datagram received by {call} got no reply" },
	{ "reply-address", "{call} sent the reply elsewhere than to the sender: use the address "
	  "recvfrom() returned" },
	{ "split-datagram", "{call} sent the line in pieces: read the whole line (a buffer as "
	  "long as the longest line) and send it as one datagram" },
	{ "not-serving", "{call} failed here ({err}) and the server stopped: {after}" },
	{ "hidden-port", "{call} took a port nobody was told: bind the port given on the command "
	  "line (htons(atoi(argv[1]))), or print the one the kernel chose" },
	{ "one-client-at-a-time", "{call} serves one client until it leaves while the next "
	  "waits: serve each client in a process or thread of its own, or with poll()" },
	{ "no-eintr-retry", "{call} failed with EINTR (a signal interrupted it before anything "
	  "moved) and was not called again: when errno is EINTR, call it again" },
	{ "prints-sent", "{call} failed with EINTR and its result was not checked: the buffer "
	  "still held the line sent, and it was printed as the echo" },
	{ "unchecked-connect", "{call} failed here ({err}) and the program went on: check it, "
	  "say why on standard error and exit non-zero" },
	{ "not-streamed", "{call} reads the whole file into memory before writing any of it: "
	  "write each chunk as it arrives" },
	{ "args-unchecked", "{call} went ahead with what the arguments gave (atoi(\"abc\") is 0, an "
	  "extra argument is ignored): check argc and each argument first (strtol() for a "
	  "port), and print a usage line on standard error" },
	{ "caller", "called from here" },
};

/* The value of placeholder `key` (its length `n`) for a line. */
static const char *
placeholder(const char *key, size_t n, const struct pick *pk, const char *call,
    const char *fdv, int sig)
{
	const char *c = pk->call;

#define IS(k) (n == sizeof(k) - 1 && strncmp(key, k, n) == 0)
	if (IS("call"))
		return call;
	if (IS("fd"))
		return fdv;
	if (IS("err"))
		return strerror((int)pk->arg);
	if (IS("sig"))
		return judge_signal_name(sig) ? judge_signal_name(sig) : strsignal(sig);
	if (IS("end"))
		return strcmp(c, "fgets") == 0 ? "NULL" : strcmp(c, "getline") == 0 ? "-1" : "0";
	if (IS("ret"))
		return pk->arg ? "-1" : "0 (end of file)";
	if (IS("eintr"))
		return pk->arg == EINTR ? "; on EINTR, call it again" : "";
	if (IS("v4"))
		return strcmp(c, "socket") == 0 ? "use AF_INET6 with IPV6_V6ONLY 0, which serves "
		    "both" : strcmp(c, "getaddrinfo") == 0 ? "ask for AF_UNSPEC (hints.ai_family), "
		    "which takes ::1 as well" : "use getaddrinfo(), which takes ::1 as well";
	if (IS("after"))
		return strncmp(c, "accept", 6) == 0 ? "a failed accept() concerns one client; go "
		    "back to accept() for the next" : "check and report each call";
#undef IS
	return "";
}

char *
cite_say(const char *role, const struct pick *pk, const char *line, int sig)
{
	char fdv[64], call[96], num[32], *out = NULL;
	const char *text = NULL;
	size_t len = 0;
	FILE *f;

	for (size_t i = 0; i < sizeof(says) / sizeof(says[0]) && !text; i++)
		if (strcmp(says[i].role, role) == 0)
			text = says[i].text;
	if (text == NULL || (f = open_memstream(&out, &len)) == NULL)
		return NULL;
	first_arg(line, pk->call, fdv, sizeof(fdv));
	snprintf(call, sizeof(call), "%s(%s)", pk->call, fdv);
	if (!fdv[0])
		snprintf(fdv, sizeof(fdv), "sock");
	snprintf(num, sizeof(num), "%ld", pk->arg);
	for (const char *t = text; *t; t++) {
		const char *close = *t == '{' ? strchr(t, '}') : NULL;
		if (close == NULL) {
			fputc(*t, f);
			continue;
		}
		fputs(close - t - 1 == 1 && t[1] == 'n' ? num :
		    placeholder(t + 1, (size_t)(close - t - 1), pk, call, fdv, sig), f);
		t = close;
	}
	fclose(f);
	return out;
}
