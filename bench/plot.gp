# Connection-table scaling plot: cycles per pure ACK against established connections.
# Input <out>/conn_scaling.dat (written by bench_conn_table), output <out>/conn_scaling.png,
# out defaulting to bench/results. From the repository root:
#   gnuplot bench/plot.gp            or   gnuplot -e "out='/tmp/res'" bench/plot.gp
if (!exists("out")) out = "bench/results"
set terminal pngcairo size 900,560 noenhanced font ",10"
set output out."/conn_scaling.png"
set title "linerate: TCP pure-ACK cost vs established connections (one core, no NIC)"
set logscale x 10
set autoscale xfix
set offsets graph 0.05, graph 0.05, 0, 0
set format x "%.0s%c"
set xlabel "established connections"
set ylabel "cycles per packet"
set y2label "bytes per connection"
set y2tics
set ytics nomirror
set yrange [0:*]
set y2range [0:*]
set key left center opaque box
set grid xtics ytics
plot out."/conn_scaling.dat" using 1:2 with linespoints lw 2 pt 7 title "pipeline (cycles/pkt)", \
     "" using 1:3 with linespoints lw 1 pt 6 dt 2 title "I/O floor baseline (cycles/pkt)", \
     "" using 1:6 axes x1y2 with linespoints lw 1 pt 4 title "memory (bytes/conn, right axis)", \
     128 axes x1y2 with lines dt 3 lc rgb "gray40" title "128 B/conn target (right axis)"
