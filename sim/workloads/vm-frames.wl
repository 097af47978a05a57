# The VM scenario hybrid-gaming's first part: periodic-load 2 1000 10000 6,
# 2 frame tasks running 1 ms every 10 ms. Run with --speed-equal --driver none.
workload vm-frames duration=6s
# The tasks start apart (periodic-load forks them one by one; the VM does
# not record how far apart): their 1 ms runs spread over the period. With
# count=N they would start within microseconds and always overlap.
task frame0 periodic period=10ms work=1ms phase=0ms
task frame1 periodic period=10ms work=1ms phase=5ms
