#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonio.h"
#include "peer.h"
#include "ref_opts.h"

static struct peer_conn *
conn_get(struct peer_log *log, json_t *ev)
{
	json_int_t id = json_integer_value(json_object_get(ev, "conn"));
	struct peer_conn *c;

	if (id <= 0)
		return NULL;
	for (size_t i = 0; i < log->nconns; i++)
		if (log->conns[i].id == (unsigned)id)
			return &log->conns[i];
	c = realloc(log->conns, (log->nconns + 1) * sizeof(*c));
	if (c == NULL)
		return NULL;
	log->conns = c;
	c = &log->conns[log->nconns++];
	memset(c, 0, sizeof(*c));
	c->id = (unsigned)id;
	c->eof_t = -1;
	c->reply_t = -1;
	return c;
}

static uint64_t
u64(json_t *ev, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(ev, key));
	return v > 0 ? (uint64_t)v : 0;
}

static void
copy_str(char *dst, size_t len, json_t *ev, const char *key)
{
	jsonio_copy(dst, len, json_object_get(ev, key));
}

/* A read's head (the stream's first bytes) appended where its offset says. */
static void
add_head(struct peer_conn *c, json_t *ev)
{
	size_t len;
	char *b = jsonio_decode(json_object_get(ev, "head"), &len), *grown;

	if (b == NULL)
		return;
	if (u64(ev, "off") == c->head_in_len && len > 0 &&
	    (grown = realloc(c->head_in, c->head_in_len + len + 1)) != NULL) {
		memcpy(grown + c->head_in_len, b, len);
		c->head_in_len += len;
		grown[c->head_in_len] = '\0';
		c->head_in = grown;
	}
	free(b);
}

static void
apply_event(struct peer_log *log, json_t *ev)
{
	const char *name = json_string_value(json_object_get(ev, "ev"));
	json_int_t t = json_integer_value(json_object_get(ev, "t"));
	struct peer_conn *c;

	if (name == NULL)
		return;
	log->nevents++;
	if (t > log->last_t)
		log->last_t = t;
	if (strcmp(name, "start") == 0) {
		log->found = 1;
		return;
	}
	if (strcmp(name, "listen") == 0) {
		log->listening = 1;
		log->listen_port = (unsigned)u64(ev, "port");
		return;
	}
	if (strcmp(name, "connect_error") == 0) {
		log->connect_error = 1;
		copy_str(log->connect_errno, sizeof(log->connect_errno), ev, "error");
		return;
	}
	if (strcmp(name, "end") == 0) {
		char *m = jsonio_decode(json_object_get(ev, "message"), NULL);
		log->ended = 1;
		log->end_status = (int)json_integer_value(json_object_get(ev, "status"));
		free(log->end_message);
		log->end_message = m ? m : strdup("");
		return;
	}
	if (peer_udp_event(log, name, ev))
		return;
	if ((c = conn_get(log, ev)) == NULL)
		return;
	if (strcmp(name, "accept") == 0 || strcmp(name, "connect") == 0) {
		c->connected = 1;
	} else if (strcmp(name, "write") == 0) {
		/* running totals, for a peer stopped before its summary */
		if (!c->summary) {
			c->bytes_out += u64(ev, "n");
			c->writes++;
		}
	} else if (strcmp(name, "read") == 0) {
		uint64_t n = u64(ev, "n");
		if (!c->summary) {
			c->bytes_in += n;
			c->reads++;
		}
		if (n > c->max_read) {
			c->max_read = n;
		}
		c->same_reads = n == c->last_read ? c->same_reads + 1 : 1;
		c->last_read = n;
		if (n < c->max_read)
			c->small_reads++;
		add_head(c, ev);
	} else if (strcmp(name, "eof") == 0) {
		c->eof = 1;
		c->eof_t = t;
	} else if (strcmp(name, "read_error") == 0) {
		copy_str(c->read_error, sizeof(c->read_error), ev, "error");
		if (strcmp(c->read_error, "ECONNRESET") == 0)
			c->rst = 1;
	} else if (strcmp(name, "write_error") == 0) {
		copy_str(c->write_error, sizeof(c->write_error), ev, "error");
		if (strcmp(c->write_error, "ECONNRESET") == 0)
			c->rst = 1;
	} else if (strcmp(name, "shutdown") == 0) {
		c->shutdown = 1;
	} else if (strcmp(name, "close") == 0) {
		c->closed = 1;
		copy_str(c->close_reason, sizeof(c->close_reason), ev, "reason");
	} else if (strcmp(name, "reset") == 0) {
		c->reset_sent = 1;
	} else if (strcmp(name, "reply") == 0) {
		json_t *text = json_object_get(ev, "text");
		c->has_reply = 1;
		free(c->reply);
		/* the bytes the student sent, as the peer logged them (jsonio.h) */
		if ((c->reply = jsonio_decode(text, &c->reply_len)) == NULL) {
			c->reply = strdup("");
			c->reply_len = 0;
		}
		c->reply_before_eof = json_is_true(json_object_get(ev, "before_eof"));
		c->reply_t = t;
	} else if (strcmp(name, "mismatch") == 0) {
		if (!c->mismatch) {
			c->mismatch = 1;
			c->mismatch_off = u64(ev, "off");
			c->mismatch_expected = (int)json_integer_value(json_object_get(ev, "expected"));
			c->mismatch_got = (int)json_integer_value(json_object_get(ev, "got"));
		}
	} else if (strcmp(name, "idle") == 0) {
		c->idle_seen = 1;
		c->idle_bytes = u64(ev, "n");
	} else if (strcmp(name, "timeout") == 0) {
		copy_str(c->timeout_what, sizeof(c->timeout_what), ev, "what");
	} else if (strcmp(name, "summary") == 0) {
		c->summary = 1;
		c->bytes_out = u64(ev, "bytes_out");
		c->bytes_in = u64(ev, "bytes_in");
		c->writes = u64(ev, "writes");
		c->reads = u64(ev, "reads");
		copy_str(c->digest_out, sizeof(c->digest_out), ev, "xxh128_out");
		copy_str(c->digest_in, sizeof(c->digest_in), ev, "xxh128_in");
		if (json_is_true(json_object_get(ev, "eof")))
			c->eof = 1;
		if (json_is_true(json_object_get(ev, "rst")))
			c->rst = 1;
	}
}

int
peer_log_read(const char *path, struct peer_log *log, struct sc_err *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	memset(log, 0, sizeof(*log));
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		return sc_err_sys(err, "%s", path);
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		json_error_t jerr;
		/* a line cut short by a killed peer is skipped, not fatal */
		json_t *ev = jsonio_loadb(line, (size_t)n, &jerr);
		if (ev == NULL)
			continue;
		if (json_is_object(ev))
			apply_event(log, ev);
		json_decref(ev);
	}
	free(line);
	fclose(f);
	return 0;
}

void
peer_log_free(struct peer_log *log)
{
	for (size_t i = 0; i < log->nconns; i++) {
		free(log->conns[i].reply);
		free(log->conns[i].head_in);
	}
	free(log->conns);
	free(log->dgrams);
	free(log->end_message);
	memset(log, 0, sizeof(*log));
}

const struct peer_conn *
peer_log_conn(const struct peer_log *log, unsigned id)
{
	for (size_t i = 0; i < log->nconns; i++)
		if (log->conns[i].id == id)
			return &log->conns[i];
	return NULL;
}

/* The peer's waits on the program under test, and its pauses set against them. */
static const char *const scaled_flags[] = { "--timeout-ms", "--reply-timeout-ms", "--hold-ms",
	NULL };

static int
is_scaled(const char *flag)
{
	for (size_t i = 0; scaled_flags[i]; i++)
		if (strcmp(flag, scaled_flags[i]) == 0)
			return 1;
	return 0;
}

/* "N" times `scale`, as a number of ms (at most a day); NULL on allocation failure. */
static char *
scaled_ms(const char *value, double scale)
{
	char *end, *out;
	double v;

	errno = 0;
	v = strtod(value, &end);
	if (end == value || *end || errno || v < 0)
		return strdup(value);	/* not a number: the peer says so */
	v *= scale;
	if (v > 86400000.0)
		v = 86400000.0;
	return asprintf(&out, "%.0f", v) < 0 ? NULL : out;
}

char **
peer_argv(const char *ref_dir, const char *prog, const char *events,
    const struct scn_input *payload, char *const *flags, size_t nflags,
    char *const *args, double time_scale, struct sc_err *err)
{
	size_t nargs = 0, i = 0;
	char **argv;
	char num[2][32];
	enum ref_prog rp = ref_prog_named(prog);
	int scale = time_scale > 0 && time_scale != 1.0;

	while (args && args[nargs])
		nargs++;
	argv = calloc(1 + 2 + 6 + nflags + 4 + nargs + 1, sizeof(*argv));
	if (argv == NULL) {
		sc_err_sys(err, "peer argv");
		return NULL;
	}
	if (asprintf(&argv[i++], "%s/%s", ref_dir, prog) < 0)
		goto fail;
	if (events) {
		argv[i++] = strdup("--events");
		argv[i++] = strdup(events);
	}
	if (payload && payload->set && payload->text == NULL) {
		snprintf(num[0], sizeof(num[0]), "%llu", (unsigned long long)payload->size);
		snprintf(num[1], sizeof(num[1]), "%llu", (unsigned long long)payload->seed);
		argv[i++] = strdup("--size");
		argv[i++] = strdup(num[0]);
		argv[i++] = strdup("--pattern");
		argv[i++] = strdup(scn_pattern_name(payload->pattern));
		argv[i++] = strdup("--seed");
		argv[i++] = strdup(num[1]);
	}
	for (size_t k = 0; k < nflags; k++) {
		if (scale && k + 1 < nflags && is_scaled(flags[k])) {
			argv[i++] = strdup(flags[k]);
			argv[i++] = scaled_ms(flags[++k], time_scale);
			continue;
		}
		argv[i++] = strdup(flags[k]);
	}
	/* the peer's own defaults, scaled, where the scenario gave none */
	for (size_t d = 0; scale && rp && d < 2; d++) {
		struct ref_opts o;
		const char *flag = scaled_flags[d];
		int given = 0;
		char ms[32];
		for (size_t k = 0; k < nflags; k++)
			if (strcmp(flags[k], flag) == 0)
				given = 1;
		if (given || !ref_opts_accepts(rp, flag + 2))
			continue;
		ref_opts_defaults(rp, &o);
		snprintf(ms, sizeof(ms), "%u", d == 0 ? o.timeout_ms : o.reply_timeout_ms);
		argv[i++] = strdup(flag);
		argv[i++] = scaled_ms(ms, time_scale);
	}
	for (size_t k = 0; k < nargs; k++)
		argv[i++] = strdup(args[k]);
	for (size_t k = 0; k < i; k++)
		if (argv[k] == NULL)
			goto fail;
	return argv;
fail:
	sc_err_sys(err, "peer argv");
	peer_argv_free(argv);
	return NULL;
}

void
peer_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (size_t i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}
