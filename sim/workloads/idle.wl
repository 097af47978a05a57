# A mostly idle desktop: timers, a clock redraw each second, a few daemons
# waking now and then, and cursor movement that should be drawn within a frame.
workload idle duration=60s
task timers periodic period=100ms work=0.2ms jitter=50% count=4
task clock periodic period=1s work=2ms deadline=100ms
task daemon bursty work=1ms gap=2s count=3
task cursor bursty work=0.3ms gap=500ms deadline=16ms
