# Per-sample strip plot: every repetition of every variant.
# Variables: data (TSV: variant_index value), tics (TSV whose line i, first
# column, is variant i's name: the bars data), out, title, ylabel, nvar
# (number of variants). Names are read as data (xtic()), never as code.
set datafile separator "\t"
set grid ytics
set key off
set title title noenhanced
set ylabel ylabel noenhanced
set xrange [-0.5:nvar-0.5]
set xtics noenhanced
do for [t in "png svg"] {
	if (t eq "png") { set terminal pngcairo size 800,480 font ",10" } else { set terminal svg size 800,480 font ",10" }
	set output out.".".t
	plot data using ($1 + 0.25 * (rand(0) - 0.5)):2 with points pt 7 ps 0.8 lc rgb "#a5433b", \
	     tics using 0:(NaN):xtic(1) notitle
}
