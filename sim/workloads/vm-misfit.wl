# The VM scenario hybrid-misfit: periodic-load 1 1000 20000 4 BUSY_FILE, a
# task running 1 ms every 20 ms for 4 s that then turns into a CPU hog.
# Run with --speed-equal --driver none.
workload vm-misfit duration=12s
task task periodic period=20ms work=1ms busy_after=4s
