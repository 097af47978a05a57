# vm-light.wl with the 3 tasks started together (count=3: releases 1 us
# apart), so that their 1 ms runs always overlap: how much the VM numbers of
# hybrid-profiles depend on when periodic-load's children start.
workload vm-light-together duration=12s
task light periodic period=20ms work=1ms count=3
