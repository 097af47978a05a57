// SPDX-License-Identifier: GPL-2.0-only
/*
 * How long building the machine model takes: hwloc topology, cpufreq, the
 * energy model (grouped and fitted) and the scheduler's tables, for each
 * recorded root given. Prints milliseconds; it passes or fails only on
 * whether the models load, never on time (docs/topology.md has the numbers).
 *
 * usage: bench_model [-n RUNS] ROOT...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jpower.h"
#include "jtopo.h"
#include "machine.h"

static struct jtopo topo;
static struct jpower_cpufreq cf;
static struct jpower_model em;
static struct joule_machine machine;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One full model of root; 0 or -1 with the error printed. */
static int build_once(const char *root)
{
	struct jtopo_input in = {.root = root};
	char err[512], online[1024];

	if (jtopo_load(&topo, &in, err, sizeof(err)) ||
	    jpower_model_build(&em, &cf, &topo, root, NULL, err, sizeof(err)))
		goto fail;
	jtopo_format_cpulist(&topo.online, online, sizeof(online));
	if (joule_machine_from_model(&machine, &topo, &em, topo.nr_cpus, online, err, sizeof(err)))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "bench_model: %s\n", err);
	return -1;
}

static int bench(const char *root, int runs)
{
	double total = 0, best = 1e9;

	for (int i = 0; i < runs; i++) {
		double t0 = now_ms(), dt;

		if (build_once(root))
			return -1;
		dt = now_ms() - t0;
		total += dt;
		if (dt < best)
			best = dt;
	}
	printf("%-40s %3d CPUs %2d domains (%2d distinct): mean %7.2f ms, min %7.2f ms, %d runs\n",
	       strrchr(root, '/') ? strrchr(root, '/') + 1 : root, topo.nr_online, em.nr_pds,
	       em.nr_distinct, total / runs, best, runs);
	return 0;
}

int main(int argc, char **argv)
{
	int runs = 20, opt, status = 0;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n' || (runs = atoi(optarg)) < 1) {
			fprintf(stderr, "usage: bench_model [-n RUNS] ROOT...\n");
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: bench_model [-n RUNS] ROOT...\n");
		return 2;
	}
	for (int i = optind; i < argc; i++)
		status |= bench(argv[i], runs) ? 1 : 0;
	return status;
}
