/*
 * fnd_cache: what was found, kept per program and profile so an unchanged
 * submission is not probed again.
 */
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fnd.h"
#include "fnd_int.h"
#include "fsx.h"
#include "jsonio.h"

/* Bump when what is found, or how, changes: old cache entries then miss. */
#define FND_VERSION 3

int
fnd_cache_key(const struct fnd_env *e, const struct prof *p, enum prof_prog_kind kind,
    char hex[65])
{
	char path[PATH_MAX * 2], tmpl[512];
	const struct prof_prog *pp = &p->progs[kind];
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	struct sc_err err;
	char **argv;
	int fd;
	ssize_t r;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	/* what the probes depend on besides the program: the finder and the profile */
	snprintf(tmpl, sizeof(tmpl), "fnd %d %s %u|%s|%s|%s|%d|%s|%s|%s", FND_VERSION,
	    prof_prog_name(kind), pp->set, pp->command ? pp->command : "",
	    pp->file ? pp->file : "", pp->out ? pp->out : "", e->want_netns,
	    pp->quit ? pp->quit : "", pp->stdin_text ? pp->stdin_text : "",
	    e->inject_lib ? "trace" : "");
	EVP_DigestUpdate(ctx, tmpl, strlen(tmpl));
	argv = prof_expand(pp->command, "h", 1, "f", "o", &err);
	if (argv == NULL) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	fnd_prog_path(e, argv, path, sizeof(path));
	prof_argv_free(argv);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)r);
	close(fd);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static void
cache_dir(const struct fnd_env *e, char *out, size_t len)
{
	if (e->cache_dir)
		snprintf(out, len, "%s", e->cache_dir);
	else
		snprintf(out, len, "%s/finder-cache", e->work_dir);
}

/* Set *dst to the bytes of the string `k` of `o` (jsonio: what the program printed). */
static void
jset(char **dst, json_t *o, const char *k)
{
	char *v = jsonio_decode(json_object_get(o, k), NULL);

	fnd_set_str(dst, v);
	free(v);
}

int
fnd_cache_load(const struct fnd_env *e, const char *key, struct fnd_prog *fp)
{
	char dir[PATH_MAX], path[PATH_MAX + 80];
	json_error_t je;
	json_t *o;

	cache_dir(e, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s.json", dir, key);
	if ((o = jsonio_load_file(path, &je)) == NULL)
		return 0;
	fp->probed = 1;
	fp->cached = 1;
	fp->runs = 0;
	fp->sock = (enum fnd_sock)json_integer_value(json_object_get(o, "sock"));
	jset(&fp->command, o, "command");
	fp->port_found = json_is_true(json_object_get(o, "port_found"));
	fp->port_mode = (enum prof_port_mode)json_integer_value(json_object_get(o, "port_mode"));
	fp->fixed_port = (unsigned)json_integer_value(json_object_get(o, "fixed_port"));
	fp->port_not_given = json_is_true(json_object_get(o, "port_not_given"));
	jset(&fp->port_pattern, o, "port_pattern");
	fp->argv_file = json_is_true(json_object_get(o, "argv_file"));
	jset(&fp->file, o, "file");
	jset(&fp->open_error, o, "open_error");
	jset(&fp->out, o, "out");
	jset(&fp->stdin_text, o, "stdin");
	fp->quit_found = json_is_true(json_object_get(o, "quit_found"));
	jset(&fp->quit, o, "quit");
	fp->no_quit = json_is_true(json_object_get(o, "no_quit"));
	fp->quit_from_prompt = json_is_true(json_object_get(o, "quit_from_prompt"));
	fp->fixed_client_port = json_is_true(json_object_get(o, "fixed_client_port"));
	jset(&fp->host, o, "host");
	fp->udp_connected = json_is_true(json_object_get(o, "udp_connected"));
	jset(&fp->note, o, "note");
	json_decref(o);
	return 1;
}

void
fnd_cache_store(const struct fnd_env *e, const char *key, const struct fnd_prog *fp)
{
	char dir[PATH_MAX], path[PATH_MAX + 80], tmp[PATH_MAX + 100];
	json_t *o = json_object();
	struct sc_err err;

	if (o == NULL)
		return;
	cache_dir(e, dir, sizeof(dir));
	if (fsx_mkdirs(dir, &err) < 0) {
		json_decref(o);
		return;
	}
#define PUTS(k, v) if (v) json_object_set_new(o, k, jsonio_str(v))
	json_object_set_new(o, "sock", json_integer(fp->sock));
	PUTS("command", fp->command);
	json_object_set_new(o, "port_found", json_boolean(fp->port_found));
	json_object_set_new(o, "port_mode", json_integer(fp->port_mode));
	json_object_set_new(o, "fixed_port", json_integer(fp->fixed_port));
	json_object_set_new(o, "port_not_given", json_boolean(fp->port_not_given));
	PUTS("port_pattern", fp->port_pattern);
	json_object_set_new(o, "argv_file", json_boolean(fp->argv_file));
	PUTS("file", fp->file);
	PUTS("open_error", fp->open_error);
	PUTS("out", fp->out);
	PUTS("stdin", fp->stdin_text);
	json_object_set_new(o, "quit_found", json_boolean(fp->quit_found));
	PUTS("quit", fp->quit);
	json_object_set_new(o, "no_quit", json_boolean(fp->no_quit));
	json_object_set_new(o, "quit_from_prompt", json_boolean(fp->quit_from_prompt));
	json_object_set_new(o, "fixed_client_port", json_boolean(fp->fixed_client_port));
	PUTS("host", fp->host);
	json_object_set_new(o, "udp_connected", json_boolean(fp->udp_connected));
	PUTS("note", fp->note);
#undef PUTS
	snprintf(path, sizeof(path), "%s/%s.json", dir, key);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	if (json_dump_file(o, tmp, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII) == 0)
		rename(tmp, path);
	else
		unlink(tmp);
	json_decref(o);
}
