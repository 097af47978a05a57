// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the simulator: file readers and the engine's physics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine.h"

static int parse_soc(const char *text, struct sim_soc *soc, char *err, size_t n)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret = sim_soc_parse(f, "t.soc", soc, err, n);

	fclose(f);
	return ret;
}

static int parse_wl(const char *text, struct wl *w, char *err, size_t n)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret = wl_parse(f, "t.wl", w, err, n);

	fclose(f);
	return ret;
}

/* little: one OPP at capacity 700; big: 512 and 1024. No DVFS delay. */
static const char two_pd_soc[] =
	"soc test\n"
	"pd little kind=little cpus=0 ipc=700 dvfs=0us wfi_mw=1 wfi_exit=0us sleep_mw=0 "
	"sleep_exit=0us sleep_min=1s\n"
	"pd big kind=big cpus=1 ipc=1024 dvfs=0us wfi_mw=2 wfi_exit=0us sleep_mw=0 "
	"sleep_exit=0us sleep_min=1s\n"
	"opp little mhz=1000 mw=100\n"
	"opp big mhz=500 mw=200\n"
	"opp big mhz=1000 mw=1000\n";

static void test_soc_capacities(void **state)
{
	struct sim_soc soc;
	char err[256];

	(void)state;
	assert_int_equal(parse_soc(two_pd_soc, &soc, err, sizeof(err)), 0);
	assert_int_equal(soc.nr_cpus, 2);
	assert_int_equal(soc.cpu[0].capacity, 700);
	assert_int_equal(soc.cpu[1].capacity, 1024);
	assert_int_equal(soc.pd[1].opps[0].capacity, 512);
}

static void test_soc_errors_name_the_line(void **state)
{
	struct sim_soc soc;
	char err[256];

	(void)state;
	assert_int_equal(parse_soc("soc x\npd a kind=huge cpus=0 ipc=1\n", &soc, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "t.soc:2: kind= must be little, medium or big");
	assert_int_equal(parse_soc("soc x\nopp nope mhz=1 mw=1\n", &soc, err, sizeof(err)), -1);
	assert_string_equal(err, "t.soc:2: opp needs the name of a pd defined above");
	assert_int_equal(parse_soc("bogus\n", &soc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.soc:1: unknown line 'bogus'"));
	/* a CPU numbering gap */
	assert_int_equal(parse_soc("soc x\npd a kind=big cpus=1 ipc=1 dvfs=0us wfi_mw=0 "
				   "wfi_exit=0us sleep_mw=0 sleep_exit=0us sleep_min=0us\n"
				   "opp a mhz=1 mw=1\n",
				   &soc, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "cpu 0 belongs to no pd"));
	/* a domain so slow beside the fastest that its CPUs' capacity is 0 */
	assert_int_equal(parse_soc("soc x\npd big kind=big cpus=0 ipc=100000 dvfs=0us wfi_mw=0 "
				   "wfi_exit=0us sleep_mw=0 sleep_exit=0us sleep_min=0us\n"
				   "pd slow kind=little cpus=1 ipc=1 dvfs=0us wfi_mw=0 "
				   "wfi_exit=0us sleep_mw=0 sleep_exit=0us sleep_min=0us\n"
				   "opp big mhz=3000 mw=1\nopp slow mhz=100 mw=1\n",
				   &soc, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "pd slow: its top opp's ipc x mhz is under 1/1024"));
}

static void test_workload_errors_name_the_line(void **state)
{
	static struct wl w;
	char err[256];

	(void)state;
	assert_int_equal(parse_wl("workload a duration=1s\ntask t periodic work=1ms\n", &w, err,
				  sizeof(err)),
			 -1);
	assert_string_equal(err, "t.wl:2: period= needs a time such as 4ms");
	assert_int_equal(parse_wl("workload a duration=1s\ntask t periodic period=5 work=1ms\n", &w,
				  err, sizeof(err)),
			 -1);
	assert_string_equal(err, "t.wl:2: period= needs a time such as 4ms");
	assert_int_equal(parse_wl("workload a duration=1s\ntask t batch jobs=2 work=1ms gap=1ms\n",
				  &w, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "t.wl:2: 'gap=1ms' is not an attribute of a batch task");
	assert_int_equal(parse_wl("workload a duration=1s\n"
				  "task m periodic period=10ms work=1ms wakes=r\n",
				  &w, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "t.wl:2: task m wakes unknown task 'r'");
	assert_int_equal(parse_wl("task t batch jobs=1 work=1ms\n", &w, err, sizeof(err)), -1);
	assert_string_equal(err, "t.wl:1: task before the 'workload' line");
}

static struct sim *run_cfg(const char *soc_text, const char *wl_text, const char *policy,
			   const struct sim_cfg *cfg)
{
	static struct sim_soc soc;
	static struct wl w;
	struct sim *s = calloc(1, sizeof(*s));
	char err[256];

	assert_non_null(s);
	assert_int_equal(parse_soc(soc_text, &soc, err, sizeof(err)), 0);
	assert_int_equal(parse_wl(wl_text, &w, err, sizeof(err)), 0);
	assert_int_equal(sim_run(s, &soc, &w, sim_policy_find(policy), cfg), 0);
	return s;
}

static struct sim *run(const char *soc_text, const char *wl_text, const char *policy, uint64_t seed)
{
	struct sim_cfg cfg;

	sim_cfg_default(&cfg);
	cfg.seed = seed;
	return run_cfg(soc_text, wl_text, policy, &cfg);
}

static void done(struct sim *s)
{
	sim_free(s);
	free(s);
}

/* 10 ms of work (at capacity 1024) on the little CPU (capacity 700) takes 14.6 ms. */
static void test_work_scales_with_capacity(void **state)
{
	struct sim *s;

	(void)state;
	/* compaction puts a lone task (new-task util 512) on the littlest CPU it fits */
	s = run(two_pd_soc, "workload a duration=1s\ntask t batch jobs=1 work=10ms\n", "compact",
		1);
	assert_true(s->m.batch_done_s > 0.01460 && s->m.batch_done_s < 0.01465);
	/* the run lasts the workload's 1 s: 14.63 ms at 100 mW busy (1.463 mJ), the
	 * little CPU idles the rest at 1 mW (0.985 mJ), the big one 1 s at 2 mW */
	assert_true(s->m.sim_s > 0.999 && s->m.sim_s < 1.001);
	assert_true(s->m.energy_j > 0.00444 && s->m.energy_j < 0.00446);
	done(s);
	/* race-to-idle runs it on the big CPU at the top OPP: 10 ms */
	s = run(two_pd_soc, "workload a duration=1s\ntask t batch jobs=1 work=10ms\n", "race", 1);
	assert_true(s->m.batch_done_s > 0.0099 && s->m.batch_done_s < 0.0102);
	done(s);
}

/* A CPU-bound task makes schedutil climb to the top OPP. */
static void test_dvfs_ramps_up(void **state)
{
	struct sim *s;

	(void)state;
	/* fair's idle scan starts after CPU 0: the task runs on the big CPU,
	 * which starts at its 512 OPP */
	s = run(two_pd_soc, "workload a duration=1s\ntask t batch jobs=1 work=400ms\n", "fair", 1);
	assert_true(s->pd[1].opp_ns[1] > 300000000ull);
	/* so it finished well before 800 ms (all of it at capacity 512) */
	assert_true(s->m.batch_done_s < 0.5);
	done(s);
}

static const char one_job_wl[] = "workload a duration=1s\ntask t batch jobs=1 work=100ms\n";

/*
 * scx_joule's requests: the job ends on the big CPU at its top OPP (misfit
 * moved it there); the CPU then goes idle and releases its request, so the
 * big PD is back at its lowest OPP at the end, unless the release is
 * removed, or schedutil drops it within its rate limit of the last change.
 */
static void test_requests_released_on_idle(void **state)
{
	struct sim_cfg cfg;
	struct sim *s;

	(void)state;
	sim_cfg_default(&cfg);
	s = run_cfg(two_pd_soc, one_job_wl, "joule", &cfg);
	assert_true(s->pd[1].opp_ns[1] > 50000000ull);
	assert_int_equal(s->pd[1].opp, 0);
	assert_int_equal(s->cpu[1].perf_request, 0);
	done(s);
	cfg.no_idle_release = true;
	s = run_cfg(two_pd_soc, one_job_wl, "joule", &cfg);
	assert_int_equal(s->pd[1].opp, 1);
	done(s);
	cfg.no_idle_release = false;
	cfg.rate_limit_ns = 10000000000ull;
	s = run_cfg(two_pd_soc, one_job_wl, "joule", &cfg);
	assert_int_equal(s->cpu[1].perf_request, 0);
	assert_int_equal(s->pd[1].opp, 1);
	done(s);
}

/*
 * An active driver ignores requests: the PD follows busy time on its own.
 * It climbs to the top OPP under the job and comes down after it, at the
 * same moments with the idle release removed (where schedutil keeps the top
 * OPP, above).
 */
static void test_active_driver_follows_busy_time(void **state)
{
	uint64_t opp_ns[SIM_MAX_OPPS];
	struct sim_cfg cfg;
	struct sim *s;

	(void)state;
	sim_cfg_default(&cfg);
	cfg.driver = SIM_DRIVER_ACTIVE;
	s = run_cfg(two_pd_soc, one_job_wl, "joule", &cfg);
	assert_true(s->pd[1].opp_ns[1] > 50000000ull);
	assert_int_equal(s->pd[1].opp, 0);
	memcpy(opp_ns, s->pd[1].opp_ns, sizeof(opp_ns));
	done(s);
	cfg.no_idle_release = true;
	s = run_cfg(two_pd_soc, one_job_wl, "joule", &cfg);
	assert_true(s->cpu[1].perf_request > 0); /* kept: the driver ignores it */
	assert_int_equal(s->pd[1].opp, 0);
	/* to the ns: not one OPP change came from a request */
	assert_memory_equal(opp_ns, s->pd[1].opp_ns, sizeof(opp_ns));
	done(s);
}

/*
 * Every job whose deadline passed within the run is counted, missed, also
 * the ones still queued at the end: 30 ms of work every 10 ms, deadlines at
 * 10-100 ms of a 100 ms run. Before, the queued ones were never counted.
 */
static void test_overdue_at_end_missed(void **state)
{
	struct sim *s;

	(void)state;
	s = run(two_pd_soc,
		"workload a duration=100ms\n"
		"task t periodic period=10ms work=30ms deadline=10ms\n",
		"fair", 1);
	assert_int_equal(s->m.deadline_jobs, 10);
	assert_int_equal(s->m.misses, 10);
	done(s);
}

static const char periodic_wl[] = "workload p duration=2s\n"
				  "task a periodic period=10ms work=2ms deadline=10ms jitter=50%\n"
				  "task b bursty work=1ms gap=20ms\n";

static void test_deterministic_and_seeded(void **state)
{
	struct sim *x, *y, *z;

	(void)state;
	x = run(two_pd_soc, periodic_wl, "joule", 7);
	y = run(two_pd_soc, periodic_wl, "joule", 7);
	z = run(two_pd_soc, periodic_wl, "joule", 8);
	assert_memory_equal(&x->m, &y->m, sizeof(x->m));
	assert_true(x->m.work_done_s != z->m.work_done_s);
	done(x);
	done(y);
	done(z);
}

/* Every policy does the same work, and never beats the oracle bound. */
static void test_work_conserved_and_bound_holds(void **state)
{
	static const char *const pols[] = {"joule", "fair", "eas", "race", "compact"};
	double work = -1;
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		struct sim *s = run(two_pd_soc, periodic_wl, pols[i], 3);

		assert_int_equal(s->m.dropped, 0);
		if (work < 0)
			work = s->m.work_done_s;
		/* the last job may still run at the end: within one job's work */
		assert_true(s->m.work_done_s > work - 0.004 && s->m.work_done_s < work + 0.004);
		assert_true(s->m.energy_j >= s->m.oracle_j);
		assert_int_equal(s->m.deadline_jobs, 200);
		done(s);
	}
}

/*
 * The oracle bounds a chain (main, then the render thread it wakes, both due
 * 100 ms after main's release) as one job of 80 ms of work, and lets it
 * share its time between OPPs: 80 ms due in 100 ms needs 1.25 ns per ns of
 * work, between the big CPU at 1000 MHz (1 ns, 1000 mW) and the little one
 * (1024 / 700 ns, 100 mW), so the cheapest split runs about half the work
 * on each. Bounding each 40 ms stage with the whole 100 ms would put both
 * on the little CPU, a bound 3.7x lower that no schedule meeting the
 * deadlines can reach.
 */
static const char chain_wl[] =
	"workload c duration=1s\n"
	"task main periodic period=100ms work=40ms deadline=100ms wakes=render\n"
	"task render triggered work=40ms deadline=100ms\n";

static void test_oracle_bounds_chains(void **state)
{
	const double t_little = 1024.0 / 700, e_little = 100e-9 * t_little, e_big = 1000e-9;
	const double per_frame = 80e6 * (e_big + (e_little - e_big) * 0.25 / (t_little - 1.0));
	struct sim *s = run(two_pd_soc, chain_wl, "race", 1);

	(void)state;
	assert_int_equal(s->m.deadline_jobs, 20);
	assert_int_equal(s->m.misses, 0);
	assert_float_equal(s->m.oracle_j * 1e3, 10 * per_frame, 1e-6);
	assert_true(per_frame > 3.5 * 80e6 * e_little);
	/* race meets every deadline, so it cannot beat the bound */
	assert_true(s->m.energy_j >= s->m.oracle_j);
	done(s);
}

/*
 * --speed-equal: the same 10 ms job takes 10 ms on the little CPU too (its
 * capacity, 700, is only what the scheduler believes), where it took 14.6.
 */
static void test_speed_equal_runs_work_at_1024(void **state)
{
	struct sim_cfg cfg;
	struct sim *s;

	(void)state;
	sim_cfg_default(&cfg);
	cfg.speed_equal = true;
	s = run_cfg(two_pd_soc, "workload a duration=1s\ntask t batch jobs=1 work=10ms\n",
		    "compact", &cfg);
	assert_true(s->m.batch_done_s > 0.0099 && s->m.batch_done_s < 0.0101);
	assert_true(s->m.spec_run_ns[0][0] > 9900000ull && s->m.spec_run_ns[0][1] == 0);
	done(s);
}

/* --driver none: no cpufreq, every PD at its top OPP throughout, requests ignored. */
static void test_driver_none_keeps_top_opp(void **state)
{
	struct sim_cfg cfg;
	struct sim *s;

	(void)state;
	sim_cfg_default(&cfg);
	cfg.driver = SIM_DRIVER_NONE;
	s = run_cfg(two_pd_soc, one_job_wl, "joule", &cfg);
	assert_int_equal(s->pd[1].opp, 1);
	assert_int_equal(s->pd[1].opp_ns[0], 0);
	assert_true(s->pd[1].opp_ns[1] > 999000000ull);
	assert_int_equal(s->cpu[1].perf_request, 0); /* sent, and ignored */
	done(s);
}

/*
 * A hog never sleeps; a periodic task with busy_after= turns into one:
 * where it last ran before is recorded, and how long it took to reach the
 * biggest CPU (here misfit moves it from the little one within ticks).
 */
static void test_hog_and_busy_after(void **state)
{
	struct sim_cfg cfg;
	struct sim *s;
	struct wl w;
	char err[256];

	(void)state;
	assert_int_equal(
		parse_wl("workload a duration=1s\ntask h hog work=1ms\n", &w, err, sizeof(err)),
		-1);
	assert_string_equal(err, "t.wl:2: 'work=1ms' is not an attribute of a hog task");
	assert_int_equal(parse_wl("workload a duration=1s\ntask p bursty work=1ms gap=1ms "
				  "busy_after=1s\n",
				  &w, err, sizeof(err)),
			 -1);
	sim_cfg_default(&cfg);
	cfg.speed_equal = true;
	cfg.driver = SIM_DRIVER_NONE;
	s = run_cfg(two_pd_soc, "workload a duration=1s\ntask h hog\n", "joule", &cfg);
	assert_true(s->m.spec_run_ns[0][0] + s->m.spec_run_ns[0][1] > 999000000ull);
	assert_true(s->m.spec_busy_run_ns[0][1] > 900000000ull);
	assert_int_equal(s->m.jobs, 0);
	done(s);
	s = run_cfg(two_pd_soc,
		    "workload a duration=2s\ntask p periodic period=20ms work=1ms busy_after=1s\n",
		    "joule", &cfg);
	assert_int_equal(s->m.spec_busy_cpu[0], 0);
	assert_true(s->m.spec_busy_up_ns[0] >= 0 && s->m.spec_busy_up_ns[0] < 100000000);
	assert_true(s->m.spec_busy_run_ns[0][1] > 850000000ull);
	assert_int_equal(s->m.jobs, 50);
	/* it was runnable at every tick of its busy second */
	assert_true(s->m.spec_runnable_ticks[0][0] + s->m.spec_runnable_ticks[0][1] >= 249);
	done(s);
}

/*
 * joule runs scx_joule's queues (pd_queues): threads wait in their PD's
 * queue, and no CPU idles while one waits anywhere (enqueue kicks an idle
 * CPU, dispatch takes from the other PD); the baselines keep per-CPU queues.
 */
static void test_joule_per_domain_queues(void **state)
{
	const char *hogs = "workload a duration=1s\ntask h hog count=3\n";
	struct sim_cfg cfg;
	struct sim *s;
	uint32_t c;

	(void)state;
	assert_true(sim_policy_find("joule")->pd_queues);
	assert_false(sim_policy_find("eas")->pd_queues);
	sim_cfg_default(&cfg);
	cfg.driver = SIM_DRIVER_NONE;
	s = run_cfg(two_pd_soc, hogs, "joule", &cfg);
	for (c = 0; c < 2; c++) {
		assert_true(s->cpu[c].busy_ns > 990000000ull);
		assert_int_equal(s->cpu[c].nr_queued, 0);
	}
	/* two run, the third waits in a PD queue */
	assert_int_equal(s->pd[0].nr_queued + s->pd[1].nr_queued, 1);
	done(s);
}

/* The RK3399 board's kinds and OPPs (sim/socs/board-rk3399.soc): little capacity 381. */
static const char rk3399_soc[] =
	"soc rk3399\n"
	"pd little kind=little cpus=0-3 ipc=485 dpc=100 llc=0 cluster=0 dvfs=1ms wfi_mw=5 "
	"wfi_exit=1us sleep_mw=1 sleep_exit=370us sleep_min=900us\n"
	"pd big kind=big cpus=4-5 ipc=1024 dpc=436 llc=1 cluster=1 dvfs=1ms wfi_mw=20 "
	"wfi_exit=1us sleep_mw=2 sleep_exit=370us sleep_min=900us\n"
	"opp little mhz=408 mv=800\nopp little mhz=600 mv=800\nopp little mhz=816 mv=850\n"
	"opp little mhz=1008 mv=925\nopp little mhz=1200 mv=1000\nopp little mhz=1416 mv=1125\n"
	"opp big mhz=408 mv=800\nopp big mhz=600 mv=800\nopp big mhz=816 mv=825\n"
	"opp big mhz=1008 mv=875\nopp big mhz=1200 mv=950\nopp big mhz=1416 mv=1025\n"
	"opp big mhz=1608 mv=1100\nopp big mhz=1800 mv=1200\n";

/*
 * Light tasks that all sleep at once: the little domain falls to its lowest
 * OPP in each gap (the idle CPUs give their requests up) and every run
 * starts slow and ends faster. Their util must still read their work, 150
 * us of every ms at capacity 1024 (154), and they must stay on little
 * CPUs. Counted at the speed each run ended at, it read 176 on the 16-CPU
 * cost model, above the little domain's 816 MHz OPP (219 with 1.25x
 * headroom), and energy placement moved them to big CPUs and back.
 */
static void test_light_tasks_util_when_speed_changes_mid_run(void **state)
{
	const char *light =
		"workload a duration=2s\ntask l periodic period=1ms work=150us count=4\n";
	struct sim *s;
	uint64_t little = 0, big = 0;
	uint32_t i, u;

	(void)state;
	s = run(rk3399_soc, light, "joule", 1);
	for (i = 0; i < s->nr_threads; i++) {
		u = s->th[i].jt.util_avg;
		print_message("task %u util_avg %u\n", i, u);
		assert_in_range(u, 146, 162);
	}
	little = s->m.spec_run_ns[0][0];
	big = s->m.spec_run_ns[0][1];
	print_message("ran %.3f s on little, %.3f s on big, %llu migrations\n", little / 1e9,
		      big / 1e9, (unsigned long long)s->m.migrations);
	assert_true(big * 100 < little);
	done(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_soc_capacities),
		cmocka_unit_test(test_soc_errors_name_the_line),
		cmocka_unit_test(test_workload_errors_name_the_line),
		cmocka_unit_test(test_work_scales_with_capacity),
		cmocka_unit_test(test_dvfs_ramps_up),
		cmocka_unit_test(test_requests_released_on_idle),
		cmocka_unit_test(test_active_driver_follows_busy_time),
		cmocka_unit_test(test_overdue_at_end_missed),
		cmocka_unit_test(test_deterministic_and_seeded),
		cmocka_unit_test(test_work_conserved_and_bound_holds),
		cmocka_unit_test(test_oracle_bounds_chains),
		cmocka_unit_test(test_speed_equal_runs_work_at_1024),
		cmocka_unit_test(test_driver_none_keeps_top_opp),
		cmocka_unit_test(test_hog_and_busy_after),
		cmocka_unit_test(test_joule_per_domain_queues),
		cmocka_unit_test(test_light_tasks_util_when_speed_changes_mid_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
