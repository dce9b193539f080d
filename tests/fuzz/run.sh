#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# libFuzzer on every parser (docs/reliability.md, "Fuzzing"): each target
# first replays its saved crash inputs (tests/fuzz/regress/<target>/, our
# own minimized reproducers of bugs since fixed), then fuzzes for
# DS_FUZZ_SECONDS (make test: 5, make fuzz: 300) and prints one line with
# its execs/s and the coverage it reached.  Seeds: the real report corpus
# in ../shared (read only), recordings written now by bench/dsgen and
# tests/fuzz/vprgen, our command lines in tests/fuzz/seeds, and a
# trace.dat made now with trace-cmd on this host.  What the fuzzers find
# goes to a temporary directory, or with DS_FUZZ_CORPUS=DIR to DIR/<target>,
# kept and fuzzed on from next time; a crash is kept in $OUT/fuzz-artifacts.
set -u
SRC=${DS_SRCDIR:?}
OUT=${OUT:?}
SECS=${DS_FUZZ_SECONDS:-5}
KEEP=${DS_FUZZ_CORPUS:-}
DIR=$OUT/tests/fuzz
pass=0 fail=0 skip=0
work=$(mktemp -d)
inst=
cleanup() {
	[ -n "$inst" ] && [ -d "/sys/kernel/tracing/instances/$inst" ] &&
		rmdir "/sys/kernel/tracing/instances/$inst"
	rm -rf "$work"
}
trap cleanup EXIT

ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
skipped() { echo "SKIP: $*"; skip=$((skip + 1)); }

# Keep what a failed run left, named after its target, where the build is.
keep_artifacts() {	# keep_artifacts TARGET
	local a
	for a in "$work/$1-"*; do
		[ -f "$a" ] || continue
		mkdir -p "$OUT/fuzz-artifacts"
		cp "$a" "$OUT/fuzz-artifacts/"
		echo "FAIL reproducer kept: $OUT/fuzz-artifacts/$(basename "$a")"
	done
}

# ---- seeds ----
corpus=$SRC/../shared/corpus/dept-reports
report_seeds=()
if [ -d "$corpus" ]; then
	report_seeds=("$corpus")
else
	echo "NOTE: $corpus is absent: fuzz_dept and fuzz_deps run without the real reports"
fi

rec_seeds=$work/seeds-rec
mkdir -p "$rec_seeds"
if [ -x "$OUT/bench/dsgen" ] && [ -x "$DIR/vprgen" ]; then
	G=$OUT/bench/dsgen
	# fence waits with a hang; every dma-buf life (plain, stuck revocation,
	# vfio-pci, misbehaving importer); both DEPT circles; a graph that only
	# grows; some of everything; VPR resizes, ours and v3's
	if ! { "$G" -o "$rec_seeds/fence.dsr" -n 300 -t 3 -H &&
		"$G" -o "$rec_seeds/dmabuf.dsr" -n 0 -t 1 -D 2 -R -V -A &&
		"$G" -o "$rec_seeds/dept.dsr" -n 0 -t 1 -G 0 &&
		"$G" -o "$rec_seeds/chain.dsr" -n 0 -t 1 -C 40 &&
		"$G" -o "$rec_seeds/all.dsr" -n 40 -t 2 -D 1 -V -G ffffffff81000000 &&
		"$DIR/vprgen" "$rec_seeds"; }; then
		bad "fuzz_rec seeds: dsgen or vprgen failed"
	fi
else
	echo "NOTE: bench/dsgen or tests/fuzz/vprgen not built: fuzz_rec runs without seeds"
fi

# A trace.dat of this host, made as tests/cli/import.sh makes it: an
# instance of our own with sched_process_exec (fires) and dma_fence
# (formats only, here), read out with 'trace-cmd extract'.
td_seeds=$work/seeds-td
mkdir -p "$td_seeds"
tracedat=
T=/sys/kernel/tracing
if ! command -v trace-cmd >/dev/null; then
	td_why="trace-cmd is not installed (make deps)"
elif [ "$(id -u)" -ne 0 ] || [ ! -d $T/events/dma_fence ]; then
	td_why="needs root and tracefs with dma_fence events"
else
	inst=deptscope-fuzz-$$
	if mkdir "$T/instances/$inst" && echo mono >"$T/instances/$inst/trace_clock" &&
		echo 1 >"$T/instances/$inst/events/sched/sched_process_exec/enable" &&
		echo 1 >"$T/instances/$inst/events/dma_fence/enable"; then
		for _ in $(seq 20); do /bin/true; done
		if trace-cmd extract -B "$inst" -o "$work/host.dat" >"$work/tc.out" 2>&1; then
			tracedat=$work/host.dat
		else
			td_why="trace-cmd extract failed: $(tail -c 200 "$work/tc.out")"
		fi
	else
		td_why="cannot set up a tracefs instance"
	fi
	[ -d "$T/instances/$inst" ] && rmdir "$T/instances/$inst"
	inst=
fi
if [ -x "$DIR/fuzz_tracedat" ]; then
	# the binary writes its own seeds (synthetic ones, and the file's)
	if ! DS_FUZZ_SEED_DIR=$td_seeds DS_FUZZ_TRACEDAT=$tracedat "$DIR/fuzz_tracedat" \
		>"$work/td-seeds.log" 2>&1; then
		bad "fuzz_tracedat seeds: $(tail -n 3 "$work/td-seeds.log")"
	fi
	[ -n "$tracedat" ] || skipped "fuzz_tracedat seeds from a real trace.dat: $td_why" \
		"(the synthetic ones are used)"
fi

# ---- the targets ----
# name|max_len|seed dirs
targets=(
	"fuzz_dept|65536|${report_seeds[*]}"
	"fuzz_deps|65536|$SRC/tests/fuzz/seeds/deps ${report_seeds[*]}"
	"fuzz_rec|65536|$rec_seeds"
	"fuzz_cli|4096|$SRC/tests/fuzz/seeds/cli"
	"fuzz_tracedat|65536|$td_seeds"
)

echo "fuzzing ${#targets[@]} targets for ${SECS}s each"
for spec in "${targets[@]}"; do
	IFS='|' read -r t maxlen seeds <<<"$spec"
	bin=$DIR/$t
	if [ ! -x "$bin" ]; then
		skipped "$bin not built (clang's libFuzzer runtime missing? make deps installs it)"
		continue
	fi

	# every saved crash input, once each: they must not crash any more
	regress=()
	for f in "$SRC/tests/fuzz/regress/$t"/*; do
		[ -f "$f" ] && regress+=("$f")
	done
	if [ ${#regress[@]} -gt 0 ]; then
		if "$bin" "${regress[@]}" >"$work/$t.regress.log" 2>&1; then
			ok "$t: ${#regress[@]} saved crash input(s) replayed"
		else
			tail -n 40 "$work/$t.regress.log"
			bad "$t: a saved crash input crashes again (tests/fuzz/regress/$t)"
		fi
	fi

	corpus_dir=${KEEP:+$KEEP/$t}
	corpus_dir=${corpus_dir:-$work/corpus-$t}
	mkdir -p "$corpus_dir"
	# shellcheck disable=SC2086 # seeds: a list of directories
	if "$bin" -max_total_time="$SECS" -max_len="$maxlen" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/$t-" -print_final_stats=1 "$corpus_dir" $seeds \
		>"$work/$t.log" 2>&1; then
		# cov: edges reached, of all the instrumented ones the binary has
		all=$(grep -oE '[0-9]+ inline 8-bit counters' "$work/$t.log" | head -n 1)
		last=$(grep -E '^#[0-9]+.*cov: ' "$work/$t.log" | tail -n 1)
		runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$work/$t.log")
		eps=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$work/$t.log")
		rss=$(sed -nE 's/^stat::peak_rss_mb: *([0-9]+)/\1/p' "$work/$t.log")
		cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
		ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
		corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
		ok "$(printf '%-13s %ss: %s execs, %s/s, cov %s of %s ft %s, corpus %s, %s MB' \
			"$t" "$SECS" "${runs:-?}" "${eps:-?}" "${cov:-?}" "${all%% *}" "${ft:-?}" \
			"${corp:-?}" "${rss:-?}")"
	else
		tail -n 40 "$work/$t.log"
		keep_artifacts "$t"
		bad "$t: the fuzzer found a crash, a leak, a timeout or an out-of-memory"
	fi
done

echo "fuzz: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
