/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy tables (struct jp_tables, bpf/policy.h) from a machine model,
 * and the one rule for which operating points they keep. Both the loader
 * (scx_joule --model, and its hwloc/sysfs model) and the simulator use it.
 */
#ifndef MODEL_TABLES_H
#define MODEL_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "soc.h"

/* The most OPPs of one domain model_keep_opps() looks at. */
#define MODEL_MAX_OPPS 64

/*
 * Which of a domain's nr_opps OPPs (ascending) the tables keep: at most
 * JP_MAX_OPPS of the efficient ones (the kernel's EAS skips the others
 * too), spread evenly over the range, the top one always among them. An
 * OPP is inefficient when a faster one costs no more per unit of work.
 * Writes the kept indexes, ascending, into idx; returns how many.
 */
uint32_t model_keep_opps(const bool *inefficient, uint32_t nr_opps, uint32_t *idx);

/*
 * The kernel's inefficiency marks (em_compute_costs) from each OPP's power
 * and frequency: cost per unit of work is power / frequency.
 */
void model_mark_inefficient(const double *power, const uint32_t *freq, uint32_t nr_opps,
			    bool *inefficient);

/*
 * The OPPs of a .soc domain the tables keep (model_keep_opps over the
 * kernel's inefficiency marks): their indexes into pd->opps, ascending, in
 * idx (JP_MAX_OPPS of room); returns how many.
 */
uint32_t model_soc_pd_opps(const struct sim_pd *pd, uint32_t *idx);

/*
 * An OPP's cost in the tables' 32 bits: a huge power at a tiny capacity
 * exceeds them, and converting that is undefined, so it saturates.
 */
uint32_t model_cost_u32(double cost);

/* Build the policy tables from a .soc machine. */
void sim_soc_to_tables(const struct sim_soc *soc, struct jp_tables *t);

#endif /* MODEL_TABLES_H */
