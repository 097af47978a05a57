// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwloc-probe XML|-r ROOT: loads the XML file or the sysfs root with hwloc
 * alone, as jtopo_load asks it to, and exits 0; a crash in hwloc kills it.
 * Built without sanitizers so that the fuzzers can start it for every input
 * (forking a fuzzer whose sanitizers hold hundreds of MB took 100 ms).
 */
#include <hwloc.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *root = argc == 3 && !strcmp(argv[1], "-r") ? argv[2] : NULL;
	const char *xml = argc == 2 ? argv[1] : NULL;
	hwloc_topology_t topo;

	if (!root && !xml)
		return 64;
	if (root) {
		setenv("HWLOC_FSROOT", root, 1);
		setenv("HWLOC_THISSYSTEM", "0", 1);
		setenv("HWLOC_COMPONENTS", "linux,stop", 1);
	}
	if (hwloc_topology_init(&topo))
		return 0;
	if (!xml || !hwloc_topology_set_xml(topo, xml))
		hwloc_topology_load(topo);
	hwloc_topology_destroy(topo);
	return 0;
}
