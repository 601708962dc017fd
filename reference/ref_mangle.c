#include "ref_mangle.h"

unsigned char
ref_mangle_byte(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return (unsigned char)('a' + (c - 'a' + 13) % 26);
	if (c >= 'A' && c <= 'Z')
		return (unsigned char)('A' + (c - 'A' + 13) % 26);
	if (c >= '0' && c <= '9')
		return (unsigned char)('0' + (c - '0' + 5) % 10);
	return c;
}

void
ref_mangle_buf(unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = ref_mangle_byte(buf[i]);
}
