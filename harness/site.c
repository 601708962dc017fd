/*
 * site: the reader of the preload library's site lines (site.h). Object
 * indices are the program's own (two programs share the file), so an
 * address is resolved to its object's path as the line is read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"
#include "strv.h"

#define MAX_LINE 4200

/* The path of object `idx` of `prog`, or NULL. */
static const char *
obj_path(const struct site_log *l, const char *prog, long idx)
{
	char key[64];
	size_t k;

	if (idx < 0)
		return NULL;
	k = (size_t)snprintf(key, sizeof(key), "%s %ld ", prog, idx);
	for (size_t i = l->nobjs; i-- > 0;)
		if (strncmp(l->objs[i], key, k) == 0)
			return l->objs[i] + k;
	return NULL;
}

static int
push(void **arr, size_t *n, size_t size, const void *item)
{
	void *p = realloc(*arr, (*n + 1) * size);

	if (p == NULL)
		return -1;
	memcpy((char *)p + *n * size, item, size);
	*arr = p;
	(*n)++;
	return 0;
}

static int
parse_object(struct site_log *l, const char *line)
{
	char prog[32];
	long idx;
	int n = 0;
	char *s;

	if (sscanf(line, "object %31s %ld %n", prog, &idx, &n) < 2 || n == 0 || line[n] == '\0')
		return 0;
	if (asprintf(&s, "%s %ld %s", prog, idx, line + n) < 0)
		return -1;
	if (push((void **)&l->objs, &l->nobjs, sizeof(s), &s) < 0) {
		free(s);
		return -1;
	}
	return 0;
}

static int
parse_at(struct site_log *l, const char *line)
{
	struct site_at a;
	long obj, uobj;
	unsigned long long v, uv;
	int n = 0;

	memset(&a, 0, sizeof(a));
	if (sscanf(line, "at %31s %7s %15s %d %ld %ld %llx%n", a.prog, a.event, a.call, &a.fd,
	    &a.arg, &obj, &v, &n) != 7)
		return 0;
	a.at.obj = obj_path(l, a.prog, obj);
	a.at.vaddr = v;
	if (n > 0 && sscanf(line + n, " %ld %llx", &uobj, &uv) == 2) {
		a.up.obj = obj_path(l, a.prog, uobj);
		a.up.vaddr = a.up.obj ? uv : 0;
	}
	if (l->nat >= SITE_KEEP_FIRST + SITE_KEEP_LAST) {
		/* the last ones are a ring (put in order at the end of reading):
		 * the oldest of them is dropped */
		l->at[SITE_KEEP_FIRST + l->dropped % SITE_KEEP_LAST] = a;
		l->dropped++;
		return 0;
	}
	return push((void **)&l->at, &l->nat, sizeof(a), &a);
}

static int
parse_crash(struct site_log *l, const char *line)
{
	struct site_crash c;
	unsigned long long addr;
	int n = 0;
	const char *p;

	memset(&c, 0, sizeof(c));
	if (sscanf(line, "crash %31s %d %d %llx%n", c.prog, &c.sig, &c.code, &addr, &n) < 4 ||
	    n == 0)
		return 0;
	c.addr = addr;
	for (p = line + n; *p == ' ' && c.nframes < SITE_MAX_FRAMES;) {
		long obj;
		unsigned long long v;
		int k = 0;
		if (sscanf(p, " %ld:%llx%n", &obj, &v, &k) < 2 || k == 0)
			break;
		c.frames[c.nframes].obj = obj_path(l, c.prog, obj);
		c.frames[c.nframes].vaddr = v;
		c.nframes++;
		p += k;
	}
	return push((void **)&l->crash, &l->ncrash, sizeof(c), &c);
}

static int
parse_loaded(struct site_log *l, const char *line)
{
	const char *nm = strstr(line, " name=");
	char name[64];
	size_t n = 0;

	if (strstr(line, " sites=1") == NULL || nm == NULL ||
	    sscanf(nm, " name=%63s", name) != 1)
		return 0;
	while (l->loaded && l->loaded[n])
		n++;
	for (size_t i = 0; i < n; i++)
		if (strcmp(l->loaded[i], name) == 0)
			return 0;
	char **v = realloc(l->loaded, (n + 2) * sizeof(*v));
	if (v == NULL)
		return -1;
	l->loaded = v;
	if ((v[n] = strdup(name)) == NULL)
		return -1;
	v[n + 1] = NULL;
	return 0;
}

/* The ring of the last lines in order: its oldest is at dropped % LAST. */
static int
l_rotate(struct site_log *l)
{
	size_t k = l->dropped % SITE_KEEP_LAST;
	struct site_at *tmp;

	if (l->dropped == 0 || k == 0)
		return 0;
	if ((tmp = malloc(k * sizeof(*tmp))) == NULL)
		return -1;
	memcpy(tmp, &l->at[SITE_KEEP_FIRST], k * sizeof(*tmp));
	memmove(&l->at[SITE_KEEP_FIRST], &l->at[SITE_KEEP_FIRST + k],
	    (SITE_KEEP_LAST - k) * sizeof(*tmp));
	memcpy(&l->at[SITE_KEEP_FIRST + SITE_KEEP_LAST - k], tmp, k * sizeof(*tmp));
	free(tmp);
	return 0;
}

int
site_log_read(const char *path, struct site_log *out, struct sc_err *err)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : sc_err_sys(err, "%s", path);
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		if (len > MAX_LINE || memchr(line, '\0', (size_t)len) != NULL)
			continue;	/* not ours */
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "object ", 7) == 0)
			rc = parse_object(out, line);
		else if (strncmp(line, "at ", 3) == 0)
			rc = parse_at(out, line);
		else if (strncmp(line, "crash ", 6) == 0)
			rc = parse_crash(out, line);
		else if (strncmp(line, "loaded ", 7) == 0)
			rc = parse_loaded(out, line);
	}
	free(line);
	fclose(f);
	if (rc == 0 && l_rotate(out) < 0)
		rc = -1;
	if (rc < 0) {
		site_log_free(out);
		return sc_err_sys(err, "%s", path);
	}
	return 0;
}

void
site_log_free(struct site_log *l)
{
	free(l->at);
	free(l->crash);
	strv_free(l->loaded);
	for (size_t i = 0; i < l->nobjs; i++)
		free(l->objs[i]);
	free(l->objs);
	memset(l, 0, sizeof(*l));
}

int
site_loaded(const struct site_log *l, const char *prog)
{
	for (size_t i = 0; l->loaded && l->loaded[i]; i++)
		if (strcmp(l->loaded[i], prog) == 0)
			return 1;
	return 0;
}
