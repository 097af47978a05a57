# Video playback, 30 frames/s with hardware decode: the CPU demuxes and
# feeds the decoder, the compositor presents each frame, audio is mixed in
# 10 ms periods. A frame is late if not composited within its 33.3 ms period.
# Work is run time at capacity 1024 (the biggest CPU at its top OPP).
workload video duration=60s
task decoder periodic period=33.333ms work=2.5ms deadline=33.333ms jitter=30% wakes=compositor
task compositor triggered work=1.2ms deadline=33.333ms jitter=20%
task audio periodic period=10ms work=0.25ms deadline=10ms jitter=20%
task ui bursty work=0.5ms gap=200ms
