/*
 * grade: the per-student stamp (students/NAME/grade.json) that resume
 * trusts, and the writing of sockcheck's own JSON files.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "fsx.h"
#include "grade_int.h"
#include "jsonio.h"
#include "rpt.h"

int
grade_write_json(const char *path, json_t *root, struct sc_err *err)
{
	char *text;
	size_t len;
	int rc;

	if (root == NULL)
		return sc_err_set(err, "%s: could not build the document", path);
	text = jsonio_dumps(root, JSON_INDENT(2), &len);
	json_decref(root);
	if (text == NULL)
		return sc_err_set(err, "%s: could not serialise", path);
	rc = rpt_atomic_write(path, text, len, err);
	free(text);
	return rc;
}

int
grade_stamp_write(const char *dir, const char *student, const struct grade_stamp *s, struct sc_err *err)
{
	char path[PATH_MAX];

	grade_pathf(path, sizeof(path), "%s/grade.json", dir);
	return grade_write_json(path, json_pack("{s:s, s:o, s:s, s:s, s:s, s:b, s:i, s:i, s:f, s:o}",
	    "format", STAMP_FORMAT, "student", jsonio_str(student), "submission_sha256", s->sub_hash,
	    "config_sha256", s->config, "build", s->build, "complete", s->complete,
	    "score", (int)s->score, "max_score", (int)s->max_score, "seconds", s->seconds,
	    "message", s->message[0] ? jsonio_str(s->message) : json_null()), err);
}

void
grade_copy_str(char *dst, size_t len, const json_t *v)
{
	jsonio_copy(dst, len, v);
}

int
grade_stamp_read(const char *dir, struct grade_stamp *s, char *why, size_t whylen)
{
	char path[PATH_MAX];
	json_t *root;
	json_error_t je;

	memset(s, 0, sizeof(*s));
	grade_pathf(path, sizeof(path), "%s/grade.json", dir);
	if ((root = jsonio_load_file(path, &je)) == NULL) {
		if (!fsx_is_file(path))
			return 0;
		grade_pathf(why, whylen, "%s: line %d: %s", path, je.line, je.text);
		return -1;
	}
	if (!json_is_string(json_object_get(root, "format")) ||
	    strcmp(json_string_value(json_object_get(root, "format")), STAMP_FORMAT) != 0) {
		json_decref(root);
		grade_pathf(why, whylen, "%s: not a sockcheck grade stamp (%s)", path, STAMP_FORMAT);
		return -1;
	}
	grade_copy_str(s->sub_hash, sizeof(s->sub_hash), json_object_get(root, "submission_sha256"));
	grade_copy_str(s->config, sizeof(s->config), json_object_get(root, "config_sha256"));
	grade_copy_str(s->build, sizeof(s->build), json_object_get(root, "build"));
	grade_copy_str(s->message, sizeof(s->message), json_object_get(root, "message"));
	s->complete = json_is_true(json_object_get(root, "complete"));
	s->score = (unsigned)json_integer_value(json_object_get(root, "score"));
	s->max_score = (unsigned)json_integer_value(json_object_get(root, "max_score"));
	s->seconds = json_number_value(json_object_get(root, "seconds"));
	json_decref(root);
	return 1;
}

int
grade_results_readable(const char *path)
{
	json_error_t je;
	json_t *root = jsonio_load_file(path, &je);
	int ok = root && json_is_array(json_object_get(root, "cases"));

	json_decref(root);
	return ok;
}

/* Builds that produced results.json. */
int
grade_build_has_results(const char *build)
{
	return strcmp(build, "ok") == 0 || strcmp(build, "no-programs") == 0;
}
