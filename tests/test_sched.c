/*
 * run_sched: which cases keep a CPU busy, which go first, and that no more
 * heavy cases start than there are CPUs to give them, whatever --jobs.
 */
#include <criterion/criterion.h>
#include <semaphore.h>
#include <stdint.h>
#include <string.h>

#include "prof.h"
#include "run_int.h"
#include "scn.h"

TestSuite(sched, .timeout = 10);

static struct scn *
load(const char *path)
{
	struct sc_err err;
	struct scn *s = scn_load_file(path, &err);

	cr_assert_not_null(s, "%s: %s", path, err.msg);
	return s;
}

/* A context as run_suite makes it: options and profile, nothing else. */
static void
ctx_init(struct run_ctx *ctx, struct run_opts *o, struct prof *p, int memcheck)
{
	memset(ctx, 0, sizeof(*ctx));
	memset(o, 0, sizeof(*o));
	memset(p, 0, sizeof(*p));
	o->memcheck = memcheck;
	ctx->o = o;
	ctx->p = p;
}

Test(sched, heavy_cases)
{
	struct run_ctx ctx;
	struct run_opts o;
	struct prof p;
	struct scn *big = load("scenarios/file/client/large-32mib.yaml");
	struct scn *mc = load("scenarios/echo/server/leak-per-client.yaml");
	struct scn *small = load("scenarios/echo/client/basic-lines.yaml");

	ctx_init(&ctx, &o, &p, -1);
	cr_expect(run_case_heavy(&ctx, big), "32 MiB of data keeps a CPU busy");
	cr_expect(run_case_heavy(&ctx, mc), "a memcheck case keeps a CPU busy");
	cr_expect(!run_case_heavy(&ctx, small), "three lines mostly wait");
	o.memcheck = 0;	/* --no-memcheck */
	cr_expect(!run_case_memcheck(&ctx, mc));
	cr_expect(!run_case_heavy(&ctx, mc), "without valgrind the leak case is light");
	o.memcheck = 1;	/* --memcheck: every case under valgrind */
	cr_expect(run_case_heavy(&ctx, small));
	scn_free(big);
	scn_free(mc);
	scn_free(small);
}

Test(sched, longest_first)
{
	struct run_ctx ctx;
	struct run_opts o;
	struct prof p;
	struct scn *hold = load("scenarios/file/client/no-shutdown.yaml");	/* a 2 s hold */
	struct scn *lost = load("scenarios/udp/client/lost-reply.yaml");	/* a 1 s receive timeout */
	struct scn *small = load("scenarios/echo/client/basic-lines.yaml");

	ctx_init(&ctx, &o, &p, -1);
	cr_expect_gt(run_case_estimate(&ctx, hold), 1.9);
	cr_expect_gt(run_case_estimate(&ctx, hold), run_case_estimate(&ctx, lost));
	cr_expect_gt(run_case_estimate(&ctx, lost), run_case_estimate(&ctx, small));
	cr_expect_lt(run_case_estimate(&ctx, small), 0.5);
	scn_free(hold);
	scn_free(lost);
	scn_free(small);
}

/* Plan items 0..4 in order 0..4; items 0, 1 and 2 heavy; one CPU. */
Test(sched, heavy_one_per_cpu)
{
	size_t order[5] = { 0, 1, 2, 3, 4 };
	unsigned char heavy[5] = { 1, 1, 1, 0, 0 };
	unsigned char taken[5] = { 0 };
	sem_t cpus;
	struct run_queue q = { .n = 5, .repeat = 1, .order = order, .heavy = heavy,
		.taken = taken, .cpus = &cpus };
	int cpu[4] = { 0 }, left;
	size_t k;

	sem_init(&cpus, 0, 1);
	cr_assert_eq(run_queue_pick(&q, &cpu[0], &left), 0);	/* the longest, heavy */
	cr_assert(cpu[0]);
	/* the CPU is taken: the other workers start the light cases */
	cr_assert_eq(run_queue_pick(&q, &cpu[1], &left), 3);
	cr_assert(!cpu[1]);
	cr_assert_eq(run_queue_pick(&q, &cpu[2], &left), 4);
	cr_assert_eq(k = run_queue_pick(&q, &cpu[3], &left), SIZE_MAX, "got run %zu", k);
	cr_assert(left, "heavy runs are left, waiting for the CPU");
	/* case 0 ends: its worker hands the CPU back, the next heavy one starts */
	sem_post(&cpus);
	cpu[0] = 0;
	cr_assert_eq(run_queue_pick(&q, &cpu[3], &left), 1);
	cr_assert(cpu[3]);
	cr_assert_eq(run_queue_pick(&q, &cpu[1], &left), SIZE_MAX);
	/* a worker that holds the CPU takes the next heavy run itself */
	cr_assert_eq(run_queue_pick(&q, &cpu[3], &left), 2);
	cr_assert(cpu[3]);
	cr_assert_eq(run_queue_pick(&q, &cpu[3], &left), SIZE_MAX);
	cr_assert(!left);
	sem_destroy(&cpus);
}

/* --repeat: round after round; a light run of round 2 may start while
 * round 1's heavy run waits for the CPU. */
Test(sched, repeat_rounds)
{
	size_t order[2] = { 1, 0 };
	unsigned char heavy[2] = { 0, 1 };
	unsigned char taken[4] = { 0 };
	sem_t cpus;
	struct run_queue q = { .n = 2, .repeat = 2, .order = order, .heavy = heavy,
		.taken = taken, .cpus = &cpus };
	int a = 0, b = 0, c = 0, left;

	sem_init(&cpus, 0, 1);
	cr_assert_eq(run_queue_pick(&q, &a, &left), 0);	/* item 1, heavy */
	cr_assert_eq(run_queue_pick(&q, &b, &left), 1);	/* item 0 */
	cr_assert_eq(run_queue_pick(&q, &c, &left), 3);	/* round 2's item 0 */
	cr_assert_eq(run_queue_pick(&q, &c, &left), SIZE_MAX);
	cr_assert(left);
	sem_destroy(&cpus);
}
