/*
 * fnd_cache: what was found, kept per program and profile so an unchanged
 * submission is not probed again.
 */
#include <fcntl.h>
#include <gelf.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fnd.h"
#include "fnd_int.h"
#include "fsx.h"
#include "jsonio.h"

/* Bump when what is found, or how, changes: old cache entries then miss. */
#define FND_VERSION 3

/*
 * The program as it runs: every section of the ELF file but its debug
 * information and build id, which name the directory it was built in (a
 * run without --report-dir builds in a new one each time). -1: not ELF.
 */
static int
hash_elf(EVP_MD_CTX *ctx, int fd)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	size_t shstr;

	if (elf_version(EV_CURRENT) == EV_NONE ||
	    (elf = elf_begin(fd, ELF_C_READ, NULL)) == NULL)
		return -1;
	if (elf_kind(elf) != ELF_K_ELF || gelf_getehdr(elf, &eh) == NULL ||
	    elf_getshdrstrndx(elf, &shstr) < 0) {
		elf_end(elf);
		return -1;
	}
	EVP_DigestUpdate(ctx, eh.e_ident, sizeof(eh.e_ident));
	EVP_DigestUpdate(ctx, &eh.e_type, sizeof(eh.e_type));
	EVP_DigestUpdate(ctx, &eh.e_machine, sizeof(eh.e_machine));
	EVP_DigestUpdate(ctx, &eh.e_entry, sizeof(eh.e_entry));
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d = NULL;
		if (gelf_getshdr(scn, &sh) == NULL ||
		    (name = elf_strptr(elf, shstr, sh.sh_name)) == NULL)
			continue;
		if (strncmp(name, ".debug", 6) == 0 || strcmp(name, ".note.gnu.build-id") == 0)
			continue;
		EVP_DigestUpdate(ctx, name, strlen(name) + 1);
		EVP_DigestUpdate(ctx, &sh.sh_addr, sizeof(sh.sh_addr));
		EVP_DigestUpdate(ctx, &sh.sh_size, sizeof(sh.sh_size));
		while (sh.sh_type != SHT_NOBITS && (d = elf_rawdata(scn, d)) != NULL)
			if (d->d_buf && d->d_size)
				EVP_DigestUpdate(ctx, d->d_buf, d->d_size);
	}
	elf_end(elf);
	return 0;
}

int
fnd_cache_key(const struct fnd_env *e, const struct prof *p, enum prof_prog_kind kind,
    char hex[65])
{
	char path[PATH_MAX * 2], tmpl[2048];
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
	/* what the probes depend on besides the program: the finder (this very
	 * sockcheck: a cache kept across runs misses once it is rebuilt) and
	 * the profile */
	struct stat self;
	if (stat("/proc/self/exe", &self) < 0)
		memset(&self, 0, sizeof(self));
	snprintf(tmpl, sizeof(tmpl), "fnd %d %s %lu.%ld.%lld|%s %u|%s|%s|%s|%d|%s|%s|%s",
	    FND_VERSION, SOCKCHECK_VERSION, (unsigned long)self.st_ino, (long)self.st_mtime,
	    (long long)self.st_size, prof_prog_name(kind), pp->set, pp->command ? pp->command : "",
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
	if (hash_elf(ctx, fd) < 0) {
		/* not an ELF file (a script, say): all of it */
		lseek(fd, 0, SEEK_SET);
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			EVP_DigestUpdate(ctx, buf, (size_t)r);
	}
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

/*
 * What is kept of a struct fnd_prog, one row per field: load and store
 * read the same table, so a field added here is both written and read back.
 */
enum field_kind { F_STR, F_BOOL, F_INT, F_UINT };

static const struct field {
	const char *key;
	enum field_kind kind;
	size_t off;
} fields[] = {
#define F(k, kind, member) { k, kind, offsetof(struct fnd_prog, member) }
	F("sock", F_INT, sock),
	F("command", F_STR, command),
	F("port_found", F_BOOL, port_found),
	F("port_mode", F_INT, port_mode),
	F("fixed_port", F_UINT, fixed_port),
	F("port_not_given", F_BOOL, port_not_given),
	F("port_pattern", F_STR, port_pattern),
	F("argv_file", F_BOOL, argv_file),
	F("file", F_STR, file),
	F("open_error", F_STR, open_error),
	F("out", F_STR, out),
	F("stdin", F_STR, stdin_text),
	F("quit_found", F_BOOL, quit_found),
	F("quit", F_STR, quit),
	F("no_quit", F_BOOL, no_quit),
	F("quit_from_prompt", F_BOOL, quit_from_prompt),
	F("fixed_client_port", F_BOOL, fixed_client_port),
	F("host", F_STR, host),
	F("udp_connected", F_BOOL, udp_connected),
	F("note", F_STR, note),
#undef F
};

/* the enums kept as F_INT are int-sized (read and written through an int) */
_Static_assert(sizeof(enum fnd_sock) == sizeof(int) && sizeof(enum prof_port_mode) == sizeof(int),
    "fnd_cache: an enum field is not int-sized");

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
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *v = json_object_get(o, fields[i].key);
		void *at = (char *)fp + fields[i].off;
		char *str;
		switch (fields[i].kind) {
		case F_STR:	/* jsonio: the bytes the program printed */
			str = jsonio_decode(v, NULL);
			fnd_set_str((char **)at, str);
			free(str);
			break;
		case F_BOOL: *(int *)at = json_is_true(v); break;
		case F_INT: *(int *)at = (int)json_integer_value(v); break;
		case F_UINT: *(unsigned *)at = (unsigned)json_integer_value(v); break;
		}
	}
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
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const void *at = (const char *)fp + fields[i].off;
		switch (fields[i].kind) {
		case F_STR:
			if (*(char *const *)at)
				json_object_set_new(o, fields[i].key, jsonio_str(*(char *const *)at));
			break;
		case F_BOOL:
			json_object_set_new(o, fields[i].key, json_boolean(*(const int *)at));
			break;
		case F_INT:
			json_object_set_new(o, fields[i].key, json_integer(*(const int *)at));
			break;
		case F_UINT:
			json_object_set_new(o, fields[i].key, json_integer(*(const unsigned *)at));
			break;
		}
	}
	snprintf(path, sizeof(path), "%s/%s.json", dir, key);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	if (json_dump_file(o, tmp, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII) == 0)
		rename(tmp, path);
	else
		unlink(tmp);
	json_decref(o);
}
