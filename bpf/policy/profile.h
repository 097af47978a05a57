/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule policy: the profiles' parameters.
 */
#ifndef JOULE_POLICY_PROFILE_H
#define JOULE_POLICY_PROFILE_H

#ifndef JOULE_POLICY_H
#error "include policy.h: it includes the policy headers in dependency order"
#endif

/*
 * Why these numbers (tuned in the simulator, docs/evaluation.md):
 * powersave runs OPPs with 1.2x headroom instead of the kernel's 1.25x and
 * keeps tasks on little CPUs until 90% of their capacity: most of its saving
 * over EAS; lower headroom (1.1x) saved more but missed video deadlines.
 * balanced uses the kernel's 1.25 margins. performance skips energy
 * placement and runs at 2x headroom (top OPP from half load). gaming is
 * energy-aware at 1.25x, and runs each stage of a frame at the speed the
 * frame's remaining work needs by its end (policy/frame.h), 1.1875x on the
 * stage's own work for its wakeup and frequency change (in the simulator's
 * game 1.125 left up to 6 frames a minute missed, 1.1875 none on seed 1)
 * and 13/16 of the next stage's average work (the whole of it put the
 * laptop model's main thread on a P-core in most frames: 12% more energy),
 * and a frame thread's CPU keeps its request when it goes idle
 * (docs/design.md, "Frame threads in gaming"). gaming also floors the OPP
 * at 20% (200) and starts new tasks at full util so a game's threads begin
 * on big CPUs (the kernel starts them at half the spare capacity: 512 on an
 * idle CPU). The floor was 30% (307) until frame stages sharing an SMT core
 * asked for the speed they lose to it (jp_frame_speed_smt) and placement
 * priced an idle sibling's kept request (jp_sibling_kept_util); with both,
 * 24% held the Phoenix 2 model's Zen 4 cores at 1.2 GHz instead of 1.6,
 * where the game's audio thread still runs a callback in 1.3-2 ms and stays
 * latency-critical (at 10% it lost the mark and ran nearly half its time on
 * the Zen 4c cores): the game there at 1.20x EAS's energy instead of 1.24x,
 * on the Alder Lake model 1.61x instead of 1.64x. At 20% the Zen 4c cores
 * also run at 0.8 GHz (11-22% of the game's minute; never at 24%), the
 * Zen 4 cores and the audio thread stay as they were: over seeds 1-42,
 * Phoenix 2 1.2006x -> 1.1951x EAS on average (the most 1.2067x ->
 * 1.1990x), the other models within 0.02%; frames missed 6 -> 6 on
 * Phoenix 2, Alder Lake 18 -> 17, the phone 32 -> 30, the board 43 -> 44.
 * At 15% the Alder Lake model missed 10 frames over seeds 1-12 against 4.
 */
static __always_inline void jp_profile_init(struct jp_profile *p, u32 id)
{
	p->fit_margin = 1280;
	p->headroom = 1280;
	p->misfit_up = 819;   /* 80% */
	p->misfit_down = 614; /* 60% */
	p->imbalance = 256;
	p->energy_aware = 1;
	p->min_perf = 0;
	p->init_util = 512;
	p->frame_headroom = 0;
	p->frame_next_share = 0;
	p->lat_crit_perf = 0;
	switch (id) {
	case JOULE_PROFILE_POWERSAVE:
		p->fit_margin = 1126;
		p->headroom = 1229;
		p->misfit_up = 922;
		p->misfit_down = 717;
		p->imbalance = 410;
		p->init_util = 256;
		break;
	case JOULE_PROFILE_PERFORMANCE:
		p->energy_aware = 0;
		p->headroom = 2048;
		p->misfit_up = 717;
		p->misfit_down = 512;
		p->imbalance = 128;
		break;
	case JOULE_PROFILE_GAMING:
		p->frame_headroom = 1216;
		p->frame_next_share = 832;
		p->lat_crit_perf = 1;
		p->misfit_up = 614;
		p->misfit_down = 410;
		p->imbalance = 128;
		p->min_perf = 200;
		p->init_util = 1024;
		break;
	default: /* JOULE_PROFILE_BALANCED */ break;
	}
}

#endif /* JOULE_POLICY_PROFILE_H */
