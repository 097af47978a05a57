# A game at 60 frames/s: the main thread simulates a frame and wakes the
# render thread, which must finish the frame within the same 16.7 ms; two
# job workers help each frame; audio mixes every 10 ms; launcher, chat and
# telemetry add background noise.
workload game duration=60s
task main periodic period=16.667ms work=4ms deadline=16.667ms jitter=25% wakes=render
task render triggered work=3.5ms deadline=16.667ms jitter=25%
task worker periodic period=16.667ms work=1.5ms deadline=16.667ms jitter=50% count=2 phase=1ms
task audio periodic period=10ms work=0.4ms deadline=10ms jitter=20%
task noise bursty work=1ms gap=30ms count=3
