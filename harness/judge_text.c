/* judge_text: the checks' and diagnosis's texts: recording a check, a sentence, bytes shown. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"
#include "judge_int.h"

const char *
judge_signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV (segmentation fault)";
	case SIGPIPE: return "SIGPIPE (wrote to a connection the other side had closed)";
	case SIGABRT: return "SIGABRT (abort: an assertion or a heap corruption check)";
	case SIGBUS: return "SIGBUS (bus error)";
	case SIGFPE: return "SIGFPE (arithmetic error, e.g. division by zero)";
	case SIGILL: return "SIGILL (illegal instruction)";
	case SIGKILL: return "SIGKILL";
	case SIGTERM: return "SIGTERM";
	case SIGXCPU: return "SIGXCPU (CPU time limit exceeded)";
	case SIGXFSZ: return "SIGXFSZ (file size limit exceeded)";
	case SIGINT: return "SIGINT";
	default: return NULL;
	}
}

static char *
vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (fmt == NULL)
		return NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

/*
 * Record one check with the cause it has when it fails (cause.h); returns
 * ok so callers can chain. judge_case decides afterwards which checks are
 * collateral and keeps the cause of the failed ones only.
 */
int
judge_check(struct res_case *c, const char *name, const char *cause, int ok, const char *expected,
    const char *actual_fmt, ...)
{
	struct res_check *k = realloc(c->checks, (c->nchecks + 1) * sizeof(*k));
	va_list ap;

	if (k == NULL)
		return ok;
	c->checks = k;
	k = &c->checks[c->nchecks++];
	memset(k, 0, sizeof(*k));
	k->name = strdup(name);
	k->ok = ok;
	k->cause = cause ? strdup(cause) : NULL;
	k->collateral = 0;
	k->expected = expected ? strdup(expected) : NULL;
	va_start(ap, actual_fmt);
	k->actual = vfmt(actual_fmt, ap);
	va_end(ap);
	return ok;
}

void
judge_diag(struct res_case *c, const char *fmt, ...)
{
	va_list ap;
	char *s, *joined;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	if (s == NULL)
		return;
	if (c->diagnosis == NULL) {
		c->diagnosis = s;
		return;
	}
	if (asprintf(&joined, "%s %s", c->diagnosis, s) >= 0) {
		free(c->diagnosis);
		c->diagnosis = joined;
	}
	free(s);
}

void
judge_show(char *buf, size_t len, const char *p, size_t n)
{
	size_t o = 0;

	if (len < 8) {
		if (len)
			buf[0] = '\0';
		return;
	}
	buf[o++] = '"';
	for (size_t i = 0; i < n && o + 8 < len; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch == '\n' || ch == '\r' || ch == '\t' || ch == '\0') {
			buf[o++] = '\\';
			buf[o++] = ch == '\n' ? 'n' : ch == '\r' ? 'r' : ch == '\t' ? 't' : '0';
		} else if (ch == '"' || ch == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)ch;
		} else if (ch < 0x20 || ch >= 0x7f) {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", ch);
		} else {
			buf[o++] = (char)ch;
		}
		if (i + 1 < n && o + 8 >= len) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
}
