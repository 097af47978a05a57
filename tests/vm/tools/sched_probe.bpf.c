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
 *   ran to its CPU if the task, or the process that forked it, is watched.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "sched_probe.h"

char _license[] SEC("license") = "GPL";

extern struct rq runqueues __ksym;

const volatile __u32 loader_tgid;

__u32 cpuperf_target[PROBE_MAX_CPUS];
__u32 nr_running[PROBE_MAX_CPUS];
__u64 samples;

__u64 runtime_ns[PROBE_MAX_CPUS];

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

SEC("tp/syscalls/sys_enter_getppid")
int sample_rqs(void *ctx)
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

static bool is_watched(struct task_struct *p)
{
	__u32 tgid = p->tgid, parent = p->real_parent->tgid;

	return bpf_map_lookup_elem(&watched, &tgid) || bpf_map_lookup_elem(&watched, &parent);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(charge_runtime, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 zero = 0, cpu = bpf_get_smp_processor_id();
	__u64 now = bpf_ktime_get_ns(), *since;

	since = bpf_map_lookup_elem(&switched_in_at, &zero);
	if (!since)
		return 0;
	if (*since && cpu < PROBE_MAX_CPUS && is_watched(prev))
		__sync_fetch_and_add(&runtime_ns[cpu], now - *since);
	*since = now;
	return 0;
}
