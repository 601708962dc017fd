/*
 * run_data: the scenario's data, generated on the fly (ref_payload.h): its
 * size and digest, written to a file, compared with what a program wrote.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsx.h"
#include "ref_mangle.h"
#include "run_case.h"

/*
 * Time for the data: a case gets its scenario's `timeout` plus its data at
 * FLOOR_RATE. The rate is one that a correct textbook program (reads and
 * writes of 30 bytes, BUF_SIZE 30) beats on a loaded 2-core machine: it
 * moved 256 MiB in 42-44 s (6 MB/s) with a CPU hog on every core and five
 * other test runs beside it, and in 5-9 s on a quiet one. 2 MiB/s leaves it a
 * third of that. (tests/textbook-load.sh runs the suite under such a load.)
 */
#define FLOOR_RATE (2.0 * 1024 * 1024)

static enum ref_pattern
to_ref_pattern(enum scn_pattern p)
{
	switch (p) {
	case SCN_PAT_BINARY: return REF_PAT_BINARY;
	case SCN_PAT_RANDOM: return REF_PAT_RANDOM;
	case SCN_PAT_ZERO: return REF_PAT_ZERO;
	default: return REF_PAT_TEXT;
	}
}

/* Transfer digest of a generated payload or literal text, without storing it. */
int
run_input_digest(const struct scn_input *in, char hex[REF_DIGEST_HEX], uint64_t *size)
{
	struct ref_digest d;

	if (ref_digest_init(&d) < 0)
		return -1;
	if (in->text) {
		ref_digest_update(&d, in->text, in->text_len);
		*size = in->text_len;
	} else {
		struct ref_payload pl;
		unsigned char *buf = malloc(1 << 18);
		size_t n;
		if (buf == NULL) {
			ref_digest_final(&d, hex);
			return -1;
		}
		ref_payload_init(&pl, to_ref_pattern(in->pattern), in->seed, in->size);
		*size = 0;
		while ((n = ref_payload_read(&pl, buf, 1 << 18)) > 0) {
			ref_digest_update(&d, buf, n);
			*size += n;
		}
		free(buf);
	}
	ref_digest_final(&d, hex);
	return 0;
}

/* The input's first bytes (at most `len`) into `buf`; returns their count. */
size_t
run_input_head(const struct scn_input *in, char *buf, size_t len)
{
	struct ref_payload pl;

	if (in->text) {
		size_t n = in->text_len < len ? in->text_len : len;
		memcpy(buf, in->text, n);
		return n;
	}
	ref_payload_init(&pl, to_ref_pattern(in->pattern), in->seed, in->size);
	return ref_payload_read(&pl, buf, len);
}

/*
 * The first offset where `path` differs from the input, -1 when it is a
 * prefix or equal; *expected: the input's byte there, -1 past its end.
 */
int64_t
run_first_difference(const char *dir, const char *name, const struct scn_input *in,
    int *expected)
{
	unsigned char a[65536], b[65536];
	struct ref_payload pl;
	int64_t off = 0;
	int fd = fsx_open_beneath(dir, name, O_RDONLY | O_NONBLOCK, 0);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	size_t n;

	*expected = -1;
	if (f == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!in->text)
		ref_payload_init(&pl, to_ref_pattern(in->pattern), in->seed, in->size);
	while ((n = fread(a, 1, sizeof(a), f)) > 0) {
		size_t m;
		if (in->text) {
			m = (uint64_t)off < in->text_len ? in->text_len - (size_t)off : 0;
			if (m > n)
				m = n;
			memcpy(b, in->text + off, m);
		} else {
			m = ref_payload_read(&pl, b, n);
		}
		for (size_t i = 0; i < m; i++)
			if (a[i] != b[i]) {
				fclose(f);
				*expected = b[i];
				return off + (int64_t)i;
			}
		if (m < n) {		/* longer than the data: the extra starts here */
			fclose(f);
			return off + (int64_t)m;
		}
		off += (int64_t)n;
	}
	fclose(f);
	return -1;
}

/* Write the input into the open file `fd` (`name` for messages). */
int
run_write_input_fd(int fd, const char *name, const struct scn_input *in, char hex[REF_DIGEST_HEX],
    uint64_t *size, struct sc_err *err)
{
	if (in->text) {
		for (size_t off = 0; off < in->text_len; ) {
			ssize_t w = write(fd, in->text + off, in->text_len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return sc_err_sys(err, "%s", name);
			off += (size_t)w;
		}
		*size = in->text_len;
		return run_input_digest(in, hex, size);
	}
	char ebuf[256];
	if (ref_payload_write_fd(fd, name, to_ref_pattern(in->pattern), in->seed, in->size, hex,
	    ebuf, sizeof(ebuf)) < 0)
		return sc_err_set(err, "%s", ebuf);
	*size = in->size;
	return 0;
}

/* 64 bytes of text, the default data of a scenario that names none. */
static const struct scn_input default_input = {
	.set = 1, .size = 64, .pattern = SCN_PAT_TEXT, .seed = 1,
};

const struct scn_input *
run_peer_input(const struct scn *s, size_t i)
{
	if (i < s->npeers && s->peers[i].input.set)
		return &s->peers[i].input;
	return s->input.set ? &s->input : &default_input;
}

int
run_peer_has_flag(const struct scn *s, const char *flag)
{
	for (size_t i = 0; i < s->npeers; i++)
		for (size_t k = 0; k < s->peers[i].nflags; k++)
			if (strcmp(s->peers[i].flags[k], flag) == 0)
				return 1;
	return 0;
}

/* The bytes a case moves one way: the served file, or what the peers send. */
uint64_t
run_data_size(const struct scn *s)
{
	uint64_t total = 0;
	const struct scn_input *in;

	if (s->npeers == 0 || s->protocol == SCN_FILE) {
		in = run_peer_input(s, SIZE_MAX);
		return in->size > in->text_len ? in->size : in->text_len;
	}
	for (size_t i = 0; i < s->npeers; i++) {
		in = run_peer_input(s, i);
		total += in->size > in->text_len ? in->size : in->text_len;
	}
	return total;
}

double
run_case_seconds(const struct scn *s)
{
	return s->timeout_s + (double)run_data_size(s) / FLOOR_RATE;
}

void
run_echo_messages(const struct scn *s, struct judge_msg **out, size_t *n)
{
	int mangle = run_peer_has_flag(s, "--mangle");

	*out = NULL;
	*n = 0;
	if (s->protocol == SCN_FILE || s->role == SCN_SERVER || s->stdin_spec.nlines == 0)
		return;
	*out = calloc(s->stdin_spec.nlines, sizeof(**out));
	if (*out == NULL)
		return;
	for (size_t i = 0; i < s->stdin_spec.nlines; i++) {
		const char *line = s->stdin_spec.lines[i];
		size_t len = strlen(line);
		char *text = malloc(len + 1);
		if (text == NULL)
			continue;
		memcpy(text, line, len + 1);
		if (mangle)
			for (size_t k = 0; k < len; k++)
				text[k] = (char)ref_mangle_byte((unsigned char)text[k]);
		(*out)[*n].text = text;
		(*out)[*n].len = len;
		(*out)[*n].sent = line;
		(*n)++;
	}
}
