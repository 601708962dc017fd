/* err: caller-owned error messages with optional source positions. */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

void
sc_err_clear(struct sc_err *err)
{
	memset(err, 0, sizeof(*err));
}

int
sc_err_set(struct sc_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	sc_err_clear(err);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
sc_err_sys(struct sc_err *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t len;

	if (err == NULL)
		return -1;
	sc_err_clear(err);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

/* Copy line `line` (1-based) of `path` into `out`, tabs kept, newline dropped. */
static void
read_source_line(const char *path, int line, char *out, size_t outsz)
{
	FILE *fp;
	int c, cur = 1;
	size_t n = 0;

	out[0] = '\0';
	if (path == NULL || line <= 0 || (fp = fopen(path, "re")) == NULL)
		return;
	while (cur < line && (c = getc(fp)) != EOF)
		if (c == '\n')
			cur++;
	if (cur == line) {
		while ((c = getc(fp)) != EOF && c != '\n' && n + 1 < outsz)
			out[n++] = (char)c;
		out[n] = '\0';
	}
	fclose(fp);
}

int
sc_err_at(struct sc_err *err, const char *file, int line, int col,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	sc_err_clear(err);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->col = col;
	read_source_line(file, line, err->excerpt, sizeof(err->excerpt));
	return -1;
}

void
sc_err_wrap(struct sc_err *err, const char *fmt, ...)
{
	char prefix[SC_ERR_MSG_MAX], old[SC_ERR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation keeps the head of the message, which names the context. */
	size_t n = strnlen(prefix, sizeof(err->msg) - 1);
	memcpy(err->msg, prefix, n);
	size_t room = sizeof(err->msg) - n;
	if (room > 2) {
		memcpy(err->msg + n, ": ", 2);
		n += 2;
		room -= 2;
		size_t m = strnlen(old, room - 1);
		memcpy(err->msg + n, old, m);
		n += m;
	}
	err->msg[n] = '\0';
}

void
sc_err_print(FILE *out, const char *prog, const struct sc_err *err)
{
	int i;

	if (prog != NULL)
		fprintf(out, "%s: ", prog);
	if (err->file[0] != '\0' && err->line > 0)
		fprintf(out, "%s:%d:%d: %s\n", err->file, err->line, err->col,
		    err->msg);
	else if (err->file[0] != '\0')
		fprintf(out, "%s: %s\n", err->file, err->msg);
	else
		fprintf(out, "%s\n", err->msg);
	if (err->excerpt[0] == '\0' || err->col <= 0)
		return;
	fprintf(out, "    %s\n    ", err->excerpt);
	/* Keep tabs so that the caret lines up under a tab-indented excerpt. */
	for (i = 0; i < err->col - 1 && err->excerpt[i] != '\0'; i++)
		fputc(err->excerpt[i] == '\t' ? '\t' : ' ', out);
	fputs("^\n", out);
}
