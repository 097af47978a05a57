// SPDX-License-Identifier: GPL-2.0-only
/*
 * The energy-model file (--energy-model) over a recorded phone's topology:
 * parse, build the policy tables from it, and check that what
 * --write-energy-model writes of it reads back as the same model.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jpower.h"
#include "jtopo.h"
#include "machine.h"

static struct jtopo topo;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct jtopo_input in = {.root = FIXTURES_DIR "/arm-phone-tri", .trusted = true};
	char err[512];

	(void)argc;
	(void)argv;
	if (jtopo_load(&topo, &in, err, sizeof(err)))
		fuzz_fail("%s", err);
	return 0;
}

/*
 * The file keeps whole uW (%.3f mW): a power may move by half of one on
 * the way out and back in. Parsed powers are already whole uW, so in
 * practice they come back exactly.
 */
#define MW_TOLERANCE 0.0005

static bool same_mw(double a, double b)
{
	return fabs(a - b) <= MW_TOLERANCE;
}

/* again, read back from text, must be the model em that text was written from. */
static void compare_models(const struct jpower_model *em, const struct jpower_model *again,
			   const char *text)
{
	char want[JTOPO_CPULIST_LEN], got[JTOPO_CPULIST_LEN];

	if (again->artificial != em->artificial || again->abstract_scale != em->abstract_scale)
		fuzz_fail("read back artificial %d abstract %d, written %d %d\n%s",
			  again->artificial, again->abstract_scale, em->artificial,
			  em->abstract_scale, text);
	if (again->nr_pds != em->nr_pds)
		fuzz_fail("read back %d domains, written %d\n%s", again->nr_pds, em->nr_pds, text);
	for (int p = 0; p < em->nr_pds; p++) {
		const struct jpower_pd *w = &em->pd[p], *r = &again->pd[p];

		if (strcmp(r->name, w->name))
			fuzz_fail("domain %d read back as '%s', written '%s'\n%s", p, r->name,
				  w->name, text);
		if (memcmp(&r->cpus, &w->cpus, sizeof(w->cpus))) {
			jtopo_format_cpulist(&w->cpus, want, sizeof(want));
			jtopo_format_cpulist(&r->cpus, got, sizeof(got));
			fuzz_fail("domain %s: CPUs %s read back, %s written\n%s", w->name, got,
				  want, text);
		}
		if (!same_mw(r->idle_mw, w->idle_mw))
			fuzz_fail("domain %s: idle_mw %.6f read back, %.6f written\n%s", w->name,
				  r->idle_mw, w->idle_mw, text);
		if (r->nr_opps != w->nr_opps)
			fuzz_fail("domain %s: %d OPPs read back, %d written\n%s", w->name,
				  r->nr_opps, w->nr_opps, text);
		for (int i = 0; i < w->nr_opps; i++)
			if (r->opp[i].khz != w->opp[i].khz ||
			    !same_mw(r->opp[i].power_mw, w->opp[i].power_mw))
				fuzz_fail("domain %s OPP %d: %u kHz %.6f mW read back, "
					  "%u kHz %.6f mW written\n%s",
					  w->name, i, r->opp[i].khz, r->opp[i].power_mw,
					  w->opp[i].khz, w->opp[i].power_mw, text);
	}
}

static void check_round_trip(const struct jpower_model *em)
{
	static struct jpower_model again;
	char *text = NULL, err[512];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f || jpower_em_write(em, NULL, f) || fclose(f))
		fuzz_fail("cannot write the model");
	f = fmemopen(text, len, "r");
	if (!f)
		fuzz_fail("fmemopen");
	if (jpower_em_parse(&again, &topo, f, "written", err, sizeof(err)))
		fuzz_fail("the written model does not read back: %s\n%s", err, text);
	fclose(f);
	/* reading back is not enough: a writer that drops or rounds figures also reads back */
	compare_models(em, &again, text);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jpower_model em;
	static struct joule_machine m;
	FILE *f = fuzz_stream(data, size);
	char err[512] = "";
	int ret = jpower_em_parse(&em, &topo, f, "fuzz.em", err, sizeof(err));

	fclose(f);
	if (fuzz_refused(ret, err, "jpower_em_parse"))
		return 0;
	check_round_trip(&em);
	err[0] = '\0';
	fuzz_refused(joule_machine_from_model(&m, &topo, &em, topo.nr_cpus, err, sizeof(err)), err,
		     "joule_machine_from_model");
	return 0;
}
