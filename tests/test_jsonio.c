/*
 * jsonio: every byte string survives jsonio_bytes -> a file -> jsonio_load
 * -> jsonio_decode, and valid UTF-8 is written as itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "jsonio.h"

/* bytes -> JSON text (as sockcheck writes it) -> read back -> bytes */
static void
round_trip(const char *p, size_t n)
{
	json_t *o = json_object(), *back;
	json_error_t je;
	size_t len = 0, got = 0;
	char *text, *bytes;

	json_object_set_new(o, "s", jsonio_bytes(p, n));
	cr_assert_not_null(json_object_get(o, "s"));
	text = jsonio_dumps(o, JSON_COMPACT, &len);
	cr_assert_not_null(text);
	cr_assert_eq(text[len - 1], '\n');
	for (size_t i = 0; i + 1 < len; i++)
		cr_assert((unsigned char)text[i] >= 0x20 && (unsigned char)text[i] < 0x80,
		    "not ASCII at %zu", i);
	back = jsonio_loadb(text, len, &je);
	cr_assert_not_null(back, "%s", je.text);
	bytes = jsonio_decode(json_object_get(back, "s"), &got);
	cr_assert_eq(got, n);
	cr_assert(memcmp(bytes, p, n) == 0);
	cr_assert_eq(bytes[n], '\0');
	free(bytes);
	free(text);
	json_decref(back);
	json_decref(o);
}

Test(jsonio, every_byte)
{
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	round_trip(all, sizeof(all));
	for (int i = 0; i < 256; i++)
		round_trip(all + i, 1);
	round_trip("", 0);
	round_trip("Thank you\0", 10);
	round_trip("received f\xe9 file.dat", 21);
}

Test(jsonio, utf8_as_itself)
{
	/* valid UTF-8, NUL included, is stored unchanged: readable with jq */
	json_t *s = jsonio_bytes("h\xc3\xa9llo\0!", 8);
	cr_assert_eq(json_string_length(s), 8);
	cr_assert(memcmp(json_string_value(s), "h\xc3\xa9llo\0!", 8) == 0);
	json_decref(s);
	/* a lone byte 0xe9 is U+10FFE9 */
	s = jsonio_bytes("\xe9", 1);
	cr_assert_str_eq(json_string_value(s), "\xf4\x8f\xbf\xa9");
	json_decref(s);
}

Test(jsonio, escape_code_points_and_edge_sequences)
{
	/* the escape range itself, overlongs, surrogates, cut sequences, > U+10FFFF */
	static const char *const cases[] = { "\xf4\x8f\xbe\x80", "\xf4\x8f\xbf\xbf", "\xc0\x80",
		"\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", "\xff\xfe", "a\xf4\x8f\xbd\xbf" };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		round_trip(cases[i], strlen(cases[i]));
	/* random bytes */
	unsigned seed = 7;
	char buf[512];
	for (int k = 0; k < 200; k++) {
		size_t n = (size_t)(rand_r(&seed) % (int)sizeof(buf));
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)(rand_r(&seed) & 0xff);
		round_trip(buf, n);
	}
}

Test(jsonio, nul_in_a_file)
{
	char path[] = "/tmp/sockcheck-jsonio-XXXXXX";
	int fd = mkstemp(path);
	json_error_t je;
	json_t *o;

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "{\"s\": \"a\\u0000b\"}\n", 18), 18);
	close(fd);
	o = jsonio_load_file(path, &je);
	unlink(path);
	cr_assert_not_null(o, "%s", je.text);
	cr_assert_eq(json_string_length(json_object_get(o, "s")), 3);
	json_decref(o);
}
