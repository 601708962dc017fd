/*
 * fnd_text: what the convention finder reads in a program's output and
 * trace (pure helpers, no process started).
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnd.h"
#include "fnd_int.h"

int
fnd_trace_parse(const char *line, struct fnd_trace_line *t)
{
	int n = 0;

	memset(t, 0, sizeof(*t));
	t->kind = FND_T_OTHER;
	t->port = -1;
	if (strncmp(line, "open ", 5) == 0) {
		const char *p;
		size_t o = 0;
		if (sscanf(line, "open %d %d %n", &t->err, &t->flags, &n) < 2 || n == 0)
			return -1;
		for (p = line + n; *p && *p != '\n' && o + 1 < sizeof(t->path); p++) {
			if (*p == '\\' && p[1]) {
				p++;
				t->path[o++] = *p == 'n' ? '\n' : *p;
			} else {
				t->path[o++] = *p;
			}
		}
		t->path[o] = '\0';
		t->kind = FND_T_OPEN;
	} else if (sscanf(line, "bind-in-use %d %d", &t->fd, &t->port) == 2) {
		t->kind = FND_T_BIND_IN_USE;
	} else if (sscanf(line, "socket %d %d %d", &t->fd, &t->domain, &t->type) == 3) {
		t->kind = FND_T_SOCKET;
	} else if (sscanf(line, "bind %d %d", &t->fd, &t->port) == 2) {
		t->kind = FND_T_BIND;
	} else if (sscanf(line, "listen %d", &t->fd) == 1) {
		t->kind = FND_T_LISTEN;
	} else if (sscanf(line, "connect %d %d %d %63s", &t->fd, &t->err, &t->port, t->addr) >= 3) {
		t->kind = FND_T_CONNECT;
	} else if (sscanf(line, "sendto %d %d %d %63s", &t->fd, &t->err, &t->port, t->addr) >= 3) {
		t->kind = FND_T_SENDTO;
	}
	if (strcmp(t->addr, "-") == 0)
		t->addr[0] = '\0';
	return 0;
}

/* The first match of `re` in text (NUL-terminated): group `g` into word. */
static int
match_word(const char *text, const char *re_src, int g, char *word, size_t wlen)
{
	regex_t re;
	regmatch_t m[4];
	int ok = 0;

	if (regcomp(&re, re_src, REG_EXTENDED | REG_ICASE) != 0)
		return 0;
	if (regexec(&re, text, 4, m, 0) == 0 && m[g].rm_so >= 0) {
		size_t n = (size_t)(m[g].rm_eo - m[g].rm_so);
		if (n > 0 && n < wlen) {
			memcpy(word, text + m[g].rm_so, n);
			word[n] = '\0';
			ok = 1;
		}
	}
	regfree(&re);
	return ok;
}

int
fnd_quit_from_prompt(const char *text, size_t len, char *word, size_t wlen)
{
	/* the word, then "to quit/exit/end/stop/finish" or "for quit"; or
	 * "quit: X" / "exit=X"; or X before the Korean 종료 ("end") */
	static const struct { const char *re; int g; } pats[] = {
		{ "[(\"' ]['\"]?([A-Za-z]{1,8})['\"]?[[:space:]]*(to|for)[[:space:]]+"
		  "(quit|exit|end|stop|finish|terminate)", 1 },
		{ "^['\"]?([A-Za-z]{1,8})['\"]?[[:space:]]*(to|for)[[:space:]]+"
		  "(quit|exit|end|stop|finish|terminate)", 1 },
		{ "(quit|exit|end)[[:space:]]*[:=][[:space:]]*['\"]?([A-Za-z]{1,8})", 2 },
		{ "['\"(]([A-Za-z]{1,8})['\"]?[^A-Za-z(]{0,6}\xec\xa2\x85\xeb\xa3\x8c", 1 },
	};
	static const char *const not_words[] = { "want", "you", "me", "key", "message", "input",
	    "enter", "press", "type", "or", "and", "a", "the", "here", "how", "ready", NULL };
	char *buf = malloc(len + 1);
	int found = 0;

	if (buf == NULL)
		return 0;
	memcpy(buf, text, len);
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	for (size_t i = 0; !found && i < sizeof(pats) / sizeof(pats[0]); i++) {
		if (!match_word(buf, pats[i].re, pats[i].g, word, wlen))
			continue;
		found = 1;
		for (size_t k = 0; not_words[k]; k++)
			if (strcasecmp(word, not_words[k]) == 0)
				found = 0;
	}
	free(buf);
	return found;
}

/* ERE-escape `s` (n bytes) into out. */
static void
ere_escape(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 3 < len; i++) {
		if (strchr(".[]()*+?{}|^$\\", s[i]))
			out[o++] = '\\';
		out[o++] = s[i];
	}
	out[o] = '\0';
}

int
fnd_port_printed(const char *text, size_t len, unsigned port, char *pattern, size_t plen)
{
	char num[16], word[32];
	size_t nlen;
	const char *hit = NULL;

	if (plen)
		pattern[0] = '\0';
	nlen = (size_t)snprintf(num, sizeof(num), "%u", port);
	/* the number as a whole number */
	for (size_t i = 0; i + nlen <= len; i++) {
		if (memcmp(text + i, num, nlen) != 0)
			continue;
		if ((i > 0 && text[i - 1] >= '0' && text[i - 1] <= '9') ||
		    (i + nlen < len && text[i + nlen] >= '0' && text[i + nlen] <= '9'))
			continue;
		hit = text + i;
		break;
	}
	if (hit == NULL)
		return 0;
	{
		/* sockcheck's default pattern finds this number first: nothing to add */
		char *buf = malloc(len + 1);
		int dflt = 0;
		if (buf) {
			memcpy(buf, text, len);
			buf[len] = '\0';
			for (size_t i = 0; i < len; i++)
				if (buf[i] == '\0')
					buf[i] = ' ';
			dflt = match_word(buf, "port[^0-9]*([0-9]+)", 1, word, sizeof(word)) &&
			    strcmp(word, num) == 0;
			free(buf);
		}
		if (dflt)
			return 1;
	}
	{
		/* the text just before the number on its line, up to 24 bytes */
		const char *b = hit;
		while (b > text && b[-1] != '\n' && b[-1] != '\r' && hit - b < 24)
			b--;
		while (b < hit && (*b == ' ' || *b == '\t'))
			b++;
		char esc[128];
		ere_escape(b, (size_t)(hit - b), esc, sizeof(esc));
		snprintf(pattern, plen, "%s([0-9]+)", esc);
	}
	return 1;
}

/* A program file under the working copy, for messages and the cache key. */
void
fnd_prog_path(const struct fnd_env *e, char *const *argv, char *out, size_t len)
{
	const char *a = argv[0];
	if (strncmp(a, "./", 2) == 0)
		a += 2;
	snprintf(out, len, "%s/%s", e->built_dir, a);
}
