/*
 * rpt_write: writing reports into a directory, each atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/xmlstring.h>

#include "rpt.h"

int
rpt_atomic_write(const char *path, const char *data, size_t len, struct sc_err *err)
{
	char tmp[4096];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= sizeof(tmp))
		return sc_err_set(err, "%s: path too long", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return sc_err_sys(err, "%s", tmp);
	for (size_t off = 0; off < len; ) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sc_err_sys(err, "%s", tmp);
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		sc_err_sys(err, "%s", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		sc_err_sys(err, "rename %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

static const struct fmt {
	const char *name, *file;
	int (*write)(const struct res_run *, const char *, const struct rpt_opts *, struct sc_err *);
} formats[] = {
	{ "json", "results.json", rpt_json },
	{ "junit", "junit.xml", rpt_junit },
	{ "tap", "results.tap", rpt_tap },
	{ "md", "summary.md", rpt_md },
	{ "html", "report.html", rpt_html },
	{ "gradescope", "gradescope.json", rpt_gradescope },
	{ "autolab", "autolab.txt", rpt_autolab },
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

int
rpt_write_all(const struct res_run *run, const char *list, const char *dir,
    const struct rpt_opts *o, struct sc_err *err)
{
	char buf[512], *save = NULL, path[4096];

	snprintf(buf, sizeof(buf), "%s", list);
	/* check every name before writing anything */
	for (char *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < NFORMATS && strcmp(formats[i].name, f) != 0; i++)
			;
		if (i == NFORMATS)
			return sc_err_set(err, "unknown report format '%s' (json, junit, tap, md, html, "
			    "gradescope, autolab)", f);
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return sc_err_sys(err, "%s", dir);
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save))
		for (size_t i = 0; i < NFORMATS; i++)
			if (strcmp(formats[i].name, f) == 0) {
				snprintf(path, sizeof(path), "%s/%s", dir, formats[i].file);
				if (formats[i].write(run, path, o, err) < 0)
					return -1;
			}
	return 0;
}

void
rpt_score_line(const struct res_run *run, char *buf, size_t len)
{
	struct res_scope sc;

	buf[0] = '\0';
	if (run->max_score == 0)
		return;
	res_scope(run, &sc);
	if (sc.skipped_points == 0)
		snprintf(buf, len, "score %u/%u", run->score, run->max_score);
	else
		snprintf(buf, len, "score %u/%u for the programs present (%s); %u point%s in skipped "
		    "cases", run->score, sc.ran_points, sc.programs[0] ? sc.programs : "none",
		    sc.skipped_points, sc.skipped_points == 1 ? "" : "s");
}

char *
rpt_xml_text(const char *s, size_t n, const char *keep)
{
	char *out = malloc(n + 1);
	size_t k = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; ) {
		int len = n - i > 4 ? 4 : (int)(n - i);
		int ch = xmlGetUTF8Char((const unsigned char *)s + i, &len);

		if (ch < 0 || len <= 0 ||
		    ((ch < 0x20 || ch == 0x7f) && (ch == 0 || strchr(keep, ch) == NULL))) {
			out[k++] = '?';
			i++;
			continue;
		}
		memcpy(out + k, s + i, (size_t)len);
		k += (size_t)len;
		i += (size_t)len;
	}
	out[k] = '\0';
	return out;
}
