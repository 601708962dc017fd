/*
 * scn: scenarios, loaded from YAML and validated against a schema table.
 *
 * One file per scenario (scenarios/<protocol>/<role>/<name>.yaml); the id
 * is "<protocol>.<role>.<name>". The format is documented in
 * scenarios/README.md; every key there has a row in the schema table in
 * scn_load.c. The structs are plain data owned by the suite; nothing else
 * writes to them.
 */
#ifndef SC_SCN_H
#define SC_SCN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum scn_protocol { SCN_ECHO, SCN_FILE, SCN_UDP };
/* The student's side under test; PAIR runs the student's client against the student's server. */
enum scn_role { SCN_SERVER, SCN_CLIENT, SCN_PAIR };
enum scn_level { SCN_MUST, SCN_SHOULD, SCN_INFO };

/* Generated data, streamed: see reference/ref_payload.h. */
enum scn_pattern { SCN_PAT_TEXT, SCN_PAT_BINARY, SCN_PAT_RANDOM, SCN_PAT_ZERO };

struct scn_input {
	int set;		/* 0: not given (inherit) */
	uint64_t size;		/* bytes */
	enum scn_pattern pattern;
	uint64_t seed;
	char *text;		/* literal bytes instead of size/pattern, or NULL */
	size_t text_len;
};

/* What a peer's own exchange must show (echo.server peers). */
enum scn_peer_expect {
	SCN_PEER_ECHO,		/* every byte it sent came back, in order (default) */
	SCN_PEER_NOTHING,	/* it received nothing it did not ask for */
	SCN_PEER_IGNORE		/* it misbehaves on purpose; not judged */
};

struct scn_peer {
	char **flags;		/* extra argv for the reference peer, NULL-terminated */
	size_t nflags;
	unsigned delay_ms;	/* start this long after the previous peer started */
	int concurrent;		/* 1: do not wait for the previous peer to end */
	struct scn_input input;	/* overrides the scenario's input when set */
	enum scn_peer_expect expect;
};

/* Standard input of a student client. */
struct scn_stdin {
	char **lines;		/* each written followed by "\n" */
	size_t nlines;
	int quit;		/* then the profile's quit word */
	int close;		/* then end of input (default 1) */
	unsigned line_gap_ms;	/* pause between lines (default 0) */
};

enum scn_tristate { SCN_ANY = 0, SCN_YES, SCN_NO };

enum scn_exit_expect {
	SCN_EXIT_DEFAULT = 0,	/* clients: success; servers: any status, no signal */
	SCN_EXIT_SUCCESS,	/* status 0 */
	SCN_EXIT_FAILURE,	/* a non-zero status, not a signal */
	SCN_EXIT_ANY		/* anything but death by signal */
};

struct scn_expect {
	enum scn_exit_expect exit;
	enum scn_tristate data;		/* the data arrived exactly (digest, size) */
	enum scn_tristate eof;		/* file.server: the peer saw EOF after the data */
	enum scn_tristate reply;	/* YES: the reply exactly, after EOF; NO: no reply */
	enum scn_tristate stderr_message; /* YES: a non-empty message on stderr */
	enum scn_tristate output_absent;  /* file.client: no output file, or an empty one */
	enum scn_tristate closes;	/* echo.client: the client closed its connection */
	enum scn_tristate serves_next;	/* servers: the last peer (expect echo) was served */
	enum scn_tristate sent_exact;	/* echo.client: the server received the lines' bytes only */
	enum scn_tristate port_usable;	/* servers: it listens where a client can learn (argv, fixed, printed) */
	double max_seconds;		/* student must have ended by then; 0: not checked */
};

/* setup.args: the program's usual command line, spoiled (its usage) */
enum scn_args { SCN_ARGS_USUAL = 0, SCN_ARGS_EXTRA, SCN_ARGS_BAD_PORT };

/* What the runner must arrange for the student program in this case. */
struct scn_setup {
	int no_file;		/* file.server: the served file does not exist */
	int no_server;		/* clients: nothing listens on the port (refused) */
	int ipv6;		/* over ::1: servers are reached there, clients get it as host */
	int no_args;		/* the program is run with no arguments: its usage message */
	enum scn_args args;	/* extra: one argument more; bad-port: its port is not a number */
};

struct scn {
	char *id;		/* "<protocol>.<role>.<name>" */
	char *path;		/* the YAML file */
	char *title;
	enum scn_protocol protocol;
	enum scn_role role;
	enum scn_level level;
	unsigned points;
	double timeout_s;	/* before --timeout-scale */
	struct scn_input input;
	struct scn_stdin stdin_spec;
	struct scn_peer *peers;
	size_t npeers;
	struct scn_setup setup;
	struct scn_expect expect;
	char *hint;
	int memcheck;		/* -1: profile/CLI decide; 0 off; 1 on */
	char **memcheck_fail;	/* finding kinds that fail this case, or NULL for the default */
	char **inject;		/* preload fault injection settings "key=value", or NULL */
	unsigned targets;	/* aspects this case targets: bit (1u << enum cause_aspect) */
	uint64_t target_causes;	/* cause ids this case is for: bit (1 << cause_index()); they
				 * decide only who pays for the cause (res_payer), not the verdict */
};

struct scn_suite {
	struct scn **items;	/* sorted by id */
	size_t count;
};

/* Load and validate one scenario file. Returns NULL with `err` set. */
struct scn *scn_load_file(const char *path, struct sc_err *err);

/*
 * Load every *.yaml under `dir` (recursively). Stops at the first error.
 * Ids must be unique and match the file's place in the tree.
 */
int scn_load_suite(const char *dir, struct scn_suite *suite, struct sc_err *err);

void scn_free(struct scn *s);
void scn_suite_free(struct scn_suite *suite);

/* fnmatch-style glob against ids; "," separates alternatives. */
int scn_id_matches(const char *id, const char *globs);

/* The program is run with arguments it must refuse (setup.no_args, setup.args). */
int scn_usage_case(const struct scn *s);
/* A server case where it must refuse to start (its port in use, bad
 * arguments): a non-zero exit and no client; listening anywhere is serving. */
int scn_server_refuses(const struct scn *s);

const char *scn_protocol_name(enum scn_protocol p);
const char *scn_role_name(enum scn_role r);
const char *scn_level_name(enum scn_level l);
const char *scn_pattern_name(enum scn_pattern p);

#endif
