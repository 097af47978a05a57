// SPDX-License-Identifier: GPL-2.0-only
/*
 * Energy placement on the PDs' views (jp_pd_view, bpf/policy/placement.h):
 * built from the state a wakeup sees, it must choose exactly what scanning
 * every CPU chooses; built earlier (the BPF scheduler's domains rebuild them
 * at most once a ms), what it chooses must still be a CPU the task may use and fits
 * now, and a burst of wakeups must still spread. Latency-first placement,
 * which looks at idle CPUs first, must choose what ranking every CPU does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"
#include "policy_fixture.h"
#include "rng.h"

#define ROUNDS 20000

struct machine {
	struct jp_tables t;
	struct jp_cpu_state cs[JP_MAX_CPUS];
	struct jp_pd_view views[JP_MAX_PDS];
	struct jp_profile p;
	struct jp_wake w;
};

/*
 * Three PDs of 4 little (capacity 300), 8 middle (700, in SMT pairs) and 4
 * big (1024) CPUs, interleaved in CPU numbering so that a PD's CPUs are not
 * contiguous.
 */
static void three_pds(struct jp_tables *t)
{
	static const uint32_t caps[3] = {300, 700, 1024}, mw[3] = {60, 400, 1600};
	uint32_t c, pd, i;

	memset(t, 0, sizeof(*t));
	t->nr_cpus = 16;
	t->nr_pds = 3;
	t->max_capacity = 1024;
	for (c = 0; c < 16; c++) {
		pd = c % 4 == 0 ? 0 : c % 4 == 3 ? 2 : 1;
		t->cpu[c].capacity = (uint16_t)caps[pd];
		t->cpu[c].pd = (uint8_t)pd;
		t->cpu[c].cluster = t->cpu[c].llc = (uint16_t)pd;
		t->cpu[c].kind = pd ? JP_KIND_BIG : JP_KIND_LITTLE;
		/* the middle PD's CPUs are SMT pairs (a frame thread wants both idle) */
		t->cpu[c].sibling = c % 4 == 1 ? c + 1 : c % 4 == 2 ? c - 1 : JP_NO_SIBLING;
		t->pd[pd].cpus[t->pd[pd].nr_cpus++] = (uint16_t)c;
	}
	for (pd = 0; pd < 3; pd++) {
		t->pd[pd].max_capacity = caps[pd];
		t->pd[pd].nr_opps = 4;
		for (i = 0; i < 4; i++) {
			uint32_t cap = caps[pd] * (i + 1) / 4;

			t->pd[pd].opps[i].capacity = cap;
			t->pd[pd].opps[i].cost = mw[pd] * (i + 1) * (i + 1) * caps[pd] / cap;
		}
	}
}

/* Random CPU state, idle CPUs, allowed CPUs, task and profile. */
static void randomize(struct machine *m, struct sim_rng *r)
{
	static const enum joule_profile profiles[] = {JOULE_PROFILE_POWERSAVE,
						      JOULE_PROFILE_BALANCED, JOULE_PROFILE_GAMING};
	uint32_t c, shape = (uint32_t)sim_rng_below(r, 4);

	memset(m->cs, 0, sizeof(m->cs));
	memset(&m->w, 0, sizeof(m->w));
	jp_profile_init(&m->p, profiles[sim_rng_below(r, 3)]);
	for (c = 0; c < m->t.nr_cpus; c++) {
		uint32_t cap = m->t.cpu[c].capacity;

		/* a few equal utils, so that ties between CPUs are common */
		m->cs[c].util_avg =
			sim_rng_below(r, 3) ? (uint32_t)sim_rng_below(r, cap * 3 / 4) : 100;
		if (sim_rng_below(r, 2))
			m->cs[c].util_runnable = (uint32_t)sim_rng_below(r, cap * 3 / 4);
		if (!sim_rng_below(r, 4))
			m->cs[c].util_pending = (uint32_t)sim_rng_below(r, 300);
		if (!sim_rng_below(r, 3))
			jp_mask_set(&m->w.idle, c);
		/* every CPU; a random half; one PD's CPUs (pinned); one CPU */
		if (shape == 0 || (shape == 1 && sim_rng_below(r, 2)) ||
		    (shape == 2 && m->t.cpu[c].pd == 1) || (shape == 3 && c == 5))
			jp_mask_set(&m->w.allowed, c);
	}
	/* mostly light tasks, some that fit only a big CPU or none */
	m->w.task_util = (uint32_t)sim_rng_below(r, sim_rng_below(r, 4) ? 250 : 1025);
	m->w.prev_cpu = (s32)sim_rng_below(r, m->t.nr_cpus + 1) - 1;
	m->w.frame = (uint32_t)sim_rng_below(r, 2);
	m->w.frame_speed = m->w.frame ? (uint32_t)sim_rng_below(r, 1025) : 0;
}

static void build_views(struct machine *m)
{
	struct jp_cpumask online;
	struct jp_view_src src = {.idle = &m->w.idle, .online = &online, .now = m->w.now};

	memset(&online, 0, sizeof(online));
	for (u32 c = 0; c < m->t.nr_cpus; c++)
		jp_mask_set(&online, c);
	jp_pd_views_build(&m->t, m->cs, &src, m->views);
}

static void check_same_as_scan(struct machine *m, uint64_t seed)
{
	struct sim_rng r;
	int found = 0;

	sim_rng_seed(&r, seed, 0);
	for (int i = 0; i < ROUNDS; i++) {
		s32 scan, view;

		randomize(m, &r);
		build_views(m);
		scan = jp_select_cpu_energy(&m->t, m->cs, NULL, &m->p, &m->w);
		view = jp_select_cpu_energy(&m->t, m->cs, m->views, &m->p, &m->w);
		if (scan != view)
			fail_msg("round %d: the scan chose %d, the views %d", i, scan, view);
		found += scan != JP_NO_CPU;
	}
	/* the rounds must exercise placement, not only "fits nowhere" */
	print_message("%d of %d rounds placed the task\n", found, ROUNDS);
	assert_true(found > ROUNDS / 2);
	assert_true(found < ROUNDS);
}

static void test_views_choose_as_the_scan_two_pds(void **state)
{
	static struct machine m;

	(void)state;
	two_cluster(&m.t);
	check_same_as_scan(&m, 1);
}

static void test_views_choose_as_the_scan_three_pds(void **state)
{
	static struct machine m;

	(void)state;
	three_pds(&m.t);
	check_same_as_scan(&m, 2);
}

/*
 * Views a little old: the CPUs' utilization and idle state changed after
 * they were built. The choice may differ from a scan's, but it is a CPU the
 * task may use and fits on its utilization now (a frame thread's: a whole
 * idle core as fast as its speed), or none.
 */
static void test_old_views_choose_a_usable_cpu(void **state)
{
	static struct machine m;
	struct sim_rng r;
	int found = 0;

	(void)state;
	three_pds(&m.t);
	sim_rng_seed(&r, 3, 0);
	for (int i = 0; i < ROUNDS; i++) {
		struct jp_wake built;
		s32 cpu;
		uint32_t c, cap;

		randomize(&m, &r);
		build_views(&m);
		built = m.w;
		randomize(&m, &r);
		m.w.task_util = built.task_util;
		cpu = jp_select_cpu_energy(&m.t, m.cs, m.views, &m.p, &m.w);
		if (cpu == JP_NO_CPU)
			continue;
		found++;
		assert_in_range(cpu, 0, m.t.nr_cpus - 1);
		c = (uint32_t)cpu % JP_MAX_CPUS; /* in range: for the compiler's bounds check */
		assert_true(jp_mask_test(&m.w.allowed, c));
		cap = m.t.cpu[c].capacity;
		assert_true(jp_wake_fits(&m.p, &m.w, jp_cpu_util_wake(&m.t, m.cs, &m.w, c), cap));
		assert_true(jp_frame_cpu_ok(&m.t, &m.p, &m.w, c));
	}
	assert_true(found > ROUNDS / 4);
}

/* Two 8-CPU PDs of two_cluster()'s kinds: little CPUs 0-7, big 8-15. */
static void two_wide_pds(struct jp_tables *t)
{
	struct jp_tables small;

	two_cluster(&small);
	memset(t, 0, sizeof(*t));
	t->nr_cpus = 16;
	t->nr_pds = 2;
	t->max_capacity = 1024;
	for (uint32_t pd = 0; pd < 2; pd++) {
		t->pd[pd] = small.pd[pd];
		t->pd[pd].nr_cpus = 0;
	}
	for (uint32_t c = 0; c < 16; c++) {
		t->cpu[c] = small.cpu[c < 8 ? 0 : 4];
		t->pd[c / 8].cpus[t->pd[c / 8].nr_cpus++] = (uint16_t)c;
	}
}

/*
 * A view gathered a few CPUs at a time, as the BPF scheduler's ticks gather
 * a big domain's, is the view gathered in one go, every field of it: steps
 * of 1 to 5 CPUs over PDs whose CPUs are interleaved, one CPU offline.
 */
static void test_view_gathered_in_steps(void **state)
{
	static struct machine m;
	struct jp_pd_view whole, steps;
	struct jp_cpumask online;
	struct sim_rng r;
	int compared = 0;

	(void)state;
	three_pds(&m.t);
	memset(&online, 0, sizeof(online));
	for (uint32_t c = 0; c + 1 < m.t.nr_cpus; c++)
		jp_mask_set(&online, c);
	sim_rng_seed(&r, 11, 0);
	for (int i = 0; i < ROUNDS / 10; i++) {
		struct jp_view_src src = {.idle = &m.w.idle, .online = &online};

		randomize(&m, &r);
		src.now = sim_rng_below(&r, 50 * 1000 * 1000);
		for (uint32_t pd = 0; pd < m.t.nr_pds; pd++) {
			uint32_t nr = m.t.pd[pd].nr_cpus;

			jp_pd_view_build(&m.t, m.cs, &src, pd, &whole);
			for (uint32_t step = 1; step <= 5; step++) {
				uint32_t at = 0, calls = 0;

				jp_pd_view_begin(&steps, src.now);
				while (at < nr) {
					uint32_t next = jp_pd_view_gather(&m.t, m.cs, &src, pd, at,
									  at + step, &steps);

					assert_int_equal(next, at + step < nr ? at + step : nr);
					at = next;
					calls++;
				}
				assert_int_equal(calls, (nr + step - 1) / step);
				jp_pd_view_end(&steps);
				assert_memory_equal(&whole, &steps, sizeof(whole));
				compared++;
			}
		}
	}
	assert_int_equal(compared, ROUNDS / 10 * 3 * 5);

	/* a list that ends early, at an entry that is no CPU, is done there: the
	 * BPF scheduler publishes the view instead of waiting for the rest */
	{
		struct jp_view_src src = {.idle = &m.w.idle, .online = &online};

		m.t.pd[1].cpus[3] = JP_MAX_CPUS;
		jp_pd_view_begin(&steps, 0);
		assert_int_equal(jp_pd_view_gather(&m.t, m.cs, &src, 1, 0, 2, &steps), 2);
		assert_int_equal(jp_pd_view_gather(&m.t, m.cs, &src, 1, 2, 4, &steps),
				 m.t.pd[1].nr_cpus);
		assert_int_equal(steps.nr_online, 3);
	}
}

/* k's sums and unfit count are those of the PDs' shares. */
static void assert_kept_as(const struct machine *m, const struct jp_sys_load_kept *k,
			   const struct jp_sys_load *shares)
{
	struct jp_sys_load l = {};
	uint32_t unfit = 0;

	for (uint32_t j = 0; j < m->t.nr_pds; j++) {
		l.util += shares[j].util;
		l.cap += shares[j].cap;
		unfit += jp_big_unfit(&m->t, &m->p, shares[j].big_max_util);
	}
	assert_true(k->util == l.util && k->cap == l.cap);
	assert_int_equal(k->nr_unfit, unfit);
}

/*
 * Overutilization kept per PD (jp_sys_load_kept), as the BPF scheduler
 * refreshes it, two PDs at a time: once a round has kept every PD at now,
 * its sums and its answer are those of reading every view at now, whatever
 * the views, the profile (a changed fit margin) and the views' age (all-idle
 * ones decay); and a PD not kept yet this round still counts as kept before.
 */
static void test_overutilization_kept_in_rounds(void **state)
{
	static struct machine m;
	static struct jp_sys_load_kept k;
	struct jp_sys_load shares[JP_MAX_PDS];
	struct jp_cpumask online;
	struct sim_rng r;
	int over = 0;

	(void)state;
	three_pds(&m.t);
	memset(&k, 0, sizeof(k));
	sim_rng_seed(&r, 12, 0);
	for (int i = 0; i < ROUNDS / 10; i++) {
		struct jp_view_src src = {.idle = &m.w.idle, .online = &online};
		uint64_t now;
		uint32_t seen = 0, pd, j;

		randomize(&m, &r);
		memset(&online, 0, sizeof(online));
		for (uint32_t c = 0; c < m.t.nr_cpus && c < JP_MAX_CPUS; c++) {
			if (sim_rng_below(&r, 8))
				jp_mask_set(&online, c);
			/* half the rounds busier, up to full capacity */
			if (i % 2 == 0)
				m.cs[c].util_avg =
					(uint32_t)sim_rng_below(&r, m.t.cpu[c].capacity + 1u);
			/* whole PDs idle often, so that views decay */
			if (m.t.cpu[c].pd == i % 4)
				jp_mask_set(&m.w.idle, c);
		}
		src.now = sim_rng_below(&r, 50 * 1000 * 1000);
		jp_pd_views_build(&m.t, m.cs, &src, m.views);
		now = src.now + sim_rng_below(&r, 100 * 1000 * 1000);
		memcpy(shares, k.pd, sizeof(shares));

		/* the first PD of a round: the others still count as kept before */
		pd = jp_next_pd(&m.t, &k.next);
		jp_sys_load_keep_pd(&m.t, &m.p, &k, pd, &m.views[pd], now);
		seen |= 1u << pd;
		shares[pd] = k.pd[pd];
		assert_kept_as(&m, &k, shares);

		/*
		 * The rest, one more PD then two a refresh, as the BPF scheduler
		 * keeps them, until every PD has been kept: with three PDs the
		 * refreshes straddle the rounds (0,1 2,0 1,2 ...).
		 */
		for (j = 1; seen != (1u << m.t.nr_pds) - 1 || j % 2; j++) {
			assert_true(j < 2 * m.t.nr_pds);
			pd = jp_next_pd(&m.t, &k.next);
			jp_sys_load_keep_pd(&m.t, &m.p, &k, pd, &m.views[pd], now);
			seen |= 1u << pd;
		}
		assert_int_equal(seen, (1u << m.t.nr_pds) - 1);
		memset(shares, 0, sizeof(shares));
		for (j = 0; j < m.t.nr_pds; j++)
			jp_sys_load_add(&m.views[j], now, &shares[j]);
		assert_kept_as(&m, &k, shares);
		assert_int_equal(jp_sys_load_kept_over(&m.p, &k),
				 jp_overutilized_views(&m.t, m.views, &m.p, now));
		over += jp_sys_load_kept_over(&m.p, &k);
	}
	/* both answers must have been compared */
	print_message("%d of %d rounds overutilized\n", over, ROUNDS / 10);
	assert_true(over > ROUNDS / 200 && over < ROUNDS / 10 - ROUNDS / 200);
}

/*
 * A burst on views built before it, as within one of the BPF scheduler's
 * periods: light wakeups on an idle machine, each taking its CPU's idle bit
 * and counting on it until it runs, go to as many different little CPUs as
 * on a scan, also past the view's 4 candidates.
 */
static void test_burst_spreads_on_old_views(void **state)
{
	static struct machine m;
	int picks[8];

	(void)state;
	two_wide_pds(&m.t);
	memset(m.cs, 0, sizeof(m.cs));
	memset(&m.w, 0, sizeof(m.w));
	jp_profile_init(&m.p, JOULE_PROFILE_BALANCED);
	m.w.task_util = 80;
	m.w.prev_cpu = JP_NO_CPU;
	for (uint32_t c = 0; c < 16; c++) {
		jp_mask_set(&m.w.allowed, c);
		jp_mask_set(&m.w.idle, c);
	}
	build_views(&m);
	for (int i = 0; i < 8; i++) {
		picks[i] = jp_select_cpu_energy(&m.t, m.cs, m.views, &m.p, &m.w);
		assert_in_range(picks[i], 0, 7);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(picks[j], picks[i]);
		jp_mask_clear(&m.w.idle, (uint32_t)picks[i]);
		jp_cpu_pending_add(&m.cs[picks[i]], m.w.task_util);
	}
}

/*
 * Offline CPUs keep their idle bits and their util decays to nothing: they
 * must not fill a view's candidates, which no wakeup could use, or every
 * energy placement in that domain would fall back to the scan. Half of a
 * wide little domain offline (SMT turned off, say), one online CPU idle: the
 * candidates are online CPUs, that one first, and the views choose it.
 */
static void test_offline_cpus_are_no_candidates(void **state)
{
	static struct machine m;
	struct jp_cpumask online;
	struct jp_view_src src = {.idle = &m.w.idle, .online = &online};

	(void)state;
	two_wide_pds(&m.t);
	memset(m.cs, 0, sizeof(m.cs));
	memset(&m.w, 0, sizeof(m.w));
	memset(&online, 0, sizeof(online));
	jp_profile_init(&m.p, JOULE_PROFILE_BALANCED);
	m.w.task_util = 60;
	m.w.prev_cpu = JP_NO_CPU;
	for (uint32_t c = 0; c < 16; c++) {
		bool off = c >= 4 && c < 8;

		if (!off) {
			jp_mask_set(&online, c);
			jp_mask_set(&m.w.allowed, c);
			m.cs[c].util_avg = c == 2 ? 10 : 150;
		}
		if (off || c == 2)
			jp_mask_set(&m.w.idle, c);
	}
	jp_pd_views_build(&m.t, m.cs, &src, m.views);
	assert_int_equal(m.views[0].nr_online, 4);
	assert_int_equal(m.views[0].nr_online_idle, 1);
	assert_true(m.views[0].nr_cands > 0);
	assert_int_equal(m.views[0].cands[0], 2);
	for (uint32_t j = 0; j < m.views[0].nr_cands; j++)
		assert_true(jp_mask_test(&online, m.views[0].cands[j]));
	assert_int_equal(jp_select_cpu_energy(&m.t, m.cs, m.views, &m.p, &m.w), 2);
	assert_int_equal(jp_select_cpu_energy(&m.t, m.cs, NULL, &m.p, &m.w), 2);
}

/*
 * Views pay where a domain has 8 CPUs or more on average: not on a 4-CPU
 * machine of 2 domains, where checking 4 candidates costs more than reading
 * 2 CPUs.
 */
static void test_views_pay_on_big_domains(void **state)
{
	static struct jp_tables t;

	(void)state;
	two_cluster(&t); /* 6 CPUs, 2 PDs */
	assert_false(jp_views_pay(&t));
	three_pds(&t); /* 16 CPUs, 3 PDs */
	assert_false(jp_views_pay(&t));
	t.nr_pds = 2;
	assert_true(jp_views_pay(&t));
}

/* The latency-first rank of every allowed CPU, the first of equals kept. */
static s32 perf_by_every_cpu(const struct machine *m)
{
	u64 best_rank = 0;
	s32 best = JP_NO_CPU;

	for (uint32_t c = 0; c < m->t.nr_cpus; c++) {
		u64 rank;

		if (!jp_mask_test(&m->w.allowed, c))
			continue;
		rank = jp_perf_rank(&m->t, m->cs, &m->w, c) + 1;
		if (rank > best_rank) {
			best_rank = rank;
			best = (s32)c;
		}
	}
	return best;
}

/*
 * Latency-first placement looks at the idle CPUs alone when one is allowed:
 * it must choose what ranking every allowed CPU chooses, SMT siblings too.
 */
static void test_perf_looks_at_idle_cpus_first(void **state)
{
	static struct machine m;
	struct sim_rng r;
	int idle_chosen = 0;

	(void)state;
	three_pds(&m.t);
	for (uint32_t c = 8; c < 16; c++)
		m.t.cpu[c].sibling = (uint16_t)(c ^ 1);
	sim_rng_seed(&r, 4, 0);
	for (int i = 0; i < ROUNDS; i++) {
		s32 want, got;

		randomize(&m, &r);
		/* fewer idle CPUs: often none of the allowed ones is */
		for (uint32_t c = 0; c < m.t.nr_cpus; c++)
			if (sim_rng_below(&r, 4))
				jp_mask_clear(&m.w.idle, c);
		want = perf_by_every_cpu(&m);
		got = jp_select_cpu_perf(&m.t, m.cs, &m.w);
		if (want != got)
			fail_msg("round %d: ranking every CPU chose %d, jp_select_cpu_perf %d", i,
				 want, got);
		idle_chosen += want >= 0 && jp_mask_test(&m.w.idle, (uint32_t)want);
	}
	print_message("an idle CPU chosen in %d of %d rounds\n", idle_chosen, ROUNDS);
	/* both paths ran: an idle CPU chosen, and a busy one */
	assert_true(idle_chosen > ROUNDS / 4);
	assert_true(idle_chosen < ROUNDS * 3 / 4);
}

/*
 * Latency-first placement on views. With an allowed CPU idle it ranks prev
 * and each PD's best idle CPU, walking a PD whose CPUs rank alike only to
 * its first whole idle core: it must choose exactly what ranking every
 * allowed CPU does. With none idle it ranks prev and each PD's best CPU,
 * not every allowed CPU: from views built on the state now it must find a
 * CPU as good, the same rank but for the nearness to prev, the last
 * tie-break. On three_pds(), whose middle PD's CPUs are SMT pairs; then
 * with half that PD's CPUs in an LLC of their own (split 1), or in the big
 * PD's cluster (split 2, nearer a prev there), or slower (split 3), so that
 * its CPUs do not rank alike and its idle CPUs are all walked; with a
 * cluster per core (split 4), which nests in the LLCs and leaves them
 * alike; on like_pds(), where like PDs' idle CPUs tie and the lowest must
 * stay; and on wide_pds(), PDs across two mask words. With
 * split 3 the rounds have an idle CPU: the busy pass's candidates, the
 * CPUs of most spare capacity, stand for the PD's best only where its CPUs
 * have one capacity, as a frequency domain's do.
 */
static void like_pds(struct jp_tables *t);
static void wide_pds(struct jp_tables *t);

static void check_perf_on_views(void (*fixture)(struct jp_tables *), int split, uint32_t alike,
				uint64_t seed)
{
	static struct machine m;
	struct sim_rng r;
	int busy_rounds = 0, idle_rounds = 0;

	fixture(&m.t);
	for (uint32_t c = 8; split && c < 16; c++) {
		if (m.t.cpu[c].pd != 1)
			continue;
		if (split == 1)
			m.t.cpu[c].llc = 3;
		else if (split == 2)
			m.t.cpu[c].cluster = 2;
		else if (split == 3)
			m.t.cpu[c].capacity = 600;
	}
	/* split 4: a cluster per core (an L2 each), inside the PDs' LLCs */
	for (uint32_t c = 0; split == 4 && c < m.t.nr_cpus; c++)
		m.t.cpu[c].cluster = (uint16_t)(100 + jp_min64(c, m.t.cpu[c].sibling));
	m.t.pds_rank_alike = jp_pds_rank_alike(&m.t);
	assert_int_equal(m.t.pds_rank_alike, alike);
	sim_rng_seed(&r, seed, 0);
	for (int i = 0; i < ROUNDS; i++) {
		s32 want, got;

		randomize(&m, &r);
		/* now and then a prev past the machine's CPUs */
		if (i % 16 == 3)
			m.w.prev_cpu = (s32)m.t.nr_cpus + 1;
		/* half the rounds with every allowed CPU busy: the pass on views */
		if (i % 2 && split != 3)
			for (uint32_t c = 0; c < m.t.nr_cpus; c++)
				if (jp_mask_test(&m.w.allowed, c))
					jp_mask_clear(&m.w.idle, c);
		build_views(&m);
		want = perf_by_every_cpu(&m);
		got = jp_select_cpu_perf_on(&m.t, m.cs, m.views, &m.w);
		if (want == JP_NO_CPU || got == JP_NO_CPU) {
			if (want != got)
				fail_msg("round %d: ranking every CPU chose %d, the views %d", i,
					 want, got);
			continue;
		}
		if (jp_mask_test(&m.w.idle, (uint32_t)want)) {
			if (want != got)
				fail_msg("round %d: ranking every CPU chose idle CPU %d, the views "
					 "%d",
					 i, want, got);
			idle_rounds++;
			continue;
		}
		if (split == 3)
			continue;
		if (!jp_mask_test(&m.w.allowed, (uint32_t)got))
			fail_msg("round %d: the views chose CPU %d, which the task may not use", i,
				 got);
		if (jp_perf_rank(&m.t, m.cs, &m.w, (uint32_t)want) >> 8 !=
		    jp_perf_rank(&m.t, m.cs, &m.w, (uint32_t)got) >> 8)
			fail_msg("round %d: ranking every CPU chose %d (rank %llx), the views %d "
				 "(rank %llx)",
				 i, want,
				 (unsigned long long)jp_perf_rank(&m.t, m.cs, &m.w, (uint32_t)want),
				 got,
				 (unsigned long long)jp_perf_rank(&m.t, m.cs, &m.w, (uint32_t)got));
		busy_rounds++;
	}
	print_message("an idle CPU chosen in %d, a busy one in %d of %d rounds\n", idle_rounds,
		      busy_rounds, ROUNDS);
	assert_true(split == 3 || busy_rounds > ROUNDS / 3);
	assert_true(idle_rounds > ROUNDS / 4);
}

static void test_perf_on_views_ranks_as_every_cpu(void **state)
{
	(void)state;
	check_perf_on_views(three_pds, 0, 0xffff, 5);
	check_perf_on_views(three_pds, 1, 0xfffd, 6);
	check_perf_on_views(three_pds, 2, 0xfffd, 7);
	check_perf_on_views(three_pds, 3, 0xfffd, 8);
	check_perf_on_views(three_pds, 4, 0xffff, 9);
	check_perf_on_views(like_pds, 0, 0xffff, 10);
	check_perf_on_views(wide_pds, 0, 0xffff, 11);
}

/*
 * Eight PDs of 4 CPUs of two_cluster()'s kinds: two little (PDs 0-1), six
 * big (2-7), each kind's PDs alike, its CPUs numbered round the PDs. Like
 * PDs at one OPP add the same energy: the ties jp_pd_beaten must settle as
 * pricing every PD does.
 */
static void like_pds(struct jp_tables *t)
{
	struct jp_tables small;

	two_cluster(&small);
	memset(t, 0, sizeof(*t));
	t->nr_cpus = 32;
	t->nr_pds = 8;
	t->max_capacity = 1024;
	for (uint32_t pd = 0; pd < 8; pd++) {
		t->pd[pd] = small.pd[pd < 2 ? 0 : 1];
		t->pd[pd].nr_cpus = 0;
	}
	for (uint32_t c = 0; c < 32; c++) {
		uint32_t pd = c % 8;

		t->cpu[c] = small.cpu[pd < 2 ? 0 : 4];
		t->cpu[c].pd = (uint8_t)pd;
		t->cpu[c].cluster = t->cpu[c].llc = (uint16_t)pd;
		t->pd[pd].cpus[t->pd[pd].nr_cpus++] = (uint16_t)c;
	}
}

/*
 * 128 CPUs in like_pds()'s 8 PDs, numbered round the PDs, so that each PD
 * has CPUs in both mask words; the big PDs' (2-7) CPUs are SMT pairs c and
 * c + 64, in different words.
 */
static void wide_pds(struct jp_tables *t)
{
	like_pds(t);
	t->nr_cpus = 128;
	for (uint32_t pd = 0; pd < 8; pd++)
		t->pd[pd].nr_cpus = 0;
	for (uint32_t c = 0; c < 128; c++) {
		uint32_t pd = c % 8;

		t->cpu[c] = t->cpu[pd];
		t->cpu[c].sibling = pd < 2 ? JP_NO_SIBLING : (uint16_t)(c ^ 64);
		t->pd[pd].cpus[t->pd[pd].nr_cpus++] = (uint16_t)c;
	}
}

/* PDs a pricing in order passes over (jp_pd_beaten), on views if views. */
static int pds_passed_over(const struct machine *m, const struct jp_pd_view *views)
{
	u64 best = ~0ull;
	int passed = 0;

	for (uint32_t pd = 0; pd < m->t.nr_pds; pd++) {
		struct jp_pd_eval e = {.cand_delta = best}, all = {.cand_delta = ~0ull};

		if (!jp_pd_allowed(&m->t, views, &m->w, pd))
			continue;
		jp_pd_evaluate(&m->t, m->cs, views, &m->p, &m->w, pd, &e);
		jp_pd_evaluate(&m->t, m->cs, views, &m->p, &m->w, pd, &all);
		passed += e.cand_cpu == JP_NO_CPU && e.prev_cpu == JP_NO_CPU &&
			  (all.cand_cpu != JP_NO_CPU || all.prev_cpu != JP_NO_CPU);
		best = all.prev_cpu != JP_NO_CPU && all.prev_delta < best ? all.prev_delta : best;
		best = all.cand_cpu != JP_NO_CPU && all.cand_delta < best ? all.cand_delta : best;
	}
	return passed;
}

/*
 * Passing over the PDs that cannot beat the best CPU so far (tables whose
 * costs rise: costs_rise) must not change a choice, on the scan or on the
 * views, and on like PDs it must pass over some.
 */
static void test_passing_over_pds_chooses_as_pricing_all(void **state)
{
	static struct machine m;
	struct sim_rng r;
	int rounds_passing = 0, passed = 0;

	(void)state;
	like_pds(&m.t);
	assert_true(jp_costs_rise(&m.t));
	sim_rng_seed(&r, 6, 0);
	for (int i = 0; i < ROUNDS; i++) {
		s32 all[2], some[2];

		randomize(&m, &r);
		build_views(&m);
		m.t.costs_rise = 0;
		all[0] = jp_select_cpu_energy(&m.t, m.cs, NULL, &m.p, &m.w);
		all[1] = jp_select_cpu_energy(&m.t, m.cs, m.views, &m.p, &m.w);
		m.t.costs_rise = 1;
		some[0] = jp_select_cpu_energy(&m.t, m.cs, NULL, &m.p, &m.w);
		some[1] = jp_select_cpu_energy(&m.t, m.cs, m.views, &m.p, &m.w);
		if (all[0] != some[0] || all[1] != some[1])
			fail_msg("round %d: pricing every PD chose %d (scan) and %d (views), "
				 "passing over some %d and %d",
				 i, all[0], all[1], some[0], some[1]);
		passed = pds_passed_over(&m, m.views);
		rounds_passing += passed > 0;
	}
	print_message("PDs passed over in %d of %d rounds\n", rounds_passing, ROUNDS);
	assert_true(rounds_passing > ROUNDS / 4);
}

/* The PDs with none of the task's CPUs, worked out CPU by CPU. */
static u32 other_pds_by_cpu(const struct machine *m)
{
	u32 allowed = 0;

	for (uint32_t c = 0; c < m->t.nr_cpus; c++)
		if (jp_mask_test(&m->w.allowed, c))
			allowed |= 1u << m->t.cpu[c].pd;
	return ~allowed & ((1u << m->t.nr_pds) - 1);
}

/*
 * jp_wake.other_pds, the hint the BPF scheduler keeps per task, names
 * exactly the PDs with none of the task's CPUs (from the CPU lists and from
 * views alike), and placement passing over them chooses what it chooses
 * without the hint, energy and latency-first, on the scan and on views.
 */
static void test_other_pds_hint_changes_nothing(void **state)
{
	static struct machine m;
	struct sim_rng r;
	int hinted = 0;

	(void)state;
	three_pds(&m.t);
	sim_rng_seed(&r, 7, 0);
	for (int i = 0; i < ROUNDS; i++) {
		s32 plain[3], with_hint[3];
		u32 other;

		randomize(&m, &r);
		build_views(&m);
		other = jp_other_pds(&m.t, NULL, &m.w);
		assert_int_equal(other, other_pds_by_cpu(&m));
		assert_int_equal(jp_other_pds(&m.t, m.views, &m.w), other);
		plain[0] = jp_select_cpu_energy(&m.t, m.cs, NULL, &m.p, &m.w);
		plain[1] = jp_select_cpu_energy(&m.t, m.cs, m.views, &m.p, &m.w);
		plain[2] = jp_select_cpu_perf_on(&m.t, m.cs, m.views, &m.w);
		m.w.other_pds = other;
		with_hint[0] = jp_select_cpu_energy(&m.t, m.cs, NULL, &m.p, &m.w);
		with_hint[1] = jp_select_cpu_energy(&m.t, m.cs, m.views, &m.p, &m.w);
		with_hint[2] = jp_select_cpu_perf_on(&m.t, m.cs, m.views, &m.w);
		for (int k = 0; k < 3; k++)
			if (plain[k] != with_hint[k])
				fail_msg("round %d, placement %d: %d without the hint %#x, %d with "
					 "it",
					 i, k, plain[k], other, with_hint[k]);
		hinted += other != 0;
	}
	print_message("a PD passed over by the hint in %d of %d rounds\n", hinted, ROUNDS);
	assert_true(hinted > ROUNDS / 4);
}

/* An OPP that costs less than a slower one: no PD may be passed over. */
static void test_falling_costs_price_every_pd(void **state)
{
	static struct jp_tables t;

	(void)state;
	like_pds(&t);
	assert_true(jp_costs_rise(&t));
	t.pd[5].opps[2].cost = t.pd[5].opps[1].cost - 1;
	assert_false(jp_costs_rise(&t));
	t.pd[5].opps[2].cost = t.pd[5].opps[1].cost;
	assert_true(jp_costs_rise(&t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_views_choose_as_the_scan_two_pds),
		cmocka_unit_test(test_views_choose_as_the_scan_three_pds),
		cmocka_unit_test(test_old_views_choose_a_usable_cpu),
		cmocka_unit_test(test_view_gathered_in_steps),
		cmocka_unit_test(test_offline_cpus_are_no_candidates),
		cmocka_unit_test(test_overutilization_kept_in_rounds),
		cmocka_unit_test(test_burst_spreads_on_old_views),
		cmocka_unit_test(test_views_pay_on_big_domains),
		cmocka_unit_test(test_perf_looks_at_idle_cpus_first),
		cmocka_unit_test(test_perf_on_views_ranks_as_every_cpu),
		cmocka_unit_test(test_passing_over_pds_chooses_as_pricing_all),
		cmocka_unit_test(test_falling_costs_price_every_pd),
		cmocka_unit_test(test_other_pds_hint_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
