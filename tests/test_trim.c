/* trim: large files cut to head, tail, first difference and digest; a cap held. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ref_digest.h"
#include "scratch.h"
#include "trim.h"

TestSuite(trim, .init = mk_tmp, .fini = rm_tmp, .timeout = 20);

/* n bytes where byte i is (i * 7 + i / 251) & 0xff: every region differs */
static char *
pattern(size_t n)
{
	char *b = malloc(n);
	for (size_t i = 0; i < n; i++)
		b[i] = (char)((i * 7 + i / 251) & 0xff);
	return b;
}

static char *
slurp(const char *rel, size_t *n)
{
	char path[PATH_MAX];
	struct stat st;
	FILE *f;
	char *b;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	if (stat(path, &st) < 0)
		return NULL;
	b = malloc((size_t)st.st_size + 1);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	*n = fread(b, 1, (size_t)st.st_size, f);
	b[*n] = '\0';
	fclose(f);
	return b;
}

Test(trim, keeps_head_tail_difference_and_digest)
{
	const size_t n = 3 << 20;
	const int64_t diff = 2000000;
	char *b = pattern(n), *got, hex[REF_DIGEST_HEX];
	struct ref_digest d;
	struct sc_err err;
	size_t len;

	write_bytes("w/out.dat", b, n, NULL, 0);
	ref_digest_init(&d);
	ref_digest_update(&d, b, n);
	ref_digest_final(&d, hex);
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/w", tmpdir);
	cr_assert_eq(trim_file(dir, "out.dat", &TRIM_CASE, diff, &err), 1, "%s", err.msg);

	got = slurp("w/out.dat", &len);
	cr_assert_eq(len, 64 * 1024);
	cr_assert_eq(memcmp(got, b, len), 0);
	free(got);
	got = slurp("w/out.dat.tail", &len);
	cr_assert_eq(len, 16 * 1024);
	cr_assert_eq(memcmp(got, b + n - len, len), 0);
	free(got);
	got = slurp("w/out.dat.at-2000000", &len);
	cr_assert_not_null(got);
	cr_assert_eq(len, 16 * 1024);
	cr_assert_eq(memcmp(got, b + diff - 8 * 1024, len), 0);
	free(got);
	got = slurp("w/out.dat.trimmed", &len);
	cr_assert_not_null(strstr(got, "3145728 bytes"), "%s", got);
	cr_assert_not_null(strstr(got, hex), "%s lacks %s", got, hex);
	free(got);
	free(b);
}

Test(trim, small_files_and_links_are_left_alone)
{
	char *b = pattern(2 << 20), *got, path[PATH_MAX], link[PATH_MAX];
	struct sc_err err;
	size_t len;

	write_bytes("small.dat", b, 1000, NULL, 0);
	write_bytes("outside/big.dat", b, 2 << 20, path, sizeof(path));
	snprintf(link, sizeof(link), "%s/w/link.dat", tmpdir);
	mkdir(link, 0755);
	rmdir(link);
	write_file("w/keep.txt", "x", NULL, 0);
	cr_assert_eq(symlink(path, link), 0);
	cr_assert_eq(trim_file(tmpdir, "small.dat", &TRIM_CASE, -1, &err), 0);
	snprintf(path, sizeof(path), "%s/w", tmpdir);
	cr_assert_eq(trim_tree(path, &TRIM_CASE, &err), 0, "%s", err.msg);
	cr_assert_eq(trim_file(path, "link.dat", &TRIM_CASE, -1, &err), 0);
	got = slurp("outside/big.dat", &len);
	cr_assert_eq(len, 2 << 20, "a link was followed");
	free(got);
	free(b);
}

Test(trim, a_cap_is_held)
{
	char *b = pattern(4 << 20), *got;
	unsigned removed;
	struct sc_err err;
	size_t len;

	for (int i = 0; i < 10; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "cases/c%d/work/f.dat", i);
		write_bytes(rel, b, 4 << 20, NULL, 0);
	}
	cr_assert_eq(trim_tree_size(tmpdir), 40ull << 20);
	cr_assert_eq(trim_to_cap(tmpdir, 1 << 20, &removed, &err), 0, "%s", err.msg);
	cr_assert_leq(trim_tree_size(tmpdir), 1 << 20);
	cr_assert_eq(removed, 0);
	got = slurp("cases/c3/work/f.dat.trimmed", &len);
	cr_assert_not_null(got);
	free(got);
	/* a cap the cut files still exceed: the largest go, and are listed */
	cr_assert_eq(trim_to_cap(tmpdir, 20 * 1024, &removed, &err), 0, "%s", err.msg);
	cr_assert_leq(trim_tree_size(tmpdir), 20 * 1024);
	cr_assert_gt(removed, 0);
	got = slurp("REMOVED.txt", &len);
	cr_assert_not_null(strstr(got, "cases/c"), "%s", got);
	free(got);
	free(b);
}

/* A case's capture.pcap is never cut: a pcap cut to its head is a truncated file. */
Test(trim, a_capture_is_never_cut)
{
	char *b = pattern(3 << 20), *got;
	size_t len;
	unsigned removed;
	struct sc_err err;

	write_bytes("cases/c1/capture.pcap", b, 3 << 20, NULL, 0);
	write_bytes("cases/c1/peer1.events", b, 3 << 20, NULL, 0);
	cr_assert_eq(trim_tree(tmpdir, &TRIM_CASE, &err), 0, "%s", err.msg);
	cr_assert_eq(trim_to_cap(tmpdir, 3200 * 1024, &removed, &err), 0, "%s", err.msg);
	cr_assert_eq(removed, 0);
	got = slurp("cases/c1/capture.pcap", &len);
	cr_assert_eq(len, 3 << 20, "capture.pcap was cut to %zu bytes", len);
	cr_assert_eq(memcmp(got, b, len), 0);
	cr_assert_null(slurp("cases/c1/capture.pcap.trimmed", &len));
	free(got);
	got = slurp("cases/c1/peer1.events", &len);
	cr_assert_lt(len, 3 << 20, "the event log beside it is cut");
	free(got);
	free(b);
}
