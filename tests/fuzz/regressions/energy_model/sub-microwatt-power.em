# mw=0.0001 loaded, but --write-energy-model wrote mw=0.000, which did not load back
scx-joule-energy-model 1
pd all cpus=0-7
opp all khz=1000 mw=0.0001
