/*
 * crash: where a program died of a signal, without valgrind. The fatal
 * signals the program leaves at their default are caught on an alternate
 * stack (a stack overflow must be caught too); the handler records the
 * program counter and the callers (sites.c), restores the default and
 * raises the signal again, so the program dies of the same signal and the
 * verdict is unchanged. SIGPIPE is caught the same way to name the write in
 * progress. A program that installs its own handler or ignores a signal
 * replaces ours. Not under memcheck: valgrind names the line itself.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "preload.h"

static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGPIPE };

static char altstack[64 * 1024];

static void
on_fatal(int sig, siginfo_t *si, void *ctx)
{
	const ucontext_t *uc = ctx;
	uintptr_t pc = 0, sp = 0;
	struct sigaction dfl;
	int e = errno;

#if defined(__x86_64__)
	pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
	pc = (uintptr_t)uc->uc_mcontext.pc;
	sp = (uintptr_t)uc->uc_mcontext.sp;
#else
	(void)uc;
#endif
	if (sig == SIGPIPE)
		pl_pipe_in_progress();
	pl_crash_record(sig, si ? si->si_code : 0, si ? (uintptr_t)si->si_addr : 0, pc, sp);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	/* blocked while we run: delivered, and fatal, as the handler returns */
	syscall(SYS_tgkill, (pid_t)syscall(SYS_getpid), (pid_t)syscall(SYS_gettid), sig);
	errno = e;
}

void
pl_crash_init(void)
{
	stack_t ss;
	struct sigaction sa, old;

	memset(&ss, 0, sizeof(ss));
	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	if (sigaltstack(&ss, NULL) < 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
		    !(old.sa_flags & SA_SIGINFO))
			sigaction(fatal[i], &sa, NULL);
}
