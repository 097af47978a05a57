# a kernel model on its driver's own scale, as --write-energy-model writes it
scx-joule-energy-model 1
abstract
pd little cpus=0-3 idle_mw=0.000
opp little khz=408000 mw=8.700
opp little khz=1416000 mw=77.590
pd big cpus=4-5 idle_mw=0.000
opp big khz=408000 mw=43.400
opp big khz=1800000 mw=1000.000
