/* Capture with a cap: head and tail kept, the middle counted. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cap.h"

Test(cap, keeps_head_and_tail_and_counts_the_rest)
{
	struct cap c;
	char buf[100];
	size_t len;
	char *text;

	cap_init(&c, -1, 10, 8);
	for (int i = 0; i < 10; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		cap_add(&c, buf, sizeof(buf));
	}
	cr_assert_eq(c.total, 1000);
	text = cap_text(&c, &len);
	cr_assert_eq(memcmp(text, "aaaaaaaaaa", 10), 0);
	cr_assert_not_null(strstr(text, "982 bytes omitted"));
	cr_assert_eq(memcmp(text + len - 8, "jjjjjjjj", 8), 0);
	free(text);
	cap_free(&c);
}

Test(cap, small_output_is_kept_whole)
{
	struct cap c;
	size_t len;
	char *text;

	cap_init(&c, -1, 64, 64);
	cap_add(&c, "hello\n", 6);
	text = cap_text(&c, &len);
	cr_assert_eq(len, 6);
	cr_assert_str_eq(text, "hello\n");
	free(text);
	cap_free(&c);
}
