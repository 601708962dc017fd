/*
 * The reference peers' shared code: payloads (determinism, independence of
 * how the stream is cut into reads, exact size, the shape of each pattern),
 * the payload file and its digest, the mangling of the echo, and the
 * command line (flags, sizes, ports, and the messages of bad input).
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "ref_mangle.h"
#include "ref_opts.h"
#include "ref_payload.h"

static const enum ref_pattern all_patterns[] = {
	REF_PAT_TEXT, REF_PAT_BINARY, REF_PAT_RANDOM, REF_PAT_ZERO
};
#define NPAT (sizeof(all_patterns) / sizeof(all_patterns[0]))

/* The whole payload, read in pieces of `chunk` bytes (0: random sizes from rs). */
static unsigned char *
slurp(enum ref_pattern pat, uint64_t seed, size_t size, size_t chunk, unsigned rs)
{
	struct ref_payload p;
	unsigned char *buf = malloc(size + 1);
	size_t off = 0, n;

	cr_assert_not_null(buf);
	ref_payload_init(&p, pat, seed, size);
	for (;;) {
		size_t want = chunk;
		if (want == 0) {
			rs = rs * 1103515245u + 12345u;
			want = 1 + (rs >> 8) % 5000;
		}
		/* ask for more than is left, too: the read must stop at the size */
		if (want > size + 1 - off)
			want = size + 1 - off;
		n = ref_payload_read(&p, buf + off, want);
		if (n == 0)
			break;
		cr_assert_leq(n, want);
		off += n;
		cr_assert_leq(off, size, "payload %s gave more than its size", ref_pattern_name(pat));
	}
	cr_assert_eq(off, size, "payload %s: %zu bytes, expected %zu", ref_pattern_name(pat),
	    off, size);
	cr_assert_eq(ref_payload_read(&p, buf, 10), 0, "a read after the end must give 0");
	return buf;
}

Test(payload, pattern_names_round_trip)
{
	for (size_t i = 0; i < NPAT; i++) {
		enum ref_pattern q;
		cr_assert_eq(ref_pattern_parse(ref_pattern_name(all_patterns[i]), &q), 0);
		cr_assert_eq(q, all_patterns[i]);
	}
	enum ref_pattern q;
	cr_assert_eq(ref_pattern_parse("Binary", &q), -1);
	cr_assert_eq(ref_pattern_parse("", &q), -1);
	cr_assert_str_eq(ref_pattern_name(REF_PAT_BINARY), "binary");
}

Test(payload, same_inputs_give_same_bytes)
{
	const size_t size = 100000;
	for (size_t i = 0; i < NPAT; i++) {
		unsigned char *a = slurp(all_patterns[i], 42, size, 4096, 0);
		unsigned char *b = slurp(all_patterns[i], 42, size, 4096, 0);
		cr_assert_eq(memcmp(a, b, size), 0, "%s not deterministic",
		    ref_pattern_name(all_patterns[i]));
		free(a);
		free(b);
	}
}

Test(payload, different_seeds_give_different_bytes)
{
	const size_t size = 65536;
	/* zero ignores its seed by definition */
	for (size_t i = 0; i < NPAT; i++) {
		if (all_patterns[i] == REF_PAT_ZERO)
			continue;
		for (uint64_t s = 0; s < 4; s++) {
			unsigned char *a = slurp(all_patterns[i], s, size, 4096, 0);
			unsigned char *b = slurp(all_patterns[i], s + 1, size, 4096, 0);
			cr_assert_neq(memcmp(a, b, size), 0, "%s: seeds %llu and %llu give the "
			    "same bytes", ref_pattern_name(all_patterns[i]), (unsigned long long)s,
			    (unsigned long long)s + 1);
			free(a);
			free(b);
		}
	}
	unsigned char *a = slurp(REF_PAT_RANDOM, 1, size, 4096, 0);
	unsigned char *b = slurp(REF_PAT_RANDOM, UINT64_MAX, size, 4096, 0);
	cr_assert_neq(memcmp(a, b, size), 0);
	free(a);
	free(b);
}

Test(payload, prefix_of_a_longer_payload_is_the_shorter_one)
{
	/* the harness generates inputs of one size and checks a prefix */
	for (size_t i = 0; i < NPAT; i++) {
		unsigned char *a = slurp(all_patterns[i], 9, 5000, 333, 0);
		unsigned char *b = slurp(all_patterns[i], 9, 70000, 4096, 0);
		cr_assert_eq(memcmp(a, b, 5000), 0, "%s", ref_pattern_name(all_patterns[i]));
		free(a);
		free(b);
	}
}

Test(payload, bytes_do_not_depend_on_how_reads_are_cut, .timeout = 60)
{
	const size_t size = 300007;
	const size_t chunks[] = { 1, 7, 8, 4096, 65536, 0 };
	const uint64_t seeds[] = { 0, 1, 12345, UINT64_MAX };

	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++)
		for (size_t i = 0; i < NPAT; i++) {
			unsigned char *ref = slurp(all_patterns[i], seeds[s], size, size, 0);
			for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
				for (unsigned r = 0; r < (chunks[k] ? 1u : 3u); r++) {
					unsigned char *b = slurp(all_patterns[i], seeds[s], size, chunks[k],
					    r * 7919u + 1u);
					size_t j = 0;
					while (j < size && ref[j] == b[j])
						j++;
					cr_assert_eq(j, size, "pattern %s seed %llu, reads of %zu%s: "
					    "first difference at offset %zu", ref_pattern_name(all_patterns[i]),
					    (unsigned long long)seeds[s], chunks[k],
					    chunks[k] ? "" : " (random sizes)", j);
					free(b);
				}
			}
			free(ref);
		}
}

Test(payload, exact_sizes)
{
	const size_t sizes[] = { 0, 1, 2, 7, 8, 9, 255, 256, 257, 4095, 4096, 4097, 123457 };
	for (size_t i = 0; i < NPAT; i++)
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			unsigned char *b = slurp(all_patterns[i], 3, sizes[k], 1000, 0);
			free(b);
			b = slurp(all_patterns[i], 3, sizes[k], 0, (unsigned)k);
			free(b);
		}
}

Test(payload, zero_is_all_nul)
{
	unsigned char *b = slurp(REF_PAT_ZERO, 77, 100000, 777, 0);
	for (size_t i = 0; i < 100000; i++)
		cr_assert_eq(b[i], 0, "byte %zu is %u", i, b[i]);
	free(b);
}

Test(payload, binary_has_nul_and_every_byte_value_in_its_first_64k)
{
	const size_t size = 65536;
	for (uint64_t seed = 0; seed < 5; seed++) {
		unsigned char *b = slurp(REF_PAT_BINARY, seed, size, 4096, 0);
		size_t count[256] = { 0 };
		for (size_t i = 0; i < size; i++)
			count[b[i]]++;
		for (int v = 0; v < 256; v++)
			cr_assert_gt(count[v], 0, "seed %llu: byte value %d never appears",
			    (unsigned long long)seed, v);
		/* NUL early, so a strlen-based copy breaks at once */
		cr_assert_not_null(memchr(b, 0, 512), "no NUL in the first 512 bytes");
		/* all 256 values in every 256-byte window-aligned block */
		for (size_t blk = 0; blk < size; blk += 256) {
			unsigned char seen[256] = { 0 };
			for (size_t i = 0; i < 256; i++)
				seen[b[blk + i]] = 1;
			for (int v = 0; v < 256; v++)
				cr_assert(seen[v], "block at %zu lacks value %d", blk, v);
		}
		/* it is not a plain counter: shuffled, and not periodic with period 256 */
		cr_assert_neq(memcmp(b, b + 256, 256), 0, "period 256");
		free(b);
	}
}

Test(payload, text_is_printable_lines)
{
	const size_t size = 200000;
	for (uint64_t seed = 0; seed < 3; seed++) {
		unsigned char *b = slurp(REF_PAT_TEXT, seed, size, 4096, 0);
		size_t lines = 0, linelen = 0, maxlen = 0;
		for (size_t i = 0; i < size; i++) {
			if (b[i] == '\n') {
				cr_assert_gt(linelen, 0, "empty line at %zu", i);
				lines++;
				if (linelen > maxlen)
					maxlen = linelen;
				linelen = 0;
				continue;
			}
			cr_assert(b[i] >= 0x20 && b[i] < 0x7f, "byte %zu is 0x%02x, not printable",
			    i, b[i]);
			linelen++;
		}
		cr_assert_gt(lines, 1000, "only %zu lines", lines);
		cr_assert_lt(maxlen, 128, "line of %zu bytes", maxlen);
		free(b);
	}
}

Test(payload, random_is_not_degenerate)
{
	const size_t size = 1 << 16;
	unsigned char *b = slurp(REF_PAT_RANDOM, 5, size, 4096, 0);
	size_t count[256] = { 0 };
	for (size_t i = 0; i < size; i++)
		count[b[i]]++;
	for (int v = 0; v < 256; v++) {
		/* expected 256 each; a fair stream stays well inside these bounds */
		cr_assert_gt(count[v], 128, "value %d appears %zu times", v, count[v]);
		cr_assert_lt(count[v], 384, "value %d appears %zu times", v, count[v]);
	}
	free(b);
}

/* XXH3-128 of a file, hex, with libxxhash's one-shot call on the whole
 * content (independent of ref_digest's streaming). */
static void
xxh128_file(const char *path, char hex[REF_DIGEST_HEX])
{
	FILE *f = fopen(path, "rb");
	size_t len, got;
	unsigned char *buf;
	XXH128_canonical_t canon;

	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	buf = malloc(len + 1);
	cr_assert_not_null(buf);
	got = fread(buf, 1, len, f);
	fclose(f);
	cr_assert_eq(got, len);
	XXH128_canonicalFromHash(&canon, XXH3_128bits(buf, len));
	free(buf);
	for (unsigned i = 0; i < sizeof(canon.digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", canon.digest[i]);
}

static long
file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

Test(payload, write_file_digest_is_the_files_xxh128, .timeout = 60)
{
	const uint64_t sizes[] = { 0, 1, 1000, (1 << 18) - 1, 1 << 18, (1 << 18) + 1, 3000001 };
	char path[] = "/tmp/test_ref_payload_XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	for (size_t i = 0; i < NPAT; i++)
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			char got[REF_DIGEST_HEX], want[REF_DIGEST_HEX], err[256] = "";
			int rc = ref_payload_write_file(path, all_patterns[i], 11, sizes[k], got, err,
			    sizeof(err));
			cr_assert_eq(rc, 0, "write_file: %s", err);
			cr_assert_eq(file_size(path), (long)sizes[k]);
			xxh128_file(path, want);
			cr_assert_str_eq(got, want, "%s, %llu bytes", ref_pattern_name(all_patterns[i]),
			    (unsigned long long)sizes[k]);
			/* and the file holds the stream itself */
			if (sizes[k] <= 3000001) {
				unsigned char *b = slurp(all_patterns[i], 11, (size_t)sizes[k], 4096, 0);
				unsigned char *fb = malloc((size_t)sizes[k] + 1);
				FILE *f = fopen(path, "rb");
				cr_assert_eq(fread(fb, 1, (size_t)sizes[k], f), (size_t)sizes[k]);
				fclose(f);
				cr_assert_eq(memcmp(b, fb, (size_t)sizes[k]), 0);
				free(b);
				free(fb);
			}
		}
	/* XXH3-128 of nothing, as xxhsum -H2 prints it */
	char got[REF_DIGEST_HEX], err[256];
	cr_assert_eq(ref_payload_write_file(path, REF_PAT_TEXT, 1, 0, got, err, sizeof(err)), 0);
	cr_assert_str_eq(got, "99aa06d3014798d86001c324468d497f");
	unlink(path);
}

Test(payload, write_file_reports_an_unwritable_path)
{
	char hex[REF_DIGEST_HEX], err[256] = "";
	int rc = ref_payload_write_file("/nonexistent-dir/x/y.bin", REF_PAT_TEXT, 1, 10, hex, err,
	    sizeof(err));
	cr_assert_eq(rc, -1);
	cr_assert_not_null(strstr(err, "/nonexistent-dir/x/y.bin"), "message: %s", err);
}

/* ---- mangle ---- */

Test(mangle, rot13_letters_and_digits_plus_5)
{
	cr_assert_eq(ref_mangle_byte('a'), 'n');
	cr_assert_eq(ref_mangle_byte('n'), 'a');
	cr_assert_eq(ref_mangle_byte('z'), 'm');
	cr_assert_eq(ref_mangle_byte('A'), 'N');
	cr_assert_eq(ref_mangle_byte('Z'), 'M');
	cr_assert_eq(ref_mangle_byte('0'), '5');
	cr_assert_eq(ref_mangle_byte('7'), '2');
	cr_assert_eq(ref_mangle_byte('9'), '4');
	for (int c = 0; c < 256; c++) {
		unsigned char m = ref_mangle_byte((unsigned char)c);
		if (isalnum(c) && c < 0x80)
			cr_assert_neq(m, c, "0x%02x unchanged", c);
		else
			cr_assert_eq(m, c, "0x%02x changed to 0x%02x", c, m);
		/* a letter stays a letter of the same case, a digit a digit */
		cr_assert_eq(!!islower(m), c < 0x80 && !!islower(c));
		cr_assert_eq(!!isupper(m), c < 0x80 && !!isupper(c));
		cr_assert_eq(!!isdigit(m), c < 0x80 && !!isdigit(c));
		/* ROT13 and +5 mod 10 are their own inverses */
		cr_assert_eq(ref_mangle_byte(m), c, "not an involution at 0x%02x", c);
	}
}

Test(mangle, buffer_same_length_different_bytes)
{
	unsigned char buf[] = "Hello, World 2024!\n\0\xff";
	unsigned char orig[sizeof(buf)];
	memcpy(orig, buf, sizeof(buf));
	ref_mangle_buf(buf, sizeof(buf));
	cr_assert_eq(memcmp(buf, "Uryyb, Jbeyq 7579!\n\0\xff", sizeof(buf)), 0, "got %s", buf);
	ref_mangle_buf(buf, sizeof(buf));
	cr_assert_eq(memcmp(buf, orig, sizeof(buf)), 0);
	ref_mangle_buf(buf, 0);	/* nothing to do, nothing touched */
	cr_assert_eq(memcmp(buf, orig, sizeof(buf)), 0);
}

/* ---- options ---- */

static int
parse(enum ref_prog prog, struct ref_opts *o, char *err, size_t errlen, ...)
{
	static char *argv[64];
	static char store[64][2048];
	va_list ap;
	int argc = 0;
	const char *a;

	argv[argc++] = strcpy(store[0], "peer");
	va_start(ap, errlen);
	while ((a = va_arg(ap, const char *)) != NULL) {
		cr_assert_lt(argc, 63);
		cr_assert_lt(strlen(a), sizeof(store[0]));
		argv[argc] = strcpy(store[argc], a);
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return ref_opts_parse(argc, argv, prog, o, err, errlen);
}

#define P(prog, ...) parse((prog), &o, err, sizeof(err), __VA_ARGS__, (const char *)NULL)

Test(opts, defaults)
{
	struct ref_opts o;
	char err[512];
	cr_assert_eq(P(REF_FILE_CLIENT, "127.0.0.1", "80", "out"), 0, "%s", err);
	cr_assert_eq(o.prog, REF_FILE_CLIENT);
	cr_assert_eq(o.close_after, -1);
	cr_assert_eq(o.reset_after, -1);
	cr_assert_eq(o.timeout_ms, 30000);
	cr_assert_eq(o.max_clients, -1);
	cr_assert_eq(o.reply_timeout_ms, 5000);
	cr_assert_eq(o.chunk, 0);
	cr_assert_eq(o.reply_len, 10);
	cr_assert_eq(memcmp(o.reply, "Thank you\n", 10), 0);
	cr_assert_eq(o.pattern, REF_PAT_TEXT);
	cr_assert_eq(o.have_size, 0);
	cr_assert_null(o.events);
	cr_assert_null(o.bind);
	cr_assert_eq(o.nargs, 3);
	cr_assert_str_eq(o.args[0], "127.0.0.1");
	cr_assert_str_eq(o.args[2], "out");
}

Test(opts, common_flags)
{
	struct ref_opts o;
	char err[512];
	cr_assert_eq(P(REF_ECHO_CLIENT, "--events", "3", "--chunk", "7", "--gap-us", "1000",
	    "--close-after", "100", "--reset-after", "200", "--rcvbuf", "4096", "--read-size", "9",
	    "--read-pause-us", "50", "--no-read-ms", "20", "--unasked", "5", "--timeout-ms", "1500",
	    "--delay-connect-ms", "30", "127.0.0.1", "7"), 0, "%s", err);
	cr_assert_str_eq(o.events, "3");
	cr_assert_eq(o.chunk, 7);
	cr_assert_eq(o.gap_us, 1000);
	cr_assert_eq(o.close_after, 100);
	cr_assert_eq(o.reset_after, 200);
	cr_assert_eq(o.rcvbuf, 4096);
	cr_assert_eq(o.read_size, 9);
	cr_assert_eq(o.read_pause_us, 50);
	cr_assert_eq(o.no_read_ms, 20);
	cr_assert_eq(o.unasked, 5);
	cr_assert_eq(o.timeout_ms, 1500);
	cr_assert_eq(o.delay_connect_ms, 30);
	cr_assert_eq(o.nargs, 2);
	cr_assert_str_eq(o.args[1], "7");
}

Test(opts, equals_form)
{
	struct ref_opts o;
	char err[512];
	cr_assert_eq(P(REF_ECHO_SERVER, "--chunk=16", "--events=/tmp/x.jsonl", "0"), 0, "%s", err);
	cr_assert_eq(o.chunk, 16);
	cr_assert_str_eq(o.events, "/tmp/x.jsonl");
}

Test(opts, server_flags)
{
	struct ref_opts o;
	char err[512];
	cr_assert_eq(P(REF_ECHO_SERVER, "--mangle", "--delay-accept-ms", "250", "--max-clients",
	    "3", "--bind", "::1", "0"), 0, "%s", err);
	cr_assert_eq(o.mangle, 1);
	cr_assert_eq(o.delay_accept_ms, 250);
	cr_assert_eq(o.max_clients, 3);
	cr_assert_str_eq(o.bind, "::1");
	cr_assert_eq(P(REF_FILE_SERVER, "--no-shutdown", "--hold-ms", "700", "--close-instead",
	    "--no-reply-wait", "--reply-timeout-ms", "900", "--size", "1MiB", "--pattern", "binary",
	    "--seed", "99", "--max-clients", "0", "0", "-"), 0, "%s", err);
	cr_assert_eq(o.no_shutdown, 1);
	cr_assert_eq(o.hold_ms, 700);
	cr_assert_eq(o.have_hold, 1);
	cr_assert_eq(o.close_instead, 1);
	cr_assert_eq(o.no_reply_wait, 1);
	cr_assert_eq(o.reply_timeout_ms, 900);
	cr_assert_eq(o.have_size, 1);
	cr_assert_eq(o.size, 1048576);
	cr_assert_eq(o.pattern, REF_PAT_BINARY);
	cr_assert_eq(o.seed, 99);
	cr_assert_eq(o.max_clients, 0);
	cr_assert_str_eq(o.args[1], "-");
}

Test(opts, client_flags)
{
	struct ref_opts o;
	char err[512];
	cr_assert_eq(P(REF_ECHO_CLIENT, "--size", "0", "--pattern", "zero", "--seed",
	    "18446744073709551615", "--idle-ms", "40", "--hold-ms", "60", "--expect-nothing",
	    "::1", "9"), 0, "%s", err);
	cr_assert_eq(o.have_size, 1);
	cr_assert_eq(o.size, 0);
	cr_assert_eq(o.pattern, REF_PAT_ZERO);
	cr_assert_eq(o.seed, UINT64_MAX);
	cr_assert_eq(o.idle_ms, 40);
	cr_assert_eq(o.hold_ms, 60);
	cr_assert_eq(o.expect_nothing, 1);
	cr_assert_eq(P(REF_FILE_CLIENT, "--no-reply", "--reply-early", "1.2.3.4", "9", "o"), 0,
	    "%s", err);
	cr_assert_eq(o.no_reply, 1);
	cr_assert_eq(o.reply_early, 1);
	cr_assert_eq(P(REF_ECHO_CLIENT, "--pattern", "random", "h", "p"), 0, "%s", err);
	cr_assert_eq(o.pattern, REF_PAT_RANDOM);
	cr_assert_eq(P(REF_ECHO_CLIENT, "--pattern", "text", "h", "p"), 0, "%s", err);
	cr_assert_eq(o.pattern, REF_PAT_TEXT);
}

Test(opts, reply_escapes)
{
	struct ref_opts o;
	char err[512];
	cr_assert_eq(P(REF_FILE_CLIENT, "--reply", "Thak you\\r\\n\\t\\\\\\x00\\xfF!", "h", "1",
	    "o"), 0, "%s", err);
	cr_assert_eq(o.reply_len, 15, "reply of %zu bytes", o.reply_len);
	cr_assert_eq(memcmp(o.reply, "Thak you\r\n\t\\\0\xff!", 15), 0);
	cr_assert_eq(P(REF_FILE_CLIENT, "--reply", "", "h", "1", "o"), 0, "%s", err);
	cr_assert_eq(o.reply_len, 0);
	cr_assert_eq(P(REF_FILE_CLIENT, "--reply", "bad\\q", "h", "1", "o"), -1);
	cr_assert_not_null(strstr(err, "--reply"), "%s", err);
	cr_assert_eq(P(REF_FILE_CLIENT, "--reply", "bad\\x4", "h", "1", "o"), -1);
	cr_assert_eq(P(REF_FILE_CLIENT, "--reply", "bad\\xzz", "h", "1", "o"), -1);
	/* up to 1024 bytes of reply fit, more do not */
	static char big[1100];
	memset(big, 'a', 1024);
	big[1024] = '\0';
	cr_assert_eq(P(REF_FILE_CLIENT, "--reply", big, "h", "1", "o"), 0, "%s", err);
	cr_assert_eq(o.reply_len, 1024);
	strcat(big, "a");
	cr_assert_eq(P(REF_FILE_CLIENT, "--reply", big, "h", "1", "o"), -1, "1025 bytes accepted");
	cr_assert_not_null(strstr(err, "--reply"), "%s", err);
}

Test(opts, sizes_with_suffixes)
{
	struct ref_opts o;
	char err[512];
	const struct { const char *s; uint64_t v; } cases[] = {
		{ "0", 0 }, { "1", 1 }, { "1KiB", 1024 }, { "3K", 3072 }, { "1MiB", 1048576 },
		{ "64MiB", 64ull << 20 }, { "2M", 2ull << 20 }, { "1GiB", 1ull << 30 },
		{ "5G", 5ull << 30 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(P(REF_ECHO_CLIENT, "--size", cases[i].s, "h", "1"), 0, "%s: %s",
		    cases[i].s, err);
		cr_assert_eq(o.size, cases[i].v, "%s gave %llu", cases[i].s,
		    (unsigned long long)o.size);
		cr_assert_eq(P(REF_ECHO_SERVER, "--close-after", cases[i].s, "1"), 0, "%s", err);
		cr_assert_eq((uint64_t)o.close_after, cases[i].v);
	}
	cr_assert_eq(P(REF_ECHO_SERVER, "--chunk", "4KiB", "1"), 0, "%s", err);
	cr_assert_eq(o.chunk, 4096);
	cr_assert_eq(P(REF_ECHO_SERVER, "--rcvbuf", "1MiB", "1"), 0, "%s", err);
	cr_assert_eq(o.rcvbuf, 1 << 20);
	const char *bad[] = { "1kib", "1KB", "1 KiB", "KiB", "1.5MiB", "1MiBx", "0x10", "",
	    "99999999999999999999", "17179869184GiB" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(P(REF_ECHO_CLIENT, "--size", bad[i], "h", "1"), -1, "'%s' accepted",
		    bad[i]);
		cr_assert_not_null(strstr(err, "--size"), "'%s': message '%s'", bad[i], err);
	}
	/* suffixes only where a size is meant */
	cr_assert_eq(P(REF_ECHO_CLIENT, "--timeout-ms", "1K", "h", "1"), -1);
	cr_assert_not_null(strstr(err, "--timeout-ms"), "%s", err);
}

Test(opts, negative_numbers_are_refused)
{
	struct ref_opts o;
	char err[512];
	const char *flags[] = { "--size", "--chunk", "--close-after", "--reset-after", "--timeout-ms",
	    "--rcvbuf", "--seed", "--read-size" };
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		cr_assert_eq(P(REF_ECHO_CLIENT, flags[i], "-1", "h", "1"), -1, "%s -1 accepted",
		    flags[i]);
		cr_assert_not_null(strstr(err, flags[i]), "%s: message '%s'", flags[i], err);
		cr_assert_not_null(strstr(err, "-1"), "%s: message '%s' lacks the value", flags[i],
		    err);
	}
	/* " -1" would pass strtoull as a huge number */
	cr_assert_eq(P(REF_ECHO_CLIENT, "--size", " -1", "h", "1"), -1, "' -1' accepted");
}

Test(opts, ranges)
{
	struct ref_opts o;
	char err[512];
	cr_assert_eq(P(REF_ECHO_CLIENT, "--chunk", "0", "h", "1"), -1);
	cr_assert_not_null(strstr(err, "--chunk"), "%s", err);
	cr_assert_eq(P(REF_ECHO_CLIENT, "--read-size", "0", "h", "1"), -1);
	cr_assert_not_null(strstr(err, "--read-size"), "%s", err);
	cr_assert_eq(P(REF_ECHO_CLIENT, "--chunk", "1GiB", "h", "1"), 0, "%s", err);
	cr_assert_eq(P(REF_ECHO_CLIENT, "--chunk", "1073741825", "h", "1"), -1);
	cr_assert_eq(P(REF_ECHO_CLIENT, "--timeout-ms", "86400000", "h", "1"), 0, "%s", err);
	cr_assert_eq(P(REF_ECHO_CLIENT, "--timeout-ms", "86400001", "h", "1"), -1);
	cr_assert_eq(P(REF_ECHO_CLIENT, "--gap-us", "60000001", "--chunk", "1", "h", "1"), -1);
	cr_assert_eq(P(REF_ECHO_CLIENT, "--seed", "18446744073709551616", "h", "1"), -1);
	cr_assert_not_null(strstr(err, "--seed"), "%s", err);
}

Test(opts, gap_needs_chunk)
{
	struct ref_opts o;
	char err[512];
	cr_assert_eq(P(REF_ECHO_SERVER, "--gap-us", "100", "1"), -1);
	cr_assert_not_null(strstr(err, "--gap-us"), "%s", err);
	cr_assert_not_null(strstr(err, "--chunk"), "%s", err);
}

Test(opts, unknown_flags)
{
	struct ref_opts o;
	char err[512];
	cr_assert_eq(P(REF_ECHO_SERVER, "--bogus", "1"), -1);
	cr_assert_not_null(strstr(err, "--bogus"), "%s", err);
	cr_assert_eq(P(REF_ECHO_SERVER, "-x", "1"), -1);
	cr_assert_not_null(strstr(err, "-x"), "%s", err);
	/* a flag of another program is unknown here */
	cr_assert_eq(P(REF_ECHO_SERVER, "--no-reply", "1"), -1);
	cr_assert_not_null(strstr(err, "--no-reply"), "%s", err);
	cr_assert_eq(P(REF_FILE_CLIENT, "--mangle", "h", "1", "o"), -1);
	cr_assert_not_null(strstr(err, "--mangle"), "%s", err);
	cr_assert_eq(P(REF_ECHO_CLIENT, "--max-clients", "1", "h", "1"), -1);
	cr_assert_not_null(strstr(err, "--max-clients"), "%s", err);
	cr_assert_eq(P(REF_FILE_SERVER, "--delay-connect-ms", "1", "1", "f"), -1);
	cr_assert_not_null(strstr(err, "--delay-connect-ms"), "%s", err);
	cr_assert_eq(P(REF_ECHO_SERVER, "--size", "1", "1"), -1);
	cr_assert_not_null(strstr(err, "--size"), "%s", err);
}

Test(opts, missing_values)
{
	struct ref_opts o;
	char err[512];
	const char *flags[] = { "--chunk", "--events", "--size", "--timeout-ms", "--bind",
	    "--max-clients" };
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		cr_assert_eq(P(REF_ECHO_SERVER, flags[i]), -1, "%s without a value accepted",
		    flags[i]) ;
		/* --size is not an echo_server flag: "unknown" is the right message there */
		if (strcmp(flags[i], "--size") == 0)
			continue;
		cr_assert_not_null(strstr(err, flags[i]), "%s: message '%s'", flags[i], err);
		cr_assert_not_null(strstr(err, "value"), "%s: message '%s' does not say a value "
		    "is missing", flags[i], err);
	}
	cr_assert_eq(P(REF_FILE_CLIENT, "h", "1", "o", "--reply"), 0,
	    "after the positional arguments everything is positional (+)");
	cr_assert_eq(P(REF_FILE_CLIENT, "--reply"), -1);
	cr_assert_not_null(strstr(err, "--reply"), "%s", err);
}

Test(opts, positional_args_stop_flag_parsing)
{
	struct ref_opts o;
	char err[512];
	cr_assert_eq(P(REF_ECHO_SERVER, "--chunk", "3", "8080", "--bogus"), 0, "%s", err);
	cr_assert_eq(o.nargs, 2);
	cr_assert_str_eq(o.args[0], "8080");
	cr_assert_eq(P(REF_ECHO_SERVER, "--", "--chunk"), 0, "%s", err);
	cr_assert_eq(o.nargs, 1);
	cr_assert_str_eq(o.args[0], "--chunk");
}

Test(opts, help)
{
	struct ref_opts o;
	char err[512];
	cr_assert_eq(P(REF_ECHO_SERVER, "--help"), 1);
	cr_assert_eq(P(REF_FILE_CLIENT, "-h"), 1);
	const enum ref_prog progs[] = { REF_ECHO_SERVER, REF_ECHO_CLIENT, REF_FILE_SERVER,
	    REF_FILE_CLIENT };
	const char *names[] = { "echo_server", "echo_client", "file_server", "file_client" };
	for (int i = 0; i < 4; i++) {
		const char *u = ref_opts_usage(progs[i]);
		cr_assert_not_null(strstr(u, names[i]));
		cr_assert_not_null(strstr(u, "--events"));
	}
	cr_assert_not_null(strstr(ref_opts_usage(REF_ECHO_SERVER), "--mangle"));
	cr_assert_not_null(strstr(ref_opts_usage(REF_FILE_CLIENT), "--reply-early"));
	cr_assert_not_null(strstr(ref_opts_usage(REF_FILE_SERVER), "--no-shutdown"));
}

Test(opts, parses_again_after_an_error)
{
	/* getopt keeps global state: a failed parse must not poison the next */
	struct ref_opts o;
	char err[512];
	cr_assert_eq(P(REF_ECHO_SERVER, "-xyz", "1"), -1);
	cr_assert_eq(P(REF_ECHO_SERVER, "--chunk", "5", "1"), 0, "%s", err);
	cr_assert_eq(o.chunk, 5);
	cr_assert_eq(o.nargs, 1);
	cr_assert_eq(P(REF_ECHO_SERVER, "--chunk"), -1);
	cr_assert_eq(P(REF_ECHO_SERVER, "--mangle", "1"), 0, "%s", err);
	cr_assert_eq(o.mangle, 1);
	cr_assert_eq(o.chunk, 0, "options leak from one parse into the next");
}

/* ---- ports ---- */

Test(port, bounds)
{
	unsigned p = 12345;
	cr_assert_eq(ref_parse_port("0", &p), 0);
	cr_assert_eq(p, 0);
	cr_assert_eq(ref_parse_port("1", &p), 0);
	cr_assert_eq(p, 1);
	cr_assert_eq(ref_parse_port("8080", &p), 0);
	cr_assert_eq(p, 8080);
	cr_assert_eq(ref_parse_port("65535", &p), 0);
	cr_assert_eq(p, 65535);
	const char *bad[] = { "65536", "-1", "", "80x", "x80", "1K", "99999999999999999999999",
	    "8080 ", "0x50", "-0", " -1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = 4242;
		cr_assert_eq(ref_parse_port(bad[i], &p), -1, "port '%s' accepted", bad[i]);
		cr_assert_eq(p, 4242, "'%s' changed the port on failure", bad[i]);
	}
}
