// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * /proc/dept_deps into the dependency graph.  The kernel prints
 * (kernel/dependency/dept_proc.c):
 *
 *	All classes:
 *
 *	[%p] %s%s		a class: hashed key, "<sched> " or "", name
 *	 -> [%p] %s%s		one per dependency: the class it waits on
 *				(a blank line after each class)
 *
 * The list is walked without a lock, so a dump can repeat or miss
 * classes; a saved copy can be cut anywhere or be something else
 * entirely.  Lines that fit neither form are counted and skipped, and the
 * last line counts only if its newline made it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "deptscope/graph.h"

#define KEY_MAX		64	/* "%p": 16 hex digits, or "(____ptrval____)" early in boot */
#define NAME_MAX_LEN	1000
#define LINE_MAX_LEN	(KEY_MAX + NAME_MAX_LEN + 16)
#define CHUNK		65536

struct deps_state {
	struct ds_graph *g;
	struct ds_dept_deps_stats st;
	uint32_t cur;		/* the class whose dependencies follow, NONE */
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* "[key] name" at @p (@n bytes): copies out both, NUL-terminated. */
static bool parse_class(const char *p, size_t n, char *key, char *name)
{
	const char *close;
	size_t kl;

	if (!n || p[0] != '[')
		return false;
	close = memchr(p, ']', n);
	if (!close)
		return false;
	kl = (size_t)(close - p - 1);
	if (!kl || kl > KEY_MAX || (size_t)(close - p) + 2 > n || close[1] != ' ')
		return false;
	memcpy(key, p + 1, kl);
	key[kl] = '\0';
	if (strpbrk(key, " \t["))
		return false;
	n -= (size_t)(close - p) + 2;
	p = close + 2;
	if (!n || n > NAME_MAX_LEN)
		return false;
	memcpy(name, p, n);
	name[n] = '\0';
	return true;
}

static void deps_bad(struct deps_state *s)
{
	s->st.bad_lines++;
	if (!s->st.first_bad)
		s->st.first_bad = s->st.lines;
}

static int deps_line(struct deps_state *s, const char *line, size_t n)
{
	static const struct ds_graph_dep proc = { .source = "proc" };
	char key[KEY_MAX + 1], name[NAME_MAX_LEN + 1];
	const char *p = line;
	uint32_t id;
	bool cycle;
	int err;

	s->st.lines++;
	while (n && (line[n - 1] == '\r' || blank(line[n - 1])))
		n--;
	if (!n) {
		s->cur = DS_GRAPH_NONE;
		return 0;
	}
	if (n > LINE_MAX_LEN || memchr(line, '\0', n))
		goto bad;
	if (n == 12 && !memcmp(line, "All classes:", 12)) {
		s->st.header = true;
		s->cur = DS_GRAPH_NONE;
		return 0;
	}
	while (n && blank(*p)) {
		p++;
		n--;
	}
	if (n > 2 && p[0] == '-' && p[1] == '>') {
		p += 2;
		n -= 2;
		while (n && blank(*p)) {
			p++;
			n--;
		}
		/* a dependency with no class above it: the start is missing */
		if (s->cur == DS_GRAPH_NONE || !parse_class(p, n, key, name))
			goto bad;
		err = ds_graph__class(s->g, name, key, -1, &id);
		if (!err)
			err = ds_graph__add_edge(s->g, s->cur, id, &proc, &cycle, NULL);
		if (err)
			return err;
		s->st.deps++;
		s->st.cycles += cycle;
		return 0;
	}
	if (!parse_class(p, n, key, name))
		goto bad;
	err = ds_graph__class(s->g, name, key, -1, &s->cur);
	if (err)
		return err;
	s->st.classes++;
	return 0;
bad:
	deps_bad(s);
	/* what follows a broken class line cannot be trusted to be its dependencies */
	if (p == line)
		s->cur = DS_GRAPH_NONE;
	return 0;
}

/*
 * The last line had no newline: it is not trusted, but if it cannot even
 * be the start of a line of the dump, it says the input is something else.
 */
static void deps_tail(struct deps_state *s, const char *p, size_t n)
{
	static const char header[] = "All classes:";

	s->st.lines++;
	s->st.truncated = true;
	if (memchr(p, '\0', n))
		goto bad;
	while (n && blank(*p)) {
		p++;
		n--;
	}
	if (!n || *p == '[' || *p == '-' ||
	    !memcmp(p, header, n < sizeof(header) - 1 ? n : sizeof(header) - 1))
		return;
bad:
	deps_bad(s);
}

static int deps_finish(struct deps_state *s, struct ds_dept_deps_stats *st)
{
	if (st)
		*st = s->st;
	if (s->st.classes || s->st.deps)
		return 0;
	if (s->st.bad_lines)
		return -EINVAL;
	return s->st.header ? 0 : -ENODATA;
}

/* Whole lines of @buf; the rest (no newline) is returned through *@used. */
static int deps_lines(struct deps_state *s, const char *buf, size_t len, size_t *used)
{
	const char *p = buf, *nl;
	int err;

	while ((nl = memchr(p, '\n', len - (size_t)(p - buf)))) {
		err = deps_line(s, p, (size_t)(nl - p));
		if (err)
			return err;
		p = nl + 1;
	}
	*used = (size_t)(p - buf);
	return 0;
}

static void deps_init(struct deps_state *s, struct ds_graph *g)
{
	memset(s, 0, sizeof(*s));
	s->g = g;
	s->cur = DS_GRAPH_NONE;
}

int ds_dept_deps__parse(struct ds_graph *g, const char *buf, size_t len,
			struct ds_dept_deps_stats *st)
{
	struct deps_state s;
	size_t used;
	int err;

	if (st)
		memset(st, 0, sizeof(*st));
	if (!g || (!buf && len))
		return -EINVAL;
	deps_init(&s, g);
	err = deps_lines(&s, buf, len, &used);
	if (err)
		return err;
	if (used < len)
		deps_tail(&s, buf + used, len - used);
	return deps_finish(&s, st);
}

int ds_dept_deps__load(struct ds_graph *g, const char *path, struct ds_dept_deps_stats *st)
{
	struct deps_state s;
	size_t have = 0, used, cap = 2 * CHUNK;
	char *buf = NULL;
	bool skipping = false;
	gzFile z = NULL;
	int fd = -1, n, zerr, err;

	if (st)
		memset(st, 0, sizeof(*st));
	if (!g || !path)
		return -EINVAL;
	deps_init(&s, g);
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(STDIN_FILENO);
	if (fd < 0)
		return -errno;
	z = gzdopen(fd, "rb");
	if (!z) {
		close(fd);
		return -ENOMEM;
	}
	buf = malloc(cap);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		n = gzread(z, buf + have, (unsigned int)(cap - have));
		if (n < 0) {
			gzerror(z, &zerr);
			if (zerr == Z_ERRNO) {
				err = errno ? -errno : -EIO;
				goto out;
			}
			if (zerr == Z_BUF_ERROR) {
				s.st.truncated = true;	/* a cut gzip stream: keep what came */
				break;
			}
			err = -EBADMSG;
			goto out;
		}
		if (!n)
			break;
		have += (size_t)n;
		if (skipping) {
			/* the rest of an overlong line: drop it up to its newline */
			char *nl = memchr(buf, '\n', have);

			if (!nl) {
				have = 0;
				continue;
			}
			skipping = false;
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have);
		}
		err = deps_lines(&s, buf, have, &used);
		if (err)
			goto out;
		have -= used;
		memmove(buf, buf + used, have);
		if (have == cap) {
			/* no newline in 128 KiB: not a line of this format */
			s.st.lines++;
			deps_bad(&s);
			s.cur = DS_GRAPH_NONE;
			have = 0;
			skipping = true;
		}
	}
	if (skipping)
		s.st.truncated = true;
	else if (have)
		deps_tail(&s, buf, have);
	err = deps_finish(&s, st);
out:
	free(buf);
	gzclose(z);
	return err;
}
