// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "show_model.h"

static const char *pd_of_cpu(const struct jpower_model *em, int cpu)
{
	for (int p = 0; p < em->nr_pds; p++)
		if (jtopo_cpuset_isset(&em->pd[p].cpus, cpu))
			return em->pd[p].name;
	return "-";
}

/* The lowest and highest capacity of a kind's online CPUs (0, 0 if none). */
static void kind_capacity(const struct jtopo *t, const struct jtopo_kind *kd, unsigned *lo,
			  unsigned *hi)
{
	*lo = *hi = 0;
	for (int c = jtopo_cpuset_first(&kd->cpus); c >= 0;
	     c = jtopo_cpuset_next(&kd->cpus, c + 1)) {
		if (!t->cpu[c].online)
			continue;
		if (!*lo || t->cpu[c].capacity < *lo)
			*lo = t->cpu[c].capacity;
		if (t->cpu[c].capacity > *hi)
			*hi = t->cpu[c].capacity;
	}
}

static void show_kinds(FILE *f, const struct jtopo *t)
{
	char cpus[JTOPO_CPULIST_LEN];

	fprintf(f, "\nkinds (least capable first):\n");
	fprintf(f, "  %-7s %-16s %8s %10s %-12s %8s\n", "kind", "cpus", "capacity", "efficiency",
		"core type", "max MHz");
	for (int k = 0; k < t->nr_kinds; k++) {
		const struct jtopo_kind *kd = &t->kind[k];
		char mhz[16] = "-"; /* no cpufreq: not known */
		char cap[24];
		unsigned lo, hi;

		jtopo_format_cpulist(&kd->cpus, cpus, sizeof(cpus));
		if (kd->max_mhz)
			snprintf(mhz, sizeof(mhz), "%u", kd->max_mhz);
		/* a kind's CPUs may differ (Intel's favoured cores): the range, not the first */
		kind_capacity(t, kd, &lo, &hi);
		if (lo == hi)
			snprintf(cap, sizeof(cap), "%u", hi);
		else
			snprintf(cap, sizeof(cap), "%u-%u", lo, hi);
		fprintf(f, "  %-7s %-16s %8s %10d %-12s %8s\n", kd->name, cpus, cap,
			kd->hwloc_efficiency, kd->core_type[0] ? kd->core_type : "-", mhz);
	}
}

/* An offline CPU's entry is another CPU's: say whose, and how we know. */
static void show_offline_cpu(FILE *f, const struct jtopo *t, const struct jpower_model *em, int c)
{
	const struct jtopo_cpu *tc = &t->cpu[c];

	if (tc->like_source == JTOPO_LIKE_NONE) {
		fprintf(f, "  %4d offline, nothing known\n", c);
		return;
	}
	fprintf(f, "  %4d %-7s %8u %5s %7s %7d %4d %7d %4d %-8s offline: as cpu %d (%s%s)\n", c,
		t->kind[tc->kind].name, tc->capacity, "-", "-", tc->cluster, tc->llc, tc->package,
		tc->numa, pd_of_cpu(em, tc->like), tc->like,
		jtopo_like_source_name(tc->like_source),
		tc->own_capacity ? "; its own cpu_capacity" : "");
}

static void show_cpus(FILE *f, const struct jtopo *t, const struct jpower_model *em)
{
	fprintf(f, "\nCPUs:\n");
	fprintf(f, "  %4s %-7s %8s %5s %7s %7s %4s %7s %4s %-8s\n", "cpu", "kind", "capacity",
		"core", "sibling", "cluster", "llc", "package", "numa", "domain");
	for (int c = 0; c < t->nr_cpus; c++) {
		const struct jtopo_cpu *tc = &t->cpu[c];

		if (!tc->online) {
			show_offline_cpu(f, t, em, c);
			continue;
		}
		fprintf(f, "  %4d %-7s %8u %5d %7d %7d %4d %7d %4d %-8s\n", c,
			t->kind[tc->kind].name, tc->capacity, tc->core, tc->sibling, tc->cluster,
			tc->llc, tc->package, tc->numa, pd_of_cpu(em, c));
	}
}

static bool same_policy(const struct jpower_policy *a, const struct jpower_policy *b)
{
	return a->min_khz == b->min_khz && a->max_khz == b->max_khz && a->nr_freqs == b->nr_freqs &&
	       !strcmp(a->driver, b->driver) && !strcmp(a->governor, b->governor) &&
	       !memcmp(a->freq_khz, b->freq_khz, sizeof(a->freq_khz[0]) * (size_t)a->nr_freqs);
}

/* One row per run of identical policies (per-CPU drivers make dozens). */
static void show_cpufreq(FILE *f, const struct jpower_cpufreq *cf)
{
	char cpus[JTOPO_CPULIST_LEN], why[512];

	if (!cf->nr_policies) {
		fprintf(f, "\ncpufreq: none (no frequency control; utilization is not scaled by "
			   "frequency)\n");
		return;
	}
	fprintf(f, "\ncpufreq (%s): %d polic%s\n",
		cf->via_libcpupower ? "libcpupower" : "sysfs files", cf->nr_policies,
		cf->nr_policies == 1 ? "y" : "ies");
	fprintf(f, "  %-16s %-14s %-12s %9s %9s %6s\n", "cpus", "driver", "governor", "min kHz",
		"max kHz", "freqs");
	for (int i = 0; i < cf->nr_policies;) {
		const struct jpower_policy *p = &cf->policy[i];
		struct jtopo_cpuset set = p->cpus;
		int j = i + 1;

		for (; j < cf->nr_policies && same_policy(p, &cf->policy[j]); j++)
			for (int w = 0; w < JTOPO_MASK_WORDS; w++)
				set.bits[w] |= cf->policy[j].cpus.bits[w];
		jtopo_format_cpulist(&set, cpus, sizeof(cpus));
		fprintf(f, "  %-16s %-14s %-12s %9u %9u %6d%s\n", cpus, p->driver, p->governor,
			p->min_khz, p->max_khz, p->nr_freqs,
			j - i > 1 ? "  (one policy per CPU)" : "");
		i = j;
	}
	if (jpower_requests_ignored(cf, why, sizeof(why)))
		fprintf(f, "  frequency requests: ignored: %s\n", why);
	else
		fprintf(f, "  frequency requests: followed (schedutil)\n");
}

static unsigned min_capacity(const struct jtopo *t, const struct jtopo_cpuset *cpus)
{
	unsigned lo = 1024;

	for (int c = jtopo_cpuset_next(cpus, 0); c >= 0; c = jtopo_cpuset_next(cpus, c + 1))
		if (t->cpu[c].capacity < lo)
			lo = t->cpu[c].capacity;
	return lo;
}

/* Which source domains one scheduling domain stands for (jpower_em_fit). */
static void show_grouping(FILE *f, const struct jtopo *t, const struct jpower_pd *pd)
{
	if (pd->nr_merged)
		fprintf(f,
			"          stands for %d of the model's domains with %d distinct tables "
			"(CPU capacities %u..%u), merged to fit; the biggest one's table serves "
			"all\n",
			pd->nr_grouped, pd->nr_merged + 1, min_capacity(t, &pd->cpus),
			pd->capacity);
	else if (pd->nr_grouped > 1)
		fprintf(f, "          %d domains with this same table grouped\n", pd->nr_grouped);
}

static void show_domains(FILE *f, const struct jtopo *t, const struct jpower_model *em)
{
	char cpus[JTOPO_CPULIST_LEN];

	/* a file is named here: the user must see that theirs is the one in use */
	fprintf(f, "\nenergy model in use: %s%s%s (%s)\n", jpower_em_source_name(em->source),
		em->source == JPOWER_EM_FILE ? " " : "",
		em->source == JPOWER_EM_FILE ? em->origin : "", em->why);
	fprintf(f, "performance domains: energy model %s (%s)\n", jpower_em_source_name(em->source),
		em->origin);
	if (em->nr_distinct > JPOWER_MAX_SCHED_PDS)
		fprintf(f,
			"  note: %d distinct domains are more than the scheduler's %d: the closest "
			"(same kind, nearest capacity) were merged\n",
			em->nr_distinct, JPOWER_MAX_SCHED_PDS);
	for (int p = 0; p < em->nr_pds; p++) {
		const struct jpower_pd *pd = &em->pd[p];

		jtopo_format_cpulist(&pd->cpus, cpus, sizeof(cpus));
		fprintf(f, "  %s: %s CPUs %s, capacity %u, idle %.3f mW per CPU\n", pd->name,
			t->kind[pd->kind].name, cpus, pd->capacity, pd->idle_mw);
		show_grouping(f, t, pd);
		if (!pd->nr_opps)
			continue;
		fprintf(f, "    %9s %8s %10s %10s\n", "kHz", "capacity", "power mW", "cost");
		for (int i = 0; i < pd->nr_opps; i++) {
			const struct jpower_opp *o = &pd->opp[i];

			fprintf(f, "    %9u %8u %10.3f %10.3f%s\n", o->khz, o->capacity,
				o->power_mw, o->cost, o->inefficient ? "  inefficient" : "");
		}
	}
}

static const char *plural(int n)
{
	return n == 1 ? "" : "s";
}

void joule_show_model(FILE *f, const struct jtopo *t, const struct jpower_cpufreq *cf,
		      const struct jpower_model *em)
{
	fprintf(f, "machine: %s\n", t->origin);
	fprintf(f,
		"%d of %d CPUs online, %d kind%s; capacity from %s; %d core%s, %d cluster%s, "
		"%d LLC%s, %d package%s, %d NUMA node%s\n",
		t->nr_online, t->nr_cpus, t->nr_kinds, plural(t->nr_kinds),
		jtopo_cap_source_name(t->cap_source), t->nr_cores, plural(t->nr_cores),
		t->nr_clusters, plural(t->nr_clusters), t->nr_llcs, plural(t->nr_llcs),
		t->nr_packages, plural(t->nr_packages), t->nr_numa, plural(t->nr_numa));
	for (int i = 0; i < t->nr_warnings; i++)
		fprintf(f, "warning: %s\n", t->warning[i]);
	if (em->warning[0])
		fprintf(f, "warning: %s\n", em->warning);
	show_kinds(f, t);
	show_cpus(f, t, em);
	show_cpufreq(f, cf);
	show_domains(f, t, em);
}

/* ---- JSON ---------------------------------------------------------------- */

/*
 * The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * form, no surrogate, at most U+10FFFF), or 0.
 */
static int utf8_len(const unsigned char *s)
{
	int n = s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : s[0] < 0xf5 ? 4 : 0;

	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] > 0x9f) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/*
 * A JSON string. Names come from files and sysfs roots, in any bytes: one
 * that is not UTF-8 is written as U+FFFD, which JSON readers take (it made
 * json.loads fail).
 */
static void json_str(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	fputc('"', f);
	while (*u) {
		int n = *u < 0x80 ? 1 : utf8_len(u);

		if (*u == '"' || *u == '\\')
			fprintf(f, "\\%c", *u);
		else if (*u < 0x20)
			fprintf(f, "\\u%04x", *u);
		else if (!n)
			fputs("\\ufffd", f);
		else
			fwrite(u, 1, (size_t)n, f);
		u += n ? n : 1;
	}
	fputc('"', f);
}

static void json_cpulist(FILE *f, const struct jtopo_cpuset *s)
{
	char buf[JTOPO_CPULIST_LEN];

	jtopo_format_cpulist(s, buf, sizeof(buf));
	json_str(f, buf);
}

/* Offline CPUs and the online CPU whose entry each has (-1: nothing known). */
static void json_offline_cpus(FILE *f, const struct jtopo *t, const struct jpower_model *em)
{
	fprintf(f, ",\"offline_cpus\":[");
	for (int c = 0, n = 0; c < t->nr_cpus; c++) {
		const struct jtopo_cpu *tc = &t->cpu[c];

		if (tc->online)
			continue;
		fprintf(f, "%s{\"cpu\":%d,\"like\":%d,\"how\":", n++ ? "," : "", c,
			tc->like_source == JTOPO_LIKE_NONE ? -1 : tc->like);
		json_str(f, jtopo_like_source_name(tc->like_source));
		fprintf(f, ",\"capacity\":%u,\"own_capacity\":%s", tc->capacity,
			tc->own_capacity ? "true" : "false");
		/* the kind and domain of the CPU it is like, as the text's row has them */
		if (tc->like_source != JTOPO_LIKE_NONE) {
			fprintf(f, ",\"kind\":");
			json_str(f, t->kind[tc->kind].name);
			fprintf(f, ",\"domain\":");
			json_str(f, pd_of_cpu(em, tc->like));
		}
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_topology(FILE *f, const struct jtopo *t, const struct jpower_model *em)
{
	fprintf(f, "\"origin\":");
	json_str(f, t->origin);
	fprintf(f, ",\"nr_cpus\":%d,\"online\":", t->nr_cpus);
	json_cpulist(f, &t->online);
	fprintf(f, ",\"capacity_source\":");
	json_str(f, jtopo_cap_source_name(t->cap_source));
	fprintf(f, ",\"cores\":%d,\"clusters\":%d,\"llcs\":%d,\"packages\":%d,\"numa_nodes\":%d",
		t->nr_cores, t->nr_clusters, t->nr_llcs, t->nr_packages, t->nr_numa);
	fprintf(f, ",\"kinds\":[");
	for (int k = 0; k < t->nr_kinds; k++) {
		const struct jtopo_kind *kd = &t->kind[k];
		unsigned lo, hi;

		fprintf(f, "%s{\"name\":", k ? "," : "");
		json_str(f, kd->name);
		fprintf(f, ",\"cpus\":");
		json_cpulist(f, &kd->cpus);
		fprintf(f, ",\"hwloc_efficiency\":%d,\"core_type\":", kd->hwloc_efficiency);
		json_str(f, kd->core_type);
		kind_capacity(t, kd, &lo, &hi);
		fprintf(f, ",\"max_mhz\":%u,\"capacity_min\":%u,\"capacity_max\":%u}", kd->max_mhz,
			lo, hi);
	}
	fprintf(f, "],\"cpus\":[");
	for (int c = 0, n = 0; c < t->nr_cpus; c++) {
		const struct jtopo_cpu *tc = &t->cpu[c];

		if (!tc->online)
			continue;
		fprintf(f,
			"%s{\"cpu\":%d,\"kind\":\"%s\",\"capacity\":%u,\"core\":%d,\"sibling\":%d,"
			"\"cluster\":%d,\"llc\":%d,\"package\":%d,\"numa\":%d,\"domain\":",
			n++ ? "," : "", c, t->kind[tc->kind].name, tc->capacity, tc->core,
			tc->sibling, tc->cluster, tc->llc, tc->package, tc->numa);
		json_str(f, pd_of_cpu(em, c));
		fputc('}', f);
	}
	fputc(']', f);
	json_offline_cpus(f, t, em);
}

static void json_power(FILE *f, const struct jpower_cpufreq *cf, const struct jpower_model *em)
{
	char why[512];

	fprintf(f, ",\"cpufreq\":[");
	for (int i = 0; i < cf->nr_policies; i++) {
		const struct jpower_policy *p = &cf->policy[i];

		fprintf(f, "%s{\"cpus\":", i ? "," : "");
		json_cpulist(f, &p->cpus);
		fprintf(f, ",\"driver\":");
		json_str(f, p->driver);
		fprintf(f, ",\"governor\":");
		json_str(f, p->governor);
		fprintf(f, ",\"min_khz\":%u,\"max_khz\":%u,\"freqs_khz\":[", p->min_khz,
			p->max_khz);
		for (int j = 0; j < p->nr_freqs; j++)
			fprintf(f, "%s%u", j ? "," : "", p->freq_khz[j]);
		fprintf(f, "]}");
	}
	/* as the text's "frequency requests:" line; null without cpufreq */
	fprintf(f, "],\"frequency_requests\":");
	if (!cf->nr_policies) {
		fputs("null", f);
	} else if (jpower_requests_ignored(cf, why, sizeof(why))) {
		fputs("{\"followed\":false,\"why\":", f);
		json_str(f, why);
		fputc('}', f);
	} else {
		fputs("{\"followed\":true}", f);
	}
	fprintf(f, ",\"energy_model\":{\"source\":");
	json_str(f, jpower_em_source_name(em->source));
	fprintf(f, ",\"origin\":");
	json_str(f, em->origin);
	fprintf(f, ",\"why\":");
	json_str(f, em->why);
	/* what power_mw and idle_mw hold: milliwatts, or only ratios */
	fprintf(f, ",\"power_unit\":\"%s\"",
		em->artificial	     ? "artificial"
		: em->abstract_scale ? "abstract"
				     : "mW");
	fprintf(f, ",\"distinct_domains\":%d", em->nr_distinct);
	fprintf(f, ",\"domains\":[");
	for (int p = 0; p < em->nr_pds; p++) {
		const struct jpower_pd *pd = &em->pd[p];

		fprintf(f, "%s{\"name\":", p ? "," : "");
		json_str(f, pd->name);
		fprintf(f, ",\"cpus\":");
		json_cpulist(f, &pd->cpus);
		fprintf(f,
			",\"capacity\":%u,\"idle_mw\":%.3f,\"grouped\":%d,\"merged\":%d,\"opps\":[",
			pd->capacity, pd->idle_mw, pd->nr_grouped, pd->nr_merged);
		for (int i = 0; i < pd->nr_opps; i++) {
			const struct jpower_opp *o = &pd->opp[i];

			fprintf(f,
				"%s{\"khz\":%u,\"capacity\":%u,\"power_mw\":%.3f,\"cost\":%.3f,"
				"\"inefficient\":%s}",
				i ? "," : "", o->khz, o->capacity, o->power_mw, o->cost,
				o->inefficient ? "true" : "false");
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]}");
}

void joule_show_model_json(FILE *f, const struct jtopo *t, const struct jpower_cpufreq *cf,
			   const struct jpower_model *em)
{
	fputc('{', f);
	json_topology(f, t, em);
	json_power(f, cf, em);
	fprintf(f, ",\"warnings\":[");
	for (int i = 0; i < t->nr_warnings; i++) {
		if (i)
			fputc(',', f);
		json_str(f, t->warning[i]);
	}
	if (em->warning[0]) {
		if (t->nr_warnings)
			fputc(',', f);
		json_str(f, em->warning);
	}
	fprintf(f, "]}\n");
}
