# The VM scenario hybrid-placement's second part: one CPU hog alone
# (sh -c 'while :; do :; done'). Run with --speed-equal --driver none.
workload vm-hog duration=10s
task hog hog
