# Per-workload bars across variants: median with min..max error bars.
# Variables (gnuplot -e): data (TSV: variant median min max), out (no
# extension), title, ylabel. Writes out.png and out.svg. The names are
# data (xtic()), never code.
set datafile separator "\t"
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.6 border -1
set boxwidth 0.8
set grid ytics
set yrange [0:*]
set key off
set title title noenhanced
set ylabel ylabel noenhanced
set xtics noenhanced
do for [t in "png svg"] {
	if (t eq "png") { set terminal pngcairo size 800,480 font ",10" } else { set terminal svg size 800,480 font ",10" }
	set output out.".".t
	plot data using 2:3:4:xtic(1) lc rgb "#3b6ea5"
}
