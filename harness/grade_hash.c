/*
 * grade: fingerprints for resume and shards: the content hash of a
 * submission, the configuration fingerprint, the shard of a student.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fsx.h"
#include "grade_int.h"

static void
to_hex(const unsigned char *md, unsigned len, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < len && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

static int
sha256_buf(const void *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -1;
	to_hex(md, mdlen, hex);
	return 0;
}

/* ---- shards ---- */

unsigned
grade_shard_of(const char *student, unsigned n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	uint64_t v = 0;

	if (n <= 1)
		return 1;
	if (EVP_Digest(student, strlen(student), md, &mdlen, EVP_sha256(), NULL) != 1)
		return 1;
	for (int i = 0; i < 8; i++)
		v = v << 8 | md[i];
	return (unsigned)(v % n) + 1;
}

int
grade_parse_shard(const char *s, unsigned *k, unsigned *n, struct sc_err *err)
{
	char *end, *end2;
	unsigned long a, b;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	a = strtoul(s, &end, 10);
	if (errno || *end != '/' || end[1] < '0' || end[1] > '9')
		goto bad;
	b = strtoul(end + 1, &end2, 10);
	if (errno || *end2 || a < 1 || b < 1 || a > b || b > 10000)
		goto bad;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
bad:
	return sc_err_set(err, "--shard: '%s' is not K/N with 1 <= K <= N <= 10000", s);
}

/* ---- the content hash of a submission ---- */

static int
list_tree(const char *root, const char *rel, int depth, char ***v, size_t *n, size_t *cap,
    struct sc_err *err)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *e;

	if (depth > 64)
		return sc_err_set(err, "%s/%s: nested too deep", root, rel);
	grade_pathf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	if ((d = opendir(path)) == NULL)
		return sc_err_sys(err, "%s", path);
	while ((e = readdir(d)) != NULL) {
		char sub[PATH_MAX], full[PATH_MAX];
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)grade_pathf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name) >=
		    sizeof(sub) - 1) {
			closedir(d);
			return sc_err_set(err, "%s/%s: path too long", root, rel);
		}
		grade_pathf(full, sizeof(full), "%s/%s", root, sub);
		if (lstat(full, &st) < 0) {
			closedir(d);
			return sc_err_sys(err, "%s", full);
		}
		if (S_ISDIR(st.st_mode) && strcmp(e->d_name, ".git") == 0)
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			char **nv = realloc(*v, nc * sizeof(*nv));
			if (nv == NULL) {
				closedir(d);
				return sc_err_sys(err, "hash");
			}
			*v = nv;
			*cap = nc;
		}
		if (((*v)[*n] = strdup(sub)) == NULL) {
			closedir(d);
			return sc_err_sys(err, "hash");
		}
		(*n)++;
		if (S_ISDIR(st.st_mode) && list_tree(root, sub, depth + 1, v, n, cap, err) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

static int
hash_file(EVP_MD_CTX *ctx, const char *path, struct sc_err *err)
{
	unsigned char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return sc_err_sys(err, "%s", path);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			sc_err_sys(err, "%s", path);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)r);
	}
	close(fd);
	return 0;
}

int
grade_hash_tree(const char *dir, char hex[65], struct sc_err *err)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	EVP_MD_CTX *ctx = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int rc = -1;

	if (list_tree(dir, "", 0, &v, &n, &cap, err) < 0)
		goto out;
	qsort(v, n, sizeof(*v), grade_cmp_str);
	if ((ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		sc_err_set(err, "SHA-256 is not available");
		goto out;
	}
	EVP_DigestUpdate(ctx, "sockcheck-tree-1", 17);
	for (size_t i = 0; i < n; i++) {
		char full[PATH_MAX], num[64];
		struct stat st;

		grade_pathf(full, sizeof(full), "%s/%s", dir, v[i]);
		if (lstat(full, &st) < 0) {
			sc_err_sys(err, "%s", full);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			EVP_DigestUpdate(ctx, "d", 1);
			EVP_DigestUpdate(ctx, v[i], strlen(v[i]) + 1);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t len = readlink(full, target, sizeof(target) - 1);
			if (len < 0) {
				sc_err_sys(err, "%s", full);
				goto out;
			}
			target[len] = '\0';
			EVP_DigestUpdate(ctx, "l", 1);
			EVP_DigestUpdate(ctx, v[i], strlen(v[i]) + 1);
			EVP_DigestUpdate(ctx, target, (size_t)len + 1);
		} else if (S_ISREG(st.st_mode)) {
			int len = grade_pathf(num, sizeof(num), "%c%llu", (st.st_mode & 0111) ? 'x' : '-',
			    (unsigned long long)st.st_size);
			EVP_DigestUpdate(ctx, "f", 1);
			EVP_DigestUpdate(ctx, v[i], strlen(v[i]) + 1);
			EVP_DigestUpdate(ctx, num, (size_t)len + 1);
			if (hash_file(ctx, full, err) < 0)
				goto out;
		} else {
			EVP_DigestUpdate(ctx, "o", 1);
			EVP_DigestUpdate(ctx, v[i], strlen(v[i]) + 1);
		}
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		sc_err_set(err, "SHA-256 failed");
		goto out;
	}
	to_hex(md, mdlen, hex);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	grade_free_strings(v, n);
	return rc;
}

/*
 * The configuration fingerprint: whatever changes the results of an
 * unchanged submission. A change grades everyone again.
 */
int
grade_config_hash(const struct grade_opts *o, const struct grade_cols *c, char hex[65], struct sc_err *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (f == NULL)
		return sc_err_sys(err, "fingerprint");
	fprintf(f, "sockcheck-grade-1\ntool %s\nmemcheck %d\ntimeout_scale %.6g\nnetns %d\n"
	    "build_timeout %u\nasg_memcheck %d\nasg_build_timeout %u\n", SOCKCHECK_VERSION,
	    o->memcheck, o->timeout_scale, o->want_netns, o->build_timeout_s,
	    o->assignment ? o->assignment->memcheck : -1,
	    o->assignment ? o->assignment->build_timeout_s : 0);
	for (size_t i = 0; i < c->n; i++) {
		char sh[65] = "";
		uint64_t size;
		if (c->v[i].s->path && fsx_sha256_file(c->v[i].s->path, sh, &size, err) < 0) {
			fclose(f);
			free(text);
			return -1;
		}
		fprintf(f, "case %s %u %d %.6g %s\n", c->v[i].id, c->v[i].points, c->v[i].hidden,
		    c->v[i].scale, sh);
	}
	fclose(f);
	rc = sha256_buf(text, len, hex);
	free(text);
	return rc < 0 ? sc_err_set(err, "SHA-256 failed") : 0;
}
