// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfcost: in-kernel cost per event of deptscope's wait pairing +
 * histogram (ds_bench_switch) against bpftrace doing the same aggregation,
 * both on sched_switch under the same context-switch-heavy workload.
 *
 * The number compared is the kernel's own accounting, run_time_ns/run_cnt
 * of each program (BPF_STATS_RUN_TIME), read before and after a fixed
 * window so loading and attaching are not counted.  It covers the program
 * body only, not the tracepoint plumbing around it.
 *
 * Exit status: 0 target met (or SKIP), 1 target missed, 2 error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "deptscope/fence.h"
#include "deptscope/log.h"

#define DEFAULT_DURATION_MS	2500
#define DEFAULT_ROUNDS		3
#define MAX_ROUNDS		15
#define DEFAULT_TARGET		0.5
#define BPFTRACE_START_MS	30000	/* parsing vmlinux BTF can take a while */
#define BPFTRACE_STOP_MS	10000
#define ATTACH_WAIT_MS		10000
#define POLL_MS			20

/* Same aggregation as ds_bench_switch: pair per thread, log2 histogram. */
static const char bpftrace_script[] =
	"tracepoint:sched:sched_switch { @start[args->prev_pid] = nsecs; "
	"$t = @start[args->next_pid]; "
	"if ($t) { @lat = hist(nsecs - $t); delete(@start[args->next_pid]); } }";

/*
 * Every child we may leave running, for the fatal-signal handler.  The
 * children also get PR_SET_PDEATHSIG, which covers SIGKILL of this process.
 */
enum { KID_PING, KID_PONG, KID_BPFTRACE, NR_KIDS };
static volatile pid_t kids[NR_KIDS];

/* A progress line waiting for its result; messages must not land on it. */
static volatile bool progress_open;

static void __attribute__((format(printf, 1, 2))) progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	progress_open = !strchr(fmt, '\n');
}

static void __attribute__((format(printf, 1, 2))) errmsg(const char *fmt, ...)
{
	va_list ap;

	if (progress_open)
		fputc('\n', stderr);
	progress_open = false;
	fputs("bpfcost: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

struct cfg {
	unsigned int duration_ms;
	unsigned int rounds;
	int cpu;		/* workload CPU, -1: not pinned */
	double target;
	bool json;
	const char *bpftrace;	/* NULL: not installed */
};

struct sample {
	uint64_t run_ns;
	uint64_t events;
	double ns_per_event;
};

static void on_fatal(int sig)
{
	int i;

	for (i = 0; i < NR_KIDS; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	/* end the progress line so the shell's next output starts clean */
	if (progress_open)
		(void)!write(STDERR_FILENO, "\n", 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
	struct sigaction sa = {};
	unsigned int i;

	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Die with the parent; false when the parent is already gone. */
static bool child_setup(pid_t parent)
{
	struct sigaction sa = {};

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return false;
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	return true;
}

static void reap(int kid, int sig)
{
	pid_t pid = kids[kid];

	if (pid <= 0)
		return;
	kill(pid, sig);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	kids[kid] = 0;
}

static int prog_stats(int fd, uint64_t *run_ns, uint64_t *cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int err;

	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err)
		return err;
	*run_ns = info.run_time_ns;
	*cnt = info.run_cnt;
	return 0;
}

/* ---- workload: two processes bouncing a byte through two pipes ---- */

static void __attribute__((noreturn)) bounce(int rfd, int wfd, bool serve, int cpu)
{
	cpu_set_t set;
	char c = 0;

	if (cpu >= 0) {
		/* one CPU: every round trip is two direct task-to-task switches */
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	if (serve && write(wfd, &c, 1) != 1)
		_exit(1);
	for (;;) {
		if (read(rfd, &c, 1) != 1 || write(wfd, &c, 1) != 1)
			_exit(0);
	}
}

static int start_workload(int cpu)
{
	pid_t self = getpid(), pid;
	int ab[2], ba[2], i, err;

	if (pipe(ab))
		return -errno;
	if (pipe(ba)) {
		err = -errno;
		close(ab[0]);
		close(ab[1]);
		return err;
	}
	for (i = KID_PING; i <= KID_PONG; i++) {
		pid = fork();
		if (pid < 0) {
			err = -errno;
			goto err;
		}
		if (pid == 0) {
			if (!child_setup(self))
				_exit(1);
			if (i == KID_PING)
				bounce(ba[0], ab[1], true, cpu);
			bounce(ab[0], ba[1], false, cpu);
		}
		kids[i] = pid;
	}
	err = 0;
err:
	close(ab[0]);
	close(ab[1]);
	close(ba[0]);
	close(ba[1]);
	if (err) {
		reap(KID_PING, SIGKILL);
		reap(KID_PONG, SIGKILL);
	}
	return err;
}

static void stop_workload(void)
{
	reap(KID_PING, SIGKILL);
	reap(KID_PONG, SIGKILL);
}

/* Run the workload for the configured window and account @fd's runs in it. */
static int measure(int fd, const struct cfg *c, struct sample *s)
{
	uint64_t ns0, cnt0, ns1, cnt1;
	int err;

	err = prog_stats(fd, &ns0, &cnt0);
	if (err)
		return err;
	err = start_workload(c->cpu);
	if (err)
		return err;
	sleep_ms(c->duration_ms);
	stop_workload();
	err = prog_stats(fd, &ns1, &cnt1);
	if (err)
		return err;
	s->run_ns = ns1 - ns0;
	s->events = cnt1 - cnt0;
	if (!s->events)
		return -ENODATA;
	s->ns_per_event = (double)s->run_ns / s->events;
	return 0;
}

static int round_deptscope(const struct cfg *c, struct sample *s)
{
	struct ds_fence_bpf_opts o = { .bench = true };
	struct ds_fence_bpf *b;
	int err;

	err = ds_fence_bpf__open(&o, &b);
	if (err) {
		errmsg("loading ds_bench_switch failed: %s\n", strerror(-err));
		return err;
	}
	err = measure(ds_fence_bpf__bench_prog_fd(b), c, s);
	if (err)
		errmsg("measuring deptscope failed: %s\n", strerror(-err));
	ds_fence_bpf__destroy(b);
	return err;
}

/* ---- bpftrace ---- */

struct id_set {
	__u32 *ids;	/* ascending: the kernel hands them out in order */
	size_t nr, cap;
};

static int snapshot_ids(struct id_set *set)
{
	__u32 id = 0, *n;

	set->nr = 0;
	while (!bpf_prog_get_next_id(id, &id)) {
		if (set->nr == set->cap) {
			n = realloc(set->ids, (set->cap ? set->cap * 2 : 256) * sizeof(*n));
			if (!n)
				return -ENOMEM;
			set->ids = n;
			set->cap = set->cap ? set->cap * 2 : 256;
		}
		set->ids[set->nr++] = id;
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static bool id_known(const struct id_set *set, __u32 id)
{
	return set->nr && bsearch(&id, set->ids, set->nr, sizeof(id), cmp_u32);
}

/*
 * Another tracer (or another run of this bench) may load its own
 * sched_switch program at the same time: only accept one @pid holds.
 */
static bool owned_by(pid_t pid, __u32 id)
{
	char path[64], line[128];
	struct dirent *d;
	bool found = false;
	unsigned int v;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", (int)pid);
	dir = opendir(path);
	if (!dir)
		return true;	/* no procfs: the id diff alone has to do */
	while (!found && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%.16s", (int)pid, d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "prog_id: %u", &v) == 1 && v == id) {
				found = true;
				break;
			}
		fclose(f);
	}
	closedir(dir);
	return found;
}

/* fd of a new sched_switch tracepoint program held by @pid, or -ENOENT. */
static int find_new_prog(const struct id_set *before, pid_t pid)
{
	struct bpf_prog_info info;
	__u32 id = 0, len;
	int fd;

	while (!bpf_prog_get_next_id(id, &id)) {
		if (id_known(before, id))
			continue;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;	/* already gone: one of its probes */
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_PROG_TYPE_TRACEPOINT &&
		    !strcmp(info.name, "sched_switch") && owned_by(pid, id))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

static void show_log(FILE *log)
{
	char line[512];

	if (!log || fseek(log, 0, SEEK_SET))
		return;
	while (fgets(line, sizeof(line), log))
		fprintf(stderr, "  bpftrace: %s", line);
}

static int spawn_bpftrace(const char *path, FILE *log)
{
	char *const argv[] = { (char *)path, "-e", (char *)bpftrace_script, NULL };
	pid_t self = getpid(), pid;
	int null;

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(null);
		return -errno;
	}
	if (pid == 0) {
		if (!child_setup(self))
			_exit(127);
		if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(fileno(log), 2) < 0)
			_exit(127);
		execv(path, argv);
		fprintf(stderr, "exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(null);
	kids[KID_BPFTRACE] = pid;
	return 0;
}

/* SIGINT lets bpftrace detach and exit cleanly; SIGKILL if it will not. */
static void stop_bpftrace(void)
{
	pid_t pid = kids[KID_BPFTRACE];
	uint64_t deadline;
	pid_t r;

	if (pid <= 0)
		return;
	kill(pid, SIGINT);
	deadline = now_ms() + BPFTRACE_STOP_MS;
	for (;;) {
		r = waitpid(pid, NULL, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR)) {
			kids[KID_BPFTRACE] = 0;
			return;
		}
		if (now_ms() > deadline)
			break;
		sleep_ms(POLL_MS);
	}
	errmsg("bpftrace ignored SIGINT, killing it\n");
	reap(KID_BPFTRACE, SIGKILL);
}

static bool bpftrace_exited(int *status)
{
	pid_t pid = kids[KID_BPFTRACE];

	if (waitpid(pid, status, WNOHANG) != pid)
		return false;
	kids[KID_BPFTRACE] = 0;
	return true;
}

static int round_bpftrace(const struct cfg *c, struct sample *s)
{
	struct id_set before = {};
	uint64_t deadline, ns, cnt;
	int fd = -1, status, err;
	FILE *log;

	log = tmpfile();
	if (!log)
		return -errno;
	/* bpftrace gets it as fd 2 only (dup2 clears the flag) */
	fcntl(fileno(log), F_SETFD, FD_CLOEXEC);
	err = snapshot_ids(&before);
	if (err)
		goto out;
	err = spawn_bpftrace(c->bpftrace, log);
	if (err)
		goto out;

	deadline = now_ms() + BPFTRACE_START_MS;
	while ((fd = find_new_prog(&before, kids[KID_BPFTRACE])) < 0) {
		if (bpftrace_exited(&status)) {
			errmsg("bpftrace exited (status %d) before attaching\n",
				WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
			show_log(log);
			err = -ECHILD;
			goto out;
		}
		if (now_ms() > deadline) {
			errmsg("no bpftrace sched_switch program after %u s\n",
				BPFTRACE_START_MS / 1000);
			show_log(log);
			err = -ETIMEDOUT;
			goto out;
		}
		sleep_ms(POLL_MS);
	}
	/* loaded is not attached: wait for the first counted run */
	deadline = now_ms() + ATTACH_WAIT_MS;
	for (;;) {
		err = prog_stats(fd, &ns, &cnt);
		if (err || cnt)
			break;
		if (now_ms() > deadline) {
			errmsg("bpftrace program never ran\n");
			err = -ETIMEDOUT;
			goto out;
		}
		sleep_ms(POLL_MS);
	}
	if (!err)
		err = measure(fd, c, s);
	if (err)
		errmsg("measuring bpftrace failed: %s\n", strerror(-err));
out:
	stop_bpftrace();
	if (fd >= 0)
		close(fd);
	free(before.ids);
	fclose(log);
	return err;
}

/* ---- driver ---- */

static char *find_in_path(const char *name)
{
	const char *env = getenv("BPFTRACE"), *p, *e;
	char buf[PATH_MAX];

	if (env && *env)
		return access(env, X_OK) ? NULL : strdup(env);
	p = getenv("PATH");
	if (!p || !*p)
		p = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, ':');
		if (e == p)
			continue;
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(e - p), p, name);
		if (!access(buf, X_OK))
			return strdup(buf);
	}
	return NULL;
}

static int cmp_sample(const void *a, const void *b)
{
	double x = ((const struct sample *)a)->ns_per_event;
	double y = ((const struct sample *)b)->ns_per_event;

	return x < y ? -1 : x > y;
}

/* Median ns/event and the events of all rounds. */
static double summarize(const struct sample *s, unsigned int n, uint64_t *events)
{
	struct sample sorted[MAX_ROUNDS];
	unsigned int i;

	*events = 0;
	for (i = 0; i < n; i++)
		*events += s[i].events;
	memcpy(sorted, s, n * sizeof(*s));
	qsort(sorted, n, sizeof(*sorted), cmp_sample);
	if (n % 2)
		return sorted[n / 2].ns_per_event;
	return (sorted[n / 2 - 1].ns_per_event + sorted[n / 2].ns_per_event) / 2;
}

static void json_rounds(const struct sample *s, unsigned int n)
{
	unsigned int i;

	printf("[");
	for (i = 0; i < n; i++)
		printf("%s{\"ns_per_event\":%.2f,\"events\":%llu,\"run_time_ns\":%llu}",
		       i ? "," : "", s[i].ns_per_event, (unsigned long long)s[i].events,
		       (unsigned long long)s[i].run_ns);
	printf("]");
}

static int report(const struct cfg *c, const struct sample *ds, const struct sample *bt)
{
	uint64_t ds_ev, bt_ev = 0;
	double ds_ns, bt_ns = 0, ratio = 0;
	bool pass;

	ds_ns = summarize(ds, c->rounds, &ds_ev);
	if (bt)
		bt_ns = summarize(bt, c->rounds, &bt_ev);
	if (bt_ns > 0)
		ratio = ds_ns / bt_ns;
	pass = !bt || (bt_ns > 0 && ratio <= c->target);

	if (c->json) {
		printf("{\"deptscope\":{\"ns_per_event\":%.2f,\"events\":%llu,\"rounds\":",
		       ds_ns, (unsigned long long)ds_ev);
		json_rounds(ds, c->rounds);
		printf("},");
		if (bt) {
			printf("\"bpftrace\":{\"ns_per_event\":%.2f,\"events\":%llu,\"rounds\":",
			       bt_ns, (unsigned long long)bt_ev);
			json_rounds(bt, c->rounds);
			printf("},\"ratio\":%.4f,", ratio);
		} else {
			printf("\"skip\":\"bpftrace not installed\",");
		}
		printf("\"target\":%.2f,\"pass\":%s}\n", c->target, pass ? "true" : "false");
	} else if (bt) {
		printf("bpf cost: deptscope %.1f ns/event (%llu events), bpftrace %.1f ns/event "
		       "(%llu events), ratio %.2f (target <= %.2f): %s\n",
		       ds_ns, (unsigned long long)ds_ev, bt_ns, (unsigned long long)bt_ev, ratio,
		       c->target, pass ? "PASS" : "FAIL");
	} else {
		printf("bpf cost: deptscope %.1f ns/event (%llu events); "
		       "SKIP: bpftrace not installed\n", ds_ns, (unsigned long long)ds_ev);
	}
	return pass ? 0 : 1;
}

static int first_cpu(void)
{
	cpu_set_t set;
	int i;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			return i;
	return -1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bpfcost [--json] [--duration MS] [--rounds N] [--cpu N|-1] "
		"[--target RATIO]\n"
		"  Per-event BPF cost of deptscope's wait aggregation vs bpftrace,\n"
		"  both on sched_switch under the same ping-pong workload.\n"
		"  --duration MS   workload window per round (default %u)\n"
		"  --rounds N      rounds per tool, alternating; medians compared (default %u)\n"
		"  --cpu N         pin the workload to CPU N, -1: not pinned (default: first)\n"
		"  --target RATIO  pass when deptscope/bpftrace <= RATIO (default %.2f)\n"
		"  BPFTRACE=PATH   bpftrace binary to use (default: from PATH)\n",
		DEFAULT_DURATION_MS, DEFAULT_ROUNDS, DEFAULT_TARGET);
}

static bool parse_args(int argc, char **argv, struct cfg *c)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "target", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char *end;
	long v;
	int opt;

	while ((opt = getopt_long(argc, argv, "jd:r:c:t:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c->json = true;
			break;
		case 'd':
			v = strtol(optarg, &end, 10);
			if (*end || v < 100 || v > 600000)
				goto bad;
			c->duration_ms = v;
			break;
		case 'r':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > MAX_ROUNDS)
				goto bad;
			c->rounds = v;
			break;
		case 'c':
			v = strtol(optarg, &end, 10);
			if (*end || v < -1 || v >= CPU_SETSIZE)
				goto bad;
			c->cpu = v;
			break;
		case 't':
			c->target = strtod(optarg, &end);
			if (*end || c->target <= 0)
				goto bad;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return false;
		}
	}
	if (optind == argc)
		return true;
	usage(stderr);
	return false;
bad:
	errmsg("bad value '%s' for -%c\n", optarg, opt);
	return false;
}

int main(int argc, char **argv)
{
	struct sample ds[MAX_ROUNDS], bt[MAX_ROUNDS];
	struct cfg c = {
		.duration_ms = DEFAULT_DURATION_MS,
		.rounds = DEFAULT_ROUNDS,
		.target = DEFAULT_TARGET,
	};
	char *bpftrace = NULL;
	int stats_fd = -1, ret = 2;
	unsigned int i;

	c.cpu = first_cpu();
	if (!parse_args(argc, argv, &c))
		return 2;
	if (geteuid()) {
		printf(c.json ? "{\"skip\":\"not root\"}\n" : "bpf cost: SKIP: not root\n");
		return 0;
	}
	ds_log_init("bpfcost", 0);
	install_handlers();
	bpftrace = find_in_path("bpftrace");
	c.bpftrace = bpftrace;

	/* fd-scoped: the kernel stops paying for stats when we exit, however we exit */
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		errmsg("enabling BPF run-time stats failed: %s\n", strerror(-stats_fd));
		goto out;
	}
	for (i = 0; i < c.rounds; i++) {
		progress("bpfcost: round %u/%u: deptscope ...", i + 1, c.rounds);
		if (round_deptscope(&c, &ds[i]))
			goto out;
		progress(" %.1f ns/event (%llu events)\n", ds[i].ns_per_event,
			 (unsigned long long)ds[i].events);
		if (!bpftrace)
			continue;
		progress("bpfcost: round %u/%u: bpftrace ...", i + 1, c.rounds);
		if (round_bpftrace(&c, &bt[i]))
			goto out;
		progress(" %.1f ns/event (%llu events)\n", bt[i].ns_per_event,
			 (unsigned long long)bt[i].events);
	}
	ret = report(&c, ds, bpftrace ? bt : NULL);
out:
	if (stats_fd >= 0)
		close(stats_fd);
	free(bpftrace);
	return ret;
}
