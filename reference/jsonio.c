/*
 * jsonio: sockcheck's JSON, read and written so that bytes survive (jsonio.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"

#define ESC_BASE 0x10FF00u	/* byte B that is not UTF-8: U+10FF00 + B */
#define ESC_LOW 0x10FF80u	/* the code points that stand for a byte */

json_t *
jsonio_load_file(const char *path, json_error_t *je)
{
	return json_load_file(path, JSON_ALLOW_NUL, je);
}

json_t *
jsonio_loadb(const char *buf, size_t len, json_error_t *je)
{
	return json_loadb(buf, len, JSON_ALLOW_NUL, je);
}

/*
 * The length (1-4) of the valid UTF-8 sequence at p (at most n bytes) and
 * its code point; 0 when the bytes there are not one (overlong forms,
 * surrogates and code points above U+10FFFF are not).
 */
static size_t
utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2, c = p[0] & 0x1f, min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3, c = p[0] & 0x0f, min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4, c = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static size_t
utf8_put(unsigned char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (unsigned char)(0xc0 | c >> 6);
		o[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (unsigned char)(0xe0 | c >> 12);
		o[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | c >> 18);
	o[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (c & 0x3f));
	return 4;
}

json_t *
jsonio_bytes(const void *data, size_t n)
{
	const unsigned char *p = data ? data : (const unsigned char *)"";
	unsigned char *u;
	size_t k = 0;
	json_t *s;

	if (data == NULL)
		n = 0;
	/* the common case, valid UTF-8 without an escape code point, as it is */
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t len = utf8_seq(p + i, n - i, &c);
		if (len == 0 || c >= ESC_LOW)
			goto escape;
		i += len;
	}
	return json_stringn((const char *)p, n);
escape:
	if ((u = malloc(n * 4 + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t len = utf8_seq(p + i, n - i, &c);
		if (len == 0 || c >= ESC_LOW) {
			k += utf8_put(u + k, ESC_BASE + p[i]);
			i++;
		} else {
			memcpy(u + k, p + i, len);
			k += len;
			i += len;
		}
	}
	s = json_stringn((const char *)u, k);
	free(u);
	return s;
}

json_t *
jsonio_str(const char *s)
{
	return s ? jsonio_bytes(s, strlen(s)) : json_null();
}

char *
jsonio_decode(const json_t *v, size_t *len)
{
	const unsigned char *p;
	size_t n, k = 0;
	char *out;

	if (!json_is_string(v))
		return NULL;
	p = (const unsigned char *)json_string_value(v);
	n = json_string_length(v);
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	/* jansson holds valid UTF-8: an escape code point is F4 8F BE/BF xx */
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t l = utf8_seq(p + i, n - i, &c);
		if (l == 4 && c >= ESC_LOW) {
			out[k++] = (char)(c & 0xff);
			i += 4;
		} else {
			l = l ? l : 1;
			memcpy(out + k, p + i, l);
			k += l;
			i += l;
		}
	}
	out[k] = '\0';
	if (len)
		*len = k;
	return out;
}

void
jsonio_copy(char *dst, size_t size, const json_t *v)
{
	size_t n = 0;
	char *s = jsonio_decode(v, &n);

	if (size == 0)
		return;
	if (n >= size)
		n = size - 1;
	if (s)
		memcpy(dst, s, n);
	dst[s ? n : 0] = '\0';
	free(s);
}

char *
jsonio_dumps(const json_t *root, size_t flags, size_t *len)
{
	char *text = json_dumps(root, flags | JSON_ENSURE_ASCII);
	size_t n;

	if (text == NULL)
		return NULL;
	n = strlen(text);	/* ASCII with every NUL escaped: strlen is the length */
	text[n] = '\n';	/* over the terminating NUL: the length is returned */
	*len = n + 1;
	return text;
}
