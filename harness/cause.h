/*
 * cause: why a check failed, as a stable id with a hint, in one table.
 *
 * Every failed check of a case carries a cause id ("no-eof-exit",
 * "reply-format", ...). The reports group failures by cause ("N problems
 * found"), and a cause costs its points once (docs/grading.md, one fault,
 * one charge). Some causes belong to an aspect that has its own case (the
 * client's exit at end of input, its quit word, its reply, the error text,
 * the server's half-close): a check of such an aspect decides only the
 * cases whose scenario names the aspect in `target:`, and is collateral (a
 * note that costs nothing) everywhere else. The ids are part of the report
 * formats: never rename one; add new ones at the end of their group.
 */
#ifndef SC_CAUSE_H
#define SC_CAUSE_H

/* The aspects a scenario can target (scenario key `target:`). */
enum cause_aspect {
	CAUSE_ASPECT_NONE = 0,		/* always the case's target */
	CAUSE_ASPECT_END_OF_INPUT,	/* "end-of-input": a client ends at end of stdin */
	CAUSE_ASPECT_QUIT_WORD,		/* "quit-word": a client ends on its quit word */
	CAUSE_ASPECT_REPLY,		/* "reply": the file client's reply, its bytes */
	CAUSE_ASPECT_ERROR_TEXT,	/* "error-text": a message on standard error */
	CAUSE_ASPECT_HALF_CLOSE,	/* "half-close": EOF after the data, then the reply read */
	CAUSE_ASPECT_COUNT
};

struct cause {
	const char *id;			/* stable, lower-case, dash-separated */
	enum cause_aspect aspect;
	const char *title;		/* one line: the problem, for "N problems found" */
	const char *hint;		/* what to fix */
};

/* The row of `id`, or NULL for an unknown id. */
const struct cause *cause_find(const char *id);

/* The whole table (for the documentation test); *n gets its length. */
const struct cause *cause_table(unsigned *n);

/* "end-of-input", ...; NULL for CAUSE_ASPECT_NONE or out of range. */
const char *cause_aspect_name(enum cause_aspect a);

/* The aspect named `name`, or -1. */
int cause_aspect_parse(const char *name);

/* The aspect of cause `id` (CAUSE_ASPECT_NONE for unknown ids). */
enum cause_aspect cause_aspect_of(const char *id);

/* The row number of cause `id` in the table (a bit of a scenario's
 * target_causes: 1 << index), or -1 for an unknown id. Fewer than 64 rows. */
int cause_index(const char *id);

#endif
