/*
 * grade: merge, the outputs of shards into one class (grade_merge).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "fsx.h"
#include "grade_int.h"
#include "jsonio.h"

/* ---- merge ---- */

struct manifest {
	char dir[PATH_MAX];
	char config[65];
	char *title;
	unsigned k, n;
	struct grade_cols cols;
	char **students;
	size_t nstudents;
};

static void
manifest_free(struct manifest *m)
{
	free(m->title);
	grade_cols_free(&m->cols);
	grade_free_strings(m->students, m->nstudents);
}

static int
manifest_read(const char *dir, struct manifest *m, struct sc_err *err)
{
	char path[PATH_MAX + 16];
	json_error_t je;
	json_t *root, *cases, *names, *shard;
	const char *fmt;

	memset(m, 0, sizeof(*m));
	grade_pathf(m->dir, sizeof(m->dir), "%s", dir);
	grade_pathf(path, sizeof(path), "%s/manifest.json", dir);
	if ((root = jsonio_load_file(path, &je)) == NULL)
		return fsx_is_file(path) ? sc_err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text) :
		    sc_err_set(err, "%s: no manifest.json: not the output of a finished "
		    "`sockcheck grade`", dir);
	fmt = json_string_value(json_object_get(root, "format"));
	cases = json_object_get(root, "cases");
	names = json_object_get(root, "students");
	shard = json_object_get(root, "shard");
	if (fmt == NULL || strcmp(fmt, MANIFEST_FORMAT) != 0 || !json_is_array(cases) ||
	    !json_is_array(names) || !json_is_object(shard)) {
		json_decref(root);
		return sc_err_set(err, "%s: not a sockcheck grade manifest (%s)", path, MANIFEST_FORMAT);
	}
	grade_copy_str(m->config, sizeof(m->config), json_object_get(root, "config_sha256"));
	m->title = jsonio_decode(json_object_get(root, "title"), NULL);
	m->k = (unsigned)json_integer_value(json_object_get(shard, "k"));
	m->n = (unsigned)json_integer_value(json_object_get(shard, "n"));
	m->cols.v = calloc(json_array_size(cases) + 1, sizeof(*m->cols.v));
	m->students = calloc(json_array_size(names) + 1, sizeof(*m->students));
	if (m->cols.v == NULL || m->students == NULL) {
		json_decref(root);
		return sc_err_sys(err, "%s", path);
	}
	for (size_t i = 0; i < json_array_size(cases); i++) {
		json_t *jc = json_array_get(cases, i);
		struct grade_col *k = &m->cols.v[m->cols.n++];
		k->id = strdup(json_string_value(json_object_get(jc, "id")) ?
		    json_string_value(json_object_get(jc, "id")) : "");
		k->title = strdup(json_string_value(json_object_get(jc, "title")) ?
		    json_string_value(json_object_get(jc, "title")) : "");
		k->level = strdup(json_string_value(json_object_get(jc, "level")) ?
		    json_string_value(json_object_get(jc, "level")) : "");
		k->points = (unsigned)json_integer_value(json_object_get(jc, "points"));
		k->hidden = json_is_true(json_object_get(jc, "hidden"));
	}
	for (size_t i = 0; i < json_array_size(names); i++) {
		size_t len = 0;
		char *s = jsonio_decode(json_array_get(names, i), &len);
		if (s == NULL || *s == '\0' || len != strlen(s) || strchr(s, '/') ||
		    strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
			free(s);
			json_decref(root);
			return sc_err_set(err, "%s: bad student name in 'students'", path);
		}
		m->students[m->nstudents++] = s;
	}
	json_decref(root);
	if (m->n < 1 || m->k < 1 || m->k > m->n)
		return sc_err_set(err, "%s: bad shard %u/%u", path, m->k, m->n);
	return 0;
}

struct named {
	char *name;
	const char *dir;
};

static int
cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

static int
same_dir(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int
grade_merge(const char *out_dir, char *const *dirs, size_t ndirs, int copy, struct grade_lost *lost,
    struct sc_err *err)
{
	struct manifest *m = calloc(ndirs ? ndirs : 1, sizeof(*m));
	struct named *all = NULL;
	char **names = NULL;
	const char **ndir = NULL;
	unsigned char *seen = NULL;
	size_t total = 0, loaded = 0;
	int rc = -1;

	if (m == NULL)
		return sc_err_sys(err, "merge");
	if (ndirs == 0) {
		free(m);
		return sc_err_set(err, "merge needs at least one shard directory");
	}
	for (; loaded < ndirs; loaded++) {
		if (manifest_read(dirs[loaded], &m[loaded], err) < 0) {
			loaded++;
			goto out;
		}
		total += m[loaded].nstudents;
	}
	/* one configuration, shards 1..N each once */
	for (size_t i = 1; i < ndirs; i++) {
		if (strcmp(m[i].config, m[0].config) != 0 || m[i].cols.n != m[0].cols.n) {
			sc_err_set(err, "%s and %s were graded with different configurations (suite, "
			    "assignment or options)", dirs[0], dirs[i]);
			goto out;
		}
		if (m[i].n != m[0].n) {
			sc_err_set(err, "%s is shard %u/%u but %s is shard %u/%u", dirs[0], m[0].k,
			    m[0].n, dirs[i], m[i].k, m[i].n);
			goto out;
		}
	}
	if ((seen = calloc(m[0].n + 1, 1)) == NULL) {
		sc_err_sys(err, "merge");
		goto out;
	}
	for (size_t i = 0; i < ndirs; i++) {
		if (seen[m[i].k]) {
			sc_err_set(err, "%s: shard %u/%u is given twice", dirs[i], m[i].k, m[i].n);
			goto out;
		}
		seen[m[i].k] = 1;
	}
	for (unsigned k = 1; k <= m[0].n; k++)
		if (!seen[k]) {
			sc_err_set(err, "shard %u/%u is missing (grade it with --shard %u/%u)", k,
			    m[0].n, k, m[0].n);
			goto out;
		}
	if ((all = calloc(total ? total : 1, sizeof(*all))) == NULL) {
		sc_err_sys(err, "merge");
		goto out;
	}
	total = 0;
	for (size_t i = 0; i < ndirs; i++)
		for (size_t s = 0; s < m[i].nstudents; s++)
			all[total++] = (struct named){ m[i].students[s], dirs[i] };
	qsort(all, total, sizeof(*all), cmp_named);
	for (size_t i = 1; i < total; i++)
		if (strcmp(all[i].name, all[i - 1].name) == 0) {
			sc_err_set(err, "student '%s' is in both %s and %s", all[i].name, all[i - 1].dir,
			    all[i].dir);
			goto out;
		}
	if (fsx_mkdirs(out_dir, err) < 0)
		goto out;
	if (copy) {
		char sd[PATH_MAX + 16];
		grade_pathf(sd, sizeof(sd), "%s/students", out_dir);
		if (fsx_mkdirs(sd, err) < 0)
			goto out;
		for (size_t i = 0; i < total; i++) {
			char src[PATH_MAX], dst[PATH_MAX];
			if (same_dir(all[i].dir, out_dir))
				continue;
			grade_pathf(src, sizeof(src), "%s/students/%s", all[i].dir, all[i].name);
			grade_pathf(dst, sizeof(dst), "%s/students/%s", out_dir, all[i].name);
			if (fsx_remove_tree(dst, err) < 0 ||
			    (fsx_is_dir(src) && fsx_copy_tree(src, dst, NULL, err) < 0))
				goto out;
			all[i].dir = out_dir;
		}
	}
	names = calloc(total ? total : 1, sizeof(*names));
	ndir = calloc(total ? total : 1, sizeof(*ndir));
	if (names == NULL || ndir == NULL) {
		sc_err_sys(err, "merge");
		goto out;
	}
	for (size_t i = 0; i < total; i++) {
		names[i] = all[i].name;
		ndir[i] = all[i].dir;
	}
	if (grade_write_outputs(out_dir, m[0].title, &m[0].cols, names, ndir, total, lost, err) < 0)
		goto out;
	/* a merged directory that holds every student is itself a finished grade */
	if (copy && grade_write_manifest(out_dir, m[0].config, m[0].title, &m[0].cols, 1, 1, names,
	    total, err) < 0)
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < loaded; i++)
		manifest_free(&m[i]);
	free(m);
	free(all);
	free(names);
	free(ndir);
	free(seen);
	return rc;
}
