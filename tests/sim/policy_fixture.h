// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine the policy tests run on: a little PD (CPUs 0-3, capacity 400)
 * and a big PD (CPUs 4-5, 1024), four OPPs each.
 */
#ifndef JOULE_TEST_POLICY_FIXTURE_H
#define JOULE_TEST_POLICY_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "policy.h"

static inline void two_cluster(struct jp_tables *t)
{
	static const uint32_t lcap[] = {100, 200, 300, 400}, lmw[] = {20, 50, 100, 180};
	static const uint32_t bcap[] = {256, 512, 768, 1024}, bmw[] = {150, 400, 800, 1500};
	uint32_t c, i;

	memset(t, 0, sizeof(*t));
	t->nr_cpus = 6;
	t->nr_pds = 2;
	t->max_capacity = 1024;
	for (c = 0; c < 6; c++) {
		t->cpu[c].capacity = c < 4 ? 400 : 1024;
		t->cpu[c].pd = c < 4 ? 0 : 1;
		t->cpu[c].cluster = t->cpu[c].pd;
		t->cpu[c].llc = t->cpu[c].pd;
		t->cpu[c].kind = c < 4 ? JP_KIND_LITTLE : JP_KIND_BIG;
		t->cpu[c].sibling = JP_NO_SIBLING;
		t->pd[t->cpu[c].pd].cpus[t->pd[t->cpu[c].pd].nr_cpus++] = (uint16_t)c;
	}
	t->pd[0].max_capacity = 400;
	t->pd[1].max_capacity = 1024;
	t->pd[0].nr_opps = t->pd[1].nr_opps = 4;
	for (i = 0; i < 4; i++) {
		t->pd[0].opps[i].capacity = lcap[i];
		t->pd[0].opps[i].cost = lmw[i] * 1000 * 400 / lcap[i];
		t->pd[1].opps[i].capacity = bcap[i];
		t->pd[1].opps[i].cost = bmw[i] * 1000 * 1024 / bcap[i];
	}
}

#endif /* JOULE_TEST_POLICY_FIXTURE_H */
