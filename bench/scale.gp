# apcbench scale plots (bench/run-compare --scale): run in the directory
# holding scale-DIM-PATH.dat, with
#   gnuplot -e "term='pngcairo'; dim='controllers'" scale.gp
# (dim: controllers or subscribers; term may be 'png'). Writes
# scale-DIM.png: latency, lossless throughput and CPU per event against the
# count, each point the median over the rounds with its min-max as a bar.
#
# Columns of a .dat file: count, then median min max of note p50, note p99,
# burst p99, lossless throughput, apcminid CPU per event, system CPU per
# event.

if (!exists("term")) term = 'pngcairo'
if (!exists("dim")) dim = 'controllers'
paths = 'kernel apcminid'

if (term eq 'pngcairo') {
	set terminal pngcairo size 1200,900 noenhanced
} else {
	set terminal png size 1200,900 noenhanced
}
set output 'scale-'.dim.'.png'
set grid
set key top left
set logscale x 2
set xlabel dim
f(p) = 'scale-'.dim.'-'.p.'.dat'

set multiplot layout 2,2 title 'apcbench scale: '.dim.' (median and min-max over the rounds)'

set title 'Input note latency'
set logscale y 10
set ylabel 'us'
plot for [p in paths] f(p) using 1:2:3:4 with yerrorlines title p.' p50', \
     for [p in paths] f(p) using 1:5:6:7 with yerrorlines dashtype 2 title p.' p99'

set title (dim eq 'controllers' ? 'Throughput, max lossless (all controllers together)' : 'Throughput, max lossless (every subscriber got every event)')
set ylabel 'events/s'
plot for [p in paths] f(p) using 1:11:12:13 with yerrorlines title p

set title 'CPU per input event'
unset logscale y
set yrange [0:*]
set ylabel 'us'
plot f('apcminid') using 1:14:15:16 with yerrorlines title 'apcminid (its process)', \
     for [p in paths] f(p) using 1:17:18:19 with yerrorlines title p.': whole guest'

set title 'Burst after the first, p99'
set logscale y 10
set yrange [*:*]
set ylabel 'us'
plot for [p in paths] f(p) using 1:8:9:10 with yerrorlines title p

unset multiplot
