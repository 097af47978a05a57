/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulator's only source of randomness: splitmix64 (Steele, Lea and
 * Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014).
 * Every task draws from its own stream seeded from (run seed, task index), so
 * the work a workload asks for never depends on the scheduling policy.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

struct sim_rng {
	uint64_t state;
};

static inline uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream)
{
	r->state = seed * 0x2545f4914f6cdd1dull + stream;
	sim_rng_next(r);
}

/* Uniform in [0, n), n > 0; the bias of the modulo is below 2^-40 here. */
static inline uint64_t sim_rng_below(struct sim_rng *r, uint64_t n)
{
	return n ? sim_rng_next(r) % n : 0;
}

/* Uniform in [1, 2^24] / 2^24: never 0, so -log() of it is finite. */
static inline double sim_rng_unit(struct sim_rng *r)
{
	return (double)((sim_rng_next(r) >> 40) + 1) / (double)(1ull << 24);
}

#endif /* SIM_RNG_H */
