/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule policy: frequency targets, and the requests that carry them to schedutil.
 *
 * Frequency: perf target = min(1024, util * headroom / capacity) on the CPU's
 * own scale (util 256 on a CPU of capacity 512 with headroom 1.25 -> 640),
 * floored at the profile's min_perf. A PD runs at the max of its CPUs'
 * targets (the caller / cpufreq does that). The kernel takes the request
 * (scx_bpf_cpuperf_set) on the system-wide scale instead, and schedutil
 * adds its own 1.25 (map_util_perf) before it picks max_freq * req * 1.25 /
 * capacity: so the request is target * capacity / 1280 (jp_perf_request),
 * which makes schedutil pick exactly the target, the profile's headroom
 * counted once. That capacity is the kernel's (arch_scale_cpu_capacity,
 * scx_bpf_cpuperf_cap), which need not be the model's. An idle CPU
 * requests 0.
 */
#ifndef JOULE_POLICY_FREQ_H
#define JOULE_POLICY_FREQ_H

#ifndef JOULE_POLICY_H
#error "include policy.h: it includes the policy headers in dependency order"
#endif

/* Performance level 0..1024 for a CPU of capacity carrying util. */
static __always_inline u32 jp_perf_target(u32 util, u32 capacity, u32 headroom)
{
	u64 perf;

	if (!capacity)
		return JP_SCALE;
	perf = ((u64)util * headroom) / capacity;
	return (u32)jp_min64(perf, JP_SCALE);
}

/*
 * A thread's speed while its SMT sibling runs too, in 1/1024 of the core's
 * alone: the simulator's SMT models give each of two busy threads 60%.
 */
#define JP_SMT_SHARE 614u

/*
 * The frame speed CPU cpu runs for (system-wide scale, 0 if none): its
 * running frame stage's, and while its SMT sibling is busy, the higher of
 * that and, if cpu is busy too, the sibling's running stage's, over
 * JP_SMT_SHARE. A stage is placed on a whole idle core (jp_frame_cpu_ok),
 * but the sibling may be given work after it; then the stage gets only
 * that share of the core, and the work it counts, at the CPU's frequency,
 * is more than it did: asking for its own speed, a stage in the simulator's
 * game ran at 60% of it beside a busy sibling, and missed its frame once
 * the frequency floor was lowered (gaming at min_perf 0 on the Phoenix 2
 * model, seeds 1-6: 38 frames missed, 1 with this).
 */
static __always_inline u32 jp_frame_speed_smt(const struct jp_tables *t,
					      const struct jp_cpu_state *cs, u32 cpu)
{
	u32 speed, sib, sib_speed;

	if (cpu >= JP_MAX_CPUS)
		return 0;
	speed = cs[cpu].frame ? cs[cpu].frame_speed : 0;
	sib = t->cpu[cpu].sibling;
	if (sib >= JP_MAX_CPUS || !cs[sib].util_runnable)
		return speed;
	sib_speed = cs[sib].frame && cs[cpu].util_runnable ? cs[sib].frame_speed : 0;
	speed = speed > sib_speed ? speed : sib_speed;
	return (u32)jp_min64((u64)speed * JP_SCALE / JP_SMT_SHARE, JP_SCALE);
}

/* jp_perf_target with the profile's headroom and floor. */
static __always_inline u32 jp_cpu_perf_target(const struct jp_tables *t,
					      const struct jp_cpu_state *cs,
					      const struct jp_profile *p, u32 cpu)
{
	u32 perf;

	if (cpu >= JP_MAX_CPUS)
		return JP_SCALE;
	perf = jp_perf_target(jp_cpu_util(&cs[cpu]), t->cpu[cpu].capacity, p->headroom);
	if (p->frame_headroom)
		perf = (u32)jp_max64(perf, jp_perf_target(jp_frame_speed_smt(t, cs, cpu),
							  t->cpu[cpu].capacity, JP_SCALE));
	return perf > p->min_perf ? perf : p->min_perf;
}

/* schedutil's own margin (map_util_perf: util + util / 4), in 1/1024 */
#define JP_SCHEDUTIL_MARGIN 1280u

/*
 * The request for scx_bpf_cpuperf_set() that makes schedutil run a CPU of
 * capacity (the kernel's) at perf target (0..1024 of its own top speed): the kernel
 * reads the request as utilization on the system-wide scale and adds 25%.
 * Rounded up, so that the OPP schedutil picks is never below the target.
 */
static __always_inline u32 jp_perf_request(u32 target, u32 capacity)
{
	u64 req = ((u64)target * capacity + JP_SCHEDUTIL_MARGIN - 1) / JP_SCHEDUTIL_MARGIN;

	return (u32)jp_min64(req, JP_SCALE);
}

/*
 * An old request that stands for "not known what the kernel holds": any
 * request after it is sent (jp_perf_request_due).
 */
#define JP_REQUEST_UNSENT 0xffffffffu

/*
 * Is a new request worth sending? Every call makes schedutil re-evaluate
 * (and may wake its kthread), so a change smaller than 1/16 of the old
 * value, or 16 units, is dropped; a drop to 0 (the CPU went idle) never is,
 * nor anything after JP_REQUEST_UNSENT.
 */
static __always_inline bool jp_perf_request_due(u32 old, u32 req)
{
	u32 diff = old > req ? old - req : req - old;
	u32 step = old / 16 > 16 ? old / 16 : 16;

	return diff && (diff >= step || !req);
}

/*
 * Should a busy CPU's tick send its request again although it has not
 * changed? schedutil drops an update that comes within its rate limit of
 * its last frequency change (sugov_should_update_freq), and an unchanged
 * request is never sent again (jp_perf_request_due), so a CPU that gets
 * busy just after its domain slowed down can run below its target until
 * the request changes. cur_perf is the speed it runs at (0..1024 of its
 * own top, scx_bpf_cpuperf_cur), target what the request asks for.
 */
static __always_inline bool jp_perf_request_lagging(u32 target, u32 cur_perf)
{
	return cur_perf + 16 < target;
}

/*
 * Does a CPU going idle keep its request instead of giving it up (0)? Yes
 * in a profile with frame headroom after a frame thread: the next stage of
 * the frame (the render thread it woke) often starts on another CPU of the
 * domain right then, and if this release has just changed the domain's
 * frequency, schedutil drops that CPU's request within its rate limit, so
 * the stage runs at the lowest OPP until a tick resends it. The request is
 * held until the CPU runs again, or for JP_KEPT_REQUEST_NS at most.
 */
static __always_inline bool jp_idle_keeps_request(const struct jp_profile *p,
						  const struct jp_cpu_state *c)
{
	return p->frame_headroom && c->frame;
}

/*
 * How long an idle CPU keeps a request jp_idle_keeps_request let it keep: a
 * frame thread wakes at least every JP_LAT_WAKE_PERIOD_NS, so an idle this
 * long means its frames have stopped (the game paused or quit), and the
 * request would only hold its domain's other CPUs at frame speed.
 */
#define JP_KEPT_REQUEST_NS JP_LAT_WAKE_PERIOD_NS

/*
 * Signed: idle_since comes from the CPU that went idle, now from the one
 * checking (or from before a CPU went idle again), so idle_since may be the
 * later; unsigned, that difference would wrap and give up a request kept a
 * moment ago.
 */
static __always_inline bool jp_kept_request_expired(u64 idle_since, u64 now)
{
	return (s64)(now - idle_since) >= (s64)JP_KEPT_REQUEST_NS;
}

/* at most this often a tick repeats an unchanged request the CPU lags behind */
#define JP_PERF_RESEND_NS (8ULL * 1000 * 1000)

/*
 * Should this tick send the CPU's unchanged request again? Only if the CPU
 * runs below it (jp_perf_request_lagging), and not every tick, where a
 * driver that cannot reach the target would be asked again and again.
 * resent_at: when this CPU last resent; the caller sets it to now on true.
 */
static __always_inline bool jp_perf_resend_due(u32 target, u32 cur_perf, u64 now, u64 resent_at)
{
	return jp_perf_request_lagging(target, cur_perf) && now - resent_at >= JP_PERF_RESEND_NS;
}

#endif /* JOULE_POLICY_FREQ_H */
