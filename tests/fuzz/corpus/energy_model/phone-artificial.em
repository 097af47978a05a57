# the phone's domains from a kernel model that gave costs, not power: the
# artificial mark must survive --write-energy-model and reading back
scx-joule-energy-model 1
artificial
pd little cpus=0-3 idle_mw=1.234
opp little khz=300000 mw=7.561
opp little khz=1803000 mw=113.905
pd mid cpus=4-5 idle_mw=2.345
opp mid khz=400000 mw=40.896
opp mid khz=2253000 mw=610.007
pd big cpus=6-7 idle_mw=3.456
opp big khz=500000 mw=150.001
opp big khz=2802000 mw=2008.999
