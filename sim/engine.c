// SPDX-License-Identifier: GPL-2.0-only
/*
 * Discrete-event engine. Time is integer ns. A CPU is IDLE (no thread),
 * WAKING (a thread is assigned, the CPU leaves its idle state: power is
 * spent, no work is done) or BUSY. Running threads progress at the CPU's
 * capacity now (capacity at the PD's OPP, times smt_speed while the SMT
 * sibling is busy). Every change to a CPU first "settles" it: work, energy
 * and utilization are integrated up to now, then events are re-armed.
 */
#include "engine.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { EV_CPU, EV_RELEASE, EV_DVFS, EV_TICK, EV_THINK, EV_HWP };

/* ---- event heap: ordered by (time, insertion), so runs are reproducible ---- */

static bool ev_before(const struct sim_event *a, const struct sim_event *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int ev_push(struct sim *s, uint64_t t, uint32_t type, uint32_t idx, uint64_t gen)
{
	struct sim_event e = {.t = t, .seq = s->seq++, .gen = gen, .type = type, .idx = idx};
	uint32_t i;

	if (s->nr_events == s->cap_events) {
		uint32_t cap = s->cap_events ? s->cap_events * 2 : 1024;
		struct sim_event *h = realloc(s->heap, cap * sizeof(*h));

		if (!h)
			return -1;
		s->heap = h;
		s->cap_events = cap;
	}
	i = s->nr_events++;
	while (i && ev_before(&e, &s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = e;
	return 0;
}

static struct sim_event ev_pop(struct sim *s)
{
	struct sim_event top = s->heap[0], last = s->heap[--s->nr_events];
	uint32_t i = 0;

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= s->nr_events)
			break;
		if (c + 1 < s->nr_events && ev_before(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!ev_before(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->nr_events)
		s->heap[i] = last;
	return top;
}

/* Allocation failures are rare; they stop the run and sim_run reports them. */
static void ev_add(struct sim *s, uint64_t t, uint32_t type, uint32_t idx, uint64_t gen)
{
	if (ev_push(s, t, type, idx, gen))
		s->oom = true;
}

/* ---- machine state ------------------------------------------------------- */

static const struct sim_pd *cpu_pd(const struct sim *s, uint32_t cpu)
{
	return &s->soc->pd[s->soc->cpu[cpu].pd];
}

static bool cpu_running(const struct sim *s, int cpu)
{
	return cpu >= 0 && s->cpu[cpu].state != CPU_IDLE;
}

static bool smt_shared(const struct sim *s, uint32_t cpu)
{
	return cpu_running(s, s->soc->cpu[cpu].sibling);
}

/*
 * Capacity at the current OPP: what utilization tracking sees. Like the
 * kernel's frequency invariance (APERF/MPERF, AMU) it ignores SMT sharing.
 */
static uint32_t cap_freq(const struct sim *s, uint32_t cpu)
{
	const struct sim_pd *pd = cpu_pd(s, cpu);
	uint32_t cap = pd->opps[s->pd[s->soc->cpu[cpu].pd].opp].capacity;

	return cap ? cap : 1;
}

/* Capacity a running thread really gets now (SMT sharing included). */
uint32_t sim_cap_now(const struct sim *s, uint32_t cpu)
{
	uint32_t cap = cap_freq(s, cpu);

	if (smt_shared(s, cpu))
		cap = cap * s->soc->smt_speed_pct / 100;
	return cap ? cap : 1;
}

/*
 * Speed at which a running thread's work progresses now: the capacity it
 * gets, or with speed_equal (a VM's equal vCPUs) 1024 everywhere, SMT
 * sharing still applied.
 */
static uint32_t cap_run(const struct sim *s, uint32_t cpu)
{
	uint32_t cap;

	if (!s->cfg.speed_equal)
		return sim_cap_now(s, cpu);
	cap = JP_SCALE;
	if (smt_shared(s, cpu))
		cap = cap * s->soc->smt_speed_pct / 100;
	return cap ? cap : 1;
}

/*
 * A model's idle powers are per core: an SMT thread pays half of its core's
 * while its sibling idles too (core_idle_share), and none while the sibling
 * runs (the core's OPP power, which the sibling pays, covers it).
 */
static double core_idle_share(const struct sim *s, uint32_t cpu)
{
	return s->soc->cpu[cpu].sibling < 0 ? 1.0 : 0.5;
}

static double smt_idle_share(const struct sim *s, uint32_t cpu)
{
	if (s->soc->cpu[cpu].sibling >= 0 && smt_shared(s, cpu))
		return 0.0;
	return core_idle_share(s, cpu);
}

static double cpu_power_mw(const struct sim *s, uint32_t cpu, uint64_t *deep_from)
{
	const struct sim_pd *pd = cpu_pd(s, cpu);
	const struct sim_cpu_rt *cr = &s->cpu[cpu];
	double mw = pd->opps[s->pd[s->soc->cpu[cpu].pd].opp].mw;

	*deep_from = UINT64_MAX;
	if (cr->state == CPU_IDLE) {
		*deep_from = cr->idle_since + pd->sleep_min_us * 1000ull;
		return pd->wfi_mw;
	}
	if (smt_shared(s, cpu))
		mw = mw * s->soc->smt_power_pct / 100;
	return mw;
}

uint32_t sim_thread_util(const struct sim *s, uint32_t thread)
{
	return jp_task_util(&s->th[thread].jt);
}

bool sim_cpu_idle(const struct sim *s, uint32_t cpu)
{
	return s->cpu[cpu].state == CPU_IDLE;
}

uint32_t sim_cpu_nr(const struct sim *s, uint32_t cpu)
{
	return s->cpu[cpu].nr_queued + (s->cpu[cpu].curr >= 0);
}

void sim_fill_wake(const struct sim *s, uint32_t thread, int prev, struct jp_wake *w)
{
	uint32_t c;

	memset(w, 0, sizeof(*w));
	w->task_util = sim_thread_util(s, thread);
	w->prev_cpu = prev;
	w->now = s->now;
	for (c = 0; c < s->soc->nr_cpus; c++) {
		jp_mask_set(&w->allowed, c);
		if (sim_cpu_idle(s, c))
			jp_mask_set(&w->idle, c);
	}
}

void sim_build_views(const struct sim *s, const struct jp_cpumask *idle, struct jp_pd_view *views)
{
	struct jp_view_src src = {.idle = idle, .online = &s->online, .now = s->now};

	jp_pd_views_build(&s->tables, s->js, &src, views);
}

/*
 * advance_pd_clock: a PD's vtime clock follows the vtime its threads start
 * at, by at most a slice a start (most), and all the way that of one that
 * keeps its CPU while nothing waits in the PD (jp_clock_follow).
 */
static void pd_clock_follow(struct sim *s, const struct sim_thread *t, uint64_t most)
{
	s->pd[t->vtime_pd].clock = jp_clock_follow(s->pd[t->vtime_pd].clock, t->vruntime, most);
}

/* Integrate work, energy and utilization of one CPU up to now. */
static void cpu_settle(struct sim *s, uint32_t c)
{
	struct sim_cpu_rt *cr = &s->cpu[c];
	uint64_t dt = s->now - cr->last_settle, deep_from;
	double mw;

	if (s->now <= cr->last_settle)
		return;
	mw = cpu_power_mw(s, c, &deep_from);
	if (cr->state == CPU_IDLE) {
		const struct sim_pd *pd = cpu_pd(s, c);
		uint64_t shallow_end = deep_from < s->now ? deep_from : s->now;
		uint64_t shallow =
			shallow_end > cr->last_settle ? shallow_end - cr->last_settle : 0;
		double idle_mj = (mw * shallow + pd->sleep_mw * (dt - shallow)) / 1e9;

		idle_mj *= smt_idle_share(s, c);
		cr->energy_mj += idle_mj;
		s->m.pd_idle_mj[s->soc->cpu[c].pd] += idle_mj;
		jp_cpu_account(&s->js[c], s->now, 0, 0);
	} else {
		cr->energy_mj += mw * dt / 1e9;
		if (cr->state == CPU_WAKING)
			s->m.pd_waking_mj[s->soc->cpu[c].pd] += mw * dt / 1e9;
		if (cr->state == CPU_BUSY && cr->curr >= 0) {
			uint32_t cap = cap_run(s, c);
			struct sim_thread *t = &s->th[cr->curr];

			t->remaining -= (double)dt * cap / 1024.0;
			s->m.spec_run_ns[t->spec][s->soc->cpu[c].pd] += dt;
			s->m.spec_energy_mj[t->spec][s->soc->cpu[c].pd] += mw * dt / 1e9;
			if (t->busy)
				s->m.spec_busy_run_ns[t->spec][s->soc->cpu[c].pd] += dt;
			t->vruntime += dt;
			if (t->vruntime > cr->min_vruntime)
				cr->min_vruntime = t->vruntime;
			/* joule_tick's advance_pd_clock: only while nothing waits in the PD */
			if (s->pol->pd_queues && !s->pd[t->vtime_pd].nr_queued)
				pd_clock_follow(s, t, UINT64_MAX >> 1);
			cr->busy_ns += dt;
			cr->window_work += (double)dt * cap_freq(s, c) / JP_SCALE;
			jp_cpu_account(&s->js[c], s->now, dt, cap_freq(s, c));
		} else {
			jp_cpu_account(&s->js[c], s->now, 0, 0);
		}
	}
	cr->last_settle = s->now;
}

static void cpu_touch(struct sim *s, uint32_t c)
{
	int sib = s->soc->cpu[c].sibling;

	cpu_settle(s, c);
	if (sib >= 0)
		cpu_settle(s, (uint32_t)sib);
}

/*
 * When a slice that ends at t is seen to: at the first tick from t on. The
 * kernel runs no high-resolution slice timer (EEVDF's HRTICK is off by
 * default, sched_ext has none): the tick finds the slice used up.
 */
static uint64_t slice_seen_at(uint64_t t)
{
	return (t + SIM_TICK_NS - 1) / SIM_TICK_NS * SIM_TICK_NS;
}

static void cpu_arm_one(struct sim *s, uint32_t c)
{
	struct sim_cpu_rt *cr = &s->cpu[c];

	cr->gen++;
	if (cr->state == CPU_WAKING) {
		ev_add(s, cr->wake_done, EV_CPU, c, cr->gen);
	} else if (cr->state == CPU_IDLE && cr->kept_request) {
		ev_add(s, cr->idle_since + JP_KEPT_REQUEST_NS, EV_CPU, c, cr->gen);
	} else if (cr->state == CPU_BUSY && cr->curr >= 0) {
		const struct sim_thread *t = &s->th[cr->curr];
		double left = t->remaining > 0 ? t->remaining : 0;
		uint64_t fin = s->now + (uint64_t)ceil(left * 1024.0 / cap_run(s, c));
		uint64_t end = slice_seen_at(t->slice_end);

		ev_add(s, fin < end ? fin : end, EV_CPU, c, cr->gen);
	}
}

static void cpu_arm(struct sim *s, uint32_t c)
{
	int sib = s->soc->cpu[c].sibling;

	cpu_arm_one(s, c);
	if (sib >= 0)
		cpu_arm_one(s, (uint32_t)sib);
}

/* ---- DVFS ------------------------------------------------------------------ */

/*
 * The capacity (system-wide scale) schedutil wants for CPU c. CFS baselines:
 * the policy's perf target from utilization, computed now. scx_joule: the
 * request it last sent, which schedutil reads as utilization and maps with
 * its 25% margin (map_util_perf), whatever has happened since.
 */
static uint32_t cpu_needed_capacity(const struct sim *s, uint32_t c)
{
	if (s->pol->sets_requests)
		return (uint32_t)((uint64_t)s->cpu[c].perf_request * JP_SCHEDUTIL_MARGIN /
				  JP_SCALE);
	return (uint32_t)((uint64_t)s->pol->perf_target((struct sim *)s, c) *
			  s->soc->cpu[c].capacity / JP_SCALE);
}

/*
 * Lowest OPP of PD p whose capacity covers need (the top one if none does),
 * of those cpufreq may pick: with an energy model, not an inefficient one.
 */
static uint32_t pd_opp_covering(const struct sim *s, uint32_t p, uint64_t need)
{
	const struct sim_pd *pd = &s->soc->pd[p];
	uint32_t o;

	for (o = 0; o + 1 < pd->nr_opps; o++)
		if (pd->opps[o].capacity >= need && !s->pd[p].inefficient[o])
			break;
	return o;
}

/* schedutil on a shared policy: the most demanding CPU of the PD sets the OPP. */
static uint32_t pd_wanted_opp(const struct sim *s, uint32_t p)
{
	const struct sim_pd *pd = &s->soc->pd[p];
	uint32_t i, need = 0;

	for (i = 0; i < pd->nr_cpus; i++) {
		uint32_t cap = cpu_needed_capacity(s, pd->cpus[i]);

		if (cap > need)
			need = cap;
	}
	return pd_opp_covering(s, p, need);
}

/*
 * The governor (schedutil or the hardware) picks OPP want for PD p. It takes
 * effect after the PD's transition delay; a change still in flight is
 * retargeted, not queued.
 */
static void pd_choose(struct sim *s, uint32_t p, uint32_t want)
{
	struct sim_pd_rt *pr = &s->pd[p];

	if (want == pr->chosen)
		return;
	pr->chosen = want;
	pr->changed_at = s->now;
	pr->ever_changed = true;
	if (pr->pending_opp >= 0) {
		if (want == pr->opp) {
			pr->pending_opp = -1;
			pr->gen++;
		} else {
			pr->pending_opp = (int32_t)want;
		}
		return;
	}
	pr->pending_opp = (int32_t)want;
	pr->gen++;
	ev_add(s, s->now + s->soc->pd[p].dvfs_us * 1000ull, EV_DVFS, p, pr->gen);
}

/*
 * cpufreq_update_util() reaches schedutil for PD p. Like the kernel's
 * sugov_should_update_freq(), an update within the rate limit of the last
 * frequency change is dropped, not deferred: the PD keeps its OPP until the
 * next update arrives. An active driver ignores schedutil altogether.
 */
static void pd_governor(struct sim *s, uint32_t p)
{
	struct sim_pd_rt *pr = &s->pd[p];

	if (s->cfg.driver != SIM_DRIVER_PASSIVE)
		return;
	if (pr->ever_changed && s->now - pr->changed_at < s->cfg.rate_limit_ns)
		return;
	pd_choose(s, p, pd_wanted_opp(s, p));
}

/* Where CFS would call cpufreq_update_util(): utilization changed on PD p. */
static void pd_util_changed(struct sim *s, uint32_t p)
{
	if (!s->pol->sets_requests)
		pd_governor(s, p);
}

/*
 * scx_joule's request_perf(): ask for the CPU's perf target (0 when it goes
 * idle) on schedutil's scale, unless the change is too small to send; a
 * request sent makes schedutil look at the PD (scx_bpf_cpuperf_set calls
 * cpufreq_update_util()). The request stays until the next one. Scaled by
 * the kernel's capacity (scx_bpf_cpuperf_cap), which in the simulated
 * machine is the model's.
 */
static void cpu_request_perf(struct sim *s, uint32_t c, bool idle)
{
	uint32_t target, req;

	if (!s->pol->sets_requests)
		return;
	target = idle ? 0 : s->pol->perf_target(s, c);
	req = jp_perf_request(target, s->soc->cpu[c].capacity);
	if (jp_perf_request_due(s->cpu[c].perf_request, req))
		sim_set_perf_request(s, c, req);
}

/*
 * scx_joule's ops.update_idle on CPU c, just gone idle: it gives its request
 * up, or after a frame thread keeps it for JP_KEPT_REQUEST_NS at most (the
 * event cpu_arm_one adds; on_cpu_event gives it up then).
 */
static void cpu_update_idle(struct sim *s, uint32_t c)
{
	struct sim_cpu_rt *cr = &s->cpu[c];

	cr->kept_request = false;
	if (s->cfg.no_idle_release)
		return;
	if (!jp_idle_keeps_request(&s->prof, &s->js[c])) {
		cpu_request_perf(s, c, true);
		return;
	}
	cr->kept_request = true;
	cpu_arm_one(s, c);
}

/*
 * The tick's request, as joule_tick: a request the CPU's speed does not
 * reflect (schedutil dropped it) is sent again even if unchanged, at most
 * every JP_PERF_RESEND_NS (jp_perf_resend_due); not with --no-resend-lagging.
 */
static void cpu_tick_request_perf(struct sim *s, uint32_t c)
{
	uint32_t target, cur;

	if (!s->pol->sets_requests)
		return;
	if (!s->cfg.no_resend) {
		target = s->pol->perf_target(s, c);
		cur = cap_freq(s, c) * JP_SCALE / s->soc->cpu[c].capacity;
		if (jp_perf_resend_due(target, cur, s->now, s->cpu[c].perf_resent_at)) {
			s->cpu[c].perf_resent_at = s->now;
			sim_set_perf_request(s, c,
					     jp_perf_request(target, s->soc->cpu[c].capacity));
			return;
		}
	}
	cpu_request_perf(s, c, false);
}

/*
 * --driver active, every SIM_HWP_PERIOD_NS: the hardware's own choice for
 * each PD from the busiest CPU's frequency-invariant busy time over the
 * window, with a 25% margin (it aims at 80% busy, as schedutil does): a
 * fully busy CPU climbs 1.25x per window, an idle PD falls to its lowest OPP.
 */
static void hwp_window(struct sim *s)
{
	uint32_t p, i;

	for (p = 0; p < s->soc->nr_pds; p++) {
		const struct sim_pd *pd = &s->soc->pd[p];
		double busiest = 0;

		for (i = 0; i < pd->nr_cpus; i++) {
			struct sim_cpu_rt *cr = &s->cpu[pd->cpus[i]];

			if (cr->window_work > busiest)
				busiest = cr->window_work;
			cr->window_work = 0;
		}
		pd_choose(s, p,
			  pd_opp_covering(s, p, (uint64_t)(busiest * 1280.0 / SIM_HWP_PERIOD_NS)));
	}
}

static void pd_apply(struct sim *s, uint32_t p)
{
	const struct sim_pd *pd = &s->soc->pd[p];
	struct sim_pd_rt *pr = &s->pd[p];
	uint32_t i;

	for (i = 0; i < pd->nr_cpus; i++)
		cpu_touch(s, pd->cpus[i]);
	pr->opp_ns[pr->opp] += s->now - pr->since;
	pr->since = s->now;
	pr->opp = (uint32_t)pr->pending_opp;
	pr->pending_opp = -1;
	for (i = 0; i < pd->nr_cpus; i++)
		cpu_arm(s, pd->cpus[i]);
}

/* ---- threads and jobs ---------------------------------------------------- */

static void record_latency(struct sim *s, struct sim_thread *t)
{
	if (!t->latency_pending)
		return;
	t->latency_pending = false;
	if (s->nr_lat == s->cap_lat) {
		uint64_t cap = s->cap_lat ? s->cap_lat * 2 : 4096;
		uint64_t *l = realloc(s->lat, cap * sizeof(*l));

		if (!l) {
			s->oom = true;
			return;
		}
		s->lat = l;
		s->cap_lat = cap;
	}
	s->lat[s->nr_lat++] = s->now - t->ready_since;
}

/*
 * A thread's time slice on CPU c: scx_joule's own (--slice-us default) with
 * its queues, a quarter of it for latency-critical tasks in gaming
 * (task_slice), shorter while c's domain queue is long (jp_queue_slice, as
 * the BPF scheduler's running does).
 */
static uint64_t thread_slice(const struct sim *s, const struct sim_thread *t, uint32_t c)
{
	uint32_t pd = s->soc->cpu[c].pd;
	uint64_t base = SIM_JOULE_SLICE_NS;

	if (!s->pol->pd_queues)
		return SIM_SLICE_NS;
	if (t->lat_crit && s->cfg.profile == JOULE_PROFILE_GAMING)
		base = SIM_JOULE_SLICE_NS / 4;
	return jp_queue_slice(base, s->pd[pd].nr_queued, s->pd_online_cap[pd],
			      s->tables.cpu[c].capacity);
}

/* A thread starts running on c (scx_joule's ops.running asks for its speed). */
static void cpu_begin_run(struct sim *s, uint32_t c)
{
	struct sim_cpu_rt *cr = &s->cpu[c];
	struct sim_thread *t = &s->th[cr->curr];

	cr->state = CPU_BUSY;
	t->run_start = s->now;
	t->run_cap = cap_freq(s, c);
	t->slice_end = s->now + thread_slice(s, t, c);
	record_latency(s, t);
	cpu_request_perf(s, c, false);
}

/* Put thread th on CPU c as its running thread (c has no current thread). */
static void cpu_start(struct sim *s, uint32_t c, uint32_t th)
{
	struct sim_cpu_rt *cr = &s->cpu[c];
	struct sim_thread *t = &s->th[th];
	const struct sim_pd *pd = cpu_pd(s, c);

	cpu_touch(s, c);
	if (t->last_cpu >= 0 && (uint32_t)t->last_cpu != c) {
		s->m.migrations++;
		/* joule_running: the task's util moves with it */
		if (s->pol->pd_queues)
			jp_cpu_migrate(&s->js[t->last_cpu], &s->js[c], t->jt.util_avg);
	}
	t->last_cpu = (int32_t)c;
	t->cpu = (int32_t)c;
	t->state = TH_RUNNING;
	if (t->busy && s->m.spec_busy_up_ns[t->spec] < 0 &&
	    s->soc->cpu[c].capacity >= s->tables.max_capacity)
		s->m.spec_busy_up_ns[t->spec] = (int64_t)(s->now - t->busy_since);
	cr->curr = (int32_t)th;
	/* no longer waiting: its util moves to the running task's (ops.running) */
	jp_cpu_pending_sub(&s->js[c], t->util_on_cpu);
	s->js[c].util_runnable = t->util_on_cpu;
	s->js[c].frame = jp_frame_task(t->wake_period, false);
	s->js[c].frame_speed =
		s->js[c].frame ? jp_frame_speed_running(&s->prof, &t->jt, s->now) : 0;
	if (s->pol->pd_queues) /* joule_running's advance_pd_clock */
		pd_clock_follow(s, t, SIM_JOULE_SLICE_NS);
	if (cr->state == CPU_IDLE) {
		bool deep = s->now - cr->idle_since >= pd->sleep_min_us * 1000ull;

		if (deep)
			s->m.pd_deep_wakeups[s->soc->cpu[c].pd]++;
		else
			s->m.pd_shallow_wakeups[s->soc->cpu[c].pd]++;
		cr->state = CPU_WAKING;
		cr->wake_done = s->now + 1000ull * (deep ? pd->sleep_exit_us : pd->wfi_exit_us);
	} else {
		cpu_begin_run(s, c);
	}
	cpu_arm(s, c);
}

static void rq_add(struct sim *s, uint32_t c, uint32_t th)
{
	struct sim_cpu_rt *cr = &s->cpu[c];

	cr->queue[cr->nr_queued++] = th;
	s->th[th].state = TH_QUEUED;
	s->th[th].cpu = (int32_t)c;
}

static void rq_remove(struct sim *s, uint32_t c, uint32_t slot)
{
	struct sim_cpu_rt *cr = &s->cpu[c];

	cr->queue[slot] = cr->queue[--cr->nr_queued];
}

static int rq_min_slot(const struct sim *s, uint32_t c)
{
	const struct sim_cpu_rt *cr = &s->cpu[c];
	int best = -1;
	uint32_t i;

	for (i = 0; i < cr->nr_queued; i++)
		if (best < 0 || s->th[cr->queue[i]].vruntime < s->th[cr->queue[best]].vruntime)
			best = (int)i;
	return best;
}

/*
 * The thread is placed on CPU c: its util counts there as waiting
 * (jp_cpu_pending_add, as scx_joule's select_cpu and enqueue) until it
 * starts (cpu_start), and again whenever it stops but stays on c.
 */
static void util_attach(struct sim *s, uint32_t c, uint32_t th)
{
	struct sim_thread *t = &s->th[th];

	t->util_on_cpu = jp_task_util(&t->jt);
	jp_cpu_pending_add(&s->js[c], t->util_on_cpu);
}

/* The thread leaves CPU c (sleeps, or moves): it stopped, so it is waiting. */
static void util_detach(struct sim *s, uint32_t c, uint32_t th)
{
	struct sim_thread *t = &s->th[th];

	jp_cpu_pending_sub(&s->js[c], t->util_on_cpu);
	t->util_on_cpu = 0;
}

/*
 * scx_joule's latency-critical mark (jp_lat_crit): set at wakeup, dropped
 * once the task runs JP_LAT_RUN_NS without sleeping (drop_lat_crit_if_long).
 */
static void note_run(struct sim_thread *t, uint64_t ran)
{
	t->run_this += ran;
	if (t->run_this >= JP_LAT_RUN_NS)
		t->lat_crit = false;
}

static void cpu_preempt_check(struct sim *s, uint32_t c, uint32_t th);
static void pd_enqueue(struct sim *s, uint32_t c, uint32_t th, bool wakeup);

/* Make th runnable on CPU c. */
static void enqueue_on(struct sim *s, uint32_t c, uint32_t th, bool wakeup)
{
	struct sim_cpu_rt *cr = &s->cpu[c];
	struct sim_thread *t = &s->th[th];

	if (s->pol->pd_queues) {
		pd_enqueue(s, c, th, wakeup);
		return;
	}
	t->vruntime = (uint64_t)((int64_t)cr->min_vruntime + t->lag);
	util_attach(s, c, th);
	if (cr->curr < 0) {
		cpu_start(s, c, th);
	} else {
		rq_add(s, c, th);
		if (wakeup)
			cpu_preempt_check(s, c, th);
	}
	pd_util_changed(s, s->soc->cpu[c].pd);
}

/*
 * As joule_stopping: thread t's run of ran ns on c folded into its util, and
 * its misfit verdict worked out again (a run no tick saw must not keep a
 * stale one).
 */
static void joule_run_ended(struct sim *s, uint32_t c, struct sim_thread *t, uint64_t ran)
{
	jp_task_stopping(&t->jt, s->now, ran, jp_cap_of_run(t->run_cap, cap_freq(s, c)));
	jp_task_misfit(&s->tables, &s->prof, &t->jt, c, s->js[c].frame_speed);
}

/* The running thread of c stops running (it stays attached for util). */
static void thread_stop(struct sim *s, uint32_t c)
{
	struct sim_cpu_rt *cr = &s->cpu[c];
	struct sim_thread *t = &s->th[cr->curr];
	int64_t lag = (int64_t)t->vruntime - (int64_t)cr->min_vruntime;
	uint64_t ran = s->now - t->run_start;

	if (cr->state == CPU_BUSY && ran) {
		joule_run_ended(s, c, t, ran);
		note_run(t, ran);
	}
	if (lag < -(int64_t)SIM_SLICE_NS)
		lag = -(int64_t)SIM_SLICE_NS;
	if (lag > (int64_t)SIM_SLICE_NS)
		lag = (int64_t)SIM_SLICE_NS;
	t->lag = lag;
	cr->curr = -1;
	/* ops.stopping: it no longer runs, but waits here until detached or run */
	s->js[c].util_runnable = 0;
	jp_cpu_pending_add(&s->js[c], t->util_on_cpu);
}

static void cpu_next(struct sim *s, uint32_t c);

static void cpu_preempt_check(struct sim *s, uint32_t c, uint32_t th)
{
	struct sim_cpu_rt *cr = &s->cpu[c];
	uint32_t cur;

	if (cr->state != CPU_BUSY || cr->curr < 0)
		return;
	cpu_touch(s, c);
	cur = (uint32_t)cr->curr;
	if (s->th[th].vruntime + SIM_WAKE_GRAN_NS >= s->th[cur].vruntime)
		return;
	thread_stop(s, c);
	rq_add(s, c, cur);
	cpu_next(s, c);
}

/* Take the best queued thread of src for CPU c. */
static bool steal(struct sim *s, uint32_t c, int src)
{
	int slot;
	uint32_t th;

	if (src < 0 || (uint32_t)src == c || !s->cpu[src].nr_queued)
		return false;
	cpu_touch(s, (uint32_t)src);
	slot = rq_min_slot(s, (uint32_t)src);
	th = s->cpu[src].queue[slot];
	rq_remove(s, (uint32_t)src, (uint32_t)slot);
	util_detach(s, (uint32_t)src, th);
	s->th[th].lag = 0;
	s->m.pulls++;
	enqueue_on(s, c, th, false);
	pd_util_changed(s, s->soc->cpu[src].pd);
	return true;
}

/* CPU c has no current thread: run the next queued one, pull, or idle. */
static bool pd_dispatch(struct sim *s, uint32_t c, int prev);

static void cpu_next(struct sim *s, uint32_t c)
{
	struct sim_cpu_rt *cr = &s->cpu[c];
	int slot = rq_min_slot(s, c);

	cpu_touch(s, c);
	if (s->pol->pd_queues) {
		if (pd_dispatch(s, c, -1))
			return;
	} else if (slot >= 0) {
		uint32_t th = cr->queue[slot];

		rq_remove(s, c, (uint32_t)slot);
		cpu_start(s, c, th);
		return;
	}
	cr->state = CPU_IDLE;
	cr->idle_since = s->now;
	cpu_arm(s, c);
	if (!s->pol->pd_queues && steal(s, c, s->pol->pull_from(s, c)))
		return;
	cpu_update_idle(s, c);
	pd_util_changed(s, s->soc->cpu[c].pd);
}

static double draw_work(struct sim_rng *rng, const struct wl_spec *sp)
{
	double w = (double)sp->work_ns;

	if (sp->kind == WL_BURSTY) {
		w = -log(sim_rng_unit(rng)) * w;
		return w > 10.0 * sp->work_ns ? 10.0 * sp->work_ns : w;
	}
	if (sp->jitter_pct) {
		double u = (double)sim_rng_below(rng, 2000001) / 1e6 - 1.0;

		w *= 1.0 + u * sp->jitter_pct / 100.0;
	}
	return w;
}

/*
 * The oracle's lower bound on the energy of a job: work W (ns at capacity
 * 1024) due within a budget B may be split over any domains and OPPs, each
 * part costing its OPP's power above deep idle for its time there. Each OPP
 * is a point (time per unit of work, energy per unit of work); the cheapest
 * split that takes at most B / W per unit lies on the lower convex hull of
 * those points (time-sharing two OPPs beats the faster one alone), and with
 * time to spare it is the cheapest point of all. sim_oracle_hull builds the
 * hull from fast to cheapest; points slower and dearer than that never help.
 */
static int cmp_oracle_pt(const void *a, const void *b)
{
	const struct sim_oracle_pt *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->e > y->e) - (x->e < y->e);
}

static double oracle_cross(const struct sim_oracle_pt *o, const struct sim_oracle_pt *a,
			   const struct sim_oracle_pt *b)
{
	return (a->t - o->t) * (b->e - o->e) - (a->e - o->e) * (b->t - o->t);
}

uint32_t sim_oracle_hull(const struct sim_soc *soc, struct sim_oracle_pt *h)
{
	struct sim_oracle_pt pts[SIM_MAX_PDS * SIM_MAX_OPPS];
	uint32_t n = 0, nh = 0, p, o, i, cheapest = 0;

	for (p = 0; p < soc->nr_pds; p++) {
		const struct sim_pd *pd = &soc->pd[p];

		for (o = 0; o < pd->nr_opps; o++) {
			const struct sim_opp *op = &pd->opps[o];

			if (!op->capacity)
				continue;
			pts[n].t = 1024.0 / op->capacity;
			pts[n++].e = (op->mw - pd->sleep_mw) * 1024.0 / op->capacity / 1e9;
		}
	}
	qsort(pts, n, sizeof(*pts), cmp_oracle_pt);
	for (i = 0; i < n; i++) {
		if (nh && pts[i].t == h[nh - 1].t)
			continue; /* same speed, dearer */
		while (nh >= 2 && oracle_cross(&h[nh - 2], &h[nh - 1], &pts[i]) <= 0)
			nh--;
		h[nh++] = pts[i];
	}
	for (i = 1; i < nh; i++)
		if (h[i].e < h[cheapest].e)
			cheapest = i;
	return nh ? cheapest + 1 : 0;
}

double sim_oracle_mj(const struct sim_oracle_pt *h, uint32_t n, double work, double budget_ns)
{
	double t;
	uint32_t i;

	if (!n || work <= 0)
		return 0;
	t = budget_ns > 0 ? budget_ns / work : h[n - 1].t;
	if (t >= h[n - 1].t)
		return work * h[n - 1].e;
	if (t <= h[0].t)
		return work * h[0].e; /* not even the fastest OPP makes it */
	for (i = 0; h[i + 1].t <= t; i++)
		;
	return work * (h[i].e + (h[i + 1].e - h[i].e) * (t - h[i].t) / (h[i + 1].t - h[i].t));
}

static void sim_oracle_init(struct sim *s)
{
	s->nr_oracle_hull = sim_oracle_hull(s->soc, s->oracle_hull);
}

/* Least energy (mJ, above the deep-idle floor) for work due within budget (0: none). */
static double oracle_job_mj(const struct sim *s, double work, uint64_t budget_ns)
{
	return sim_oracle_mj(s->oracle_hull, s->nr_oracle_hull, work, (double)budget_ns);
}

/*
 * A job whose completion wakes the next stage of a chain that shares its
 * deadline (main, then the render thread it wakes) is one job to the
 * oracle: the stages' work together must fit the chain's budget, so the
 * bound is taken when the last stage is added (chain_work carries the
 * earlier stages' work). Bounding each stage with the whole budget would
 * let every stage run slower than the frame allows.
 */
static bool oracle_defers(const struct sim *s, const struct sim_thread *t, uint64_t deadline)
{
	const struct wl_spec *sp = &s->wl->spec[t->spec];

	return deadline && wl_spec_wakes_deadline_stage(s->wl, sp);
}

static void thread_wake(struct sim *s, uint32_t th);

/* A job with a deadline that was missed without running to its end (dropped, or left over). */
static void count_missed_job(struct sim *s, uint32_t spec)
{
	s->m.deadline_jobs++;
	s->m.misses++;
	s->m.spec_misses[spec]++;
}

static void add_job(struct sim *s, uint32_t th, uint64_t release, uint64_t deadline, double work,
		    double chain_work)
{
	struct sim_thread *t = &s->th[th];
	uint32_t slot;

	/* a hog's endless job is not work the oracle could finish */
	if (!t->busy && !oracle_defers(s, t, deadline))
		s->oracle_busy_mj +=
			oracle_job_mj(s, work + chain_work, deadline ? deadline - release : 0);
	if (t->nr_jobs == SIM_MAX_PENDING) {
		s->m.dropped++;
		if (deadline)
			count_missed_job(s, t->spec);
		return;
	}
	slot = (t->job_head + t->nr_jobs) % SIM_MAX_PENDING;
	t->jobs[slot] = (struct sim_job){
		.release = release, .deadline = deadline, .work = work, .chain_work = chain_work};
	t->nr_jobs++;
	if (t->state == TH_SLEEP) {
		t->remaining = work;
		thread_wake(s, th);
	}
}

/*
 * As the BPF scheduler's wakeup: in a profile with frame headroom, a frame
 * thread woken by a frame thread (the thread whose finished job triggered
 * it, s->waker) is the next stage of the waker's frame (jp_frame_wakeup).
 */
static void frame_wakeup(struct sim *s, struct sim_thread *t)
{
	struct sim_thread *w = s->waker >= 0 ? &s->th[s->waker] : NULL;

	if (!s->prof.frame_headroom || !jp_frame_task(t->wake_period, false))
		w = NULL;
	if (w && !jp_frame_task(w->wake_period, false))
		w = NULL;
	jp_frame_wakeup(&t->jt, w ? &w->jt : NULL, s->now);
}

static void thread_wake(struct sim *s, uint32_t th)
{
	struct sim_thread *t = &s->th[th];
	int c;

	jp_task_waking(&t->jt, s->now);
	if (t->woke)
		t->wake_period = jp_avg_sample(t->wake_period, s->now - t->last_wake);
	frame_wakeup(s, t);
	t->last_wake = s->now;
	t->woke = true;
	t->lat_crit = jp_lat_crit(t->wake_period, t->run_avg, t->lat_crit);
	t->ready_since = s->now;
	t->latency_pending = true;
	c = s->pol->select_cpu(s, th, t->last_cpu);
	if (c < 0 || (uint32_t)c >= s->soc->nr_cpus)
		c = t->last_cpu >= 0 ? t->last_cpu : 0;
	enqueue_on(s, (uint32_t)c, th, true);
}

static bool batch_left(const struct sim *s)
{
	uint32_t i;

	for (i = 0; i < s->wl->nr_specs; i++)
		if (s->wl->spec[i].kind == WL_BATCH && s->batch_jobs_left[i])
			return true;
	return false;
}

static bool batch_running(const struct sim *s)
{
	uint32_t i;

	for (i = 0; i < s->nr_threads; i++)
		if (s->wl->spec[s->th[i].spec].kind == WL_BATCH && s->th[i].state != TH_DONE)
			return true;
	return false;
}

/* A batch worker takes its next job from the pool, or retires. */
static void batch_next(struct sim *s, uint32_t th)
{
	struct sim_thread *t = &s->th[th];
	const struct wl_spec *sp = &s->wl->spec[t->spec];

	if (!s->batch_jobs_left[t->spec]) {
		t->state = TH_DONE;
		if (!batch_running(s)) {
			s->m.batch_done_s = s->now / 1e9;
			s->end = s->now > s->duration ? s->now : s->duration;
		}
		return;
	}
	s->batch_jobs_left[t->spec]--;
	/* the pool's stream, not the worker's: which worker takes the next job
	 * depends on the schedule, and the pool's work must not */
	add_job(s, th, s->now, 0, draw_work(&s->pool_rng[t->spec], sp), 0);
}

/* Wake the triggered task of a finished job, sharing the chain's release. */
static void job_trigger(struct sim *s, const struct sim_thread *t, const struct sim_job *j)
{
	const struct wl_spec *sp = &s->wl->spec[t->spec];
	const struct wl_spec *ts;
	uint32_t target = 0, i;

	if (sp->wakes < 0)
		return;
	ts = &s->wl->spec[sp->wakes];
	for (i = 0; i < s->nr_threads; i++)
		if (s->th[i].spec == (uint32_t)sp->wakes && s->th[i].inst == t->inst % ts->count)
			target = i;
	s->waker = (int32_t)(t - s->th);
	add_job(s, target, j->release, ts->deadline_ns ? j->release + ts->deadline_ns : 0,
		draw_work(&s->th[target].rng, ts), j->work + j->chain_work);
	s->waker = -1;
}

/*
 * The running thread of c finished its current job. Its own state is
 * settled first (next job, or sleep and the CPU moves on); only then may the
 * job wake another thread, which can preempt on this CPU.
 */
static void job_done(struct sim *s, uint32_t c)
{
	uint32_t th = (uint32_t)s->cpu[c].curr;
	struct sim_thread *t = &s->th[th];
	const struct wl_spec *sp = &s->wl->spec[t->spec];
	struct sim_job j = t->jobs[t->job_head];

	s->m.jobs++;
	s->m.spec_jobs[t->spec]++;
	s->m.work_done_s += j.work / 1e9;
	if (j.deadline) {
		s->m.deadline_jobs++;
		if (s->now > j.deadline) {
			s->m.misses++;
			s->m.spec_misses[t->spec]++;
		}
	}
	t->job_head = (t->job_head + 1) % SIM_MAX_PENDING;
	t->nr_jobs--;
	if (t->nr_jobs) {
		t->remaining = t->jobs[t->job_head].work;
		cpu_arm(s, c);
	} else {
		thread_stop(s, c);
		util_detach(s, c, th);
		t->state = TH_SLEEP;
		t->run_avg = jp_avg_sample(t->run_avg, t->run_this);
		t->run_this = 0;
		cpu_next(s, c);
	}
	job_trigger(s, t, &j);
	if (sp->kind == WL_BATCH && t->state == TH_SLEEP) {
		if (sp->think_ns && s->batch_jobs_left[t->spec])
			ev_add(s, s->now + sp->think_ns, EV_THINK, th, 0);
		else
			batch_next(s, th);
	}
}

/* ---- per-domain queues (pd_queues: scx_joule) ------------------------------ */

/*
 * As scx_joule: one vtime-ordered queue per PD (its DSQs). A thread is queued
 * on the PD of the CPU it was placed on, and an idle CPU is kicked for it; a
 * CPU whose slice ends or that has nothing to run asks jp_dispatch_plan
 * where to take a thread from. A kick is carried out at once: the kicked CPU
 * dispatches, and its idle-state exit latency still applies (cpu_start).
 */

static void tick_fold_run(struct sim *s, uint32_t c);

static uint32_t pd_of(const struct sim *s, uint32_t c)
{
	return s->soc->cpu[c].pd;
}

/* vtime_placed: jp_vtime_place on PD p's clock (the simulator's threads are all nice 0) */
static uint64_t pd_vtime_placed(const struct sim *s, const struct sim_thread *t, uint32_t p)
{
	return jp_vtime_place(t->vruntime, s->pd[p].clock, s->pd[t->vtime_pd].clock,
			      t->vtime_pd != p, SIM_JOULE_SLICE_NS, 100);
}

/* vtime_in_pd: placed on PD p's clock, which t is on from now */
static uint64_t pd_vtime(struct sim *s, struct sim_thread *t, uint32_t p)
{
	uint64_t vtime = pd_vtime_placed(s, t, p);

	t->vtime_pd = p;
	return vtime;
}

/* The first idle CPU of PD p, or -1. */
static int pd_idle_cpu(const struct sim *s, uint32_t p)
{
	uint32_t i;

	for (i = 0; i < s->tables.pd[p].nr_cpus; i++)
		if (sim_cpu_idle(s, s->tables.pd[p].cpus[i]))
			return s->tables.pd[p].cpus[i];
	return -1;
}

static bool bigger_cpu_idle(const struct sim *s, uint32_t c)
{
	uint32_t i;

	for (i = 0; i < s->soc->nr_cpus; i++)
		if (s->soc->cpu[i].capacity > s->soc->cpu[c].capacity && sim_cpu_idle(s, i))
			return true;
	return false;
}

/* An idle CPU, kicked, dispatches (SCX_KICK_IDLE: a busy one ignores it). */
static void pd_kick(struct sim *s, int c)
{
	if (c >= 0 && sim_cpu_idle(s, (uint32_t)c) && s->cpu[c].curr < 0)
		pd_dispatch(s, (uint32_t)c, -1);
}

/* wake_idle_cpu_for: c if idle, else an idle CPU of its PD, else of any PD. */
static void pd_wake_idle_for(struct sim *s, uint32_t c)
{
	int idle = sim_cpu_idle(s, c) ? (int)c : pd_idle_cpu(s, pd_of(s, c));
	uint32_t p;

	for (p = 0; idle < 0 && p < s->soc->nr_pds; p++)
		if (p != pd_of(s, c))
			idle = pd_idle_cpu(s, p);
	pd_kick(s, idle);
}

/* wake_idle_cpu_for_queue: an idle CPU of p, or of a PD that may pull from p. */
static void pd_wake_idle_for_queue(struct sim *s, uint32_t p)
{
	int idle = pd_idle_cpu(s, p);
	uint32_t q;

	for (q = 0; idle < 0 && q < s->soc->nr_pds; q++)
		if (q != p && jp_pd_may_pull(&s->tables, q, p, 0)) /* p has no idle CPU */
			idle = pd_idle_cpu(s, q);
	pd_kick(s, idle);
}

/* Thread th on CPU c is a misfit to place again (jp_misfit_move_due). */
static bool misfit_move_due(const struct sim *s, uint32_t c, uint32_t th)
{
	bool frame = jp_frame_task(s->th[th].wake_period, false);

	return jp_misfit_move_due(&s->th[th].jt, s->tables.cpu[c].capacity,
				  jp_misfit_always_due(&s->prof, frame), s->now);
}

/*
 * A misfit thread due to be placed again, a bigger CPU idle: where placement
 * puts it (jp_misfit_answered remembers a pick no bigger), or -1.
 */
static int pd_misfit_target(struct sim *s, uint32_t c, uint32_t th)
{
	int dst;

	if (!misfit_move_due(s, c, th) || !bigger_cpu_idle(s, c))
		return -1;
	dst = s->pol->select_cpu(s, th, (int)c);
	if (dst < 0 || (uint32_t)dst >= s->soc->nr_cpus)
		return -1;
	jp_misfit_answered(&s->th[th].jt, s->tables.cpu[c].capacity, s->tables.cpu[dst].capacity,
			   s->now);
	return dst;
}

/* Whether thread t's wakeups may preempt in gaming (the BPF scheduler's lat_preempts). */
static bool thread_lat_preempts(const struct sim_thread *t)
{
	return t->lat_crit && jp_lat_light(t->wake_period, t->run_avg);
}

/* CPU c as jp_enqueue_plan sees it (the BPF scheduler's enq_cpu). */
static void pd_enq_cpu(const struct sim *s, struct jp_enq_cpu *e, int c)
{
	const struct sim_cpu_rt *cr;

	memset(e, 0, sizeof(*e));
	e->cpu = JP_NO_CPU;
	if (c < 0 || (uint32_t)c >= s->soc->nr_cpus)
		return;
	cr = &s->cpu[c];
	e->cpu = c;
	e->capacity = s->tables.cpu[c].capacity;
	e->online = 1; /* the simulator has no hotplug */
	e->may_preempt =
		cr->curr < 0 || (cr->state == CPU_BUSY && !thread_lat_preempts(&s->th[cr->curr]));
}

/*
 * Whether thread th's vtime, placed on c's PD clock as it would start there,
 * is before that of c's running thread (the BPF scheduler's behind_running).
 */
static bool thread_behind_running(const struct sim *s, uint32_t th, int c)
{
	int cur;

	if (c < 0 || (uint32_t)c >= s->soc->nr_cpus)
		return false;
	cur = s->cpu[c].curr;
	if (cur < 0 || s->cpu[c].state != CPU_BUSY)
		return true;
	return (int64_t)(pd_vtime_placed(s, &s->th[th], pd_of(s, (uint32_t)c)) -
			 s->th[cur].vruntime) < 0;
}

/* scx_joule's enqueue plan for thread th on CPU c (the simulator pins no thread). */
static void pd_plan(struct sim *s, uint32_t c, uint32_t th, bool wakeup, bool last,
		    struct jp_enqueue_plan *plan)
{
	struct jp_enqueue_in in;

	memset(&in, 0, sizeof(in));
	pd_enq_cpu(s, &in.here, (int)c);
	/* not at a wakeup: select_cpu has just placed it (the BPF scheduler's too) */
	pd_enq_cpu(s, &in.move, wakeup ? -1 : pd_misfit_target(s, c, th));
	in.wakeup = wakeup;
	in.last = last;
	in.lat_preempts = thread_lat_preempts(&s->th[th]) && s->cfg.profile == JOULE_PROFILE_GAMING;
	if (in.lat_preempts && wakeup) {
		in.here.behind_running = thread_behind_running(s, th, in.here.cpu);
		in.move.behind_running = thread_behind_running(s, th, in.move.cpu);
	}
	jp_enqueue_plan(&in, plan);
	if (plan->moved_up)
		s->m.place_misfit++;
}

/* Thread th, attached to CPU c, waits in the queue of c's PD; an idle CPU is kicked. */
static void pd_queue(struct sim *s, uint32_t c, uint32_t th)
{
	struct sim_pd_rt *pr = &s->pd[pd_of(s, c)];
	struct sim_thread *t = &s->th[th];

	t->vruntime = pd_vtime(s, t, pd_of(s, c));
	pr->queue[pr->nr_queued++] = th;
	t->state = TH_QUEUED;
	t->cpu = (int32_t)c;
	pd_util_changed(s, pd_of(s, c));
	pd_wake_idle_for(s, c);
}

/*
 * scx_joule's enqueue, th detached: a misfit moves up first; a latency-
 * critical wakeup in gaming, if light (jp_lat_light), preempts its CPU,
 * whose thread is enqueued again; everything else goes into the queue of
 * c's PD.
 */
static void pd_enqueue(struct sim *s, uint32_t c, uint32_t th, bool wakeup)
{
	struct jp_enqueue_plan plan;
	int cur;

	pd_plan(s, c, th, wakeup, false, &plan);
	c = (uint32_t)plan.cpu;
	util_attach(s, c, th);
	if (plan.where != JP_ENQ_PREEMPT) { /* JP_ENQ_LOCAL needs a pinned or last task */
		pd_queue(s, c, th);
		return;
	}
	cur = s->cpu[c].curr;
	s->th[th].vruntime = pd_vtime(s, &s->th[th], pd_of(s, c));
	cpu_touch(s, c);
	if (cur >= 0) {
		thread_stop(s, c);
		util_detach(s, c, (uint32_t)cur);
	}
	cpu_start(s, c, th);
	pd_util_changed(s, pd_of(s, c));
	if (cur >= 0)
		pd_enqueue(s, c, (uint32_t)cur, false);
}

/* The thread of PD p's queue with the lowest vtime, taken off it. */
static uint32_t pd_take(struct sim *s, uint32_t p)
{
	struct sim_pd_rt *pr = &s->pd[p];
	uint32_t i, best = 0, th;

	for (i = 1; i < pr->nr_queued; i++)
		if ((int64_t)(s->th[pr->queue[i]].vruntime - s->th[pr->queue[best]].vruntime) < 0)
			best = i;
	th = pr->queue[best];
	pr->queue[best] = pr->queue[--pr->nr_queued];
	return th;
}

/* What jp_dispatch_plan decides on, for CPU c (busy: it is dispatching). */
static void pd_gather(struct sim *s, uint32_t c, int prev, struct jp_dispatch_in *in)
{
	struct jp_pd_load loads[JP_MAX_PDS] = {{0}};
	struct jp_pd_view views[JP_MAX_PDS];
	struct jp_cpumask idle = {{0}};
	struct jp_balance b;
	uint32_t self = pd_of(s, c), i, p;

	memset(in, 0, sizeof(*in));
	in->self = self;
	for (i = 0; i < s->soc->nr_cpus; i++)
		if (i != c && sim_cpu_idle(s, i))
			jp_mask_set(&idle, i);
	in->idle_pds = jp_pd_loads(&s->tables, s->pd_cpus, &s->online, &idle, s->pd_online_cap,
				   (s->soc->nr_cpus + 63) / 64, loads);
	for (p = 0; p < s->soc->nr_pds; p++)
		loads[p].queued = in->queued[p] = s->pd[p].nr_queued;
	in->overloaded = jp_overloaded_pd(&s->tables, &s->prof, loads, self,
					  jp_pull_skip(&s->tables, self, in->idle_pds));
	if (!in->queued[self])
		s->pd[self].own_served_at = s->now;
	in->own_due = s->now - s->pd[self].own_served_at > SIM_OWN_QUEUE_MAX_WAIT_NS;
	if (prev >= 0) {
		struct sim_pd_rt *pr = &s->pd[self];

		in->prev_runnable = 1;
		in->prev_misfit_up = misfit_move_due(s, c, (uint32_t)prev) && bigger_cpu_idle(s, c);
		in->prev_first = 1;
		for (i = 0; i < pr->nr_queued; i++)
			if ((int64_t)(s->th[pr->queue[i]].vruntime - s->th[prev].vruntime) <= 0)
				in->prev_first = 0;
		in->prev_first &= pr->nr_queued > 0;
	}
	in->balance_src = JP_NO_PD;
	if (jp_dispatch_wants_balance(in)) {
		sim_build_views(s, &idle, views);
		if (jp_balance_domains(&s->tables, views, &s->prof, s->now, &b))
			in->balance_src = b.src_pd;
	}
}

/* The running thread of c goes on with a new slice (no stopping/running). */
static void pd_keep(struct sim *s, uint32_t c)
{
	struct sim_thread *t = &s->th[s->cpu[c].curr];

	t->slice_end = s->now + thread_slice(s, t, c);
	cpu_arm(s, c);
}

/*
 * scx_joule's dispatch on CPU c, prev its thread whose slice ended (-1 if
 * it has none): the plan's first source that yields a thread. A thread
 * taken from the queues replaces prev, which is enqueued again.
 */
static bool pd_dispatch(struct sim *s, uint32_t c, int prev)
{
	struct jp_dispatch_in in;
	struct jp_dispatch_plan plan;
	uint32_t i, p, th;

	pd_gather(s, c, prev, &in);
	jp_dispatch_plan(&s->tables, &in, &plan);
	for (i = 0; i < plan.nr; i++) {
		const struct jp_dispatch_step *st = &plan.step[i];

		if (st->kind == JP_DISPATCH_KEEP && prev >= 0) {
			pd_keep(s, c);
			return true;
		}
		p = st->kind == JP_DISPATCH_OWN ? in.self : st->pd;
		if (st->kind == JP_DISPATCH_KEEP || p >= s->soc->nr_pds || !s->pd[p].nr_queued)
			continue;
		th = pd_take(s, p);
		if (st->kind == JP_DISPATCH_OWN)
			s->pd[p].own_served_at = s->now;
		else
			s->m.pulls++;
		if (prev >= 0) {
			thread_stop(s, c);
			util_detach(s, c, (uint32_t)prev);
		}
		util_detach(s, (uint32_t)s->th[th].cpu, th);
		s->th[th].vruntime = pd_vtime(s, &s->th[th], pd_of(s, c));
		util_attach(s, c, th);
		cpu_start(s, c, th);
		pd_util_changed(s, p);
		if (prev >= 0)
			pd_enqueue(s, c, (uint32_t)prev, false);
		return true;
	}
	return false;
}

/*
 * The slice of c's thread ended (or, at the tick, it outgrew c with a bigger
 * CPU idle). Nothing else to run: the kernel stops it (ops.stopping folds
 * the run and works the misfit verdict out again) and hands it to enqueue
 * as the CPU's last task (SCX_OPS_ENQ_LAST), which plans with that verdict:
 * it moves a misfit up and else leaves it running (ops.running again).
 */
static void pd_slice_end(struct sim *s, uint32_t c)
{
	uint32_t th = (uint32_t)s->cpu[c].curr;
	struct sim_thread *t = &s->th[th];
	struct jp_enqueue_plan plan;
	uint32_t up;

	if (pd_dispatch(s, c, (int)th))
		return;
	joule_run_ended(s, c, t, s->now - t->run_start);
	note_run(t, s->now - t->run_start);
	t->run_start = s->now;
	t->run_cap = cap_freq(s, c);
	/*
	 * The kernel calls ops.stopping before enqueue(SCX_ENQ_LAST): placed with
	 * its own utilization still counted on c, a misfit over 40% of c could
	 * never stay there, where the BPF scheduler keeps one that fits.
	 */
	s->js[c].util_runnable = 0;
	pd_plan(s, c, th, false, true, &plan);
	if (plan.where == JP_ENQ_LOCAL) {
		s->js[c].util_runnable = t->util_on_cpu; /* ops.running again */
		pd_keep(s, c);
		if (s->js[c].frame)
			s->js[c].frame_speed = jp_frame_speed_running(&s->prof, &t->jt, s->now);
		cpu_request_perf(s, c, false);
		pd_util_changed(s, pd_of(s, c));
		return;
	}
	up = (uint32_t)plan.cpu;
	thread_stop(s, c);
	util_detach(s, c, th);
	s->cpu[c].state = CPU_IDLE;
	s->cpu[c].idle_since = s->now;
	cpu_arm(s, c);
	cpu_update_idle(s, c);
	util_attach(s, up, th);
	pd_queue(s, up, th);
	pd_util_changed(s, pd_of(s, c));
}

/* scx_joule's ops.tick on a busy CPU. */
static void pd_tick(struct sim *s, uint32_t c)
{
	uint32_t th = (uint32_t)s->cpu[c].curr;
	struct jp_tick_in in;
	struct jp_tick_plan plan;

	tick_fold_run(s, c);
	cpu_tick_request_perf(s, c);
	memset(&in, 0, sizeof(in));
	/* the simulator's tasks may run on every CPU */
	in.queued_free = s->pd[pd_of(s, c)].nr_queued;
	jp_task_misfit(&s->tables, &s->prof, &s->th[th].jt, c, s->js[c].frame_speed);
	in.misfit = misfit_move_due(s, c, th);
	in.bigger_idle = in.misfit && bigger_cpu_idle(s, c);
	jp_tick_plan(&in, &plan);
	if (plan.wake_for_queue)
		pd_wake_idle_for_queue(s, pd_of(s, c));
	if (plan.end_slice) {
		s->m.tick_slice_ends++;
		pd_slice_end(s, c);
	}
}

/* ---- events ---------------------------------------------------------------- */

static void on_cpu_event(struct sim *s, uint32_t c)
{
	struct sim_cpu_rt *cr = &s->cpu[c];
	struct sim_thread *t;

	cpu_touch(s, c);
	if (cr->state == CPU_WAKING) {
		cpu_begin_run(s, c);
		cpu_arm(s, c);
		return;
	}
	if (cr->state == CPU_IDLE && cr->kept_request &&
	    jp_kept_request_expired(cr->idle_since, s->now)) {
		cr->kept_request = false;
		cpu_request_perf(s, c, true);
		return;
	}
	if (cr->state != CPU_BUSY || cr->curr < 0)
		return;
	t = &s->th[cr->curr];
	if (t->remaining <= 0.5) {
		job_done(s, c);
		return;
	}
	if (s->now >= t->slice_end && s->pol->pd_queues) {
		pd_slice_end(s, c);
		return;
	}
	if (s->now >= t->slice_end) {
		int slot = rq_min_slot(s, c);
		uint32_t cur = (uint32_t)cr->curr;

		if (slot >= 0 && s->th[cr->queue[slot]].vruntime < t->vruntime) {
			thread_stop(s, c);
			rq_add(s, c, cur);
			cpu_next(s, c);
			return;
		}
		/* the baselines' slice end (scx_joule's is pd_slice_end): util folds */
		joule_run_ended(s, c, t, s->now - t->run_start);
		t->run_start = s->now;
		t->run_cap = cap_freq(s, c);
		t->slice_end = s->now + SIM_SLICE_NS;
		/* it runs on */
		cpu_request_perf(s, c, false);
		pd_util_changed(s, s->soc->cpu[c].pd);
	}
	cpu_arm(s, c);
}

/*
 * The thread turns into a CPU hog: one job longer than the run, no deadline,
 * no further releases. Where it last ran is recorded (the VM misfit
 * scenario's "light on little CPU N").
 */
static void thread_turn_busy(struct sim *s, uint32_t th)
{
	struct sim_thread *t = &s->th[th];

	t->busy = true;
	t->busy_since = s->now;
	s->m.spec_busy_cpu[t->spec] = t->last_cpu;
	add_job(s, th, s->now, 0, 2.0 * (double)s->end + 1e9, 0);
}

static void on_release(struct sim *s, uint32_t th)
{
	struct sim_thread *t = &s->th[th];
	const struct wl_spec *sp = &s->wl->spec[t->spec];
	uint64_t next;

	if (sp->kind == WL_HOG || (sp->busy_after_ns && s->now >= sp->busy_after_ns)) {
		thread_turn_busy(s, th);
		return;
	}
	add_job(s, th, s->now, sp->deadline_ns ? s->now + sp->deadline_ns : 0,
		draw_work(&t->rng, sp), 0);
	if (sp->kind == WL_PERIODIC)
		next = s->now + sp->period_ns;
	else
		next = s->now + 1 + (uint64_t)(-log(sim_rng_unit(&t->rng)) * (double)sp->gap_ns);
	if (next < s->duration)
		ev_add(s, next, EV_RELEASE, th, 0);
}

/*
 * The tick folds the run in progress into the running thread's utilization
 * (PELT at the tick; scx_joule's ops.tick does the same), else a thread that
 * never sleeps would keep the utilization it woke with.
 */
static void tick_fold_run(struct sim *s, uint32_t c)
{
	struct sim_cpu_rt *cr = &s->cpu[c];
	struct sim_thread *t = &s->th[cr->curr];

	if (s->now <= t->run_start)
		return;
	jp_task_stopping(&t->jt, s->now, s->now - t->run_start,
			 jp_cap_of_run(t->run_cap, cap_freq(s, c)));
	note_run(t, s->now - t->run_start);
	t->run_start = s->now;
	t->run_cap = cap_freq(s, c);
	t->util_on_cpu = jp_task_util(&t->jt);
	s->js[c].util_runnable = t->util_on_cpu;
	if (s->js[c].frame) /* as joule_tick */
		s->js[c].frame_speed = jp_frame_speed_running(&s->prof, &t->jt, s->now);
}

/* Which PD each runnable thread is on, sampled like the VM's hybrid-load. */
static void tick_sample_runnable(struct sim *s)
{
	uint32_t i;

	for (i = 0; i < s->nr_threads; i++) {
		const struct sim_thread *t = &s->th[i];

		if ((t->state == TH_RUNNING || t->state == TH_QUEUED) && t->cpu >= 0)
			s->m.spec_runnable_ticks[t->spec][s->soc->cpu[t->cpu].pd]++;
	}
}

static void on_tick(struct sim *s)
{
	uint32_t c, p;

	for (c = 0; c < s->soc->nr_cpus; c++)
		cpu_touch(s, c);
	for (c = 0; c < s->soc->nr_cpus; c++) {
		struct sim_cpu_rt *cr = &s->cpu[c];
		int dst;

		if (s->pol->pd_queues) {
			if (cr->state == CPU_BUSY && cr->curr >= 0)
				pd_tick(s, c);
		} else if (cr->state == CPU_BUSY && cr->curr >= 0) {
			tick_fold_run(s, c);
			dst = s->pol->misfit_move(s, c);
			if (dst >= 0 && (uint32_t)dst != c && dst < (int)s->soc->nr_cpus) {
				uint32_t th = (uint32_t)cr->curr;

				thread_stop(s, c);
				util_detach(s, c, th);
				s->th[th].lag = 0;
				s->m.place_misfit++;
				enqueue_on(s, (uint32_t)dst, th, false);
				cpu_next(s, c);
			} else {
				/* scx_joule's ops.tick: the busy CPU asks again */
				cpu_tick_request_perf(s, c);
			}
		} else if (cr->state == CPU_IDLE) {
			steal(s, c, s->pol->pull_from(s, c));
		}
	}
	for (p = 0; p < s->soc->nr_pds; p++)
		pd_util_changed(s, p);
	tick_sample_runnable(s);
	if (s->now + SIM_TICK_NS < s->end)
		ev_add(s, s->now + SIM_TICK_NS, EV_TICK, 0, 0);
}

/* ---- setup and results ----------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t percentile(const uint64_t *v, uint64_t n, uint32_t pct)
{
	uint64_t i;

	if (!n)
		return 0;
	i = (n * pct + 99) / 100;
	return v[i ? i - 1 : 0];
}

/*
 * Jobs still pending at the end whose deadline has passed are misses (a
 * frame not done by its deadline is late whether or not it ever finishes);
 * those still within it are not counted either way.
 */
static void count_overdue(struct sim *s)
{
	for (uint32_t i = 0; i < s->nr_threads; i++) {
		struct sim_thread *t = &s->th[i];

		for (uint32_t k = 0; k < t->nr_jobs; k++) {
			const struct sim_job *j = &t->jobs[(t->job_head + k) % SIM_MAX_PENDING];

			if (j->deadline && j->deadline <= s->end)
				count_missed_job(s, t->spec);
		}
	}
}

static void sim_finish(struct sim *s)
{
	double e = 0, floor_mj = 0;
	uint32_t c, p;

	s->now = s->end;
	for (c = 0; c < s->soc->nr_cpus; c++) {
		cpu_settle(s, c);
		e += s->cpu[c].energy_mj;
		floor_mj += cpu_pd(s, c)->sleep_mw * s->end / 1e9 * core_idle_share(s, c);
	}
	count_overdue(s);
	for (p = 0; p < s->soc->nr_pds; p++)
		s->pd[p].opp_ns[s->pd[p].opp] += s->end - s->pd[p].since;
	if (s->overutilized)
		s->m.overutil_s += (s->end - s->overutil_since) / 1e9;
	s->m.energy_j = e / 1e3;
	s->m.sim_s = s->end / 1e9;
	s->m.avg_power_w = s->m.energy_j / s->m.sim_s;
	s->m.oracle_j = (floor_mj + s->oracle_busy_mj) / 1e3;
	s->m.batch_unfinished = batch_left(s) || batch_running(s);
	qsort(s->lat, s->nr_lat, sizeof(*s->lat), cmp_u64);
	s->m.lat_p50_ns = percentile(s->lat, s->nr_lat, 50);
	s->m.lat_p99_ns = percentile(s->lat, s->nr_lat, 99);
	s->m.lat_max_ns = s->nr_lat ? s->lat[s->nr_lat - 1] : 0;
}

static void sim_setup_threads(struct sim *s)
{
	uint32_t i, k, n = 0;

	for (i = 0; i < s->wl->nr_specs; i++) {
		const struct wl_spec *sp = &s->wl->spec[i];

		if (sp->kind == WL_BATCH) {
			s->batch_jobs_left[i] = sp->jobs;
			sim_rng_seed(&s->pool_rng[i], s->cfg.seed, SIM_POOL_STREAM + i);
		}
		for (k = 0; k < sp->count; k++, n++) {
			struct sim_thread *t = &s->th[n];

			t->spec = i;
			t->inst = k;
			t->state = TH_SLEEP;
			t->cpu = t->last_cpu = -1;
			sim_rng_seed(&t->rng, s->cfg.seed, n);
			/* new tasks: the policy's choice for scx_joule, the kernel's
			 * half-of-spare-capacity (512 on an idle machine) otherwise */
			jp_task_init(&t->jt, 0, s->pol->uses_profile ? s->prof.init_util : 512);
		}
	}
	s->nr_threads = n;
	for (i = 0; i < n; i++) {
		const struct wl_spec *sp = &s->wl->spec[s->th[i].spec];

		if (sp->kind == WL_PERIODIC || sp->kind == WL_HOG)
			ev_add(s, sp->phase_ns + s->th[i].inst * 1000ull, EV_RELEASE, i, 0);
		else if (sp->kind == WL_BURSTY)
			ev_add(s, sp->phase_ns + sim_rng_below(&s->th[i].rng, sp->gap_ns + 1),
			       EV_RELEASE, i, 0);
		else if (sp->kind == WL_BATCH)
			ev_add(s, s->th[i].inst * 1000ull, EV_THINK, i, 0);
	}
}

void sim_cfg_default(struct sim_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->profile = JOULE_PROFILE_BALANCED;
	cfg->seed = 1;
	cfg->rate_limit_ns = SIM_RATE_LIMIT_NS;
	cfg->driver = SIM_DRIVER_PASSIVE;
}

int sim_cfg_tune(struct sim_cfg *cfg, const char *key, uint32_t value)
{
#define TUNABLE(f) {#f, offsetof(struct jp_profile, f)}
	static const struct {
		const char *name;
		uint32_t offset;
	} keys[] = {TUNABLE(fit_margin),       TUNABLE(headroom),     TUNABLE(misfit_up),
		    TUNABLE(misfit_down),      TUNABLE(imbalance),    TUNABLE(energy_aware),
		    TUNABLE(min_perf),	       TUNABLE(init_util),    TUNABLE(frame_headroom),
		    TUNABLE(frame_next_share), TUNABLE(lat_crit_perf)};
#undef TUNABLE
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(key, keys[i].name))
			continue;
		if (cfg->nr_tunes == sizeof(cfg->tunes) / sizeof(cfg->tunes[0]))
			return -1;
		cfg->tunes[cfg->nr_tunes++] = (struct sim_tune){keys[i].offset, value};
		return 0;
	}
	return -1;
}

/* The profile jp_profile_init() gives, with the --tune overrides. */
static void sim_profile(struct sim *s)
{
	uint32_t i;

	jp_profile_init(&s->prof, s->cfg.profile);
	for (i = 0; i < s->cfg.nr_tunes; i++)
		memcpy((char *)&s->prof + s->cfg.tunes[i].offset, &s->cfg.tunes[i].value,
		       sizeof(uint32_t));
}

void sim_set_perf_request(struct sim *s, uint32_t cpu, uint32_t req)
{
	s->cpu[cpu].perf_request = req;
	pd_governor(s, s->soc->cpu[cpu].pd);
}

/*
 * Attaching a sched_ext scheduler sets every CPU's request to the maximum;
 * the policy's init may release them (scx_joule's does). Then schedutil
 * looks at every PD once.
 */
static void start_frequency(struct sim *s)
{
	uint32_t c, p;

	for (c = 0; c < s->soc->nr_cpus; c++)
		s->cpu[c].perf_request = JP_SCALE;
	s->pol->init(s);
	for (p = 0; p < s->soc->nr_pds; p++)
		pd_governor(s, p);
	if (s->cfg.driver == SIM_DRIVER_ACTIVE)
		ev_add(s, SIM_HWP_PERIOD_NS, EV_HWP, 0, 0);
}

static void on_hwp(struct sim *s)
{
	uint32_t c;

	for (c = 0; c < s->soc->nr_cpus; c++)
		cpu_settle(s, c);
	hwp_window(s);
	if (s->now + SIM_HWP_PERIOD_NS < s->end)
		ev_add(s, s->now + SIM_HWP_PERIOD_NS, EV_HWP, 0, 0);
}

/* The OPPs of pd an energy model marks inefficient (the policy tables drop them too). */
static void mark_inefficient(const struct sim_pd *pd, bool *inefficient)
{
	double power[SIM_MAX_OPPS];
	uint32_t mhz[SIM_MAX_OPPS];

	for (uint32_t i = 0; i < pd->nr_opps; i++) {
		power[i] = pd->opps[i].mw;
		mhz[i] = pd->opps[i].mhz;
	}
	model_mark_inefficient(power, mhz, pd->nr_opps, inefficient);
}

int sim_run(struct sim *s, const struct sim_soc *soc, const struct wl *wl,
	    const struct sim_policy *pol, const struct sim_cfg *cfg)
{
	uint32_t c, p, i;
	bool has_batch = false;

	memset(s, 0, sizeof(*s));
	s->soc = soc;
	s->wl = wl;
	s->pol = pol;
	s->cfg = *cfg;
	sim_soc_to_tables(soc, &s->tables);
	sim_profile(s);
	sim_oracle_init(s);
	s->waker = -1;
	for (c = 0; c < soc->nr_cpus; c++) {
		s->cpu[c].curr = -1;
		s->cpu[c].state = CPU_IDLE;
	}
	for (c = 0; c < soc->nr_cpus && c < JP_MAX_CPUS; c++) {
		jp_mask_set(&s->online, c);
		jp_mask_set(&s->pd_cpus[s->tables.cpu[c].pd % JP_MAX_PDS], c);
	}
	jp_pd_online_capacity(&s->tables, &s->online, s->pd_online_cap);
	/* without cpufreq (driver none) every PD runs at its top OPP throughout */
	for (p = 0; p < soc->nr_pds; p++) {
		if (soc->efficient_opps)
			mark_inefficient(&soc->pd[p], s->pd[p].inefficient);
		s->pd[p].pending_opp = -1;
		s->pd[p].opp = cfg->driver == SIM_DRIVER_NONE ? soc->pd[p].nr_opps - 1
							      : pd_opp_covering(s, p, 0);
		s->pd[p].chosen = s->pd[p].opp;
	}
	for (i = 0; i < WL_MAX_SPECS; i++) {
		s->m.spec_busy_cpu[i] = -1;
		s->m.spec_busy_up_ns[i] = -1;
	}
	s->duration = cfg->duration_ns ? cfg->duration_ns : wl->duration_ns;
	for (i = 0; i < wl->nr_specs; i++)
		has_batch |= wl->spec[i].kind == WL_BATCH;
	s->end = has_batch ? s->duration * 20 : s->duration;
	start_frequency(s);
	sim_setup_threads(s);
	ev_add(s, SIM_TICK_NS, EV_TICK, 0, 0);
	while (s->nr_events && !s->oom) {
		struct sim_event e = ev_pop(s);

		if (e.t > s->end)
			break;
		s->now = e.t;
		switch (e.type) {
		case EV_CPU:
			if (e.gen == s->cpu[e.idx].gen)
				on_cpu_event(s, e.idx);
			break;
		case EV_DVFS:
			if (e.gen == s->pd[e.idx].gen && s->pd[e.idx].pending_opp >= 0)
				pd_apply(s, e.idx);
			break;
		case EV_RELEASE: on_release(s, e.idx); break;
		case EV_THINK: batch_next(s, e.idx); break;
		case EV_HWP: on_hwp(s); break;
		default: on_tick(s); break;
		}
	}
	if (s->oom)
		return -1;
	sim_finish(s);
	return 0;
}

void sim_set_overutilized(struct sim *s, bool on)
{
	if (on == s->overutilized)
		return;
	if (on)
		s->overutil_since = s->now;
	else
		s->m.overutil_s += (s->now - s->overutil_since) / 1e9;
	s->overutilized = on;
}

void sim_free(struct sim *s)
{
	free(s->heap);
	free(s->lat);
	free(s->pol_data);
	s->heap = NULL;
	s->lat = NULL;
	s->pol_data = NULL;
}
