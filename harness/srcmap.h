/*
 * srcmap: an address in a program (or library) to its source file, line and
 * function, from the program's debug information through elfutils libdw
 * (never a DWARF reader of our own). Addresses are in the object's ELF
 * address space (what the preload library records: harness/preload/sites.c).
 */
#ifndef SC_SRCMAP_H
#define SC_SRCMAP_H

#include <limits.h>
#include <stdint.h>

#include "err.h"

struct srcmap;

struct srcmap_loc {
	char file[PATH_MAX];	/* as the debug information names it ("" when none) */
	int line;		/* 0: no line information (no -g) */
	char fn[256];		/* function, from the symbol table ("" when stripped) */
	uint64_t fn_off;	/* the address's offset in it */
};

int srcmap_open(struct srcmap **out, struct sc_err *err);
void srcmap_close(struct srcmap *m);

/*
 * Where `vaddr` in the object `path` lies. A return address (`ret` 1) is
 * looked up one byte earlier: the call, not the line after it. Returns 0
 * (loc filled, perhaps without line or function), or -1 with err when the
 * object can't be read.
 */
int srcmap_lookup(struct srcmap *m, const char *path, uint64_t vaddr, int ret,
    struct srcmap_loc *loc, struct sc_err *err);

/* 1: statically linked (no program interpreter: no LD_PRELOAD reaches it),
 * 0: dynamically linked, -1: not a readable ELF file. */
int srcmap_is_static(const char *path);

#endif
