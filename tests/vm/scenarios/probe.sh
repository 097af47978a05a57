# Boots and reports: used by run-vm.sh to find out whether KVM works here.
true
