// SPDX-License-Identifier: GPL-2.0-only
/*
 * A test-only probe of the kernel's own scheduler state, independent of
 * scx_joule, so that VM scenarios assert on what the kernel was given
 * rather than on what the scheduler reports about itself.
 *
 * - sample: when the loader's own thread enters getppid(), copy every CPU's
 *   run queue state: rq->scx.cpuperf_target (the frequency request schedutil
 *   reads) and rq->nr_running.
 * - runtime: at every context switch, charge the time the switched-out task
 *   ran to its CPU if the task, or the process that forked it, is watched;
 *   and at each edge of the loader's window (its getppid(), as for sample),
 *   the time every CPU's current task has run since its last switch, so
 *   that a hog no one switches out is counted, and in the right window.
 * - waits: for each watched task, how long it waited to run each time it
 *   became runnable (woken, or preempted while still runnable): count,
 *   total and longest; a wait still going at the end counts to then. A task
 *   that waited from before the probe attached to its end has no line.
 * - starts: for each watched thread (by thread id), its CPU's frequency
 *   request each time it is switched in. ops.running, which sets the
 *   request of a task starting to run, comes before the switch.
 * - longest: every task's waits to run (as waits, but for every task on the
 *   machine, watched or not): each CPU keeps the longest wait it ended and
 *   counts the long ones; at the end, a walk over every task (an iter/task
 *   program) counts the waits still going, up to then. A task already
 *   waiting when the probe attached is counted from its next wakeup on.
 * - irq-work: as sample, every CPU's list of raised irq_work: work queued
 *   by a CPU that no longer takes interrupts stays there.
 * Programs are named after their mode; the loader loads one mode's only.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "sched_probe.h"

char _license[] SEC("license") = "GPL";

/* mode longest: a wait counted as long, in all and by name */
#define LONG_WAIT_NS (100ULL * 1000 * 1000)

extern struct rq runqueues __ksym;

const volatile __u32 loader_tgid;

__u32 cpuperf_target[PROBE_MAX_CPUS];
__u32 nr_running[PROBE_MAX_CPUS];
__u64 samples;

__u64 runtime_ns[PROBE_MAX_CPUS];
__u64 runtime_edges;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} watched SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} switched_in_at SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct wait_stat);
} waits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct start_stat);
} starts SEC(".maps");

SEC("tp/syscalls/sys_enter_getppid")
int perf_sample(void *ctx)
{
	__u32 cpu;

	if ((bpf_get_current_pid_tgid() >> 32) != loader_tgid)
		return 0;
	for (cpu = 0; cpu < PROBE_MAX_CPUS; cpu++) {
		struct rq *rq = bpf_per_cpu_ptr(&runqueues, cpu);

		if (!rq)
			break;
		cpuperf_target[cpu] = rq->scx.cpuperf_target;
		nr_running[cpu] = rq->nr_running;
	}
	samples++;
	return 0;
}

/*
 * mode irq-work: as sample, but each CPU's list of raised irq_work
 * (raised_list, kernel/irq_work.c): its first entry, 0 if it is empty.
 * Work is raised there by an interrupt the CPU sends itself and runs
 * within microseconds; an entry that stays means the interrupt never came
 * (work queued by a CPU after it stopped taking interrupts on its way
 * offline), and no later work of that CPU raises one either.
 */
extern struct llist_head raised_list __ksym __weak;

__u64 irq_work_first[PROBE_MAX_CPUS];
__u32 no_raised_list;

SEC("tp/syscalls/sys_enter_getppid")
int irqwork_sample(void *ctx)
{
	__u32 cpu;

	if ((bpf_get_current_pid_tgid() >> 32) != loader_tgid)
		return 0;
	if (!bpf_ksym_exists(&raised_list)) {
		no_raised_list = 1;
		samples++;
		return 0;
	}
	for (cpu = 0; cpu < PROBE_MAX_CPUS; cpu++) {
		struct llist_head *list = bpf_per_cpu_ptr(&raised_list, cpu);

		if (!list)
			break;
		irq_work_first[cpu] = (__u64)list->first;
	}
	samples++;
	return 0;
}

/*
 * mode ticks: sched_ext's task ticks, and those run from another CPU than
 * the task's, as a housekeeping CPU runs a nohz_full CPU's tick
 * (sched_tick_remote). task_tick_scx is the ext class's task_tick.
 */
__u64 ext_ticks, ext_remote_ticks;

SEC("fentry/task_tick_scx")
int BPF_PROG(ticks_tick, struct rq *rq, struct task_struct *curr, int queued)
{
	__sync_fetch_and_add(&ext_ticks, 1);
	if (rq->cpu != (int)bpf_get_smp_processor_id())
		__sync_fetch_and_add(&ext_remote_ticks, 1);
	return 0;
}

static bool is_watched(struct task_struct *p)
{
	__u32 tgid = p->tgid, parent = p->real_parent->tgid;

	return bpf_map_lookup_elem(&watched, &tgid) || bpf_map_lookup_elem(&watched, &parent);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(runtime_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 zero = 0, cpu = bpf_get_smp_processor_id();
	__u64 now = bpf_ktime_get_ns(), *since, old;

	since = bpf_map_lookup_elem(&switched_in_at, &zero);
	if (!since)
		return 0;
	/* exchanged: a window's edge taken on another CPU charges a run, or this does */
	old = __sync_lock_test_and_set(since, now);
	if (old && cpu < PROBE_MAX_CPUS && is_watched(prev))
		__sync_fetch_and_add(&runtime_ns[cpu], now - old);
	return 0;
}

SEC("tp/syscalls/sys_enter_getppid")
int runtime_edge(void *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 zero = 0, cpu;

	if ((bpf_get_current_pid_tgid() >> 32) != loader_tgid)
		return 0;
	for (cpu = 0; cpu < PROBE_MAX_CPUS; cpu++) {
		struct rq *rq = bpf_per_cpu_ptr(&runqueues, cpu);
		__u64 *since, old;

		if (!rq)
			break;
		since = bpf_map_lookup_percpu_elem(&switched_in_at, &zero, cpu);
		if (!since)
			break;
		old = __sync_lock_test_and_set(since, now);
		if (old && is_watched(rq->curr))
			__sync_fetch_and_add(&runtime_ns[cpu], now - old);
	}
	runtime_edges++;
	return 0;
}

static void became_runnable(struct task_struct *p, __u64 now)
{
	struct wait_stat fresh = {}, *st;
	__u32 pid = p->pid;

	if (!is_watched(p))
		return;
	st = bpf_map_lookup_elem(&waits, &pid);
	if (!st) {
		bpf_map_update_elem(&waits, &pid, &fresh, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&waits, &pid);
		if (!st)
			return;
	}
	st->since = now;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(waits_wakeup, struct task_struct *p)
{
	became_runnable(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(waits_wakeup_new, struct task_struct *p)
{
	became_runnable(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(waits_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns(), wait;
	__u32 pid = next->pid;
	struct wait_stat *st;

	/* switched out while still runnable (TASK_RUNNING is 0): it waits again */
	if (prev->__state == 0)
		became_runnable(prev, now);
	st = bpf_map_lookup_elem(&waits, &pid);
	if (!st || !st->since)
		return 0;
	wait = now - st->since;
	st->since = 0;
	st->count++;
	st->total_ns += wait;
	if (wait > st->max_ns)
		st->max_ns = wait;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(starts_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 tid = next->pid, i;
	struct start_stat *st;
	struct rq *rq;

	st = bpf_map_lookup_elem(&starts, &tid);
	if (!st)
		return 0;
	rq = bpf_this_cpu_ptr(&runqueues);
	i = st->count;
	if (i < PROBE_MAX_STARTS)
		st->request[i] = rq->scx.cpuperf_target;
	st->count = i + 1;
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64); /* when it became runnable; 0 while it runs or sleeps */
} runnable_since SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct longest_wait);
} longest SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PROBE_MAX_COMMS);
	__type(key, struct comm_key);
	__type(value, struct comm_waits);
} comm_waits SEC(".maps");

/*
 * Which tasks wait: a name's count, sum, longest, and of them those that
 * began with the task switched out still runnable (requeued); names past the
 * table's size go uncounted.
 */
static void count_comm_wait(struct task_struct *p, __u64 wait, bool requeued)
{
	struct comm_waits fresh = {}, *cw;
	struct comm_key key = {};

	bpf_probe_read_kernel_str(key.comm, sizeof(key.comm), p->comm);
	cw = bpf_map_lookup_elem(&comm_waits, &key);
	if (!cw) {
		bpf_map_update_elem(&comm_waits, &key, &fresh, BPF_NOEXIST);
		cw = bpf_map_lookup_elem(&comm_waits, &key);
		if (!cw)
			return;
	}
	__sync_fetch_and_add(&cw->waits, 1);
	__sync_fetch_and_add(&cw->total_ns, wait);
	if (wait > LONG_WAIT_NS)
		__sync_fetch_and_add(&cw->over_100ms, 1);
	if (wait > cw->max_ns)
		cw->max_ns = wait; /* racy between CPUs: a lost update loses one maximum */
	if (!requeued)
		return;
	if (wait > LONG_WAIT_NS)
		__sync_fetch_and_add(&cw->over_100ms_requeued, 1);
	if (wait > cw->max_requeued_ns)
		cw->max_requeued_ns = wait;
}

/*
 * Set by the loader at the end of mode longest, before it counts the waits
 * still going: no wait starts after it (one ending still counts, claimed).
 * Detaching the programs instead could block until a CPU the probe is
 * watching starve came free (a FIFO hog's CPU in the sched-probe scenario:
 * 56 s, once).
 */
volatile bool stopped;

/* the low bit of a runnable_since mark: switched out still runnable, not woken */
#define MARK_REQUEUED 1ULL

static void mark_runnable(struct task_struct *p, __u64 now, bool requeued)
{
	__u64 *since = bpf_task_storage_get(&runnable_since, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (since)
		*since = (now & ~MARK_REQUEUED) | (requeued ? MARK_REQUEUED : 0);
}

/* Takes a task's mark (0 after it): when its wait began, and whether requeued. */
static __u64 claim_mark(__u64 *since, bool *requeued)
{
	__u64 mark = __sync_lock_test_and_set(since, 0);

	*requeued = mark & MARK_REQUEUED;
	return mark & ~MARK_REQUEUED;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(longest_wakeup, struct task_struct *p)
{
	if (!stopped)
		mark_runnable(p, bpf_ktime_get_ns(), false);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(longest_wakeup_new, struct task_struct *p)
{
	if (!stopped)
		mark_runnable(p, bpf_ktime_get_ns(), false);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(longest_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns(), wait, *since, start;
	struct longest_wait *lw;
	bool requeued;
	__u32 zero = 0;

	/*
	 * Preempted (preempt: still queued, even if it had begun to block): it
	 * waits again; not the idle task, nor once the waits have stopped.
	 * Otherwise its mark goes: a task woken while still on its CPU was
	 * marked then, and that old mark, kept through a sleep, would count
	 * its run and sleep as a wait once wakeups no longer mark (stopped).
	 */
	if (prev->pid) {
		if (!stopped && (preempt || prev->__state == 0))
			mark_runnable(prev, now, true);
		else if ((since = bpf_task_storage_get(&runnable_since, prev, 0, 0)))
			*since = 0;
	}
	if (!next->pid)
		return 0;
	since = bpf_task_storage_get(&runnable_since, next, 0, 0);
	lw = bpf_map_lookup_elem(&longest, &zero);
	if (!since || !*since || !lw)
		return 0;
	/* claimed, as longest_still claims it: a wait ending as it counts is counted once */
	start = claim_mark(since, &requeued);
	if (!start || now <= start)
		return 0;
	wait = now - start;
	lw->waits++;
	lw->over_100ms += wait > LONG_WAIT_NS;
	lw->over_1s += wait > 1000000000ULL;
	count_comm_wait(next, wait, requeued);
	if (wait <= lw->wait_ns)
		return 0;
	lw->wait_ns = wait;
	lw->at_ns = now;
	lw->pid = next->pid;
	bpf_probe_read_kernel_str(lw->comm, sizeof(lw->comm), next->comm);
	return 0;
}

/*
 * Waits still going when the loader reads this iterator: counted up to now
 * (into still_waiting), so that a task kept waiting to the end, the one
 * that matters most, counts at all. A task woken while it was still on its
 * CPU keeps the mark it got then until it next switches out (which marks it
 * again or clears it); it waits only if it is runnable (state 0) and on no
 * CPU now. One preempted as it began to block is skipped here (counted when
 * it next runs).
 */
struct longest_wait still_waiting;

SEC("iter/task")
int longest_still(struct bpf_iter__task *ctx)
{
	struct task_struct *p = ctx->task;
	__u64 now = bpf_ktime_get_ns(), wait, *since, start;
	bool requeued;

	if (!p || !p->pid || p->__state != 0 || p->on_cpu)
		return 0;
	since = bpf_task_storage_get(&runnable_since, p, 0, 0);
	if (!since || !*since)
		return 0;
	start = claim_mark(since, &requeued);
	if (!start || now <= start)
		return 0;
	wait = now - start;
	still_waiting.waits++;
	still_waiting.over_100ms += wait > LONG_WAIT_NS;
	still_waiting.over_1s += wait > 1000000000ULL;
	count_comm_wait(p, wait, requeued);
	if (wait <= still_waiting.wait_ns)
		return 0;
	still_waiting.wait_ns = wait;
	still_waiting.at_ns = now;
	still_waiting.pid = p->pid;
	bpf_probe_read_kernel_str(still_waiting.comm, sizeof(still_waiting.comm), p->comm);
	return 0;
}
