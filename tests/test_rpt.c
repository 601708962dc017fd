/*
 * rpt_xml_text: what the XML reporters (HTML, JUnit, the dashboard) make of
 * a program's bytes.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "rpt.h"

/* a literal's bytes, NULs included, without its terminator */
#define LIT(s) (s), (sizeof(s) - 1)

static void
expect_text(const char *in, size_t n, const char *keep, const char *want)
{
	char *got = rpt_xml_text(in, n, keep);

	cr_assert_not_null(got);
	cr_assert_str_eq(got, want);
	free(got);
}

Test(rpt, xml_text_keeps_valid_utf8)
{
	expect_text(LIT("caf\xc3\xa9 \xea\xb0\x80 \xf0\x9f\x98\x80"), "",
	    "caf\xc3\xa9 \xea\xb0\x80 \xf0\x9f\x98\x80");
}

Test(rpt, xml_text_replaces_invalid_bytes_and_controls)
{
	/* a lone continuation byte, a truncated sequence, NUL, ESC, DEL */
	expect_text(LIT("a\x80" "b\xc3"), "", "a?b?");
	expect_text(LIT("x\0y\x1b[0m\x7f"), "", "x?y?[0m?");
}

Test(rpt, xml_text_keeps_the_controls_asked_for)
{
	expect_text(LIT("l1\nl2\tt\r\x7f"), "\n\t", "l1\nl2\tt??");
	expect_text(LIT("l1\nl2\tt\r\x7f"), "\n\t\r\x7f", "l1\nl2\tt\r\x7f");
	expect_text(LIT("l1\nl2"), "", "l1?l2");
}
