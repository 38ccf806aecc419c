# Nightly trend: one metric over nights, change points marked.
# Variables: data (TSV: night_index date median), cps (TSV: night_index median,
# may be empty), out, title, ylabel.
set datafile separator "\t"
set grid
set key top left
set title title noenhanced
set ylabel ylabel noenhanced
set xlabel "night"
do for [t in "png svg"] {
	if (t eq "png") { set terminal pngcairo size 900,420 font ",10" } else { set terminal svg size 900,420 font ",10" }
	set output out.".".t
	if (cps ne "") {
		plot data using 1:3 with linespoints pt 7 ps 0.5 lc rgb "#3b6ea5" title "median", \
		     cps using 1:2 with points pt 9 ps 2 lc rgb "#c0392b" title "change point"
	} else {
		plot data using 1:3 with linespoints pt 7 ps 0.5 lc rgb "#3b6ea5" title "median"
	}
}
