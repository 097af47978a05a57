# Many tasks at once for the 512-CPU model (tests/sim/server-512-hybrid.soc):
# 200 light periodic tasks and 40 batch workers, one second.
workload wide duration=1s
task tick periodic period=10ms work=1ms deadline=10ms jitter=20% count=200
task cc batch jobs=400 work=20ms jitter=50% count=40 think=1ms
