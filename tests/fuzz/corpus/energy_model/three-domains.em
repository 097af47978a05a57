# a hand-written model of the phone's three domains
scx-joule-energy-model 1
pd little cpus=0-3 idle_mw=5
opp little khz=300000 mw=7.5
opp little khz=1803000 mw=113.9
pd mid cpus=4-5 idle_mw=12.5
opp mid khz=400000 mw=40.9
opp mid khz=2253000 mw=610
pd big cpus=6-7
opp big khz=500000 mw=150
opp big khz=2802000 mw=2008
