// SPDX-License-Identifier: GPL-2.0-only
/*
 * The energy-model file (--energy-model) over a recorded phone's topology:
 * parse, build the policy tables from it, and check that what
 * --write-energy-model writes of it reads back.
 */
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
