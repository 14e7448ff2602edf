# written by perf/report/run.py; gnuplot perf/report/plots.gp
set terminal pngcairo size 1200,480 font ',10'
set output 'perf/report/throughput-vs-rules.png'
set multiplot layout 1,2
set logscale x
set grid
set xlabel 'rules'
set ylabel 'events/s delivered (median, min-max)'
set xrange [0.5:20000]
set yrange [0:*]
set key below
set format y '%.0s%c'
set title 'HTTP PutEvents: throughput against rules'
plot 'perf/report/data/tput-http-1t-noidem.dat' using 1:2:3:4 with yerrorlines title '1 target, no idempotency', \
     'perf/report/data/tput-http-1t-idem.dat' using 1:2:3:4 with yerrorlines title '1 target, idempotency', \
     'perf/report/data/tput-http-5t-noidem.dat' using 1:2:3:4 with yerrorlines title '5 targets, no idempotency', \
     'perf/report/data/tput-http-5t-idem.dat' using 1:2:3:4 with yerrorlines title '5 targets, idempotency'
set title 'Kafka (mock broker): throughput against rules'
plot 'perf/report/data/tput-kafka-1t-noidem.dat' using 1:2:3:4 with yerrorlines title '1 target, no idempotency', \
     'perf/report/data/tput-kafka-1t-idem.dat' using 1:2:3:4 with yerrorlines title '1 target, idempotency', \
     'perf/report/data/tput-kafka-5t-noidem.dat' using 1:2:3:4 with yerrorlines title '5 targets, no idempotency', \
     'perf/report/data/tput-kafka-5t-idem.dat' using 1:2:3:4 with yerrorlines title '5 targets, idempotency'
unset multiplot
unset logscale
unset xrange
unset format
set terminal pngcairo size 1200,600 font ',10'
set output 'perf/report/latency-cdf.png'
set multiplot layout 1,2
set grid
set logscale x
set xlabel 'end-to-end latency, ms (creation to arrival)'
set ylabel 'fraction of events'
set yrange [0:1]
set xrange [0.1:*]
set key below
set title 'HTTP PutEvents: latency CDF at the paced rate'
plot 'perf/report/data/cdf-http-1r-1t-noidem.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 title '1 rule, 1t (63K/s)', \
     'perf/report/data/cdf-http-1r-1t-idem.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 title '1 rule, 1t, idem (40K/s)', \
     'perf/report/data/cdf-http-1r-5t-noidem.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 title '1 rule, 5t (22K/s)', \
     'perf/report/data/cdf-http-100r-1t-noidem.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 title '100 rules, 1t (42K/s)', \
     'perf/report/data/cdf-http-10000r-1t-noidem.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 title '10000 rules, 1t (33K/s)', \
     'perf/report/data/cdf-http-10000r-5t-idem.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 title '10000 rules, 5t, idem (6K/s)'
set title 'Kafka: latency CDF at the paced rate'
plot 'perf/report/data/cdf-kafka-1r-1t-noidem.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 title '1 rule, 1t (46K/s)', \
     'perf/report/data/cdf-kafka-1r-1t-idem.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 title '1 rule, 1t, idem (38K/s)', \
     'perf/report/data/cdf-kafka-1r-5t-noidem.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 title '1 rule, 5t (27K/s)', \
     'perf/report/data/cdf-kafka-100r-1t-noidem.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 title '100 rules, 1t (45K/s)', \
     'perf/report/data/cdf-kafka-10000r-1t-noidem.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 title '10000 rules, 1t (35K/s)', \
     'perf/report/data/cdf-kafka-10000r-5t-idem.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 title '10000 rules, 5t, idem (7K/s)', \
     'perf/report/data/cdf-kafka-1r-1t-noidem-httpsink.dat' using ($1<0.1?0.1:$1):2 with lines lw 2 dt 2 title 'HTTP target, µs sink (2K/s)'
unset multiplot
