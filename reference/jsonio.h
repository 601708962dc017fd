/*
 * jsonio: how sockcheck's own JSON files (results.json, grade.json,
 * manifest.json, summary.json, the peers' event logs, the finder cache)
 * are read and how bytes go into them, for the harness and the reference
 * peers alike. Every reader of those files goes through jsonio_load*, every
 * string that may hold bytes a program printed, sent or named goes in
 * with jsonio_bytes and out with jsonio_decode, so whatever a student
 * program puts in them (NUL, invalid UTF-8) comes back byte for byte.
 *
 * The encoding of bytes as a JSON string: a valid UTF-8 sequence stands
 * for itself (text stays readable with jq); any other byte B (0x80-0xFF)
 * is the code point U+10FF00+B, a private-use code point. A code point of
 * U+10FF80..U+10FFFF in the bytes is itself written byte by byte, so the
 * decoding (those code points back to their low byte) is exact. NUL is
 * "\u0000": the readers allow it (JSON_ALLOW_NUL), the writers emit ASCII
 * (JSON_ENSURE_ASCII).
 */
#ifndef SC_JSONIO_H
#define SC_JSONIO_H

#include <stddef.h>

#include <jansson.h>

/* A file sockcheck wrote; NULL with `je` filled (je->text) when unreadable. */
json_t *jsonio_load_file(const char *path, json_error_t *je);

/* One document (one line of an event log) of `len` bytes. */
json_t *jsonio_loadb(const char *buf, size_t len, json_error_t *je);

/* `n` bytes as a JSON string (above); NULL only when out of memory. */
json_t *jsonio_bytes(const void *p, size_t n);

/* A C string as jsonio_bytes, NULL as JSON null. */
json_t *jsonio_str(const char *s);

/*
 * The bytes of a string written by jsonio_bytes: malloc'd, NUL-terminated,
 * `len` (may be NULL) set to their count; NULL when `v` is not a string.
 */
char *jsonio_decode(const json_t *v, size_t *len);

/* jsonio_decode into `dst` (cut to fit, NUL-terminated); "" when `v` is not a string. */
void jsonio_copy(char *dst, size_t size, const json_t *v);

/*
 * The text of a document as sockcheck writes its files (ASCII, `flags`
 * plus JSON_ENSURE_ASCII), with a final newline; `len` gets its length.
 * (not NUL-terminated). NULL when it cannot be serialised. The caller frees.
 */
char *jsonio_dumps(const json_t *root, size_t flags, size_t *len);

#endif
