/*
 * preload: what the parts of libscinject share (inject.c wraps the calls,
 * sites.c records where in the program they were made, crash.c catches the
 * fatal signals, route.c keeps a case without a namespace on loopback). Hidden: nothing here is visible to the program.
 */
#ifndef SC_PRELOAD_H
#define SC_PRELOAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PL_HIDDEN __attribute__((visibility("hidden")))

/* The next definition of `name` (libc's), looked up once. */
#define REAL(ret, name, ...) \
	static ret (*real_##name)(__VA_ARGS__); \
	if (real_##name == NULL) \
		real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

/* The call site in the program: taken in the exported wrapper itself. */
#define RA __builtin_return_address(0)

/* The kinds of call whose last call site is kept per descriptor. */
enum pl_class { PL_READ, PL_WRITE, PL_CLOSE, PL_OTHER, PL_NCLASSES };

/*
 * Site recording (SCINJECT_SITES=1 in the target program). The side channel
 * gets one line per event, the site as the object it lies in and its address
 * in that object's ELF address space (harness/site.h reads them):
 * Each line names the program (PROG: its short name, two programs of a
 * case share the channel):
 *   object PROG IDX PATH                  (before the first line naming IDX)
 *   at PROG EVENT CALL FD ARG OBJ VADDR [OBJ VADDR]
 *                                         (OBJ -1: not in a known object; then
 *                                         the caller of the calling function)
 *     use    the call on FD from another site than the last of its kind
 *            (ARG: socket()'s domain, inet_pton()'s family, else 0)
 *     eof    a read-kind call returned 0 / end of file (once per site)
 *     err    it failed with errno ARG (once per site)
 *     short  a write accepted ARG bytes of more (once per site)
 *     spin   1000 failed (ARG errno) or empty (ARG 0) reads in a row there
 *     pipe   the write in progress when SIGPIPE came
 *     after  the first write after standard input's end
 *   crash PROG SIG CODE ADDR OBJ:VADDR... (the PC first, then return addresses)
 */
PL_HIDDEN void pl_sites_init(const char *name, int side_fd, int catch_signals);
PL_HIDDEN int pl_sites_on(void);

/* Before a call (cheap: compares one pointer); `ra` is the wrapper's
 * __builtin_return_address(0). */
PL_HIDDEN void pl_call(enum pl_class cls, const char *call, int fd, long arg, void *ra);

/* After it: `ret` the result, `asked` the bytes asked for (writes), `err` errno. */
PL_HIDDEN void pl_ret(enum pl_class cls, const char *call, int fd, ssize_t ret, size_t asked,
    int err, void *ra);

/* One event line, at most once per (site, event) when `once`. */
PL_HIDDEN void pl_event(const char *event, const char *call, int fd, long arg, void *ra,
    int once);

/* A line on the side channel (SCINJECT_FD), by a raw write: never through a
 * wrapper (inject.c); nothing when there is none. */
PL_HIDDEN void pl_side(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* For the signal handlers (async-signal-safe). */
PL_HIDDEN void pl_pipe_in_progress(void);
PL_HIDDEN void pl_crash_record(int sig, int code, uintptr_t addr, uintptr_t pc, uintptr_t sp);
PL_HIDDEN void pl_crash_init(void);
PL_HIDDEN void pl_unwind_init(void);

/*
 * Routing without a namespace of the case's own (route.c): `on` when the
 * target shares the machine's network (SCINJECT_SHARED=1). pl_route gives
 * the destination to use for `sa` (`sa` itself, or `buf` rewritten), or
 * NULL with errno ENETUNREACH; pl_route_back makes a redirected socket's
 * sender what the program addressed (`room`: the size of the caller's
 * buffer); pl_route_closed forgets a socket.
 */
struct sockaddr;
struct sockaddr_storage;
PL_HIDDEN void pl_route_init(int on);
PL_HIDDEN const struct sockaddr *pl_route(const char *call, int fd, const struct sockaddr *sa,
    socklen_t len, struct sockaddr_storage *buf);
PL_HIDDEN void pl_route_back(int fd, struct sockaddr *sa, socklen_t *len, socklen_t room);
PL_HIDDEN void pl_route_closed(int fd);

/* The side channel when the program's files are traced (SCINJECT_TRACE), else -1. */
PL_HIDDEN int pl_trace_fd(void);

#endif
