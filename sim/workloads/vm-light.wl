# The VM scenarios hybrid-placement and hybrid-profiles (tests/vm/scenarios):
# 3 light tasks, periodic-load 3 1000 20000: 1 ms of CPU time every 20 ms.
# Run with joule-sim --speed-equal --driver none to model the VM guest: its
# vCPUs are equally fast (1 ms of work is 1 ms of run time on any CPU) and
# it has no cpufreq, while the scheduler believes the .soc's capacities.
workload vm-light duration=12s
# The tasks start apart (periodic-load forks them one by one; the VM does
# not record how far apart): their 1 ms runs spread over the period. With
# count=N they would start within microseconds and always overlap.
task light0 periodic period=20ms work=1ms phase=0ms
task light1 periodic period=20ms work=1ms phase=6.667ms
task light2 periodic period=20ms work=1ms phase=13.333ms
