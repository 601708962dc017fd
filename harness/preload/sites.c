/*
 * sites: where in the student's program each wrapped call was made, so a
 * failure can name the line (issue 25). Cheap enough to stay on in every
 * case: a call costs one pointer compare against the last site of its kind
 * on its descriptor; a line goes to the side channel only when that changes
 * or something worth naming happens (end of file, an error, a short write,
 * a spin). A site is written as the object it lies in and its address in
 * that object's ELF address space (the return address minus the object's
 * load bias), which the harness maps to file:line with the debug
 * information (harness/srcmap.c). Formatting is by hand and output by raw
 * syscalls: the crash handler uses the same code (async-signal-safe).
 */
#include <elf.h>
#include <errno.h>
#include <execinfo.h>
#include <link.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload.h"

#define MAX_OBJS 24
#define MAX_FDS 1024
#define ONCE_SLOTS 1024
#define SPIN_READS 1000		/* failed or empty reads in a row at one site: a spin */
#define SCAN_BYTES (512u << 10)	/* how far up the stack the crash handler looks */
#define MAX_FRAMES 8
#define MAX_LINES 100000	/* per process */

extern void *__libc_stack_end;	/* glibc: the main thread's stack top at start */

struct obj {
	const char *name;
	uintptr_t bias, lo, hi;		/* load bias, mapped range */
	uintptr_t xlo, xhi;		/* its executable segment */
	int announced;
};

static struct {
	int on, side_fd;
	char name[32];			/* the program's: lines of two programs share a file */
	struct obj objs[MAX_OBJS];
	int nobjs;
	char exe[512];
	void *last[PL_NCLASSES][MAX_FDS];	/* the last site per kind of call and fd */
	struct { void *ra; unsigned n; } reads[MAX_FDS];	/* failed/empty reads in a row */
	uintptr_t once[ONCE_SLOTS];
	int unwind;			/* the unwinder is loaded (pl_unwind_init) */
	unsigned long lines;		/* lines written */
	int stdin_ended;		/* 1: standard input ended; 2: the next write was named */
} st = { .side_fd = -1 };

/* The write in progress, for SIGPIPE (initial-exec TLS: safe in a handler). */
static __thread struct { void *ra; const char *call; int fd; } cur
    __attribute__((tls_model("initial-exec")));

/* ---- a line, formatted by hand ---- */

struct line {
	char b[600];
	size_t n;
};

static void
put_s(struct line *l, const char *s)
{
	while (s && *s && l->n < sizeof(l->b) - 2)
		l->b[l->n++] = *s++;
}

static void
put_u(struct line *l, uintptr_t v, unsigned base)
{
	char t[24];
	int k = 0;

	if (base == 16)
		put_s(l, "0x");
	do {
		t[k++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && k < 24);
	while (k > 0 && l->n < sizeof(l->b) - 2)
		l->b[l->n++] = t[--k];
}

static void
put_i(struct line *l, long v)
{
	if (v < 0) {
		put_s(l, "-");
		put_u(l, (uintptr_t)-v, 10);
	} else {
		put_u(l, (uintptr_t)v, 10);
	}
}

static void
emit(struct line *l)
{
	int e = errno;

	l->b[l->n++] = '\n';
	/* a bound on what a program that alternates sites without end writes;
	 * the crash's line always goes */
	if (st.side_fd >= 0 && (__atomic_add_fetch(&st.lines, 1, __ATOMIC_RELAXED) < MAX_LINES ||
	    strncmp(l->b, "crash ", 6) == 0 || strncmp(l->b, "object ", 7) == 0))
		syscall(SYS_write, st.side_fd, l->b, l->n);
	errno = e;
}

/* ---- the objects of the process, as loaded at start ---- */

static int
add_obj(struct dl_phdr_info *info, size_t size, void *data)
{
	struct obj *o;

	(void)size;
	(void)data;
	if (st.nobjs >= MAX_OBJS)
		return 1;
	o = &st.objs[st.nobjs];
	o->name = info->dlpi_name && info->dlpi_name[0] ? info->dlpi_name : NULL;
	if (o->name == NULL && st.nobjs > 0)
		return 0;	/* the vDSO */
	o->bias = info->dlpi_addr;
	o->lo = UINTPTR_MAX;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = o->bias + ph->p_vaddr, z = a + ph->p_memsz;
		if (ph->p_type != PT_LOAD)
			continue;
		if (a < o->lo)
			o->lo = a;
		if (z > o->hi)
			o->hi = z;
		if ((ph->p_flags & PF_X) && o->xhi == 0) {
			o->xlo = a;
			o->xhi = z;
		}
	}
	if (o->name == NULL) {
		ssize_t n = readlink("/proc/self/exe", st.exe, sizeof(st.exe) - 1);
		st.exe[n > 0 ? n : 0] = '\0';
		o->name = st.exe;
	}
	st.nobjs++;
	return 0;
}

static int
obj_of(uintptr_t a)
{
	for (int i = 0; i < st.nobjs; i++)
		if (a >= st.objs[i].lo && a < st.objs[i].hi)
			return i;
	return -1;
}

/* "OBJ VADDR" (sep " ") or "OBJ:VADDR", announcing the object first. */
static void
put_site(struct line *l, uintptr_t a, const char *sep)
{
	int i = obj_of(a);

	if (i >= 0 && !__atomic_exchange_n(&st.objs[i].announced, 1, __ATOMIC_RELAXED)) {
		struct line o = { .n = 0 };
		put_s(&o, "object ");
		put_s(&o, st.name);
		put_s(&o, " ");
		put_i(&o, i);
		put_s(&o, " ");
		put_s(&o, st.objs[i].name);
		emit(&o);
	}
	put_i(l, i);
	put_s(l, sep);
	put_u(l, i >= 0 ? a - st.objs[i].bias : a, 16);
}

/* ---- recording ---- */

void
pl_sites_init(const char *name, int side_fd, int catch_signals)
{
	st.side_fd = side_fd;
	if (side_fd < 0)
		return;
	for (size_t i = 0; name[i] && i < sizeof(st.name) - 1; i++)
		st.name[i] = name[i] == ' ' || name[i] == '\n' ? '_' : name[i];
	dl_iterate_phdr(add_obj, NULL);
	st.on = 1;
	/* not under memcheck (catch_signals 0): libgcc's dlopen() would show as a
	 * possible leak of the program's; valgrind names the lines itself */
	if (catch_signals) {
		pl_unwind_init();
		pl_crash_init();
	}
}

int
pl_sites_on(void)
{
	return st.on;
}

/* 1 the first time (site, event) is seen. */
static int
first_time(void *ra, const char *event)
{
	uintptr_t key = ((uintptr_t)ra << 4) ^ (uintptr_t)(unsigned char)event[0] ^
	    ((uintptr_t)(unsigned char)event[1] << 8);

	if (key == 0)
		key = 1;
	for (unsigned i = 0, h = (unsigned)(key * 0x9e3779b97f4a7c15ULL >> 54); i < ONCE_SLOTS;
	    i++, h = (h + 1) % ONCE_SLOTS) {
		uintptr_t want = 0;
		if (__atomic_load_n(&st.once[h], __ATOMIC_RELAXED) == key)
			return 0;
		if (__atomic_compare_exchange_n(&st.once[h], &want, key, 0, __ATOMIC_RELAXED,
		    __ATOMIC_RELAXED))
			return 1;
		if (want == key)
			return 0;
	}
	return 0;	/* full: stay quiet rather than flood the channel */
}

/*
 * The caller of the function that made the call at `ra` (a send_all()'s
 * caller), from the unwinder: only when a line is written, never per call.
 */
static void *
caller_of(void *ra)
{
	void *fr[12];
	int n;

	if (!st.unwind)
		return NULL;
	n = backtrace(fr, 12);
	for (int k = 0; k + 1 < n; k++)
		if (fr[k] == ra)
			return fr[k + 1];
	return NULL;
}

void
pl_event(const char *event, const char *call, int fd, long arg, void *ra, int once)
{
	struct line l = { .n = 0 };
	void *up;

	if (!st.on || (once && !first_time(ra, event)))
		return;
	up = strcmp(event, "pipe") == 0 ? NULL : caller_of(ra);
	put_s(&l, "at ");
	put_s(&l, st.name);
	put_s(&l, " ");
	put_s(&l, event);
	put_s(&l, " ");
	put_s(&l, call);
	put_s(&l, " ");
	put_i(&l, fd);
	put_s(&l, " ");
	put_i(&l, arg);
	put_s(&l, " ");
	put_site(&l, (uintptr_t)ra, " ");
	if (up != NULL) {
		put_s(&l, " ");
		put_site(&l, (uintptr_t)up, " ");
	}
	emit(&l);
}

void
pl_call(enum pl_class cls, const char *call, int fd, long arg, void *ra)
{
	if (!st.on)
		return;
	if (cls == PL_WRITE) {
		cur.ra = ra;
		cur.call = call;
		cur.fd = fd;
		if (st.stdin_ended == 1) {
			st.stdin_ended = 2;
			pl_event("after", call, fd, arg, ra, 0);
		}
	}
	if (fd < 0 || fd >= MAX_FDS) {
		if (cls == PL_OTHER)
			pl_event("use", call, fd, arg, ra, 0);
		return;
	}
	if (cls == PL_CLOSE || cls == PL_OTHER) {
		/* a new connection may get this number: name its sites again */
		if (cls == PL_CLOSE)
			for (int k = 0; k < PL_NCLASSES; k++)
				st.last[k][fd] = NULL;
		pl_event("use", call, fd, arg, ra, 0);
		return;
	}
	if (__atomic_load_n(&st.last[cls][fd], __ATOMIC_RELAXED) != ra) {
		__atomic_store_n(&st.last[cls][fd], ra, __ATOMIC_RELAXED);
		pl_event("use", call, fd, arg, ra, 0);
	}
}

void
pl_ret(enum pl_class cls, const char *call, int fd, ssize_t ret, size_t asked, int err, void *ra)
{
	if (!st.on)
		return;
	if (cls == PL_WRITE) {
		cur.ra = NULL;
		if (ret < 0)
			pl_event("err", call, fd, err, ra, 1);
		else if ((size_t)ret < asked)
			pl_event("short", call, fd, (long)ret, ra, 1);
		return;
	}
	if (cls != PL_READ)
		return;
	if (ret < 0)
		pl_event("err", call, fd, err, ra, 1);
	else if (ret == 0) {
		pl_event("eof", call, fd, 0, ra, 1);
		if (fd == 0 && st.stdin_ended == 0)
			st.stdin_ended = 1;
	}
	if (fd < 0 || fd >= MAX_FDS)
		return;
	if (ret > 0) {
		st.reads[fd].n = 0;
		return;
	}
	if (st.reads[fd].ra != ra) {
		st.reads[fd].ra = ra;
		st.reads[fd].n = 0;
	}
	if (++st.reads[fd].n == SPIN_READS)
		pl_event("spin", call, fd, ret < 0 ? err : 0, ra, 0);
}

/* ---- in a signal handler ---- */

void
pl_pipe_in_progress(void)
{
	if (cur.ra != NULL)
		pl_event("pipe", cur.call, cur.fd, 0, cur.ra, 0);
}

/* Does a call instruction end just before `ra`, inside executable text? */
static int
after_call(const struct obj *o, uintptr_t ra)
{
	const unsigned char *p = (const unsigned char *)ra;

	if (ra < o->xlo + 7 || ra > o->xhi)
		return 0;
	return p[-5] == 0xe8 ||				/* call rel32 */
	    (p[-6] == 0xff && (p[-5] & 0x38) == 0x10) ||	/* call *disp32(...) */
	    (p[-3] == 0xff && (p[-2] & 0xf8) == 0x50) ||	/* call *disp8(%reg) */
	    (p[-2] == 0xff && (p[-1] & 0xf8) == 0xd0);	/* call *%reg */
}

/*
 * The unwinder (libgcc's, through backtrace()) is loaded now: it may not
 * load itself, nor allocate, in a signal handler (backtrace(3)).
 */
void
pl_unwind_init(void)
{
	void *f[2];

	st.unwind = backtrace(f, 2) > 0;
}

/*
 * The crash: the program counter, then its callers, from the unwinder
 * (the program's .eh_frame, through the signal frame). Without it, the
 * return addresses into the program found on the stack above the stack
 * pointer, which may include stale ones: reads only [sp, the stack's top)
 * of the main thread, which is mapped.
 */
void
pl_crash_record(int sig, int code, uintptr_t addr, uintptr_t pc, uintptr_t sp)
{
	struct line l = { .n = 0 };
	uintptr_t top = (uintptr_t)__libc_stack_end;
	const struct obj *exe = st.nobjs > 0 ? &st.objs[0] : NULL;
	int found = 0;

	if (!st.on)
		return;
	put_s(&l, "crash ");
	put_s(&l, st.name);
	put_s(&l, " ");
	put_i(&l, sig);
	put_s(&l, " ");
	put_i(&l, code);
	put_s(&l, " ");
	put_u(&l, addr, 16);
	put_s(&l, " ");
	put_site(&l, pc, ":");
	if (st.unwind) {
		void *fr[48];
		int n = backtrace(fr, 48), k = 0;
		while (k < n && (uintptr_t)fr[k] != pc)
			k++;
		for (k++; k < n && found < MAX_FRAMES; k++, found++) {
			put_s(&l, " ");
			put_site(&l, (uintptr_t)fr[k], ":");
		}
		if (found > 0) {
			emit(&l);
			return;
		}
	}
	if (exe && sp && sp < top && top - sp < (64u << 20)) {
		uintptr_t end = top - sp > SCAN_BYTES ? sp + SCAN_BYTES : top;
		for (uintptr_t p = sp & ~(uintptr_t)7; p + 8 <= end && found < MAX_FRAMES; p += 8) {
			uintptr_t v = *(const uintptr_t *)p;
			if (after_call(exe, v)) {
				put_s(&l, " ");
				put_site(&l, v, ":");
				found++;
			}
		}
	}
	emit(&l);
}
