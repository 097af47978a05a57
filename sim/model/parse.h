/* SPDX-License-Identifier: GPL-2.0-only */
/* Line and key=value parsing shared by the .soc and workload readers. */
#ifndef SIM_PARSE_H
#define SIM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_MAX_WORDS 24

struct sim_line {
	int nr_words;
	char *words[SIM_MAX_WORDS];
};

/* Splits buf in place at blanks, drops '#' comments. -1 if too many words. */
int sim_split(char *buf, struct sim_line *l);

/* Value of key=value among words[from..], NULL if absent. */
const char *sim_kv(const struct sim_line *l, int from, const char *key);

/* Every word from 'from' on must be key=value with a key in 'known'. */
const char *sim_unknown_key(const struct sim_line *l, int from, const char *const *known);
/* The first key=value from 'from' on whose key an earlier word has, or NULL. */
const char *sim_repeated_key(const struct sim_line *l, int from);

/* fopen(path, "r") of a regular file; NULL with "path: cannot open: why" in err. */
FILE *sim_open(const char *path, char *err, size_t errlen);

bool sim_parse_u32(const char *s, uint32_t *out);
bool sim_parse_double(const char *s, double *out);
/* "16.7ms", "500us", "2s", "100ns"; a bare number is rejected (unit needed). */
bool sim_parse_time_ns(const char *s, uint64_t *out);
/* "20%" -> 20 */
bool sim_parse_pct(const char *s, uint32_t *out);
/* "0-3,6,8-9" into cpus (max n); returns count or -1. */
int sim_parse_cpu_list(const char *s, uint32_t *cpus, int max);

/* Where a reader is, for errors that name the file and line. */
struct sim_reader {
	const char *file;
	int line;
	char *err;
	size_t errlen;
};

/* Writes "file:line: <message>" into r->err; returns -1 for the caller to return. */
int sim_fail(struct sim_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* SIM_PARSE_H */
