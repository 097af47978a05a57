// SPDX-License-Identifier: GPL-2.0-only
/*
 * joule-sim: run one workload on one simulated SoC under one policy and
 * print energy, latency, deadline and migration figures.
 */
#include "chain_bound.h"
#include "engine.h"
#include "parse.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
	"usage: joule-sim --soc FILE --workload FILE --policy NAME [options]\n"
	"       joule-sim --soc FILE --workload FILE --chain-bound [--duration TIME] [--json]\n"
	"  --policy NAME     joule, fair, eas, race or compact\n"
	"  --profile NAME    powersave, balanced, performance or gaming (default balanced;\n"
	"                    scx_joule uses it, baselines ignore it)\n"
	"  --seed N          workload random seed (default 1)\n"
	"  --duration TIME   override the workload's duration, e.g. 10s\n"
	"  --json            one JSON object instead of text\n"
	"  --explain         also show OPP residency and busy time per domain\n"
	"  --repeat N        run N times (for timing; prints CPU time per run)\n"
	"  --driver MODE     passive (default): schedutil follows scx_joule's requests or\n"
	"                    the CFS baselines' utilization; active: the cpufreq driver\n"
	"                    picks from busy time and ignores requests (HWP, amd-pstate);\n"
	"                    none: no cpufreq (a VM guest), every domain at its top OPP\n"
	"  --speed-equal     every CPU really runs at capacity 1024 (a VM's equal vCPUs)\n"
	"                    while the scheduler's tables keep the model's capacities\n"
	"  --rate-limit TIME schedutil's rate_limit_us: least time between frequency\n"
	"                    changes (default 1ms)\n"
	"  --no-idle-release scx_joule variant: an idle CPU keeps its last request\n"
	"  --no-resend-lagging scx_joule variant: the tick never sends an unchanged request\n"
	"                    again while the CPU runs below it (jp_perf_resend_due)\n"
	"  --tune KEY=VALUE  scx_joule with a profile parameter changed (a struct\n"
	"                    jp_profile field, e.g. headroom=1536); repeatable\n"
	"  --chain-bound     no run: the energy a frame chain of the workload (a task\n"
	"                    that wakes another, both with deadlines) must cost per frame,\n"
	"                    on the oracle's terms, when its work is known in advance and\n"
	"                    when only the second stage's distribution is (sim/chain_bound.h)\n";

struct opts {
	const char *soc, *wl, *policy, *profile;
	struct sim_cfg cfg;
	uint32_t repeat;
	int json, explain, chain_bound;
};

static int profile_id(const char *name)
{
	static const char *const names[] = {"powersave", "balanced", "performance", "gaming"};
	int i;

	for (i = 0; i < JOULE_NR_PROFILES; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

/* --tune KEY=VALUE */
static int parse_tune(const char *arg, struct sim_cfg *cfg)
{
	const char *eq = strchr(arg, '=');
	char key[32];
	uint32_t value;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(key) ||
	    !sim_parse_u32(eq + 1, &value)) {
		fprintf(stderr, "joule-sim: --tune needs KEY=VALUE, e.g. headroom=1536\n");
		return -1;
	}
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	if (sim_cfg_tune(cfg, key, value)) {
		fprintf(stderr, "joule-sim: --tune: unknown profile parameter '%s' (or too many)\n",
			key);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {{"soc", required_argument, NULL, 's'},
						 {"workload", required_argument, NULL, 'w'},
						 {"policy", required_argument, NULL, 'p'},
						 {"profile", required_argument, NULL, 'P'},
						 {"seed", required_argument, NULL, 'S'},
						 {"duration", required_argument, NULL, 'd'},
						 {"repeat", required_argument, NULL, 'r'},
						 {"json", no_argument, NULL, 'j'},
						 {"explain", no_argument, NULL, 'e'},
						 {"driver", required_argument, NULL, 'D'},
						 {"rate-limit", required_argument, NULL, 'R'},
						 {"no-idle-release", no_argument, NULL, 'I'},
						 {"no-resend-lagging", no_argument, NULL, 'L'},
						 {"tune", required_argument, NULL, 'T'},
						 {"speed-equal", no_argument, NULL, 'E'},
						 {"chain-bound", no_argument, NULL, 'C'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	char *end;
	int ch;

	memset(o, 0, sizeof(*o));
	sim_cfg_default(&o->cfg);
	o->repeat = 1;
	o->profile = "balanced";
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o->soc = optarg; break;
		case 'w': o->wl = optarg; break;
		case 'p': o->policy = optarg; break;
		case 'P': o->profile = optarg; break;
		case 'S':
			o->cfg.seed = strtoull(optarg, &end, 10);
			if (!*optarg || *end || *optarg == '-') {
				fprintf(stderr, "joule-sim: --seed needs a non-negative integer\n");
				return 2;
			}
			break;
		case 'd':
			if (!sim_parse_time_ns(optarg, &o->cfg.duration_ns) ||
			    !o->cfg.duration_ns) {
				fprintf(stderr, "joule-sim: --duration needs a time such as 10s\n");
				return 2;
			}
			break;
		case 'r':
			if (!sim_parse_u32(optarg, &o->repeat) || !o->repeat) {
				fprintf(stderr, "joule-sim: --repeat needs a positive integer\n");
				return 2;
			}
			break;
		case 'D':
			if (!strcmp(optarg, "passive") || !strcmp(optarg, "active") ||
			    !strcmp(optarg, "none")) {
				o->cfg.driver = optarg[0] == 'a'   ? SIM_DRIVER_ACTIVE
						: optarg[0] == 'n' ? SIM_DRIVER_NONE
								   : SIM_DRIVER_PASSIVE;
				break;
			}
			fprintf(stderr, "joule-sim: --driver must be passive, active or none\n");
			return 2;
		case 'R':
			if (!sim_parse_time_ns(optarg, &o->cfg.rate_limit_ns)) {
				fprintf(stderr,
					"joule-sim: --rate-limit needs a time such as 1ms\n");
				return 2;
			}
			break;
		case 'I': o->cfg.no_idle_release = true; break;
		case 'L': o->cfg.no_resend = true; break;
		case 'E': o->cfg.speed_equal = true; break;
		case 'T':
			if (parse_tune(optarg, &o->cfg))
				return 2;
			break;
		case 'j': o->json = 1; break;
		case 'C': o->chain_bound = 1; break;
		case 'e': o->explain = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default:
			fprintf(stderr,
				"joule-sim: unknown or incomplete option '%s' (see --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "joule-sim: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	if (o->chain_bound && (!o->soc || !o->wl)) {
		fprintf(stderr, "joule-sim: --chain-bound needs --soc and --workload\n");
		return 2;
	}
	if (!o->chain_bound && (!o->soc || !o->wl || !o->policy)) {
		fprintf(stderr,
			"joule-sim: --soc, --workload and --policy are required (see --help)\n");
		return 2;
	}
	return -1;
}

static const char *driver_name(const struct opts *o)
{
	return o->cfg.driver == SIM_DRIVER_ACTIVE ? "active"
	       : o->cfg.driver == SIM_DRIVER_NONE ? "none"
						  : "passive";
}

static void print_text(const struct sim *s, const struct opts *o)
{
	const struct sim_metrics *m = &s->m;

	printf("soc %s  workload %s  policy %s  profile %s  seed %llu  driver %s\n", s->soc->name,
	       s->wl->name, s->pol->name, o->profile, (unsigned long long)o->cfg.seed,
	       driver_name(o));
	printf("simulated        %.3f s\n", m->sim_s);
	printf("energy           %.3f J  (oracle bound %.3f J, +%.1f%%)\n", m->energy_j,
	       m->oracle_j, 100.0 * (m->energy_j / m->oracle_j - 1.0));
	printf("average power    %.3f W\n", m->avg_power_w);
	printf("work done        %.3f s at capacity 1024\n", m->work_done_s);
	if (m->batch_done_s > 0 || m->batch_unfinished)
		printf("batch completion %.3f s%s\n", m->batch_done_s,
		       m->batch_unfinished ? " (unfinished)" : "");
	printf("wakeup latency   p50 %.1f us  p99 %.1f us  max %.1f us\n", m->lat_p50_ns / 1e3,
	       m->lat_p99_ns / 1e3, m->lat_max_ns / 1e3);
	printf("deadlines        %llu missed of %llu (%llu jobs dropped)\n",
	       (unsigned long long)m->misses, (unsigned long long)m->deadline_jobs,
	       (unsigned long long)m->dropped);
	printf("migrations       %llu  pulls %llu  misfit moves %llu  overutilized %.3f s\n",
	       (unsigned long long)m->migrations, (unsigned long long)m->pulls,
	       (unsigned long long)m->place_misfit, m->overutil_s);
	if (s->pol->pd_queues)
		printf("tick slice ends  %llu (misfits sent to placement again)\n",
		       (unsigned long long)m->tick_slice_ends);
}

/* PD p's busy CPU-seconds and energy (J), over its CPUs, and its CPUs' wakeups. */
static void pd_totals(const struct sim *s, uint32_t p, double *busy_s, double *energy_j,
		      unsigned long long *wakeups)
{
	const struct sim_pd *pd = &s->soc->pd[p];
	uint32_t i;

	*busy_s = *energy_j = 0;
	for (i = 0; i < pd->nr_cpus; i++) {
		*busy_s += s->cpu[pd->cpus[i]].busy_ns / 1e9;
		*energy_j += s->cpu[pd->cpus[i]].energy_mj / 1e3;
	}
	*wakeups = s->m.pd_deep_wakeups[p] + s->m.pd_shallow_wakeups[p];
}

static void print_explain(const struct sim *s)
{
	uint32_t p, i;

	for (p = 0; p < s->soc->nr_pds; p++) {
		const struct sim_pd *pd = &s->soc->pd[p];
		unsigned long long wakeups;
		double busy, e;

		pd_totals(s, p, &busy, &e, &wakeups);
		printf("pd %-8s busy %.3f cpu-s  energy %.3f J (idle %.3f J, waking %.3f J)  "
		       "wakeups %llu (%llu from deep sleep)  OPP residency:",
		       pd->name, busy, e, s->m.pd_idle_mj[p] / 1e3, s->m.pd_waking_mj[p] / 1e3,
		       wakeups, (unsigned long long)s->m.pd_deep_wakeups[p]);
		for (i = 0; i < pd->nr_opps; i++)
			if (s->pd[p].opp_ns[i])
				printf(" %uMHz %.1f%%", pd->opps[i].mhz,
				       100.0 * s->pd[p].opp_ns[i] / (double)s->end);
		printf("\n");
	}
	for (i = 0; i < s->wl->nr_specs; i++) {
		printf("task %-10s jobs %llu missed %llu  ran on:", s->wl->spec[i].name,
		       (unsigned long long)s->m.spec_jobs[i],
		       (unsigned long long)s->m.spec_misses[i]);
		for (p = 0; p < s->soc->nr_pds; p++)
			if (s->m.spec_run_ns[i][p])
				printf(" %s %.3f s %.3f J", s->soc->pd[p].name,
				       s->m.spec_run_ns[i][p] / 1e9,
				       s->m.spec_energy_mj[i][p] / 1e3);
		printf("\n");
	}
}

/* Seconds per PD, as a JSON array in the .soc's PD order. */
static void json_pd_seconds(const struct sim *s, const uint64_t *ns)
{
	uint32_t p;

	printf("[");
	for (p = 0; p < s->soc->nr_pds; p++)
		printf("%s%.6f", p ? "," : "", ns[p] / 1e9);
	printf("]");
}

/*
 * Per PD (name, kind, busy CPU-seconds) and per task line (run time and the
 * CPUs' energy while running it per PD, ticks found runnable per PD, and
 * for tasks that turn busy: the CPU they last ran on before, the time until
 * they first ran on a biggest CPU, run time per PD afterwards): what the VM
 * scenarios measure.
 */
static void print_json_detail(const struct sim *s)
{
	static const char *const kinds[] = {"little", "medium", "big"};
	uint32_t p, i;

	printf("\"pds\":[");
	for (p = 0; p < s->soc->nr_pds; p++) {
		const struct sim_pd *pd = &s->soc->pd[p];
		unsigned long long wakeups;
		double busy, e;

		pd_totals(s, p, &busy, &e, &wakeups);
		printf("%s{\"name\":\"%s\",\"kind\":\"%s\",\"busy_s\":%.6f,\"energy_j\":%.6f,"
		       "\"idle_j\":%.6f,\"waking_j\":%.6f,\"wakeups\":%llu,\"deep_wakeups\":%llu}",
		       p ? "," : "", pd->name, kinds[pd->kind], busy, e, s->m.pd_idle_mj[p] / 1e3,
		       s->m.pd_waking_mj[p] / 1e3, wakeups,
		       (unsigned long long)s->m.pd_deep_wakeups[p]);
	}
	printf("],\"tasks\":[");
	for (i = 0; i < s->wl->nr_specs; i++) {
		printf("%s{\"name\":\"%s\",\"run_s\":", i ? "," : "", s->wl->spec[i].name);
		json_pd_seconds(s, s->m.spec_run_ns[i]);
		printf(",\"energy_j\":[");
		for (p = 0; p < s->soc->nr_pds; p++)
			printf("%s%.6f", p ? "," : "", s->m.spec_energy_mj[i][p] / 1e3);
		printf("]");
		printf(",\"runnable_ticks\":[");
		for (p = 0; p < s->soc->nr_pds; p++)
			printf("%s%llu", p ? "," : "",
			       (unsigned long long)s->m.spec_runnable_ticks[i][p]);
		printf("],\"busy_run_s\":");
		json_pd_seconds(s, s->m.spec_busy_run_ns[i]);
		printf(",\"busy_cpu\":%d,\"busy_up_s\":%.6f}", s->m.spec_busy_cpu[i],
		       s->m.spec_busy_up_ns[i] < 0 ? -1.0 : s->m.spec_busy_up_ns[i] / 1e9);
	}
	printf("]}\n");
}

static void print_json(const struct sim *s, const struct opts *o, double cpu_s)
{
	const struct sim_metrics *m = &s->m;

	printf("{\"soc\":\"%s\",\"workload\":\"%s\",\"policy\":\"%s\",\"profile\":\"%s\","
	       "\"driver\":\"%s\",\"seed\":%llu,\"sim_s\":%.6f,\"energy_j\":%.6f,\"avg_power_w\":%."
	       "6f,"
	       "\"oracle_j\":%.6f,\"work_done_s\":%.6f,\"batch_done_s\":%.6f,"
	       "\"batch_unfinished\":%s,\"lat_p50_us\":%.3f,\"lat_p99_us\":%.3f,"
	       "\"lat_max_us\":%.3f,\"jobs\":%llu,\"deadline_jobs\":%llu,\"misses\":%llu,"
	       "\"dropped\":%llu,\"migrations\":%llu,\"pulls\":%llu,\"misfit_moves\":%llu,"
	       "\"tick_slice_ends\":%llu,\"overutilized_s\":%.6f,\"cpu_s\":%.6f,",
	       s->soc->name, s->wl->name, s->pol->name, o->profile, driver_name(o),
	       (unsigned long long)o->cfg.seed, m->sim_s, m->energy_j, m->avg_power_w, m->oracle_j,
	       m->work_done_s, m->batch_done_s, m->batch_unfinished ? "true" : "false",
	       m->lat_p50_ns / 1e3, m->lat_p99_ns / 1e3, m->lat_max_ns / 1e3,
	       (unsigned long long)m->jobs, (unsigned long long)m->deadline_jobs,
	       (unsigned long long)m->misses, (unsigned long long)m->dropped,
	       (unsigned long long)m->migrations, (unsigned long long)m->pulls,
	       (unsigned long long)m->place_misfit, (unsigned long long)m->tick_slice_ends,
	       m->overutil_s, cpu_s);
	print_json_detail(s);
}

/* The --soc and --workload files; on error says which and what, returns -1. */
static int load_inputs(const struct opts *o, struct sim_soc *soc, struct wl *wl)
{
	char err[512];

	if (sim_soc_load(o->soc, soc, err, sizeof(err)) || wl_load(o->wl, wl, err, sizeof(err))) {
		fprintf(stderr, "joule-sim: %s\n", err);
		return -1;
	}
	return 0;
}

/* --chain-bound: the workload's frame chain on the SoC's hull, no run. */
static int print_chain_bound(const struct sim_soc *soc, const struct wl *wl, const struct opts *o)
{
	struct sim_oracle_pt hull[SIM_MAX_PDS * SIM_MAX_OPPS];
	struct sim_chain_bound b;
	struct sim_chain c;
	uint32_t n = sim_oracle_hull(soc, hull);
	double frames, extra_j;

	if (sim_chain_of(wl, &c)) {
		fprintf(stderr,
			"joule-sim: --chain-bound: workload %s has no task that wakes another "
			"with both under deadlines\n",
			wl->name);
		return 1;
	}
	if (!n) {
		fprintf(stderr, "joule-sim: --chain-bound: soc %s has no OPP with capacity\n",
			soc->name);
		return 1;
	}
	sim_chain_bound(hull, n, &c, 20, &b);
	frames = (o->cfg.duration_ns ? o->cfg.duration_ns : wl->duration_ns) / c.period_ns;
	extra_j = (b.online_mj - b.clairvoyant_mj) * frames / 1e3;
	if (o->json) {
		printf("{\"soc\":\"%s\",\"workload\":\"%s\",\"clairvoyant_mj\":%.6f,"
		       "\"online_mj\":%.6f,\"frames\":%.1f,\"online_extra_j\":%.6f}\n",
		       soc->name, wl->name, b.clairvoyant_mj, b.online_mj, frames, extra_j);
		return 0;
	}
	printf("soc %s  workload %s  chain within %.3f ms\n", soc->name, wl->name,
	       c.budget_ns / 1e6);
	printf("per frame        %.3f mJ clairvoyant, %.3f mJ online (+%.1f%%)\n", b.clairvoyant_mj,
	       b.online_mj, 100.0 * (b.online_mj / b.clairvoyant_mj - 1.0));
	printf("over %.0f frames  +%.2f J on top of the oracle bound\n", frames, extra_j);
	return 0;
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct sim_soc soc;
	static struct wl wl;
	const struct sim_policy *pol;
	struct sim *s = NULL;
	struct opts o;
	double t0, cpu_s;
	int ret = parse_args(argc, argv, &o), prof;
	uint32_t i;

	if (ret >= 0)
		return ret;
	if (o.chain_bound)
		return load_inputs(&o, &soc, &wl) ? 1 : print_chain_bound(&soc, &wl, &o);
	pol = sim_policy_find(o.policy);
	if (!pol) {
		fprintf(stderr, "joule-sim: unknown policy '%s' (known: %s)\n", o.policy,
			sim_policy_names());
		return 2;
	}
	prof = profile_id(o.profile);
	o.cfg.profile = (uint32_t)prof;
	if (prof < 0) {
		fprintf(stderr,
			"joule-sim: unknown profile '%s' (powersave, balanced, performance, "
			"gaming)\n",
			o.profile);
		return 2;
	}
	if (load_inputs(&o, &soc, &wl))
		return 1;
	s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "joule-sim: out of memory\n");
		return 1;
	}
	t0 = cpu_seconds();
	for (i = 0; i < o.repeat; i++) {
		if (i)
			sim_free(s);
		if (sim_run(s, &soc, &wl, pol, &o.cfg)) {
			fprintf(stderr, "joule-sim: out of memory during the run\n");
			ret = 1;
			goto out;
		}
	}
	cpu_s = (cpu_seconds() - t0) / o.repeat;
	if (o.json) {
		print_json(s, &o, cpu_s);
	} else {
		print_text(s, &o);
		if (o.explain)
			print_explain(s);
		if (o.repeat > 1)
			printf("cpu time         %.3f s per run (%u runs)\n", cpu_s, o.repeat);
	}
	ret = 0;
out:
	sim_free(s);
	free(s);
	return ret;
}
