# hybrid-hotplug on the hwloc/sysfs model: the recorded RK3399 board with
# CPU 5 offline (tests/fixtures offline-cpu: no topology/, cache/ or
# cpu_capacity for it; its cpufreq policy still lists it) laid over the
# guest's CPUs, CPU 5 offline here too when scx_joule starts.
MACHINE="--sysfs-root /extra/offline-cpu"
. /scenarios/hybrid-hotplug.sh
