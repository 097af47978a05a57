/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The discrete-event core: threads, per-CPU run queues, DVFS with a
 * transition delay, idle states with exit latency, energy integration and
 * the metrics. Policies (policies.c) only decide; the engine carries out.
 */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "rng.h"
#include "soc.h"
#include "tables.h"
#include "workload.h"

#define SIM_MAX_PENDING	   8	      /* queued jobs per thread before we drop */
#define SIM_TICK_NS	   4000000ull /* scheduler tick, HZ=250 */
#define SIM_SLICE_NS	   3000000ull /* time slice */
#define SIM_JOULE_SLICE_NS 5000000ull /* scx_joule's slice (--slice-us), pd_queues */
/* scx_joule's OWN_QUEUE_MAX_WAIT_NS: a PD's queue is not passed over longer */
#define SIM_OWN_QUEUE_MAX_WAIT_NS 20000000ull
#define SIM_WAKE_GRAN_NS	  1000000ull /* wakeup preemption granularity */

#define SIM_RATE_LIMIT_NS 1000000ull /* schedutil's rate_limit_us default: 1 ms */
/* random streams past any thread's number: batch pool i draws from stream + i */
#define SIM_POOL_STREAM	  (1ull << 32)
#define SIM_HWP_PERIOD_NS 2000000ull /* --driver active: the hardware's window */

struct sim;

/*
 * Who picks the frequency. passive: schedutil (intel_pstate/amd-pstate in
 * passive mode, cpufreq-dt and friends on Arm), which follows either the
 * utilization (CFS) or scx_joule's requests. active: the driver picks on its
 * own from busy time and ignores every request (HWP/EPP, amd-pstate active).
 * none: no cpufreq at all (a VM guest): every PD stays at its top OPP, requests
 * go nowhere, and frequency invariance sees full speed (cpuperf_cur 1024).
 */
enum sim_driver { SIM_DRIVER_PASSIVE, SIM_DRIVER_ACTIVE, SIM_DRIVER_NONE };

/* How a run is set up, beyond the machine, the workload and the policy. */
struct sim_cfg {
	uint32_t profile; /* enum joule_profile, for policies that use one */
	uint64_t seed;
	uint64_t duration_ns;	/* 0: the workload's own */
	uint64_t rate_limit_ns; /* schedutil's minimum spacing of frequency changes */
	enum sim_driver driver;
	bool no_idle_release; /* scx_joule variant: an idle CPU keeps its request */
	bool no_resend;	      /* scx_joule variant: the tick never resends (jp_perf_resend_due) */
	/*
	 * Every CPU really runs at capacity 1024 (a thread's work progresses at
	 * the same speed everywhere), while the policy's tables, utilization
	 * and energy keep the model's capacities: the VM guest of tests/vm,
	 * whose vCPUs are equal but whose scheduler believes the .soc model.
	 */
	bool speed_equal;
	/* profile parameters to try instead of jp_profile_init()'s (--tune) */
	uint32_t nr_tunes;
	struct sim_tune {
		uint32_t offset; /* of the u32 field in struct jp_profile */
		uint32_t value;
	} tunes[8];
};

/* The defaults joule-sim uses: seed 1, schedutil with a 1 ms rate limit. */
void sim_cfg_default(struct sim_cfg *cfg);

/* Try profile parameter key (a struct jp_profile field) at value; -1 if unknown or full. */
int sim_cfg_tune(struct sim_cfg *cfg, const char *key, uint32_t value);

/* What a scheduling policy decides. Every hook is required (but see pd_queues). */
struct sim_policy {
	const char *name;
	const char *what;  /* one line for the report */
	bool uses_profile; /* scx_joule: its profile's jp_task_init() util etc. */
	/*
	 * true: the frequency follows per-CPU requests the policy sets when a
	 * thread starts running, at a busy CPU's tick and (released) when a CPU
	 * goes idle, through scx_bpf_cpuperf_set (scx_joule). false: schedutil
	 * reads perf_target whenever the kernel's CFS would update it.
	 */
	bool sets_requests;
	void (*init)(struct sim *s);
	/* CPU for a thread becoming runnable (prev = its last CPU or -1). */
	int (*select_cpu)(struct sim *s, uint32_t thread, int prev);
	/* Performance wanted for a CPU now, 0..1024 of its own top OPP. */
	uint32_t (*perf_target)(struct sim *s, uint32_t cpu);
	/* An idle CPU looks for work: CPU to take a queued thread from, or -1. */
	int (*pull_from)(struct sim *s, uint32_t cpu);
	/* At the tick: CPU to move the running thread to (misfit), or -1. */
	int (*misfit_move)(struct sim *s, uint32_t cpu);
	/*
	 * true: scx_joule's queues instead of per-CPU ones: one vtime-ordered
	 * queue per PD (its DSQs), and a CPU whose slice ends or that goes
	 * idle runs jp_dispatch_plan (engine.c, "per-domain queues");
	 * pull_from and misfit_move are then never called.
	 */
	bool pd_queues;
};

struct sim_job {
	uint64_t release, deadline; /* deadline 0: none */
	double work;		    /* ns at capacity 1024 */
	double chain_work;	    /* earlier stages of its chain, for the oracle */
};

/* an OPP to the oracle: ns and mJ (above deep idle) per ns of work at 1024 */
struct sim_oracle_pt {
	double t, e;
};

enum sim_thread_state { TH_SLEEP, TH_QUEUED, TH_RUNNING, TH_DONE };

struct sim_thread {
	uint32_t spec, inst;
	enum sim_thread_state state;
	struct sim_rng rng;
	struct sim_job jobs[SIM_MAX_PENDING];
	uint32_t job_head, nr_jobs;
	double remaining; /* of jobs[job_head] */
	uint64_t ready_since;
	bool latency_pending;
	int32_t cpu, last_cpu;
	int64_t lag; /* vruntime relative to its CPU's min, kept across sleeps */
	uint64_t vruntime;
	uint64_t run_start, slice_end;
	uint32_t run_cap;  /* its CPU's capacity-now at run_start (jp_cap_of_run) */
	struct jp_task jt; /* utilization tracking (the same signal for every policy) */
	uint32_t util_on_cpu;
	uint64_t next_release;
	bool busy;	     /* a hog now (hog task, or periodic past busy_after=) */
	uint64_t busy_since; /* when it turned into one */
	/* pd_queues: the PD whose clock vruntime counts on; latency-critical marking */
	uint32_t vtime_pd;
	bool lat_crit;
	bool woke; /* last_wake holds a wakeup (0 is a time a thread may wake at) */
	uint64_t last_wake, wake_period, run_avg, run_this;
};

enum sim_cpu_state { CPU_IDLE, CPU_WAKING, CPU_BUSY };

struct sim_cpu_rt {
	enum sim_cpu_state state;
	int32_t curr;
	uint32_t nr_queued;
	uint32_t queue[WL_MAX_THREADS];
	uint64_t idle_since, wake_done, last_settle, min_vruntime;
	uint64_t gen;
	uint64_t busy_ns;
	double energy_mj;
	uint32_t perf_request;	 /* last request sent (system-wide scale), sets_requests */
	uint64_t perf_resent_at; /* the tick's last resend (jp_perf_resend_due) */
	bool kept_request;	 /* idle, keeping its request (jp_idle_keeps_request) */
	double window_work;	 /* invariant busy ns in the current HWP window */
};

struct sim_pd_rt {
	bool inefficient[SIM_MAX_OPPS]; /* OPPs cpufreq skips (sim_soc.efficient_opps) */
	uint32_t opp;
	int32_t pending_opp;
	uint32_t chosen;     /* the governor's last choice (opp, or pending_opp in flight) */
	bool ever_changed;   /* the rate limit counts from the first change */
	uint64_t changed_at; /* when the governor last changed its choice */
	uint64_t gen;
	uint64_t since;		       /* current OPP set at */
	uint64_t opp_ns[SIM_MAX_OPPS]; /* residency, for --explain */
	/* pd_queues: the PD's queue, its vtime clock, when its queue was last served */
	uint32_t nr_queued;
	uint32_t queue[WL_MAX_THREADS];
	uint64_t clock, own_served_at;
};

struct sim_event {
	uint64_t t, seq, gen;
	uint32_t type, idx;
};

struct sim_metrics {
	double energy_j, avg_power_w, sim_s;
	uint64_t jobs, deadline_jobs, misses, dropped, migrations;
	uint64_t lat_p50_ns, lat_p99_ns, lat_max_ns;
	double batch_done_s; /* completion time of the batch pool, 0 if none */
	double work_done_s;  /* work completed, in seconds at capacity 1024 */
	bool batch_unfinished;
	double oracle_j; /* lower bound for the same jobs */
	uint64_t place_energy, place_perf, place_misfit, pulls;
	uint64_t tick_slice_ends; /* slices the tick ended for a misfit (jp_tick_plan) */
	double overutil_s;
	/* per task line of the workload, for --explain */
	uint64_t spec_jobs[WL_MAX_SPECS], spec_misses[WL_MAX_SPECS];
	uint64_t spec_run_ns[WL_MAX_SPECS][SIM_MAX_PDS];
	/* the energy of the CPUs while they ran it (mJ), each at its own power then */
	double spec_energy_mj[WL_MAX_SPECS][SIM_MAX_PDS];
	/* ticks at which a thread of the spec was runnable (running or queued) per PD */
	uint64_t spec_runnable_ticks[WL_MAX_SPECS][SIM_MAX_PDS];
	/* run time after turning busy (periodic busy_after=; hogs from their start) */
	uint64_t spec_busy_run_ns[WL_MAX_SPECS][SIM_MAX_PDS];
	/* CPU of its last run before turning busy (-1: none), and the time from
	 * turning busy until it first ran on a CPU of the biggest capacity (-1: never) */
	int32_t spec_busy_cpu[WL_MAX_SPECS];
	int64_t spec_busy_up_ns[WL_MAX_SPECS];
	/*
	 * Per PD, the energy its CPUs spent idle and leaving idle (mJ: with the
	 * tasks' energy above, the PD's whole energy), and how often a CPU left
	 * idle, from deep sleep (past the PD's sleep_min) or from WFI.
	 */
	double pd_idle_mj[SIM_MAX_PDS], pd_waking_mj[SIM_MAX_PDS];
	uint64_t pd_deep_wakeups[SIM_MAX_PDS], pd_shallow_wakeups[SIM_MAX_PDS];
};

struct sim {
	const struct sim_soc *soc;
	const struct wl *wl;
	const struct sim_policy *pol;
	struct sim_cfg cfg;
	uint64_t now, end, duration;
	bool oom;
	uint32_t nr_threads;
	struct sim_thread th[WL_MAX_THREADS];
	struct sim_cpu_rt cpu[SIM_MAX_CPUS];
	struct sim_pd_rt pd[SIM_MAX_PDS];
	uint32_t batch_jobs_left[WL_MAX_SPECS];
	struct sim_rng pool_rng[WL_MAX_SPECS]; /* a batch pool's job sizes, in pool order */
	/* the policy's view, shared with policy.h */
	struct jp_tables tables;
	struct jp_cpu_state js[JP_MAX_CPUS];
	struct jp_profile prof;
	/* what ops.dispatch reads: each PD's CPUs, the online ones (all) and their capacity */
	struct jp_cpumask pd_cpus[JP_MAX_PDS];
	struct jp_cpumask online;
	uint32_t pd_online_cap[JP_MAX_PDS];
	void *pol_data;
	/* events */
	struct sim_event *heap;
	uint32_t nr_events, cap_events;
	uint64_t seq;
	/* latency samples */
	uint64_t *lat;
	uint64_t nr_lat, cap_lat;
	double oracle_busy_mj;
	int32_t waker; /* the thread whose finished job wakes another, else -1 */
	struct sim_oracle_pt oracle_hull[SIM_MAX_PDS * SIM_MAX_OPPS]; /* fastest to cheapest */
	uint32_t nr_oracle_hull;
	struct sim_metrics m;
	bool overutilized; /* policies may set it, for --explain */
	uint64_t overutil_since;
};

/*
 * The oracle's convex hull of a SoC's OPPs (engine.c): into h (room for
 * SIM_MAX_PDS * SIM_MAX_OPPS points), fastest to cheapest; returns how many.
 */
uint32_t sim_oracle_hull(const struct sim_soc *soc, struct sim_oracle_pt *h);
/* Least energy (mJ above deep idle) for work (ns at 1024) within budget_ns (0: none). */
double sim_oracle_mj(const struct sim_oracle_pt *h, uint32_t n, double work, double budget_ns);

/* Policy registry (policies.c). */
const struct sim_policy *sim_policy_find(const char *name);
const char *sim_policy_names(void);

/* Run one simulation. -1 on OOM. */
int sim_run(struct sim *s, const struct sim_soc *soc, const struct wl *wl,
	    const struct sim_policy *pol, const struct sim_cfg *cfg);
void sim_free(struct sim *s);

/* Helpers for policies. */
uint32_t sim_cap_now(const struct sim *s, uint32_t cpu);
uint32_t sim_thread_util(const struct sim *s, uint32_t thread);
bool sim_cpu_idle(const struct sim *s, uint32_t cpu);
uint32_t sim_cpu_nr(const struct sim *s, uint32_t cpu); /* running + queued */
void sim_set_overutilized(struct sim *s, bool on);
/* Set CPU cpu's frequency request (system-wide scale), as scx_bpf_cpuperf_set. */
void sim_set_perf_request(struct sim *s, uint32_t cpu, uint32_t req);
void sim_fill_wake(const struct sim *s, uint32_t thread, int prev, struct jp_wake *w);
/* Every PD's view (jp_pd_view_build) at the simulator's now, with idle as the idle CPUs. */
void sim_build_views(const struct sim *s, const struct jp_cpumask *idle, struct jp_pd_view *views);

#endif /* SIM_ENGINE_H */
