// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpf-cost: what the BPF programs loaded in the kernel cost while a command
 * runs, from the kernel's own accounting (BPF_ENABLE_STATS, run_cnt and
 * run_time_ns of each program), not from anything the programs say.
 *
 * usage: bpf-cost COMMAND [ARG...]
 *   Turns the kernel's BPF run-time statistics on (they stay on while this
 *   process holds the fd), reads every program's counters, runs COMMAND,
 *   reads them again and prints, for each struct_ops program and each other
 *   program that ran meanwhile:
 *     "prog TYPE NAME CALLS RUN_NS"
 *   TYPE is the kernel's program type number; NAME the function's full name
 *   from its BTF (the kernel keeps only 15 characters). Then
 *     "window NS"
 *   the window's length (CLOCK_MONOTONIC). COMMAND's own output is left as is.
 * Exit status: COMMAND's, 1 if the statistics cannot be read, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define MAX_PROGS 512

struct prog_stat {
	__u32 id;
	__u32 type;
	__u64 run_cnt;
	__u64 run_time_ns;
	char name[64];
};

struct snapshot {
	int nr;
	struct prog_stat prog[MAX_PROGS];
};

static struct snapshot before, after;

/* The full function name from the program's BTF; the kernel's is cut at 15. */
static void full_name(int fd, const struct bpf_prog_info *info, char *name, size_t len)
{
	struct bpf_func_info finfo = {};
	struct bpf_prog_info more = {};
	__u32 more_len = sizeof(more);
	const struct btf_type *t;
	struct btf *btf;

	snprintf(name, len, "%s", info->name);
	if (!info->btf_id || !info->nr_func_info)
		return;
	more.nr_func_info = 1;
	more.func_info_rec_size = sizeof(finfo);
	more.func_info = (__u64)(unsigned long)&finfo;
	if (bpf_prog_get_info_by_fd(fd, &more, &more_len))
		return;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return;
	t = btf__type_by_id(btf, finfo.type_id);
	if (t && btf_is_func(t))
		snprintf(name, len, "%s", btf__name_by_offset(btf, t->name_off));
	btf__free(btf);
}

static int take_snapshot(struct snapshot *s)
{
	__u32 id = 0;
	int err;

	s->nr = 0;
	while (!(err = bpf_prog_get_next_id(id, &id))) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		struct prog_stat *p;
		int fd;

		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* unloaded meanwhile */
			return -errno;
		}
		err = bpf_prog_get_info_by_fd(fd, &info, &len);
		if (err || s->nr == MAX_PROGS) {
			close(fd);
			if (err)
				return err;
			fprintf(stderr, "bpf-cost: more than %d programs\n", MAX_PROGS);
			return -E2BIG;
		}
		p = &s->prog[s->nr++];
		p->id = id;
		p->type = info.type;
		p->run_cnt = info.run_cnt;
		p->run_time_ns = info.run_time_ns;
		full_name(fd, &info, p->name, sizeof(p->name));
		close(fd);
	}
	return errno == ENOENT ? 0 : -errno;
}

static const struct prog_stat *find(const struct snapshot *s, __u32 id)
{
	for (int i = 0; i < s->nr; i++)
		if (s->prog[i].id == id)
			return &s->prog[i];
	return NULL;
}

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int stats_fd, status, ret, err = 1;
	long long t0, t1;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: bpf-cost COMMAND [ARG...]\n");
		return 2;
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "bpf-cost: cannot enable BPF statistics: %s\n", strerror(errno));
		return 1;
	}
	ret = take_snapshot(&before);
	if (ret) {
		fprintf(stderr, "bpf-cost: cannot read the programs: %s\n", strerror(-ret));
		goto cleanup;
	}
	t0 = mono_ns();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bpf-cost: fork: %s\n", strerror(errno));
		goto cleanup;
	}
	if (pid == 0) {
		close(stats_fd);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "bpf-cost: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		fprintf(stderr, "bpf-cost: waitpid: %s\n", strerror(errno));
		goto cleanup;
	}
	t1 = mono_ns();
	ret = take_snapshot(&after);
	if (ret) {
		fprintf(stderr, "bpf-cost: cannot read the programs: %s\n", strerror(-ret));
		goto cleanup;
	}
	for (int i = 0; i < after.nr; i++) {
		const struct prog_stat *a = &after.prog[i], *b = find(&before, a->id);
		__u64 calls = a->run_cnt - (b ? b->run_cnt : 0);
		__u64 ns = a->run_time_ns - (b ? b->run_time_ns : 0);

		if (a->type == BPF_PROG_TYPE_STRUCT_OPS || calls)
			printf("prog %u %s %llu %llu\n", a->type, a->name,
			       (unsigned long long)calls, (unsigned long long)ns);
	}
	printf("window %lld\n", t1 - t0);
	err = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
cleanup:
	close(stats_fd);
	return err;
}
