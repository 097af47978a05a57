// SPDX-License-Identifier: GPL-2.0-only
/*
 * rapl-counter: advance a recorded powercap tree's energy counters in
 * proportion to this machine's busy time, for joule-bench in a guest that
 * has no RAPL (and no python for tests/bench/fake-rapl.py).
 *
 * usage: rapl-counter POWERCAP_DIR IDLE_W BUSY_W [INTERVAL_MS]
 *
 * Every INTERVAL_MS (default 100) it reads the busy jiffies of all CPUs from
 * /proc/stat (all but idle and iowait) and adds, to each zone's energy_uj
 * under POWERCAP_DIR (intel-rapl:N and intel-rapl:N:M, by their name file):
 *   package-N  IDLE_W x elapsed + BUSY_W x busy CPU-seconds
 *   core       BUSY_W x busy CPU-seconds
 *   psys       the package's energy + 1 W x elapsed (the rest of the board)
 *   others     IDLE_W / 4 x elapsed (uncore, dram)
 * wrapping at the zone's max_energy_range_uj as the hardware does. Each
 * value is written to a temporary file renamed over energy_uj, so a reader
 * never sees half a number. Runs until killed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ZONES 16
#define PATH_LEN  512

struct zone {
	char dir[PATH_LEN];
	char name[32];
	unsigned long long uj, range;
	double carry; /* fraction of a microjoule not yet added */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_ull(const char *dir, const char *file, unsigned long long *v)
{
	char path[PATH_LEN + 32];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fscanf(f, "%llu", v);
	fclose(f);
	return n == 1 ? 0 : -EINVAL;
}

static int write_uj(const struct zone *z)
{
	char tmp[PATH_LEN + 32], path[PATH_LEN + 32];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/.energy_uj.tmp", z->dir);
	snprintf(path, sizeof(path), "%s/energy_uj", z->dir);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "%llu\n", z->uj);
	if (fclose(f))
		return -errno;
	return rename(tmp, path) ? -errno : 0;
}

/* Busy jiffies of all CPUs, or -1. */
static long long busy_jiffies(void)
{
	unsigned long long v[8] = {0};
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8)
		return -1;
	return (long long)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
}

static int load_zones(const char *top, struct zone *z, int max)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(top);

	if (!d)
		return -errno;
	while (n < max && (de = readdir(d))) {
		struct zone *c = &z[n];
		char path[PATH_LEN + 300];
		FILE *f;

		if (strncmp(de->d_name, "intel-rapl:", 11))
			continue;
		memset(c, 0, sizeof(*c));
		snprintf(c->dir, sizeof(c->dir), "%s/%s", top, de->d_name);
		snprintf(path, sizeof(path), "%s/name", c->dir);
		f = fopen(path, "r");
		if (!f || !fgets(c->name, sizeof(c->name), f)) {
			if (f)
				fclose(f);
			continue;
		}
		fclose(f);
		c->name[strcspn(c->name, "\n")] = '\0';
		if (read_ull(c->dir, "energy_uj", &c->uj) ||
		    read_ull(c->dir, "max_energy_range_uj", &c->range) || !c->range)
			continue;
		n++;
	}
	closedir(d);
	return n;
}

/* Joules this zone used in dt seconds with busy CPU-seconds, given the package's. */
static double zone_joules(const struct zone *z, double idle_w, double busy_w, double dt,
			  double busy)
{
	double package = idle_w * dt + busy_w * busy;

	if (!strncmp(z->name, "package-", 8))
		return package;
	if (!strcmp(z->name, "core"))
		return busy_w * busy;
	if (!strcmp(z->name, "psys"))
		return package + 1.0 * dt;
	return idle_w / 4 * dt;
}

static void advance(struct zone *z, double joules)
{
	double uj = joules * 1e6 + z->carry;
	unsigned long long whole = (unsigned long long)uj;

	z->carry = uj - (double)whole;
	z->uj = (z->uj + whole) % (z->range + 1);
}

int main(int argc, char **argv)
{
	struct zone zones[MAX_ZONES];
	double idle_w, busy_w, hz, t0;
	long interval_ms = 100;
	long long j0;
	int n;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: rapl-counter POWERCAP_DIR IDLE_W BUSY_W [INTERVAL_MS]\n");
		return 64;
	}
	idle_w = atof(argv[2]);
	busy_w = atof(argv[3]);
	if (argc == 5)
		interval_ms = atol(argv[4]);
	hz = (double)sysconf(_SC_CLK_TCK);
	n = load_zones(argv[1], zones, MAX_ZONES);
	if (n <= 0) {
		fprintf(stderr, "rapl-counter: no intel-rapl:* zones with counters in %s\n",
			argv[1]);
		return 2;
	}
	t0 = now_s();
	j0 = busy_jiffies();
	if (j0 < 0) {
		fprintf(stderr, "rapl-counter: cannot read /proc/stat\n");
		return 2;
	}
	for (;;) {
		long long j;
		double t;

		usleep(interval_ms * 1000);
		t = now_s();
		j = busy_jiffies();
		if (j < 0)
			return 2;
		for (int i = 0; i < n; i++) {
			advance(&zones[i], zone_joules(&zones[i], idle_w, busy_w, t - t0,
						       (double)(j - j0) / hz));
			if (write_uj(&zones[i]))
				fprintf(stderr, "rapl-counter: cannot write %s/energy_uj\n",
					zones[i].dir);
		}
		t0 = t;
		j0 = j;
	}
}
