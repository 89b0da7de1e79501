# Throughput against payload size (bench/e2e/run.sh): linerate over net_memif and Linux over
# veth, one core each side, measured in the same run. Input <out>/payload_sweep.dat (index 0
# UDP echo, index 1 TCP stream_send; columns payload, linerate per_s, linerate Gbit/s, Linux
# per_s, Linux Gbit/s, ratio), output <out>/payload_sweep.png, out defaulting to
# bench/results; lxnote is appended to the Linux stream curve's title. From the repository root:
#   gnuplot bench/e2e/payload.gp     or   gnuplot -e "out='/tmp/res'" bench/e2e/payload.gp
if (!exists("out")) out = "bench/results"
if (!exists("lxnote")) lxnote = ""
dat = out."/payload_sweep.dat"
set terminal pngcairo size 1200,540 noenhanced font ",10"
set output out."/payload_sweep.png"
set multiplot layout 1,2 title "linerate (memif) vs Linux (veth): throughput against payload size, one core per side, same run"
set logscale x 2
set offsets graph 0.04, graph 0.04, 0, 0
set ylabel "payload Gbit/s"
set y2label "linerate / Linux"
set ytics nomirror
set y2tics
set grid xtics ytics
set key top left opaque box
# Headroom above the curves for the key: each axis up to 1.5x its largest value.
# stats leaves its variables undefined when a column is all NaN (a side not measured).
max(a, b) = a > b ? a : b
mx(v) = exists(v) ? value(v) : 0
hi(v) = v > 0 ? 1.5 * v : 1

set title "UDP echo, 256 datagrams in flight (Gbit/s of echoed payload received)"
set xlabel "UDP payload bytes"
stats dat index 0 using 3 name "ULR" nooutput
stats dat index 0 using 5 name "ULX" nooutput
stats dat index 0 using 6 name "URA" nooutput
set yrange [0:hi(max(mx("ULR_max"), mx("ULX_max")))]
set y2range [0:hi(mx("URA_max"))]
plot dat index 0 using 1:3:xtic(1) with linespoints lw 2 pt 7 title "linerate (memif)", \
     "" index 0 using 1:5 with linespoints lw 2 pt 5 title "Linux (veth)", \
     "" index 0 using 1:6 axes x1y2 with linespoints lw 1 pt 6 dt 2 lc rgb "gray30" \
        title "linerate / Linux (right axis)"

set title "TCP stream to discard, 4 connections (Gbit/s of payload sent)"
set xlabel "bytes per write (linerate)"
set autoscale y
set autoscale y2
stats dat index 1 using 3 name "TLR" nooutput
stats dat index 1 using 5 name "TLX" nooutput
stats dat index 1 using 6 name "TRA" nooutput
set yrange [0:hi(max(mx("TLR_max"), mx("TLX_max")))]
set y2range [0:hi(mx("TRA_max"))]
plot dat index 1 using 1:3:xtic(1) with linespoints lw 2 pt 7 title "linerate (memif)", \
     "" index 1 using 1:5 with linespoints lw 2 pt 5 title "Linux (veth".lxnote.")", \
     "" index 1 using 1:6 axes x1y2 with linespoints lw 1 pt 6 dt 2 lc rgb "gray30" \
        title "linerate / Linux (right axis)"
unset multiplot
