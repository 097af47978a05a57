// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fitting a model's domains into the scheduler's tables (jpower_em_fit):
 * group identical domains, then merge the closest ones while there are more
 * than the tables hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpower.h"

static bool same_table(const struct jpower_pd *a, const struct jpower_pd *b)
{
	if (a->kind != b->kind || a->capacity != b->capacity || a->idle_mw != b->idle_mw ||
	    a->nr_opps != b->nr_opps)
		return false;
	for (int i = 0; i < a->nr_opps; i++) {
		const struct jpower_opp *x = &a->opp[i], *y = &b->opp[i];

		if (x->khz != y->khz || x->capacity != y->capacity || x->power_mw != y->power_mw)
			return false;
	}
	return true;
}

static void absorb(struct jpower_pd *into, const struct jpower_pd *from)
{
	for (int w = 0; w < JTOPO_MASK_WORDS; w++)
		into->cpus.bits[w] |= from->cpus.bits[w];
	into->nr_grouped += from->nr_grouped;
	into->nr_merged += from->nr_merged;
}

static void remove_pd(struct jpower_model *em, int p)
{
	memmove(&em->pd[p], &em->pd[p + 1], sizeof(em->pd[0]) * (size_t)(em->nr_pds - p - 1));
	em->nr_pds--;
}

static void group_identical(struct jpower_model *em)
{
	for (int i = 0; i < em->nr_pds; i++)
		for (int j = em->nr_pds - 1; j > i; j--)
			if (same_table(&em->pd[i], &em->pd[j])) {
				absorb(&em->pd[i], &em->pd[j]);
				remove_pd(em, j);
			}
}

/* Table entries a domain takes: one per JPOWER_MAX_SCHED_PD_CPUS CPUs. */
static int slots_of(const struct jtopo_cpuset *cpus)
{
	int n = jtopo_cpuset_weight(cpus);

	return n ? (n + JPOWER_MAX_SCHED_PD_CPUS - 1) / JPOWER_MAX_SCHED_PD_CPUS : 1;
}

static int slots(const struct jpower_model *em)
{
	int n = 0;

	for (int p = 0; p < em->nr_pds; p++)
		n += slots_of(&em->pd[p].cpus);
	return n;
}

/* Kind first: merging a little into a big domain is worse than any capacity gap. */
static long distance(const struct jpower_pd *a, const struct jpower_pd *b)
{
	long d = labs((long)a->capacity - (long)b->capacity);

	return a->kind == b->kind ? d : d + 100000;
}

/* The closest pair whose merge frees a table entry; false if none does. */
static bool closest_pair(const struct jpower_model *em, int *pa, int *pb)
{
	long best = -1;

	for (int i = 0; i < em->nr_pds; i++) {
		for (int j = i + 1; j < em->nr_pds; j++) {
			struct jtopo_cpuset u = em->pd[i].cpus;
			long d = distance(&em->pd[i], &em->pd[j]);

			for (int w = 0; w < JTOPO_MASK_WORDS; w++)
				u.bits[w] |= em->pd[j].cpus.bits[w];
			if (slots_of(&u) >= slots_of(&em->pd[i].cpus) + slots_of(&em->pd[j].cpus))
				continue;
			if (best < 0 || d < best) {
				best = d;
				*pa = i;
				*pb = j;
			}
		}
	}
	return best >= 0;
}

/* The bigger domain's table serves both: a task never gets less than it asked for. */
static void merge_pair(struct jpower_model *em, int a, int b)
{
	struct jpower_pd *x = &em->pd[a], *y = &em->pd[b];

	if (y->capacity > x->capacity ||
	    (y->capacity == x->capacity &&
	     jtopo_cpuset_weight(&y->cpus) > jtopo_cpuset_weight(&x->cpus))) {
		struct jpower_pd tmp = *x;

		snprintf(tmp.name, sizeof(tmp.name), "%s", y->name);
		/* the next merges measure their distance from these */
		tmp.kind = y->kind;
		tmp.capacity = y->capacity;
		memcpy(tmp.opp, y->opp, sizeof(tmp.opp));
		tmp.nr_opps = y->nr_opps;
		tmp.idle_mw = y->idle_mw;
		*x = tmp;
	}
	absorb(x, y);
	x->nr_merged++;
	remove_pd(em, b);
}

void jpower_em_fit(struct jpower_model *em, const struct jtopo *t)
{
	int a, b;

	for (int p = 0; p < em->nr_pds; p++) {
		em->pd[p].nr_grouped = 1;
		em->pd[p].nr_merged = 0;
	}
	/* a domain whose CPUs are all offline schedules nothing */
	for (int p = em->nr_pds - 1; p >= 0; p--)
		if (!jtopo_cpuset_weight(&em->pd[p].cpus))
			remove_pd(em, p);
	group_identical(em);
	em->nr_distinct = em->nr_pds;
	while (slots(em) > JPOWER_MAX_SCHED_PDS && closest_pair(em, &a, &b))
		merge_pair(em, a, b);
	jpower_em_finish(em, t);
}
