// SPDX-License-Identifier: GPL-2.0-only
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jtopo_fs.h"

int sim_split(char *buf, struct sim_line *l)
{
	char *hash = strchr(buf, '#');
	char *save = NULL, *w;

	if (hash)
		*hash = '\0';
	l->nr_words = 0;
	for (w = strtok_r(buf, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (l->nr_words >= SIM_MAX_WORDS)
			return -1;
		l->words[l->nr_words++] = w;
	}
	return 0;
}

const char *sim_kv(const struct sim_line *l, int from, const char *key)
{
	size_t n = strlen(key);
	int i;

	for (i = from; i < l->nr_words; i++)
		if (!strncmp(l->words[i], key, n) && l->words[i][n] == '=')
			return l->words[i] + n + 1;
	return NULL;
}

const char *sim_repeated_key(const struct sim_line *l, int from)
{
	for (int i = from; i < l->nr_words; i++) {
		const char *eq = strchr(l->words[i], '=');

		for (int j = from; eq && j < i; j++)
			if (!strncmp(l->words[j], l->words[i], (size_t)(eq - l->words[i]) + 1))
				return l->words[i];
	}
	return NULL;
}

FILE *sim_open(const char *path, char *err, size_t errlen)
{
	FILE *f = jtopo_fs_open_regular(path);

	if (!f)
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 errno == EINVAL ? "not a regular file" : strerror(errno));
	return f;
}

const char *sim_unknown_key(const struct sim_line *l, int from, const char *const *known)
{
	int i, k;

	for (i = from; i < l->nr_words; i++) {
		const char *eq = strchr(l->words[i], '=');
		bool ok = false;

		if (!eq)
			return l->words[i];
		for (k = 0; known[k]; k++)
			if (strlen(known[k]) == (size_t)(eq - l->words[i]) &&
			    !strncmp(l->words[i], known[k], eq - l->words[i]))
				ok = true;
		if (!ok)
			return l->words[i];
	}
	return NULL;
}

bool sim_parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool sim_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0)
		return false;
	*out = v;
	return true;
}

bool sim_parse_time_ns(const char *s, uint64_t *out)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
	char *end;
	double v;
	size_t i;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return false;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].unit)) {
			if (v * units[i].ns > 1e15) /* 11 days: far beyond any run */
				return false;
			*out = (uint64_t)llround(v * units[i].ns);
			return true;
		}
	}
	return false;
}

bool sim_parse_pct(const char *s, uint32_t *out)
{
	char buf[16];
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	if (n < 2 || n >= sizeof(buf) || s[n - 1] != '%')
		return false;
	memcpy(buf, s, n - 1);
	buf[n - 1] = '\0';
	return sim_parse_u32(buf, out) && *out <= 1000;
}

int sim_parse_cpu_list(const char *s, uint32_t *cpus, int max)
{
	char buf[256], *save = NULL, *part;
	int n = 0;

	if (!s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (part = strtok_r(buf, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(part, '-');
		uint32_t lo, hi, c;

		if (dash)
			*dash = '\0';
		if (!sim_parse_u32(part, &lo) ||
		    (dash ? !sim_parse_u32(dash + 1, &hi) : (hi = lo, 0)))
			return -1;
		if (hi < lo)
			return -1;
		for (c = lo; c <= hi; c++) {
			if (n >= max)
				return -1;
			cpus[n++] = c;
		}
	}
	return n;
}

int sim_fail(struct sim_reader *r, const char *fmt, ...)
{
	int n = snprintf(r->err, r->errlen, "%s:%d: ", r->file, r->line);
	va_list ap;

	if (n < 0 || (size_t)n >= r->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}
