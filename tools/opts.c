// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Option tables and help of every command; parsing only, no side effects. */
#include <string.h>
#include "cli.h"

#define OPT_COMMON							\
	{ "json", 'j', NULL, "machine-readable output (JSON)", OPT_JSON },	\
	{ "verbose", 'v', NULL, "more messages; twice for libbpf debug output", OPT_VERBOSE }, \
	{ "help", 'h', NULL, "show this help", OPT_HELP }

static const struct ds_opt fence_opts[] = {
	{ "duration", 'd', "SEC", "stop after SEC seconds (default: until Ctrl-C)", OPT_DURATION },
	{ "pid", 'p', "PID", "only waits by this process (signals from anyone)", OPT_PID },
	{ "hang-ms", 0, "MS", "report a wait pending longer than MS as a hang (1000)",
	  OPT_HANG_MS },
	{ "top", 'n', "N", "show the N longest waits (10)", OPT_TOP },
	{ "milliseconds", 'm', NULL, "histograms in milliseconds (default microseconds)",
	  OPT_MSEC },
	{ "input", 'i', "FILE", "analyse a recording or a trace-cmd trace.dat instead", OPT_INPUT },
	{ "vmlinux", 0, "PATH", "vmlinux with DWARF for file:line in stacks", OPT_VMLINUX },
	{ "no-stacks", 0, NULL, "do not print kernel stacks", OPT_NO_STACKS },
	{ "buffer-kb", 0, "KB", "ring buffer size in KiB, a power of two (4096)", OPT_BUFFER },
	OPT_COMMON,
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_fence = {
	.name = "fence",
	.summary = "Profile dma-fence waits: who waits on which fence, how long, which never end.",
	.usage = "deptscope fence [OPTIONS] [INTERVAL [COUNT]]",
	.description =
		"Attaches to the dma_fence tracepoints (init, emit, enable_signal, signaled,\n"
		"wait_start, wait_end, destroy) and reports per driver/timeline: wait count,\n"
		"latency histogram with p50/p90/p99/max, the longest waits with the waiter's\n"
		"kernel stack, and waits pending longer than --hang-ms, printed as they happen.\n"
		"With INTERVAL, a summary is printed every INTERVAL seconds, COUNT times.\n"
		"Exit status: 0 ok, 1 error, 2 usage, 3 a hang was reported.",
	.examples =
		"  deptscope fence                  # until Ctrl-C\n"
		"  deptscope fence -d 10 --hang-ms 500\n"
		"  deptscope fence -p 1234 5 3      # 3 summaries, 5 s apart, waits of pid 1234\n"
		"  deptscope fence -i rec.dsr --json\n",
	.opts = fence_opts,
};

static const struct ds_opt record_opts[] = {
	{ "output", 'o', "FILE", "write the recording to FILE (required)", OPT_OUTPUT },
	{ "duration", 'd', "SEC", "stop after SEC seconds (default: until Ctrl-C)", OPT_DURATION },
	{ "pid", 'p', "PID", "only waits by this process; the process selftest follows", OPT_PID },
	{ "buffer-kb", 0, "KB", "ring buffer size in KiB, a power of two (4096)", OPT_BUFFER },
	OPT_COMMON,
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_record = {
	.name = "record",
	.summary = "Record events to a file for 'report', 'export' and the -i of 'fence', "
		   "'dmabuf', 'dept' and 'vpr'.",
	.usage = "deptscope record -o FILE [OPTIONS] [SOURCE...]",
	.description =
		"SOURCE is 'fence' (dma_fence events), 'dmabuf' (dma_buf events, Linux 7.0+),\n"
		"'dept' (the DEPT tracepoints of kernel/patches/dept) or 'vpr' (tegra_vpr).\n"
		"Without SOURCE, every source this kernel has is recorded.  'selftest' (never\n"
		"by default; needs --pid) makes one numbered event per system call of PID: a\n"
		"load of known size, to see what this machine sustains and that drops are\n"
		"counted ('report' checks the numbers).  Drops are counted per source.  The\n"
		"file format is documented in docs/recording-format.md; it is readable up to\n"
		"the last complete record even if the recorder is killed.  Ctrl-C or SIGTERM\n"
		"detaches the programs, takes what is left in the ring buffer and stops:\n"
		"every event is in the file or counted as dropped.",
	.examples =
		"  deptscope record -o rec.dsr -d 30\n"
		"  deptscope record -o rec.dsr fence dmabuf\n"
		"  deptscope record -o dept.dsr dept\n"
		"  deptscope record -o load.dsr -d 5 selftest --pid 1234\n",
	.opts = record_opts,
};

static const struct ds_opt dmabuf_opts[] = {
	{ "duration", 'd', "SEC", "stop after SEC seconds (default: until Ctrl-C)", OPT_DURATION },
	{ "pid", 'p', "PID", "only events caused by this process", OPT_PID },
	{ "inode", 0, "INO", "only the buffer with this inode: its whole history", OPT_INODE },
	{ "unmap-ms", 0, "MS", "flag a revocation not finished MS after it began (1000)",
	  OPT_UNMAP_MS },
	{ "input", 'i', "FILE", "analyse a recording or a trace-cmd trace.dat instead", OPT_INPUT },
	{ "buffer-kb", 0, "KB", "ring buffer size in KiB, a power of two (1024)", OPT_BUFFER },
	OPT_COMMON,
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_dmabuf = {
	.name = "dmabuf",
	.summary = "Follow every dma-buf by inode: export to release, and its revocations.",
	.usage = "deptscope dmabuf [OPTIONS]",
	.description =
		"Attaches to the upstream dma_buf tracepoints (Linux 7.0+: export, fd, get,\n"
		"put, mmap_internal, mmap, dynamic_attach, detach), prints each event as it\n"
		"happens and, at the end, one row per buffer: exporter, size, what happened to\n"
		"it and how many importers are still attached.  With our kernel patches it\n"
		"also follows invalidation (revocation), map/unmap, CPU access, release and\n"
		"vfio-pci's revoke/restore (cause, fence and unmap waits).  Each revocation is\n"
		"timed until the last importer unmapped (vfio-pci: until the kernel's own wait\n"
		"ended); one not finished after --unmap-ms, and a map of a revoked vfio-pci\n"
		"buffer, are flagged as they happen.  The summary ends with the revocation\n"
		"timeline.  --json prints one object per event, then a summary.  Exit status:\n"
		"0 ok, 1 error, 2 usage, 3 a revocation missed --unmap-ms or a revoked buffer\n"
		"was mapped.",
	.examples =
		"  deptscope dmabuf -d 10\n"
		"  deptscope dmabuf --inode 4242 --json\n"
		"  deptscope dmabuf -i rec.dsr\n",
	.opts = dmabuf_opts,
};

#define OPT_DB_OPTS							\
	{ "db", 0, "FILE", "known-issue database (default: $XDG_DATA_HOME/deptscope/triage.db)", \
	  OPT_DB }

static const struct ds_opt triage_opts[] = {
	OPT_DB_OPTS,
	{ "no-db", 0, NULL, "use no database: every bucket is new", OPT_NO_DB },
	{ "junit", 0, "FILE", "also write JUnit XML: one test case per bucket", OPT_JUNIT },
	{ "html", 0, "FILE", "also write a self-contained HTML report", OPT_HTML },
	{ "pretty", 0, NULL, "indented JSON (implies --json)", OPT_PRETTY },
	OPT_COMMON,
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_triage = {
	.name = "triage",
	.summary = "Bucket DEPT and lockdep reports from console logs: new, known, false positive.",
	.usage = "deptscope triage [OPTIONS] FILE...|-\n"
		 "       deptscope triage mark BUCKET --status STATUS [--note TEXT] [--link URL]\n"
		 "       deptscope triage list [--db FILE] [--json]",
	.description =
		"Reads console logs (dmesg with or without timestamps, journalctl or serial\n"
		"logs, reports pasted into mails or commit messages, gzip-compressed files;\n"
		"'-' is stdin), finds every DEPT circular-dependency report of every DEPT\n"
		"version and every lockdep circular-locking report, and gives each a signature\n"
		"of its cycle that does not depend on addresses, timestamps, context letters,\n"
		"rotation, indentation, quoting or the DEPT version.  Reports with one\n"
		"signature form a bucket.  Buckets are looked up in the known-issue database\n"
		"and printed as a table: bucket, count, status, the cycle, first seen.\n"
		"DEPT_INFO/DEPT_WARN/DEPT_STOP messages are listed as tracker health.\n"
		"Exit status: 0 no reports, or only known ones (known, false-positive, fixed\n"
		"is not among them: a fixed bug seen again counts as new); 1 error; 2 usage;\n"
		"3 new or still open reports found.",
	.examples =
		"  deptscope triage dmesg.txt\n"
		"  journalctl -k | deptscope triage --json -\n"
		"  deptscope triage --junit dept.xml --html dept.html console-*.log.gz\n"
		"  deptscope triage mark D-1a2b3c4d5e6f --status false-positive --note 'nesting'\n",
	.opts = triage_opts,
};

static const struct ds_opt triage_mark_opts[] = {
	{ "status", 's', "STATUS", "new, known, false-positive, fixed or duplicate", OPT_STATUS },
	{ "note", 0, "TEXT", "a note kept with the bucket", OPT_NOTE },
	{ "link", 0, "URL", "a link kept with the bucket (mail, bug tracker)", OPT_LINK },
	{ "dup-of", 0, "BUCKET", "with --status duplicate: the bucket it duplicates", OPT_DUP_OF },
	OPT_DB_OPTS,
	OPT_COMMON,
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_triage_mark = {
	.name = "triage mark",
	.summary = "Set the status of a bucket in the known-issue database.",
	.usage = "deptscope triage mark BUCKET --status STATUS [--note TEXT] [--link URL]\n"
		 "       [--dup-of BUCKET] [--db FILE] [--json]",
	.examples =
		"  deptscope triage mark D-1a2b3c4d5e6f --status known --link https://lore...\n"
		"  deptscope triage mark D-0ae1a51afe27 --status duplicate \\\n"
		"      --dup-of D-1a2b3c4d5e6f\n",
	.opts = triage_mark_opts,
};

static const struct ds_opt triage_list_opts[] = {
	OPT_DB_OPTS,
	{ "pretty", 0, NULL, "indented JSON (implies --json)", OPT_PRETTY },
	OPT_COMMON,
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_triage_list = {
	.name = "triage list",
	.summary = "List the buckets of the known-issue database.",
	.usage = "deptscope triage list [--db FILE] [--json|--pretty]",
	.opts = triage_list_opts,
};

static const struct ds_opt graph_opts[] = {
	{ "proc-deps", 0, "FILE", "read a /proc/dept_deps dump", OPT_PROC_DEPS },
	{ "format", 'f', "FMT", "dot, svg, png or json (default: dot)", OPT_FORMAT },
	{ "output", 'o', "FILE", "write here (default: stdout for dot and json)", OPT_OUTPUT },
	{ "around", 0, "CLASS", "export the neighbourhood of this class", OPT_AROUND },
	{ "depth", 0, "N", "with --around: how many edges away (2)", OPT_DEPTH },
	{ "max-nodes", 0, "N", "export at most N classes; say what was left out (200)",
	  OPT_MAX_NODES },
	OPT_COMMON,
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_graph = {
	.name = "graph",
	.summary = "Draw DEPT dependency graphs: report cycles, /proc/dept_deps dumps.",
	.usage = "deptscope graph [OPTIONS] [--proc-deps FILE] [LOG...]",
	.description =
		"Builds the dependency graph of the DEPT and lockdep reports in console logs\n"
		"(plain or gzip, '-' is stdin) and of a saved /proc/dept_deps, finds its\n"
		"cycles and exports every cycle, or with --around the classes near one class.\n"
		"Edges go from the event class to the class whose wait it waits on, as in\n"
		"/proc/dept_deps; classes and edges on a cycle are red.  SVG and PNG are\n"
		"rendered by Graphviz in process; -j is --format json.  One line on stderr\n"
		"says what was kept and what the --max-nodes cap left out.\n"
		"Exit status: 0 written; 1 error; 2 usage.",
	.examples =
		"  deptscope graph console-*.log.gz -f svg -o cycles.svg\n"
		"  deptscope graph --proc-deps deps.txt --around '&rq->__lock' --depth 1\n"
		"  deptscope graph --proc-deps deps.txt dmesg.txt -j\n",
	.opts = graph_opts,
};

static const struct ds_opt dept_opts[] = {
	{ "tracepoints", 0, NULL, "use the DEPT tracepoints (kernel/patches/dept) only",
	  OPT_TRACEPOINTS },
	{ "input", 'i', "FILE", "replay a recording of the DEPT tracepoints", OPT_INPUT },
	{ "kmsg", 0, NULL, "follow /dev/kmsg for DEPT reports as they are printed", OPT_KMSG },
	{ "all", 0, NULL, "with --kmsg: start at the oldest record, not now", OPT_ALL },
	{ "kmsg-file", 0, "FILE", "read a /dev/kmsg capture or a console log ('-': stdin)",
	  OPT_KMSG_FILE },
	{ "proc-deps", 0, "FILE", "poll this dump of /proc/dept_deps (default: the live one)",
	  OPT_PROC_DEPS },
	{ "interval-ms", 0, "MS", "how often to poll /proc/dept_deps (1000)", OPT_INTERVAL_MS },
	{ "duration", 'd', "SEC", "stop after SEC seconds (default: until Ctrl-C or EOF)",
	  OPT_DURATION },
	{ "dot", 0, "FILE", "write the graph's cycles as DOT at exit (and on SIGUSR1)", OPT_DOT },
	{ "svg", 0, "FILE", "the same as SVG", OPT_SVG },
	{ "buffer-kb", 0, "KB", "ring buffer size in KiB, a power of two (1024)", OPT_BUFFER },
	{ "max-classes", 0, "N", "tracepoints: at N classes forget the oldest half (1000000)",
	  OPT_MAX_CLASSES },
	OPT_COMMON,
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_dept = {
	.name = "dept",
	.summary = "Watch the DEPT dependency graph grow: new edges, cycles as DEPT finds them.",
	.usage = "deptscope dept [--tracepoints | -i FILE | [--kmsg [--all]] [--kmsg-file FILE]\n"
		 "                [--proc-deps FILE]] [OPTIONS]",
	.description =
		"Builds one dependency graph (classes, event -> wait edges) as DEPT builds\n"
		"it.  On a kernel with our DEPT tracepoints (kernel/patches/dept) every new\n"
		"class, dependency and circle is streamed by BPF; -i replays a recording of\n"
		"them ('deptscope record dept').  A DEPT kernel without the tracepoints\n"
		"offers the reports it prints (followed on /dev/kmsg, or read from a\n"
		"capture, parsed as deptscope triage parses them) and /proc/dept_deps,\n"
		"polled and diffed against the graph.  New edges are printed as they\n"
		"appear, and each cycle with its contexts and stacks as soon as DEPT\n"
		"reports it or an edge closes it.  Default: the tracepoints if the kernel\n"
		"has them, else /proc/dept_deps and /dev/kmsg when it has DEPT.  --json\n"
		"prints one object per event.  Exit status: 0 ok, 1 error, 2 usage, 3 a\n"
		"cycle was found.",
	.examples =
		"  deptscope dept                     # on a DEPT kernel, until Ctrl-C\n"
		"  deptscope dept -i dept.dsr --svg cycles.svg\n"
		"  deptscope dept --kmsg --svg cycles.svg\n"
		"  deptscope dept --kmsg-file console.log -j\n"
		"  deptscope dept --proc-deps saved_deps.txt --dot deps.dot -d 1\n",
	.opts = dept_opts,
};

static const struct ds_opt vpr_opts[] = {
	{ "duration", 'd', "SEC", "stop after SEC seconds (default: until Ctrl-C)", OPT_DURATION },
	{ "slow-ms", 0, "MS", "a resize slower than MS is an alert (100)", OPT_SLOW_MS },
	{ "input", 'i', "FILE", "analyse a recording or a trace-cmd trace.dat instead", OPT_INPUT },
	{ "buffer-kb", 0, "KB", "ring buffer size in KiB, a power of two (1024)", OPT_BUFFER },
	OPT_COMMON,
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_vpr = {
	.name = "vpr",
	.summary = "Profile Tegra VPR resizes: each resize's steps, the freeze, failures.",
	.usage = "deptscope vpr [OPTIONS]",
	.description =
		"Follows the resizes of a Tegra VPR (video protection region) dma-buf heap.\n"
		"With our tracepoints (kernel/patches/tegra-vpr) each resize prints a row as\n"
		"it ends: grow or shrink, old and new size, chunks, total time, the time of\n"
		"each step (CMA, linear map, process freeze, devices, SMC, rollback) and how\n"
		"long user space was frozen.  With only the three events of the VPR series,\n"
		"a resize runs from its first chunk change to the VPR being programmed, and\n"
		"its row is marked 'inferred'.  At the end: a latency histogram, the VPR's\n"
		"size over time and counts per trigger.  A failed resize, or one slower than\n"
		"--slow-ms, is an alert.  -i reads a deptscope recording or a trace-cmd\n"
		"trace.dat (docs/import.md).  Exit status: 0 ok, 1 error, 2 usage, 3 an alert.",
	.examples =
		"  deptscope vpr -d 60 --slow-ms 50\n"
		"  deptscope record -o vpr.dsr vpr && deptscope vpr -i vpr.dsr --json\n"
		"  deptscope vpr --input trace.dat    (trace-cmd record -C mono -e tegra_vpr)\n",
	.opts = vpr_opts,
};

static const struct ds_opt import_opts[] = {
	{ "output", 'o', "FILE", "the recording to write, atomically (required)", OPT_OUTPUT },
	{ "json", 'j', NULL, "print the import's figures as JSON", OPT_JSON },
	{ "verbose", 'v', NULL, "more messages", OPT_VERBOSE },
	{ "help", 'h', NULL, "show this help", OPT_HELP },
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_import = {
	.name = "import",
	.summary = "Turn a trace-cmd trace.dat into a deptscope recording.",
	.usage = "deptscope import [OPTIONS] TRACE.DAT -o OUT.dsr",
	.description =
		"Reads a file written by 'trace-cmd record' (any file version, compressed\n"
		"or not, every buffer instance) through libtracecmd, using the event\n"
		"formats stored in the file, and writes the dma_fence, dma_buf, vfio_pci\n"
		"and tegra_vpr events as deptscope records; other events are counted and\n"
		"skipped.  A trace record has no kernel stack, no fence pointer and no\n"
		"tgid: docs/import.md says what stands in for them.  Record with\n"
		"'trace-cmd record -C mono' so the times match deptscope's own recordings.\n"
		"fence, dmabuf, vpr and export read a trace.dat directly as well; import\n"
		"is for keeping the result.  OUT appears only when complete.",
	.examples =
		"  trace-cmd record -C mono -e tegra_vpr -e dma_fence -o trace.dat\n"
		"  deptscope import trace.dat -o board.dsr && deptscope vpr -i board.dsr\n"
		"  deptscope vpr --input trace.dat --json\n",
	.opts = import_opts,
};

static const struct ds_opt report_opts[] = {
	{ "hang-ms", 0, "MS", "a wait pending longer than MS is a hang (1000)", OPT_HANG_MS },
	{ "top", 'n', "N", "show the N longest waits (10)", OPT_TOP },
	{ "milliseconds", 'm', NULL, "histograms in milliseconds", OPT_MSEC },
	{ "vmlinux", 0, "PATH", "vmlinux with DWARF for file:line in stacks", OPT_VMLINUX },
	{ "no-stacks", 0, NULL, "do not print kernel stacks", OPT_NO_STACKS },
	OPT_COMMON,
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_report = {
	.name = "report",
	.summary = "Summarise a recording: what it holds, drops, and the fence wait report.",
	.usage = "deptscope report [OPTIONS] FILE",
	.description =
		"A truncated recording (recorder killed) is reported up to its last complete\n"
		"record with a warning.  Exit status: 0 ok, 1 unreadable or corrupt file,\n"
		"2 usage, 3 a hang was found.",
	.examples = "  deptscope report rec.dsr\n  deptscope report --json rec.dsr\n",
	.opts = report_opts,
};

static const struct ds_opt export_opts[] = {
	{ "format", 'f', "FMT", "output format: chrome (Chrome Trace Event JSON)", OPT_FORMAT },
	{ "output", 'o', "FILE", "write to FILE, atomically (required)", OPT_OUTPUT },
	{ "verbose", 'v', NULL, "more messages", OPT_VERBOSE },
	{ "help", 'h', NULL, "show this help", OPT_HELP },
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_export = {
	.name = "export",
	.summary = "Convert a recording for other viewers.",
	.usage = "deptscope export --format chrome [OPTIONS] FILE -o OUT.json",
	.description =
		"chrome: Chrome Trace Event JSON for ui.perfetto.dev and chrome://tracing.\n"
		"Each fence timeline is a track with its waits (async slices) and signals\n"
		"(instants); each waiting thread has its own track with its wait slices.",
	.examples = "  deptscope export --format chrome rec.dsr -o rec.json\n",
	.opts = export_opts,
};

static const struct ds_opt top_opts[] = {
	{ "input", 'i', "FILE", "replay a recording or a trace-cmd trace.dat instead", OPT_INPUT },
	{ "speed", 0, "X", "with --input: X times the recorded pace, 0 at once (1)", OPT_SPEED },
	{ "interval", 0, "MS", "refresh the screen every MS milliseconds (1000)",
	  OPT_INTERVAL_MS },
	{ "batch", 'b', NULL, "no curses: print each frame as plain text to stdout", OPT_BATCH },
	{ "iterations", 'n', "N", "stop after N frames", OPT_ITERATIONS },
	{ "pane", 0, "NAME", "start on this pane; with --batch, print only it (overview fences "
	  "dmabuf vpr events graph)", OPT_PANE },
	{ "save-dir", 0, "DIR", "where e (graph export) and r (recording) write files (.)",
	  OPT_SAVE_DIR },
	{ "timing", 0, NULL, "at the end, print frame and ingest figures on stderr", OPT_TIMING },
	{ "max-classes", 0, "N", "at N DEPT classes forget the oldest half (1000000)",
	  OPT_MAX_CLASSES },
	{ "buffer-kb", 0, "KB", "ring buffer size in KiB, a power of two (4096)", OPT_BUFFER },
	{ "selftest", 0, "PID", "live: also an event per system call of PID, a load to watch",
	  OPT_SELFTEST },
	{ "verbose", 'v', NULL, "more messages; twice for libbpf debug output", OPT_VERBOSE },
	{ "help", 'h', NULL, "show this help", OPT_HELP },
	{ NULL, 0, NULL, NULL, 0 },
};

const struct ds_cmd_help ds_help_top = {
	.name = "top",
	.summary = "Live viewer: fence waits, dma-bufs, VPR resizes, events, the DEPT graph.",
	.usage = "deptscope top [-i FILE [--speed X]] [--interval MS]\n"
		 "                     [--batch [-n N] [--pane NAME]]",
	.description =
		"A full-screen view of the same models the other commands print, fed live\n"
		"(every source this kernel has, as 'deptscope record' attaches them; needs\n"
		"root) or from a recording or trace.dat at its recorded pace (--speed).\n"
		"Panes: 1 overview, 2 fences, 3 dmabuf, 4 vpr, 5 events, 6 graph.  Keys: 1-6\n"
		"or Tab switch panes, / filters the events, p freezes the screen while\n"
		"events are still taken in, space pauses a replay, ? help, q quits.\n"
		"--batch prints frames as text (every pane, or --pane NAME); a replay ends\n"
		"with a last frame when the file is read.  NO_COLOR and TERM=dumb give plain\n"
		"output.  Exit status: 0 ok, 1 error, 2 usage.",
	.examples =
		"  deptscope top\n"
		"  deptscope top -i rec.dsr --speed 10\n"
		"  deptscope top -i rec.dsr --batch --speed 0 --pane fences\n",
	.opts = top_opts,
};

static int want_positionals(const struct ds_cmd_help *h, struct ds_params *p, int min, int max,
			    const char *what, FILE *err)
{
	if (p->nr_positional < min) {
		fprintf(err, "deptscope %s: missing %s (see 'deptscope %s --help')\n", h->name,
			what, h->name);
		return DS_EXIT_USAGE;
	}
	if (p->nr_positional > max) {
		fprintf(err, "deptscope %s: unexpected argument '%s' (see 'deptscope %s --help')\n",
			h->name, p->positional[max], h->name);
		return DS_EXIT_USAGE;
	}
	return 0;
}

int ds_parse_fence(int argc, char **argv, struct ds_params *p, FILE *err)
{
	const struct ds_cmd_help *h = &ds_help_fence;
	uint64_t v;
	int ret;

	ret = ds_cli_parse(h, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	ret = want_positionals(h, p, 0, 2, "", err);
	if (ret)
		return ret;
	if (p->nr_positional >= 1 &&
	    (ds_parse_seconds(p->positional[0], &p->interval_ns) || !p->interval_ns)) {
		fprintf(err, "deptscope fence: invalid interval '%s': expected seconds > 0\n",
			p->positional[0]);
		return DS_EXIT_USAGE;
	}
	if (p->nr_positional == 2) {
		if (ds_parse_uint(p->positional[1], 1000000000, &v) || !v) {
			fprintf(err, "deptscope fence: invalid count '%s': expected a number > 0\n",
				p->positional[1]);
			return DS_EXIT_USAGE;
		}
		p->count = v;
	}
	if (p->input && (p->pid || p->duration_ns || p->interval_ns)) {
		fprintf(err, "deptscope fence: --input cannot be combined with --pid, --duration "
			"or an interval\n");
		return DS_EXIT_USAGE;
	}
	return 0;
}

int ds_parse_record(int argc, char **argv, struct ds_params *p, FILE *err)
{
	int ret, i;

	ret = ds_cli_parse(&ds_help_record, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	if (!p->output) {
		fprintf(err, "deptscope record: missing -o FILE (see 'deptscope record --help')\n");
		return DS_EXIT_USAGE;
	}
	for (i = 0; i < p->nr_positional; i++) {
		if (strcmp(p->positional[i], "fence") && strcmp(p->positional[i], "dmabuf") &&
		    strcmp(p->positional[i], "dept") && strcmp(p->positional[i], "vpr") &&
		    strcmp(p->positional[i], "selftest")) {
			fprintf(err, "deptscope record: unknown source '%s' "
				"(known: fence dmabuf dept vpr selftest)\n", p->positional[i]);
			return DS_EXIT_USAGE;
		}
		if (!strcmp(p->positional[i], "selftest") && !p->pid) {
			fprintf(err, "deptscope record: the selftest source needs --pid PID\n");
			return DS_EXIT_USAGE;
		}
	}
	return 0;
}

int ds_parse_report(int argc, char **argv, struct ds_params *p, FILE *err)
{
	int ret;

	ret = ds_cli_parse(&ds_help_report, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	ret = want_positionals(&ds_help_report, p, 1, 1, "recording FILE", err);
	if (ret)
		return ret;
	p->input = p->positional[0];
	return 0;
}

int ds_parse_export(int argc, char **argv, struct ds_params *p, FILE *err)
{
	int ret;

	ret = ds_cli_parse(&ds_help_export, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	ret = want_positionals(&ds_help_export, p, 1, 1, "recording FILE", err);
	if (ret)
		return ret;
	p->input = p->positional[0];
	if (!p->format) {
		fprintf(err, "deptscope export: missing --format (known: chrome)\n");
		return DS_EXIT_USAGE;
	}
	if (strcmp(p->format, "chrome")) {
		fprintf(err, "deptscope export: unknown format '%s' (known: chrome)\n", p->format);
		return DS_EXIT_USAGE;
	}
	if (!p->output) {
		fprintf(err, "deptscope export: missing -o OUT (see 'deptscope export --help')\n");
		return DS_EXIT_USAGE;
	}
	return 0;
}

int ds_parse_vpr(int argc, char **argv, struct ds_params *p, FILE *err)
{
	int ret;

	ret = ds_cli_parse(&ds_help_vpr, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	ret = want_positionals(&ds_help_vpr, p, 0, 0, "", err);
	if (ret)
		return ret;
	if (p->input && p->duration_ns) {
		fprintf(err, "deptscope vpr: --input cannot be combined with --duration\n");
		return DS_EXIT_USAGE;
	}
	if (!p->slow_ns)
		p->slow_ns = 100000000ULL;
	return 0;
}

int ds_parse_import(int argc, char **argv, struct ds_params *p, FILE *err)
{
	int ret;

	ret = ds_cli_parse(&ds_help_import, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	ret = want_positionals(&ds_help_import, p, 1, 1, "trace.dat FILE", err);
	if (ret)
		return ret;
	p->input = p->positional[0];
	if (!p->output) {
		fprintf(err, "deptscope import: missing -o OUT (see 'deptscope import --help')\n");
		return DS_EXIT_USAGE;
	}
	return 0;
}

int ds_parse_dmabuf(int argc, char **argv, struct ds_params *p, FILE *err)
{
	int ret;

	ret = ds_cli_parse(&ds_help_dmabuf, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	ret = want_positionals(&ds_help_dmabuf, p, 0, 0, "", err);
	if (ret)
		return ret;
	if (p->input && (p->pid || p->duration_ns)) {
		fprintf(err, "deptscope dmabuf: --input cannot be combined with --pid or "
			"--duration\n");
		return DS_EXIT_USAGE;
	}
	return 0;
}

int ds_parse_triage(int argc, char **argv, struct ds_params *p, FILE *err)
{
	int ret;

	ret = ds_cli_parse(&ds_help_triage, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	if (!p->nr_positional) {
		fprintf(err, "deptscope triage: missing FILE (or - for stdin)"
			" (see 'deptscope triage --help')\n");
		return DS_EXIT_USAGE;
	}
	if (p->db && p->no_db) {
		fprintf(err, "deptscope triage: --db and --no-db exclude each other\n");
		return DS_EXIT_USAGE;
	}
	return 0;
}

int ds_parse_triage_mark(int argc, char **argv, struct ds_params *p, FILE *err)
{
	int ret;

	ret = ds_cli_parse(&ds_help_triage_mark, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	ret = want_positionals(&ds_help_triage_mark, p, 1, 1, "BUCKET", err);
	if (ret)
		return ret;
	if (!p->status) {
		fprintf(err, "deptscope triage mark: missing --status"
			" (new, known, false-positive, fixed or duplicate)\n");
		return DS_EXIT_USAGE;
	}
	if (!!p->dup_of != !strcmp(p->status, "duplicate")) {
		fprintf(err,
			"deptscope triage mark: --status duplicate goes with --dup-of BUCKET\n");
		return DS_EXIT_USAGE;
	}
	return 0;
}

int ds_parse_triage_list(int argc, char **argv, struct ds_params *p, FILE *err)
{
	int ret;

	ret = ds_cli_parse(&ds_help_triage_list, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	return want_positionals(&ds_help_triage_list, p, 0, 0, "", err);
}

int ds_parse_graph(int argc, char **argv, struct ds_params *p, FILE *err)
{
	int ret;

	ret = ds_cli_parse(&ds_help_graph, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	if (!p->proc_deps && !p->nr_positional) {
		fprintf(err, "deptscope graph: nothing to draw: give --proc-deps FILE or LOG files"
			" (see 'deptscope graph --help')\n");
		return DS_EXIT_USAGE;
	}
	if (!p->format)
		p->format = "dot";
	if (strcmp(p->format, "dot") && strcmp(p->format, "svg") && strcmp(p->format, "png") &&
	    strcmp(p->format, "json")) {
		fprintf(err, "deptscope graph: unknown format '%s' (known: dot svg png json)\n",
			p->format);
		return DS_EXIT_USAGE;
	}
	if ((!strcmp(p->format, "svg") || !strcmp(p->format, "png")) && !p->output) {
		fprintf(err, "deptscope graph: --format %s needs -o FILE\n", p->format);
		return DS_EXIT_USAGE;
	}
	if (p->depth && !p->around) {
		fprintf(err, "deptscope graph: --depth goes with --around CLASS\n");
		return DS_EXIT_USAGE;
	}
	return 0;
}

int ds_parse_dept(int argc, char **argv, struct ds_params *p, FILE *err)
{
	int ret;

	ret = ds_cli_parse(&ds_help_dept, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	ret = want_positionals(&ds_help_dept, p, 0, 0, "", err);
	if (ret)
		return ret;
	if (p->all && !p->kmsg) {
		fprintf(err, "deptscope dept: --all goes with --kmsg\n");
		return DS_EXIT_USAGE;
	}
	if (p->kmsg && p->kmsg_file) {
		fprintf(err, "deptscope dept: --kmsg and --kmsg-file exclude each other\n");
		return DS_EXIT_USAGE;
	}
	if ((p->tracepoints || p->input) && (p->kmsg || p->kmsg_file || p->proc_deps)) {
		fprintf(err, "deptscope dept: --%s reads DEPT's tracepoints: it excludes --kmsg, "
			"--kmsg-file and --proc-deps\n", p->input ? "input" : "tracepoints");
		return DS_EXIT_USAGE;
	}
	if (p->tracepoints && p->input) {
		fprintf(err, "deptscope dept: --tracepoints and --input exclude each other\n");
		return DS_EXIT_USAGE;
	}
	if (!p->poll_ns)
		p->poll_ns = 1000000000ULL;
	return 0;
}

int ds_parse_top(int argc, char **argv, struct ds_params *p, FILE *err)
{
	/* the panes of viewer/panes.c, by the names --pane takes */
	static const char *const panes[] = { "overview", "fences", "dmabuf", "vpr", "events",
					     "graph" };
	unsigned int i;
	int ret;

	ret = ds_cli_parse(&ds_help_top, argc, argv, p, err);
	if (ret || p->help)
		return ret;
	ret = want_positionals(&ds_help_top, p, 0, 0, "", err);
	if (ret)
		return ret;
	if (p->speed_set && !p->input) {
		fprintf(err, "deptscope top: --speed goes with --input\n");
		return DS_EXIT_USAGE;
	}
	if (p->selftest_pid && p->input) {
		fprintf(err, "deptscope top: --selftest is a live source, not for --input\n");
		return DS_EXIT_USAGE;
	}
	if (p->pane) {
		for (i = 0; i < sizeof(panes) / sizeof(panes[0]); i++)
			if (!strcmp(p->pane, panes[i]))
				break;
		if (i == sizeof(panes) / sizeof(panes[0])) {
			fprintf(err, "deptscope top: unknown pane '%s' (known: overview fences "
				"dmabuf vpr events graph)\n", p->pane);
			return DS_EXIT_USAGE;
		}
	}
	if (!p->speed_set)
		p->speed = 1;
	if (!p->poll_ns)
		p->poll_ns = 1000000000ULL;
	return 0;
}
