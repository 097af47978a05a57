/* SPDX-License-Identifier: GPL-2.0-only */
/* `scx_joule --show-topology [--json]`: the machine model, for people or scripts. */
#ifndef SHOW_MODEL_H
#define SHOW_MODEL_H

#include <stdio.h>

#include "jpower.h"
#include "jtopo.h"

void joule_show_model(FILE *f, const struct jtopo *t, const struct jpower_cpufreq *cf,
		      const struct jpower_model *em);
void joule_show_model_json(FILE *f, const struct jtopo *t, const struct jpower_cpufreq *cf,
			   const struct jpower_model *em);

#endif
