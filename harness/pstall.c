/*
 * pstall: a deadlock of a program's own pipes (contract in pstall.h).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pstall.h"

#define MAX_CANDS 32
#define MAX_READERS 8

/* A process asleep in write() on a full pipe, and who reads that pipe. */
struct cand {
	pid_t pid;
	char comm[32];
	unsigned long pipe;	/* the pipe's inode */
	pid_t readers[MAX_READERS];
	size_t nreaders;
	int open;		/* more readers than counted: never part of a deadlock */
	int in;			/* still in the closed set */
};

static pid_t
pid_of(const char *name)
{
	char *end;
	long v = strtol(name, &end, 10);
	return *end == '\0' && v > 0 ? (pid_t)v : 0;
}

/* comm, state, process group and thread count from /proc/PID/stat. */
static int
read_stat(pid_t pid, char *comm, size_t clen, char *state, pid_t *pgrp, long *threads)
{
	char path[64], buf[1024], *l, *r;
	FILE *f;
	int pg = -1, ok;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok || (l = strchr(buf, '(')) == NULL || (r = strrchr(buf, ')')) == NULL || r < l)
		return -1;
	snprintf(comm, clen, "%.*s", (int)(r - l - 1), l + 1);
	if (sscanf(r + 2, "%c %*d %d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
	    "%ld", state, &pg, threads) != 3)
		return -1;
	*pgrp = (pid_t)pg;
	return 0;
}

/* The inode of the pipe that descriptor fd of pid is, or 0. */
static unsigned long
pipe_inode(pid_t pid, const char *fd)
{
	char path[300], link[64];
	ssize_t n;
	unsigned long ino = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, fd);
	if ((n = readlink(path, link, sizeof(link) - 1)) <= 0)
		return 0;
	link[n] = '\0';
	return sscanf(link, "pipe:[%lu]", &ino) == 1 ? ino : 0;
}

/* Whether pid is asleep in write()/writev() on a full pipe; its inode in *ino. */
static int
blocked_in_pipe_write(pid_t pid, unsigned long *ino)
{
	char path[64], buf[256], fd[32];
	FILE *f;
	long nr = -1;
	unsigned long arg0 = 0;
	int ok;

	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	ok = fgets(buf, sizeof(buf), f) != NULL && strstr(buf, "pipe_write") != NULL;
	fclose(f);
	if (!ok)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	ok = fgets(buf, sizeof(buf), f) != NULL && sscanf(buf, "%ld %lx", &nr, &arg0) == 2;
	fclose(f);
	if (!ok || (nr != SYS_write && nr != SYS_writev))
		return 0;
	snprintf(fd, sizeof(fd), "%lu", arg0);
	return (*ino = pipe_inode(pid, fd)) != 0;
}

static int
in_groups(pid_t pg, const pid_t *pgids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pgids[i] == pg)
			return 1;
	return 0;
}

/* Whether descriptor fd of pid is open for reading only (a pipe's read end). */
static int
read_end(pid_t pid, const char *fd)
{
	char path[300], line[128];
	FILE *f;
	unsigned flags = 0;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, fd);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %o", &flags) == 1) {
			found = 1;
			break;
		}
	fclose(f);
	return found && (flags & O_ACCMODE) == O_RDONLY;
}

static void
add_reader(struct cand *c, pid_t pid)
{
	for (size_t i = 0; i < c->nreaders; i++)
		if (c->readers[i] == pid)
			return;
	if (c->nreaders < MAX_READERS)
		c->readers[c->nreaders++] = pid;
	else
		c->open = 1;
}

/* Every process holding the read end of a candidate's pipe, anywhere. */
static void
find_readers(struct cand *cs, size_t nc)
{
	DIR *d = opendir("/proc"), *fds;
	struct dirent *de, *fe;
	char path[64];

	if (d == NULL) {
		for (size_t i = 0; i < nc; i++)
			cs[i].open = 1;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		pid_t pid = pid_of(de->d_name);
		if (pid == 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
		if ((fds = opendir(path)) == NULL)
			continue;
		while ((fe = readdir(fds)) != NULL) {
			unsigned long ino;
			if (fe->d_name[0] == '.' || (ino = pipe_inode(pid, fe->d_name)) == 0)
				continue;
			for (size_t i = 0; i < nc; i++)
				if (cs[i].pipe == ino && read_end(pid, fe->d_name))
					add_reader(&cs[i], pid);
		}
		closedir(fds);
	}
	closedir(d);
}

static const struct cand *
cand_of(const struct cand *cs, size_t nc, pid_t pid)
{
	for (size_t i = 0; i < nc; i++)
		if (cs[i].pid == pid && cs[i].in)
			return &cs[i];
	return NULL;
}

int
pstall_pipe_cycle(const pid_t *pgids, size_t n, char *buf, size_t len, unsigned long *sig)
{
	struct cand cs[MAX_CANDS];
	size_t nc = 0, nin = 0, off = 0;
	DIR *d;
	struct dirent *de;
	int changed;

	*sig = 1469598103934665603UL;
	if (len)
		buf[0] = '\0';
	if (n == 0 || (d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && nc < MAX_CANDS) {
		pid_t pid = pid_of(de->d_name), pg;
		char state;
		long threads;
		struct cand *c = &cs[nc];
		if (pid == 0 || read_stat(pid, c->comm, sizeof(c->comm), &state, &pg, &threads) < 0)
			continue;
		/* one thread: no other one of the process can come and read */
		if (!in_groups(pg, pgids, n) || state != 'S' || threads != 1 ||
		    !blocked_in_pipe_write(pid, &c->pipe))
			continue;
		c->pid = pid;
		c->nreaders = 0;
		c->open = 0;
		c->in = 1;
		nc++;
	}
	closedir(d);
	if (nc == 0)
		return 0;
	find_readers(cs, nc);
	/* the greatest closed set: drop a writer whose pipe has a reader outside it */
	do {
		changed = 0;
		for (size_t i = 0; i < nc; i++) {
			if (!cs[i].in)
				continue;
			int free_reader = cs[i].open || cs[i].nreaders == 0;
			for (size_t k = 0; k < cs[i].nreaders && !free_reader; k++)
				if (cand_of(cs, nc, cs[i].readers[k]) == NULL)
					free_reader = 1;
			if (free_reader) {
				cs[i].in = 0;
				changed = 1;
			}
		}
	} while (changed);
	for (size_t i = 0; i < nc; i++) {
		if (!cs[i].in)
			continue;
		nin++;
		*sig = (*sig ^ (unsigned long)cs[i].pid) * 1099511628211UL;
		*sig = (*sig ^ cs[i].pipe) * 1099511628211UL;
		int w = snprintf(buf + off, len - off, "%s%s (pid %d) is blocked writing to a pipe "
		    "that only ", nin > 1 ? "; " : "", cs[i].comm, (int)cs[i].pid);
		off = w > 0 && off + (size_t)w < len ? off + (size_t)w : off;
		for (size_t k = 0; k < cs[i].nreaders; k++) {
			const struct cand *r = cand_of(cs, nc, cs[i].readers[k]);
			w = snprintf(buf + off, len - off, "%s%s (pid %d)", k ? " and " : "",
			    r ? r->comm : "?", (int)cs[i].readers[k]);
			off = w > 0 && off + (size_t)w < len ? off + (size_t)w : off;
		}
		w = snprintf(buf + off, len - off, " reads%s",
		    cs[i].nreaders == 1 && cs[i].readers[0] == cs[i].pid ? " (itself)" : "");
		off = w > 0 && off + (size_t)w < len ? off + (size_t)w : off;
	}
	return nin > 0;
}
