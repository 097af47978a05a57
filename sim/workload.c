// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workload reader. Lines:
 *   workload NAME duration=TIME
 *   task NAME periodic  period=TIME work=TIME [deadline=TIME] [jitter=PCT%]
 *                       [phase=TIME] [count=N] [wakes=TASK] [busy_after=TIME]
 *   task NAME triggered work=TIME [deadline=TIME] [jitter=PCT%] [wakes=TASK]
 *   task NAME bursty    work=TIME gap=TIME [deadline=TIME] [phase=TIME] [count=N]
 *   task NAME batch     jobs=N work=TIME [jitter=PCT%] [count=N] [think=TIME]
 *   task NAME hog       [phase=TIME] [count=N]
 * A hog never sleeps (sh -c 'while :; do :; done'); a periodic task with
 * busy_after= turns into one at its first release from that time on (the
 * VM misfit scenario's task that outgrows its little CPU).
 * Deadlines count from the release of the chain's first job, so a render
 * thread triggered by a game's main thread shares the frame's deadline.
 */
#include "workload.h"
#include "parse.h"

#include <string.h>

static int wl_time(struct sim_reader *r, const struct sim_line *l, const char *key, bool required,
		   uint64_t *out)
{
	const char *v = sim_kv(l, 3, key);

	if (!v && !required)
		return 0;
	if (!sim_parse_time_ns(v, out))
		return sim_fail(r, "%s= needs a time such as 4ms", key);
	return 0;
}

static int wl_kind(const char *s, enum wl_kind *k)
{
	static const char *const names[] = {"periodic", "triggered", "bursty", "batch", "hog"};
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*k = (enum wl_kind)i;
			return 0;
		}
	return -1;
}

/* Which keys each kind accepts; the rest are errors, not silently ignored. */
static const char *const *wl_keys(enum wl_kind k)
{
	static const char *const periodic[] = {"period", "work",  "deadline",	"jitter", "phase",
					       "count",	 "wakes", "busy_after", NULL};
	static const char *const triggered[] = {"work", "deadline", "jitter", "wakes", NULL};
	static const char *const bursty[] = {"work", "gap", "deadline", "phase", "count", NULL};
	static const char *const batch[] = {"jobs", "work", "jitter", "count", "think", NULL};
	static const char *const hog[] = {"phase", "count", NULL};

	switch (k) {
	case WL_PERIODIC: return periodic;
	case WL_TRIGGERED: return triggered;
	case WL_BURSTY: return bursty;
	case WL_HOG: return hog;
	default: return batch;
	}
}

static int wl_task_line(struct sim_reader *r, struct wl *w, const struct sim_line *l)
{
	struct wl_spec *s;
	const char *bad, *v;
	uint32_t i;

	if (l->nr_words < 3)
		return sim_fail(
			r, "usage: task NAME periodic|triggered|bursty|batch|hog key=value...");
	if (w->nr_specs >= WL_MAX_SPECS)
		return sim_fail(r, "more than %d task lines", WL_MAX_SPECS);
	for (i = 0; i < w->nr_specs; i++)
		if (!strcmp(w->spec[i].name, l->words[1]))
			return sim_fail(r, "task '%s' defined twice", l->words[1]);
	s = &w->spec[w->nr_specs];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", l->words[1]);
	s->count = 1;
	s->wakes = -1;
	if (wl_kind(l->words[2], &s->kind))
		return sim_fail(r,
				"unknown task kind '%s' (periodic, triggered, bursty, batch, hog)",
				l->words[2]);
	bad = sim_unknown_key(l, 3, wl_keys(s->kind));
	if (bad)
		return sim_fail(r, "'%s' is not an attribute of a %s task", bad, l->words[2]);
	bad = sim_repeated_key(l, 3);
	if (bad)
		return sim_fail(r, "'%s': given twice", bad);
	if (wl_time(r, l, "work", s->kind != WL_HOG, &s->work_ns) ||
	    wl_time(r, l, "period", s->kind == WL_PERIODIC, &s->period_ns) ||
	    wl_time(r, l, "gap", s->kind == WL_BURSTY, &s->gap_ns) ||
	    wl_time(r, l, "deadline", false, &s->deadline_ns) ||
	    wl_time(r, l, "phase", false, &s->phase_ns) ||
	    wl_time(r, l, "think", false, &s->think_ns) ||
	    wl_time(r, l, "busy_after", false, &s->busy_after_ns))
		return -1;
	if (s->kind != WL_HOG && !s->work_ns)
		return sim_fail(r, "work= must be more than 0");
	if (s->kind == WL_PERIODIC && !s->period_ns)
		return sim_fail(r, "period= must be more than 0");
	if (s->kind == WL_BURSTY && !s->gap_ns)
		return sim_fail(r, "gap= must be more than 0");
	v = sim_kv(l, 3, "jitter");
	if (v && (!sim_parse_pct(v, &s->jitter_pct) || s->jitter_pct >= 100))
		return sim_fail(r, "jitter= needs a percentage below 100%%");
	v = sim_kv(l, 3, "count");
	if (v && (!sim_parse_u32(v, &s->count) || !s->count))
		return sim_fail(r, "count= needs a positive integer");
	if (s->kind == WL_BATCH && (!sim_parse_u32(sim_kv(l, 3, "jobs"), &s->jobs) || !s->jobs))
		return sim_fail(r, "jobs= needs a positive integer");
	v = sim_kv(l, 3, "wakes");
	if (v)
		snprintf(s->wakes_name, sizeof(s->wakes_name), "%s", v);
	/* compared so that a count near 2^32 cannot wrap past the limit */
	if (s->count > WL_MAX_THREADS - w->nr_threads)
		return sim_fail(r, "more than %d threads in total", WL_MAX_THREADS);
	w->nr_threads += s->count;
	w->nr_specs++;
	return 0;
}

/* wakes= may name a task defined later: resolve once everything is read. */
static int wl_resolve(struct sim_reader *r, struct wl *w)
{
	uint32_t i, j;

	for (i = 0; i < w->nr_specs; i++) {
		struct wl_spec *s = &w->spec[i];

		if (!s->wakes_name[0])
			continue;
		for (j = 0; j < w->nr_specs; j++)
			if (!strcmp(w->spec[j].name, s->wakes_name))
				s->wakes = (int32_t)j;
		if (s->wakes < 0)
			return sim_fail(r, "task %s wakes unknown task '%s'", s->name,
					s->wakes_name);
		if (w->spec[s->wakes].kind != WL_TRIGGERED || (uint32_t)s->wakes == i)
			return sim_fail(r, "task %s: wakes= must name another triggered task",
					s->name);
	}
	for (i = 0; i < w->nr_specs; i++) {
		bool woken = false;

		for (j = 0; j < w->nr_specs; j++)
			woken |= w->spec[j].wakes == (int32_t)i;
		if (w->spec[i].kind == WL_TRIGGERED && !woken)
			return sim_fail(r, "triggered task %s is woken by no task",
					w->spec[i].name);
	}
	return 0;
}

int wl_parse(FILE *f, const char *name, struct wl *w, char *err, size_t errlen)
{
	struct sim_reader r = {.file = name, .line = 0, .err = err, .errlen = errlen};
	char buf[1024];
	struct sim_line l;

	memset(w, 0, sizeof(*w));
	while (fgets(buf, sizeof(buf), f)) {
		r.line++;
		if (!strchr(buf, '\n') && !feof(f))
			return sim_fail(&r, "line longer than %zu characters", sizeof(buf) - 2);
		if (sim_split(buf, &l))
			return sim_fail(&r, "too many words");
		if (!l.nr_words)
			continue;
		if (!strcmp(l.words[0], "workload")) {
			static const char *const keys[] = {"duration", NULL};

			if (l.nr_words < 2 || sim_unknown_key(&l, 2, keys) ||
			    !sim_parse_time_ns(sim_kv(&l, 2, "duration"), &w->duration_ns) ||
			    !w->duration_ns)
				return sim_fail(&r, "usage: workload NAME duration=TIME");
			snprintf(w->name, sizeof(w->name), "%s", l.words[1]);
		} else if (!strcmp(l.words[0], "task")) {
			if (!w->name[0])
				return sim_fail(&r, "task before the 'workload' line");
			if (wl_task_line(&r, w, &l))
				return -1;
		} else {
			return sim_fail(&r, "unknown line '%s' (expected workload or task)",
					l.words[0]);
		}
	}
	if (!w->name[0])
		return sim_fail(&r, "no 'workload NAME duration=TIME' line");
	if (!w->nr_specs)
		return sim_fail(&r, "no task lines");
	return wl_resolve(&r, w);
}

int wl_load(const char *path, struct wl *w, char *err, size_t errlen)
{
	FILE *f = sim_open(path, err, errlen);
	int ret;

	if (!f)
		return -1;
	ret = wl_parse(f, path, w, err, errlen);
	fclose(f);
	return ret;
}
