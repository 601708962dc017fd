/*
 * srcmap: addresses to file:line through elfutils libdwfl (srcmap.h). One
 * Dwfl session per object, opened on first use and kept for the map's life:
 * a case looks up a handful of addresses in one or two programs.
 */
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srcmap.h"

#define MAX_MODS 8

struct srcmap {
	struct {
		char *path;
		Dwfl *dwfl;
		Dwfl_Module *mod;
	} mods[MAX_MODS];
	int n;
};

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

int
srcmap_open(struct srcmap **out, struct sc_err *err)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return sc_err_sys(err, "srcmap");
	return 0;
}

void
srcmap_close(struct srcmap *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < m->n; i++) {
		dwfl_end(m->mods[i].dwfl);
		free(m->mods[i].path);
	}
	free(m);
}

static Dwfl_Module *
module(struct srcmap *m, const char *path, struct sc_err *err)
{
	Dwfl *d;
	Dwfl_Module *mod;

	for (int i = 0; i < m->n; i++)
		if (strcmp(m->mods[i].path, path) == 0)
			return m->mods[i].mod;
	if (m->n >= MAX_MODS) {
		sc_err_set(err, "%s: too many objects to map", path);
		return NULL;
	}
	if ((d = dwfl_begin(&callbacks)) == NULL) {
		sc_err_set(err, "libdwfl: %s", dwfl_errmsg(-1));
		return NULL;
	}
	dwfl_report_begin(d);
	/* base 0 relative to p_vaddr: the module's addresses are its ELF vaddrs */
	mod = dwfl_report_elf(d, path, path, -1, 0, true);
	if (mod == NULL || dwfl_report_end(d, NULL, NULL) != 0) {
		sc_err_set(err, "%s: %s", path, dwfl_errmsg(-1));
		dwfl_end(d);
		return NULL;
	}
	m->mods[m->n].path = strdup(path);
	if (m->mods[m->n].path == NULL) {
		dwfl_end(d);
		sc_err_sys(err, "srcmap");
		return NULL;
	}
	m->mods[m->n].dwfl = d;
	m->mods[m->n].mod = mod;
	m->n++;
	return mod;
}

int
srcmap_lookup(struct srcmap *m, const char *path, uint64_t vaddr, int ret,
    struct srcmap_loc *loc, struct sc_err *err)
{
	Dwfl_Module *mod = module(m, path, err);
	Dwarf_Addr a = ret && vaddr > 0 ? vaddr - 1 : vaddr, bias = 0;
	Dwfl_Line *line;
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *name;

	memset(loc, 0, sizeof(*loc));
	if (mod == NULL)
		return -1;
	/* the module's own bias (0 as reported; an ET_DYN may still get one) */
	dwfl_module_info(mod, NULL, &bias, NULL, NULL, NULL, NULL, NULL);
	a += bias;
	if ((line = dwfl_module_getsrc(mod, a)) != NULL) {
		int lineno = 0;
		const char *file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
		if (file != NULL && lineno > 0) {
			snprintf(loc->file, sizeof(loc->file), "%s", file);
			loc->line = lineno;
		}
	}
	if ((name = dwfl_module_addrinfo(mod, a, &off, &sym, NULL, NULL, NULL)) != NULL) {
		snprintf(loc->fn, sizeof(loc->fn), "%s", name);
		loc->fn_off = off + (ret && vaddr > 0 ? 1 : 0);
	}
	return 0;
}

int
srcmap_is_static(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	Elf *e;
	size_t n;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	if ((e = elf_begin(fd, ELF_C_READ, NULL)) != NULL && elf_kind(e) == ELF_K_ELF &&
	    elf_getphdrnum(e, &n) == 0) {
		rc = 1;
		for (size_t i = 0; i < n; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(e, (int)i, &ph) != NULL && ph.p_type == PT_INTERP)
				rc = 0;
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}
