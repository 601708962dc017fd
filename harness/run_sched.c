/*
 * run_sched: what the scheduler knows of a case before it runs: roughly how
 * long it takes (the longest start first, so that the run does not end on
 * one long case started last) and whether it keeps a CPU busy (those run at
 * most one per core, whatever --jobs says: run_int.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "run_case.h"
#include "run_int.h"

/* Loopback moves a correct program's data at about this rate (one core). */
#define EST_RATE (32.0 * 1024 * 1024)
/* What valgrind's start and a run under it add to a case. */
#define EST_MEMCHECK_S 1.5
/* What every case costs: its sandbox, copy and processes. */
#define EST_BASE_S 0.05
/* Data from this size up keeps a CPU busy in a textbook program (30-byte
 * reads and writes: tens of thousands of system calls per MiB). */
#define HEAVY_BYTES ((uint64_t)1 << 20)

/* The number after `flag` in the peers' flags, in units; 0 when absent. */
static double
flag_value(const struct scn_peer *p, const char *flag)
{
	for (size_t k = 0; k + 1 < p->nflags; k++)
		if (strcmp(p->flags[k], flag) == 0)
			return strtod(p->flags[k + 1], NULL);
	return 0;
}

int
run_case_memcheck(const struct run_ctx *ctx, const struct scn *s)
{
	int on = ctx->o->memcheck >= 0 ? ctx->o->memcheck :
	    s->memcheck >= 0 ? s->memcheck : ctx->p->memcheck > 0;

	if (s->memcheck == 0)
		on = 0;
	if (s->role == SCN_PAIR || s->setup.no_server)
		on = on && s->role != SCN_PAIR;
	return on;
}

int
run_case_heavy(const struct run_ctx *ctx, const struct scn *s)
{
	return run_case_memcheck(ctx, s) || run_data_size(s) >= HEAVY_BYTES;
}

double
run_case_estimate(const struct run_ctx *ctx, const struct scn *s)
{
	double t = EST_BASE_S + (double)run_data_size(s) / EST_RATE;

	if (run_case_memcheck(ctx, s))
		t += EST_MEMCHECK_S;
	if (s->stdin_spec.nlines > 1)
		t += (double)(s->stdin_spec.nlines - 1) * s->stdin_spec.line_gap_ms / 1000.0;
	for (size_t i = 0; i < s->npeers; i++) {
		const struct scn_peer *p = &s->peers[i];
		double chunk = flag_value(p, "--chunk");
		t += p->delay_ms / 1000.0;
		t += flag_value(p, "--hold-ms") / 1000.0 + flag_value(p, "--idle-ms") / 1000.0;
		if (chunk > 0)
			t += (double)run_data_size(s) / chunk * flag_value(p, "--gap-us") / 1e6;
		if (flag_value(p, "--drop") > 0)	/* the client's receive timeout */
			t += 1.0;
	}
	return t;
}

size_t
run_queue_pick(struct run_queue *q, int *cpu, int *left)
{
	size_t total = q->n * q->repeat;

	while (q->next < total && q->taken[q->next])
		q->next++;
	*left = q->next < total;
	for (size_t k = q->next; k < total; k++) {
		int heavy = q->heavy[q->order[k % q->n]];
		if (q->taken[k])
			continue;
		if (heavy && !*cpu) {
			if (sem_trywait(q->cpus) < 0)
				continue;
			*cpu = 1;
		}
		q->taken[k] = 1;
		if (!heavy && *cpu) {
			sem_post(q->cpus);	/* a light case: the CPU goes back */
			*cpu = 0;
		}
		return k;
	}
	return SIZE_MAX;
}
