// SPDX-License-Identifier: GPL-2.0-only
/*
 * fifo-floor: loads and attaches the test suite's global-FIFO sched_ext
 * scheduler (fifo_floor.bpf.c), the cost floor of tests/vm/scenarios/cost.sh,
 * and keeps it attached until SIGINT or SIGTERM. The struct_ops link also
 * detaches it if the loader dies.
 *
 * usage: fifo-floor [--dsq]
 *   Without --dsq the queue is the kernel's global one, drained by the
 *   kernel (no ops.dispatch); with --dsq it is the floor's own, which
 *   ops.dispatch moves to the CPU.
 * Exit status 0 after a signal, 1 if it cannot be loaded or attached.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "fifo_floor.skel.h"

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

int main(int argc, char **argv)
{
	struct fifo_floor *skel;
	struct bpf_link *link = NULL;
	bool dsq = argc == 2 && !strcmp(argv[1], "--dsq");
	int err = 1;

	if (argc > 2 || (argc == 2 && !dsq)) {
		fprintf(stderr, "usage: fifo-floor [--dsq]\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	skel = fifo_floor__open();
	if (!skel) {
		fprintf(stderr, "fifo-floor: cannot open: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->dsq_dispatch = dsq;
	if (!dsq) {
		skel->struct_ops.fifo_floor_ops->dispatch = NULL;
		bpf_program__set_autoload(skel->progs.fifo_dispatch, false);
	}
	if (fifo_floor__load(skel)) {
		fprintf(stderr, "fifo-floor: cannot load: %s\n", strerror(errno));
		goto cleanup;
	}
	link = bpf_map__attach_struct_ops(skel->maps.fifo_floor_ops);
	if (!link) {
		fprintf(stderr, "fifo-floor: cannot attach: %s\n", strerror(errno));
		goto cleanup;
	}
	printf("fifo-floor: attached%s\n", dsq ? ", own queue" : "");
	fflush(stdout);
	while (!exiting)
		sleep(1);
	err = 0;
cleanup:
	bpf_link__destroy(link);
	fifo_floor__destroy(skel);
	return err;
}
