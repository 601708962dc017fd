#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "ytree.h"

struct parse {
	yaml_parser_t p;
	const char *path;
	struct sc_err *err;
};

static int
next_event(struct parse *ps, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&ps->p, ev)) {
		yaml_mark_t m = ps->p.problem_mark;
		if (ps->p.context && ps->p.context_mark.line < m.line &&
		    strstr(ps->p.context, "plain scalar") == NULL)
			m = ps->p.context_mark;
		sc_err_at(ps->err, ps->path, (int)m.line + 1,
		    (int)m.column + 1, "YAML syntax: %s%s%s",
		    ps->p.problem ? ps->p.problem : "error",
		    ps->p.context ? " " : "", ps->p.context ? ps->p.context : "");
		return -1;
	}
	return 0;
}

static struct yt_node *
new_node(enum yt_type t, const yaml_event_t *ev)
{
	struct yt_node *n = calloc(1, sizeof(*n));
	if (n) {
		n->type = t;
		n->line = (int)ev->start_mark.line + 1;
		n->col = (int)ev->start_mark.column + 1;
	}
	return n;
}

static int
append(struct yt_node *parent, char *key, struct yt_node *key_node, struct yt_node *child)
{
	struct yt_node **items = realloc(parent->items, (parent->n + 1) * sizeof(*items));
	if (items == NULL)
		return -1;
	parent->items = items;
	if (parent->type == YT_MAP) {
		char **keys = realloc(parent->keys, (parent->n + 1) * sizeof(*keys));
		struct yt_node **kn = realloc(parent->key_nodes, (parent->n + 1) * sizeof(*kn));
		if (keys)
			parent->keys = keys;
		if (kn)
			parent->key_nodes = kn;
		if (keys == NULL || kn == NULL)
			return -1;
		parent->keys[parent->n] = key;
		parent->key_nodes[parent->n] = key_node;
	}
	parent->items[parent->n++] = child;
	return 0;
}

#define YT_MAX_ITEMS 10000

static struct yt_node *parse_node(struct parse *ps, yaml_event_t *ev, int depth);

static struct yt_node *
parse_collection(struct parse *ps, struct yt_node *n, yaml_event_type_t end, int depth)
{
	for (;;) {
		yaml_event_t ev;
		struct yt_node *key = NULL, *val;

		if (next_event(ps, &ev) < 0)
			goto fail;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return n;
		}
		if (n->n >= YT_MAX_ITEMS) {
			/* no scenario or profile is this big; the duplicate-key check is
			 * quadratic and the input may be hostile */
			sc_err_at(ps->err, ps->path, (int)ev.start_mark.line + 1,
			    (int)ev.start_mark.column + 1, "more than %d entries in one %s",
			    YT_MAX_ITEMS, n->type == YT_MAP ? "mapping" : "list");
			yaml_event_delete(&ev);
			goto fail;
		}
		if (n->type == YT_MAP) {
			key = parse_node(ps, &ev, depth + 1);
			yaml_event_delete(&ev);
			if (key == NULL)
				goto fail;
			if (key->type != YT_SCALAR) {
				sc_err_at(ps->err, ps->path, key->line, key->col, "a key must be a plain name");
				yt_free(key);
				goto fail;
			}
			if (yt_get(n, key->str)) {
				sc_err_at(ps->err, ps->path, key->line, key->col, "duplicate key '%s'", key->str);
				yt_free(key);
				goto fail;
			}
			if (next_event(ps, &ev) < 0) {
				yt_free(key);
				goto fail;
			}
		}
		val = parse_node(ps, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (val == NULL) {
			yt_free(key);
			goto fail;
		}
		if (append(n, key ? strdup(key->str) : NULL, key, val) < 0) {
			yt_free(key);
			yt_free(val);
			sc_err_set(ps->err, "out of memory");
			goto fail;
		}
	}
fail:
	yt_free(n);
	return NULL;
}

static struct yt_node *
parse_node(struct parse *ps, yaml_event_t *ev, int depth)
{
	struct yt_node *n;

	if (depth > 64) {
		sc_err_at(ps->err, ps->path, (int)ev->start_mark.line + 1,
		    (int)ev->start_mark.column + 1, "nested too deep");
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if ((n = new_node(YT_SCALAR, ev)) == NULL)
			return NULL;
		n->len = ev->data.scalar.length;
		n->str = malloc(n->len + 1);
		if (n->str == NULL) {
			free(n);
			return NULL;
		}
		memcpy(n->str, ev->data.scalar.value, n->len);
		n->str[n->len] = '\0';
		n->quoted = ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ? 2 :
		    ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		return n;
	case YAML_SEQUENCE_START_EVENT:
		if ((n = new_node(YT_SEQ, ev)) == NULL)
			return NULL;
		return parse_collection(ps, n, YAML_SEQUENCE_END_EVENT, depth);
	case YAML_MAPPING_START_EVENT:
		if ((n = new_node(YT_MAP, ev)) == NULL)
			return NULL;
		return parse_collection(ps, n, YAML_MAPPING_END_EVENT, depth);
	case YAML_ALIAS_EVENT:
		sc_err_at(ps->err, ps->path, (int)ev->start_mark.line + 1,
		    (int)ev->start_mark.column + 1, "aliases (*name) are not supported");
		return NULL;
	default:
		sc_err_at(ps->err, ps->path, (int)ev->start_mark.line + 1,
		    (int)ev->start_mark.column + 1, "unexpected YAML structure");
		return NULL;
	}
}

struct yt_node *
yt_load_file(const char *path, struct sc_err *err)
{
	struct parse ps = { .path = path, .err = err };
	struct yt_node *root = NULL;
	yaml_event_t ev;
	FILE *f = fopen(path, "rbe");

	if (f == NULL) {
		sc_err_sys(err, "%s", path);
		return NULL;
	}
	yaml_parser_initialize(&ps.p);
	yaml_parser_set_input_file(&ps.p, f);
	for (;;) {
		if (next_event(&ps, &ev) < 0)
			goto fail;
		yaml_event_type_t t = ev.type;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_DOCUMENT_START_EVENT && root != NULL) {
			sc_err_at(err, path, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
			    "only one YAML document per file");
			yaml_event_delete(&ev);
			goto fail;
		}
		if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
		    t == YAML_MAPPING_START_EVENT || t == YAML_ALIAS_EVENT) {
			root = parse_node(&ps, &ev, 0);
			yaml_event_delete(&ev);
			if (root == NULL)
				goto fail;
			continue;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&ps.p);
	fclose(f);
	if (root == NULL) {
		root = calloc(1, sizeof(*root));
		if (root) {
			root->type = YT_MAP;
			root->line = root->col = 1;
		}
	}
	return root;
fail:
	yt_free(root);
	yaml_parser_delete(&ps.p);
	fclose(f);
	return NULL;
}

void
yt_free(struct yt_node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n; i++) {
		yt_free(n->items[i]);
		if (n->keys)
			free(n->keys[i]);
		if (n->key_nodes)
			yt_free(n->key_nodes[i]);
	}
	free(n->items);
	free(n->keys);
	free(n->key_nodes);
	free(n->str);
	free(n);
}

struct yt_node *
yt_get(const struct yt_node *map, const char *key)
{
	if (map == NULL || map->type != YT_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->items[i];
	return NULL;
}
