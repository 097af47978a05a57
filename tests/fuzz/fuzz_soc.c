// SPDX-License-Identifier: GPL-2.0-only
/* The simulator's machine files (--model FILE.soc): parse, then the policy tables. */
#include "fuzz.h"
#include "machine.h"
#include "soc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sim_soc soc;
	static struct joule_machine m;
	FILE *f = fuzz_stream(data, size);
	char err[512] = "";
	int ret = sim_soc_parse(f, "fuzz.soc", &soc, err, sizeof(err));

	fclose(f);
	if (fuzz_refused(ret, err, "sim_soc_parse"))
		return 0;
	/* as scx_joule lays it over a machine with exactly its CPUs online */
	err[0] = '\0';
	fuzz_refused(joule_machine_from_soc(&m, &soc, (int)soc.nr_cpus, err, sizeof(err)), err,
		     "joule_machine_from_soc");
	return 0;
}
