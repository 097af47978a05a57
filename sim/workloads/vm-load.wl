# The VM scenario hybrid-load: 8 CPU hogs (nr_cpus + 2) on the 6 CPUs.
# Run with --speed-equal --driver none.
workload vm-load duration=10s
task hog hog count=8
