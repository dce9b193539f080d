#!/bin/sh
# Runs in the guest.  Each scenario starts deptscope, drives real kernel
# activity with /scen/vmscen, stops deptscope with SIGINT and keeps every
# output.  The host judges them (tests/vm/check.py): the guest has no
# python, and the verdict logic then lives in one place.
OUT=/tmp/out
DS=/usr/bin/deptscope
DS_ENV=		# NAME=VALUE for the next start
mkdir -p $OUT

# start NAME ARGS...: run deptscope in the background until it is attached
start() {
	name=$1
	shift
	env $DS_ENV $DS "$@" >$OUT/$name.out 2>$OUT/$name.err &
	echo $! >$OUT/$name.pid
	i=0
	while [ $i -lt 600 ]; do
		grep -q -e '^Tracing' -e '^Recording' -e '^Watching' $OUT/$name.err 2>/dev/null &&
			return 0
		kill -0 "$(cat $OUT/$name.pid)" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "vmtest: $name did not start: $(cat $OUT/$name.err)"
	return 1
}

# stop NAME: SIGINT, wait, keep the exit status
stop() {
	pid=$(cat $OUT/$1.pid)
	kill -INT "$pid"
	wait "$pid"
	echo $? >$OUT/$1.rc
}

# tc_start NAME ENABLE ARGS...: trace-cmd record in the background until
# it has enabled its events (the file ENABLE reads 1) and had time to start
# its recorders.  Its own "Hit Ctrl^C" line is no sign: stdout to a file is
# block-buffered and comes at exit.
tc_start() {
	name=$1
	ready=$2
	shift 2
	trace-cmd record "$@" >$OUT/$name.out 2>$OUT/$name.err &
	echo $! >$OUT/$name.pid
	i=0
	while [ $i -lt 300 ]; do
		if [ "$(cat "$ready" 2>/dev/null)" = 1 ]; then
			sleep 0.5
			return 0
		fi
		kill -0 "$(cat $OUT/$name.pid)" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "vmtest: trace-cmd $name did not start: $(cat $OUT/$name.err)"
	return 1
}

scenario() {
	echo "vmtest: scenario $1"
	echo "$1" >>$OUT/scenarios
}

# deptscope top --batch (live: every source the kernel has) beside some of
# the scenarios, one pane each; check.py reads its frames.  Where a
# scenario's checks time events, top attaches after the scenario's own
# deptscope: a tracepoint runs its probes in the order they were attached,
# so top's do not delay that deptscope's stamps.
TOP="top --batch --interval 200 --pane"

scenario wait
start wait_fence fence --json --hang-ms 20000
# the 300 ms wait pending in a frame, then among the longest
start wait_top $TOP fences
/scen/vmscen wait 300 >$OUT/wait.facts 2>$OUT/wait.facts.err
sleep 0.5
stop wait_top
stop wait_fence

scenario hang
start hang_fence fence --json --hang-ms 400
# the 2 s wait pending, a hang once older than 1 s, then among the longest
start hang_top $TOP fences
/scen/vmscen wait 2000 >$OUT/hang.facts 2>$OUT/hang.facts.err
sleep 0.5
stop hang_top
stop hang_fence

scenario merge
start merge_fence fence --json
/scen/vmscen merge >$OUT/merge.facts 2>$OUT/merge.facts.err
sleep 0.5
stop merge_fence

scenario dmabuf
# 6.12 has no dma_buf tracepoints: deptscope must say so and exit 1
start dmabuf_trace dmabuf --json
/scen/vmscen dmabuf >$OUT/dmabuf.facts 2>$OUT/dmabuf.facts.err
# a CPU-access wait on a udmabuf: traced only with our patches
/scen/vmscen wait 200 >>$OUT/dmabuf.facts 2>>$OUT/dmabuf.facts.err
sleep 0.5
stop dmabuf_trace

# the dma-buf pane through both revocation scenarios (7.3 config only);
# their checks time nothing but the kernel's own waits
[ -e /dev/iommu ] && start dmabuf_top $TOP dmabuf

# iommufd selftest exporter (7.3 config only): revocation without hardware
if [ -e /dev/iommu ]; then
	scenario revoke
	start revoke_trace dmabuf --json
	/scen/vmscen revoke >$OUT/revoke.facts 2>$OUT/revoke.facts.err
	sleep 0.5
	stop revoke_trace
fi

# vfio-pci (7.3 config: PCI, VFIO_PCI, no-IOMMU): QEMU's edu device
if [ -e /dev/iommu ] && grep -qx 0x11e8 /sys/bus/pci/devices/*/device 2>/dev/null; then
	scenario vfio
	start vfio_trace dmabuf --json
	/scen/vmscen vfio >$OUT/vfio.facts 2>$OUT/vfio.facts.err
	sleep 0.5
	stop vfio_trace
	cat /sys/kernel/tracing/events/vfio_pci/vfio_pci_dma_buf_state_end/format \
		>$OUT/vfio_state_end_format 2>/dev/null
fi
[ -e $OUT/dmabuf_top.pid ] && stop dmabuf_top

# BPF cost per event of the dma-buf programs against the fence programs
# (7.3 with our patches: CPU-access events); make bench reports the ratio
if [ -e /sys/kernel/tracing/events/dma_buf/dma_buf_begin_cpu_access ]; then
	scenario cost
	start cost_rec record -o /tmp/cost.dsr fence dmabuf
	/scen/vmscen cost 2000 >$OUT/cost.facts 2>$OUT/cost.facts.err
	stop cost_rec
	rm -f /tmp/cost.dsr
fi

# DEPT tracepoints (kernel/patches/dept) fired by the test fixture
# (kernel/fixtures) from scripts made of the corpus reports: the live graph,
# a recording of it, and the events' text form in tracefs
FIX=/sys/kernel/debug/dept_trace_fixture/run
if [ -e $FIX ] && [ -d /scen/dept ]; then
	scenario dept
	start dept_live dept --json --dot $OUT/dept.dot
	# the classic-tracepoint programs, for kernels whose BTF lacks the events
	DS_ENV=DEPTSCOPE_DEPT_CLASSIC=1
	start dept_classic dept --json
	DS_ENV=
	start dept_rec record -o $OUT/dept.dsr dept
	# the Graph pane: the circles, as deptscope dept reports them
	start dept_top $TOP graph
	for f in /scen/dept/*.script; do
		cat "$f" >$FIX 2>>$OUT/dept.facts.err
		echo "$(basename "$f" .script) $?" >>$OUT/dept.facts
		sleep 0.2
	done
	sleep 0.5
	stop dept_rec
	stop dept_classic
	stop dept_live
	# last: its frames go on while the others end, so the newest circle
	# (finished once idle for 300 ms) is in one
	stop dept_top
	grep -wFf /scen/dept/frames /proc/kallsyms >$OUT/dept_kallsyms
	# the events' own text form: one script again, through tracefs
	T=/sys/kernel/tracing
	echo 1 >$T/events/dept/enable
	echo >$T/trace
	cat /scen/dept/000.script >$FIX
	cat $T/trace >$OUT/dept_trace
	echo 0 >$T/events/dept/enable
	for e in $T/events/dept/dept_*; do
		cat "$e/format" >$OUT/format_$(basename "$e") 2>/dev/null
	done
fi

# Tegra VPR tracepoints (kernel/patches/tegra-vpr) fired by the test fixture
# (kernel/fixtures) from scripts: a grow of three chunks, a shrink, a grow
# that fails and is rolled back, and a resize while a second allocation
# waits for the VPR lock; every step sleeps its scripted time.  The records
# and the events' format files come from tracefs.  The scripts are the
# facts: check.py reads the step times from them.
VFIX=/sys/kernel/debug/tegra_vpr_trace_fixture
if [ -e $VFIX/run ]; then
	scenario vpr
	T=/sys/kernel/tracing
	# times in microseconds; chunks of 32 MiB, 0 to 3; devices 0 and 1
	cat >$OUT/vpr_setup.script <<-'EOF'
	vpr vpr 0x90000000 0x2000000 4
	dev 17000000.gpu
	dev 15480000.nvdec
	EOF
	cat >$OUT/vpr_grow.script <<-'EOF'
	# 80 MiB at 0x91000000 in the empty VPR: chunks 0-2
	time cma_alloc 4000 0
	time cma_alloc 6000 1
	time cma_alloc 5000 2
	time map_device 1000
	time freeze 30000
	time dev_freeze 3000 0
	time dev_freeze 2000 1
	time smc 1000
	time dev_thaw 2500 0
	time dev_thaw 1500 1
	time thaw 8000
	alloc 0x91000000 0x5000000
	# 8 MiB in chunk 0, which is active: no resize
	alloc 0x90000000 0x800000
	EOF
	cat >$OUT/vpr_shrink.script <<-'EOF'
	# the 80 MiB go: chunks 2 and 1, from the top; chunk 0 keeps the 8 MiB
	time map_normal 1000
	time cma_release 2000
	time freeze 25000
	time dev_freeze 3000 0
	time dev_freeze 2000 1
	time smc 1000
	time dev_thaw 2500 0
	time dev_thaw 1500 1
	time thaw 7000
	free 0x91000000 0x5000000
	EOF
	cat >$OUT/vpr_failgrow.script <<-'EOF'
	# 96 MiB at 0x92000000: chunks 1-3; CMA fails chunk 3 after 12 ms and
	# the rollback gives chunks 1 and 2 back
	time cma_alloc 5000 1
	time cma_alloc 4000 2
	time cma_alloc 12000 3
	fail cma_alloc -12 3
	time map_device 1000
	time map_normal 1000
	time cma_release 2000
	alloc 0x92000000 0x6000000
	EOF
	cat >$OUT/vpr_lockhold.script <<-'EOF'
	# 48 MiB at 0x92000000: chunks 1-2, slow enough for a second writer
	# to come and wait for the lock
	time cma_alloc 30000 1
	time cma_alloc 40000 2
	time map_device 1000
	time freeze 60000
	time dev_freeze 3000 0
	time dev_freeze 2000 1
	time smc 1000
	time dev_thaw 2500 0
	time dev_thaw 1500 1
	time thaw 12000
	alloc 0x92000000 0x3000000
	EOF
	cat >$OUT/vpr_lockwait.script <<-'EOF'
	# 16 MiB at 0x96000000: chunk 3, once the lock is free
	time cma_alloc 5000 3
	time map_device 1000
	time freeze 20000
	time dev_freeze 3000 0
	time dev_freeze 2000 1
	time smc 1000
	time dev_thaw 2500 0
	time dev_thaw 1500 1
	time thaw 6000
	alloc 0x96000000 0x1000000
	EOF
	# vpr_play NAME: one writer, one script; its exit status is a fact
	vpr_play() {
		cat $OUT/vpr_$1.script >$VFIX/run 2>>$OUT/vpr.facts.err
		echo "$1 $?" >>$OUT/vpr.facts
	}
	# Four consumers of the same resizes: the text truth, from an instance
	# of our own, since trace-cmd consumes the top buffer; trace-cmd as on
	# a board, all events into the top buffer and v3's three alone into an
	# instance (trace.dat import, both modes); and deptscope live and
	# recording (BPF).  The durations are CLOCK_MONOTONIC: so are the
	# records' timestamps here, in every buffer.  The order matters: a
	# tracepoint calls its probes in the order they were registered, and
	# under TCG each BPF program runs for milliseconds, so the ftrace probe
	# (registered when the truth instance enables the events) must come
	# first, or the records are stamped late by the BPF programs' run time.
	TI=$T/instances/vprtruth
	mkdir $TI
	echo mono >$TI/trace_clock
	cat $TI/trace_clock >$OUT/vpr_trace_clock
	echo 1 >$TI/events/tegra_vpr/enable
	if command -v trace-cmd >/dev/null; then
		tc_start vpr_tc $T/events/tegra_vpr/tegra_vpr_resize_end/enable \
			-C mono -e tegra_vpr -o $OUT/vpr.dat
		tc_start vpr_tc3 $T/instances/vpr3/events/tegra_vpr/tegra_vpr_set/enable \
			-B vpr3 -C mono -e tegra_vpr:tegra_vpr_chunk_activate \
			-e tegra_vpr:tegra_vpr_chunk_deactivate -e tegra_vpr:tegra_vpr_set \
			-o $OUT/vpr3.dat
	fi
	start vpr_live vpr --json
	start vpr_rec record -o $OUT/vpr.dsr vpr
	T=$TI
	for s in setup grow shrink failgrow; do
		vpr_play $s
		sleep 0.1
	done
	# the holder's resize begins; then a second writer blocks on the lock
	vpr_play lockhold &
	hold=$!
	i=0
	until read r <$VFIX/resizing && [ "$r" != 0 ] || [ $i -ge 400 ]; do
		sleep 0.005
		i=$((i + 1))
	done
	vpr_play lockwait &
	waiter=$!
	i=0
	until read w <$VFIX/waiters && [ "$w" != 0 ] || [ $i -ge 400 ]; do
		sleep 0.005
		i=$((i + 1))
	done
	if [ "$r" != 0 ] && [ "$w" != 0 ]; then
		echo "vpr_fixture: waiter blocked during resize $r" >$T/trace_marker
	else
		echo "vpr_fixture: waiter not seen blocked (resizing $r, waiters $w)" \
			>$T/trace_marker
	fi
	wait $hold
	wait $waiter
	sleep 0.5
	for p in vpr_tc3 vpr_tc vpr_rec vpr_live; do
		[ -e $OUT/$p.pid ] && stop $p
	done
	echo 0 >$T/events/tegra_vpr/enable
	cat $T/trace >$OUT/vpr_trace
	rmdir $T
	T=/sys/kernel/tracing
	for e in $T/events/tegra_vpr/tegra_vpr_*; do
		cat "$e/format" >$OUT/vpr_format_$(basename "$e") 2>/dev/null
	done
	# The VPR pane of deptscope top beside deptscope vpr's rows, on a short
	# repeat: the setup again (the VPR empty, seq from 1), the grow, the
	# shrink and the failed grow.  Not in the run above: a third BPF
	# instance there would stretch the step times that are checked.
	start vpr_top $TOP vpr
	start vpr_text vpr
	for s in setup grow shrink failgrow; do
		cat $OUT/vpr_$s.script >$VFIX/run 2>>$OUT/vpr_top.facts.err
		echo "$s $?" >>$OUT/vpr_top.facts
		sleep 0.1
	done
	sleep 0.5
	stop vpr_text
	stop vpr_top
fi

scenario replay
start replay_rec record -o $OUT/replay.dsr
start replay_fence fence --json --hang-ms 20000
# the same events through trace-cmd, as a board would record them
# (6.12 has no dma_buf events, and trace-cmd refuses an unknown system)
tc_ev="-e dma_fence"
[ -d /sys/kernel/tracing/events/dma_buf ] && tc_ev="$tc_ev -e dma_buf"
command -v trace-cmd >/dev/null &&
	tc_start replay_tc /sys/kernel/tracing/events/dma_fence/dma_fence_wait_end/enable \
		-C mono $tc_ev -o $OUT/replay.dat
/scen/vmscen wait 200 >$OUT/replay.facts 2>$OUT/replay.facts.err
/scen/vmscen merge >>$OUT/replay.facts 2>>$OUT/replay.facts.err
sleep 0.5
[ -e $OUT/replay_tc.pid ] && stop replay_tc
stop replay_fence
stop replay_rec
$DS report --json --no-stacks $OUT/replay.dsr >$OUT/replay_report.out 2>$OUT/replay_report.err
echo $? >$OUT/replay_report.rc

uname -r >$OUT/kernel
# the event systems: what a live deptscope top attaches
ls /sys/kernel/tracing/events >$OUT/event_systems
ls /sys/kernel/tracing/events/dma_buf >$OUT/dma_buf_events 2>/dev/null
# whether this kernel's sw_sync fences have enable_signaling (6.12: yes, 7.3: no)
grep -c ' timeline_fence_enable_signaling$' /proc/kallsyms >$OUT/sw_sync_enable_signaling
dmesg >$OUT/dmesg
cat /sys/devices/system/clocksource/clocksource0/current_clocksource >$OUT/clocksource
echo "vmtest: sending results"
echo "===DSOUT-BEGIN===" >/dev/ttyS1
(cd $OUT && tar cf - .) | gzip -1 | base64 >/dev/ttyS1
echo "===DSOUT-END===" >/dev/ttyS1
exit 0
