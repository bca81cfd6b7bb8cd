# apcbench plots: run in the directory holding apcbench's data files, with
#   gnuplot -e "term='pngcairo'; paths='seq kernel direct apcminid'" apcbench.gp
# (term may be 'png' where pngcairo is missing). Writes latency.png,
# throughput.png and repaint.png; or, given chains (the pad-to-sound
# chains, from sound-chains.txt) instead of paths, sound.png:
#   gnuplot -e "term='pngcairo'; chains='kernel-fluidsynth ...'" apcbench.gp

if (!exists("term")) term = 'pngcairo'
if (!exists("paths")) paths = 'seq kernel direct apcminid'

if (term eq 'pngcairo') {
	set terminal pngcairo size 960,600 noenhanced
} else {
	set terminal png size 960,600 noenhanced
}
set grid
set key top right

# Pad to sound: the cumulative distribution of each chain's latencies (a
# steep curve is low jitter; its position is the latency).
if (exists("chains")) {
	set output 'sound.png'
	set title 'Pad to sound: press stamp to onset on the audio device'
	set xlabel 'latency (ms)'
	set ylabel 'fraction of presses'
	set key bottom right
	set yrange [0:1]
	plot for [c in chains] 'sound-'.c.'.dat' using 1:2 with steps lw 2 title c
	exit
}

# Input latency: one histogram line per path (fraction of messages per bin,
# logarithmic bins, drawn at their geometric centre).
set output 'latency.png'
set title 'Input note latency per path (device stamp to bench receive)'
set logscale x 2
set xlabel 'latency (us)'
set ylabel 'fraction of messages'
plot for [p in paths] 'latency-'.p.'.dat' using (sqrt($1*$2)):4 with linespoints title p

# Throughput: received vs offered, per path, with the ideal line.
set output 'throughput.png'
set title 'Sustained throughput: received vs offered rate'
set logscale xy 10
set xlabel 'offered (events/s)'
set ylabel 'received (events/s)'
set key top left
plot for [i=1:words(paths)] 'throughput.dat' index (i-1) using 1:3 with linespoints \
	title word(paths, i), x with lines dashtype 2 lc rgb 'gray' title 'offered'

# Repaint: time until the device saw every LED, vs events per write.
set output 'repaint.png'
set title 'LED batch: first write to last LED seen by the device (median)'
set logscale xy 2
set xlabel 'LED events per write'
set ylabel 'time (us)'
set key top left
plot for [i=1:words(paths)] 'repaint.dat' index (i-1) using 1:2:3:4 with yerrorlines \
	title word(paths, i)
