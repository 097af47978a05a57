# the phone's domains on a driver's own scale (rescaled to a top of 1000):
# the abstract mark must survive --write-energy-model and reading back
scx-joule-energy-model 1
abstract
pd little cpus=0-3 idle_mw=0.615
opp little khz=300000 mw=3.763
opp little khz=1803000 mw=56.698
pd mid cpus=4-5 idle_mw=1.167
opp mid khz=400000 mw=20.357
opp mid khz=2253000 mw=303.637
pd big cpus=6-7 idle_mw=1.720
opp big khz=500000 mw=74.664
opp big khz=2802000 mw=1000.000
