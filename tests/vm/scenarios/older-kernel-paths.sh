# The paths scx_joule takes on kernels before 6.19 (6.14-6.18 lack
# scx_bpf_task_set_slice, scx_bpf_task_set_dsq_vtime, scx_bpf_dsq_peek and
# scx_bpf_reenqueue_local___v2), which the pinned kernels, all newer, never
# take on their own: --older-kernel-paths counts those kfuncs as absent.
# The verifier must accept every program within the stack bar; then under
# rt-preempt's load (check_rt_takeover) a task's slice and vtime are written
# directly, the head of a domain's queue (kernel threads under the hogs) is
# read with the DSQ iterator, and the realtime takeover goes through
# ops.cpu_release; every hog must run, none waiting 3 s or more (the probe
# counts a wait still going at its end), the scheduler must stay attached,
# and on 7.2 the kernel must have named direct writes.
# rt-preempt's 400 ms bar is not asked: on these kernels a deadline server
# runs sched_ext tasks beside the realtime one (6.14-6.18 have none), and
# they deprecate cpu_release for the 6.19 hook. In one run of 17 on 7.2 and
# 7.3 the preempted hog waited 951 ms, in the others 64-168 ms; the cause
# was not traced (docs/design.md, "Known gaps").
. /scenarios/lib.sh
# 7.2's notice for each direct write of a task's slice or vtime
DIRECT_WRITE='sched_ext: Writing directly to p->scx.slice/dsq_vtime is deprecated'
start_scheduler -v --older-kernel-paths --model $MODEL --profile balanced --stats 5
grep -q "^scx_joule: taking the paths of kernels before 6.19" $LOG ||
	fail "the loader did not say it takes the older kernels' paths"
grep -E '^scx_joule: verifier: (joule_cpu_release|joule_rt_|[0-9]+ insns in all)' $LOG
grep -qE '^scx_joule: verifier: joule_cpu_release ' $LOG ||
	fail "ops.cpu_release was not loaded"
! grep -qE '^scx_joule: verifier: joule_rt_takeover ' $LOG ||
	fail "the 6.19 realtime hook was loaded"
ok "the verifier accepted the older kernels' paths"
# these paths' frames are the newer ones' or larger (the DSQ iterator's)
check_stack_depth
check_rt_takeover 3000
stop_scheduler INT
# The kernel's own word that the older paths ran, where it gives one: 7.2
# names direct writes of a task's slice or vtime (7.3 does not).
if uname -r | grep -q '^7\.2\.'; then
	n=$(dmesg | grep -cE "$DIRECT_WRITE")
	[ "$n" -gt 0 ] || fail "7.2 reported no direct write of a slice or vtime: the 6.19 kfuncs were used"
	ok "7.2 reported $n direct writes of a slice or vtime"
fi
# 7.2 deprecates both (7.3 says nothing); 6.14-6.18 have nothing else
DMESG_ALLOWED="$DIRECT_WRITE|ops->cpu_acquire/release\(\) are deprecated" check_dmesg
