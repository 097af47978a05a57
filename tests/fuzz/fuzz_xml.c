// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwloc XML (--topology): hwloc's import, then the whole model scx_joule
 * builds from it: topology, domains by kind, the policy tables.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jpower.h"
#include "jtopo.h"
#include "machine.h"

static char xml_path[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(xml_path, sizeof(xml_path), "%s/input.xml", fuzz_tmpdir());
	/* malformed input is the point: keep hwloc's complaints out of the log */
	setenv("HWLOC_HIDE_ERRORS", "2", 1);
	/*
	 * hwloc's own XML parser: hwloc unloads its libxml2 plugin after each
	 * load, and what libxml2 keeps allocated then shows as leaks nobody can
	 * attribute. Both parsers feed the same import code (where hwloc crashes).
	 */
	setenv("HWLOC_LIBXML_IMPORT", "0", 1);
	return 0;
}

/* What scx_joule does with a topology that loaded: domains, tables, stats view. */
static void build_machine(const struct jtopo *t)
{
	static struct jpower_cpufreq cf; /* an XML has no cpufreq */
	static struct jpower_model em;
	static struct joule_machine m;
	char err[512] = "";

	if (fuzz_refused(jpower_domains(&em, t, &cf, err, sizeof(err)), err, "jpower_domains"))
		return;
	jpower_em_finish(&em, t);
	err[0] = '\0';
	fuzz_refused(joule_machine_from_model(&m, t, &em, t->nr_cpus, err, sizeof(err)), err,
		     "joule_machine_from_model");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jtopo t;
	struct jtopo_input in = {.xml = xml_path, .trusted = true};
	char err[512] = "";

	if (fuzz_write_file(xml_path, data, size))
		fuzz_fail("cannot write %s", xml_path);
	if (!fuzz_hwloc_survives(xml_path, NULL)) {
		fuzz_expect_jtopo_refuses(xml_path, NULL);
		return -1; /* hwloc's own crash: nothing more of ours to test */
	}
	if (fuzz_refused(jtopo_load(&t, &in, err, sizeof(err)), err, "jtopo_load"))
		return 0;
	build_machine(&t);
	return 0;
}
