# Web browsing: page loads and interactions are bursts of script, style and
# layout work separated by reading pauses; a burst should finish within
# 100 ms (renderer) / 50 ms (input handling) to feel immediate. The
# compositor runs at 60 Hz while content moves; the network thread wakes often.
workload web duration=60s
task renderer bursty work=15ms gap=400ms deadline=100ms
task input bursty work=4ms gap=250ms deadline=50ms
task compositor periodic period=16.667ms work=0.6ms deadline=16.667ms jitter=30%
task net bursty work=0.4ms gap=50ms
