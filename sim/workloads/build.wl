# A parallel build (make -j8): 240 compile jobs of 300 ms +-60% each at
# capacity 1024 (72 s of work), 2 ms of I/O between jobs. Throughput is
# the time until the last job finishes.
workload build duration=5s
task cc batch jobs=240 work=300ms jitter=60% count=8 think=2ms
