/*
 * psc-nsexec: the stage-0 helper of psc-runc. It executes a PLAN written by the C# runtime: a flat,
 * ordered list of operations (see README.md in this folder for the wire format and the sync
 * messages). It makes no decisions of its own: every path, flag and order comes from the plan.
 * Single-threaded on purpose; that is the reason it is C (README.md, "Why C").
 *
 * Usage: psc-nsexec PLAN_FD SYNC_FD
 *   PLAN_FD  readable fd holding the plan (a sealed memfd; read from offset 0)
 *   SYNC_FD  SOCK_SEQPACKET socket to the runtime: messages out, "go" bytes in
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Operation codes: keep in step with PlanOp in ../Process/PlanOp.cs. */
enum op {
	OP_SETNS = 1, OP_UNSHARE = 2, OP_CLONE = 3, OP_MOUNT = 4, OP_PIVOT_ROOT = 5,
	OP_MOVE_ROOT = 6, OP_ROOT = 7, OP_MKNOD = 8, OP_SYMLINK = 9, OP_MKDIR = 10,
	OP_SETHOSTNAME = 11, OP_SETDOMAINNAME = 12, OP_SETRLIMIT = 13, OP_WRITE_FILE = 14,
	OP_SETGROUPS = 15, OP_SETRESGID = 16, OP_SETRESUID = 17, OP_KEEPCAPS = 18,
	OP_BOUNDING = 19, OP_CAPS = 20, OP_NO_NEW_PRIVS = 21, OP_SECCOMP = 22, OP_CLOSE_FDS = 23,
	OP_CHDIR = 24, OP_UMASK = 25, OP_SETSID = 26, OP_PTY = 27, OP_PERSONALITY = 28,
	OP_BARRIER = 29, OP_EXEC = 30, OP_IOPRIO = 31, OP_MASK = 32, OP_RUN_HOOK = 33, OP_WAIT_FIFO = 34, OP_TRACE = 35,
	OP_SCHED = 36, OP_AFFINITY = 37, OP_USER_NS = 38, OP_IDMAP_TREE = 39, OP_MOVE_TREE = 40,
};

/* Option bits in num[1] of MOUNT, MKDIR, SYMLINK, WRITE_FILE and MASK. */
#define OPT_IN_ROOT       0x01 /* resolve the target inside the ROOT directory (openat2 RESOLVE_IN_ROOT) */
#define OPT_IGNORE_ENOENT 0x02 /* a missing target is not an error: skip the step */
#define OPT_SRC_IS_TARGET 0x04 /* bind the target onto itself */
#define OPT_MKDIR         0x08 /* create the target (and parents) as directories */
#define OPT_TOUCH         0x10 /* create the target as an empty file (parents as directories) */
#define OPT_IGNORE_EXIST  0x20 /* an existing target is not an error */
#define OPT_COPY_UP       0x40 /* MOUNT: copy what the target directory held into the new mount (tmpcopyup) */

/* Flags in num[2] of IDMAP_TREE. */
#define TREE_CLONE_RECURSIVE 0x01 /* open_tree(AT_RECURSIVE): the submounts come along (rbind) */
#define TREE_IDMAP_RECURSIVE 0x02 /* mount_setattr(AT_RECURSIVE): the submounts are idmapped too (ridmap) */
#define TREE_LAST_USE_OF_NS  0x04 /* no later step uses this user namespace slot: close it */

/* Slots for fds that live from one step to a later one (user namespaces, detached mounts). */
#define MAX_SLOTS 256

#define MAX_STR 4

struct step {
	uint32_t op;
	int64_t num[4];
	const char *str[MAX_STR]; /* NUL-terminated copies; blobs keep their length in len[] */
	uint32_t len[MAX_STR];
};

static int sync_fd = -1;
static int root_fd = -1;
static uint32_t cur_step;
static int slots[MAX_SLOTS];

static void send_msg(const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0 && send(sync_fd, buf, (size_t)n, MSG_NOSIGNAL) < 0) {
		/* The runtime is gone: nobody is left to tell, and nobody wants this process. */
		_exit(125);
	}
}

/* Reports the failing step and errno, then exits: the runtime turns this into one clear line. */
static void __attribute__((noreturn)) fail(int err)
{
	send_msg("ERR %u %d", cur_step, err);
	_exit(1);
}

static void check(int rc)
{
	if (rc < 0)
		fail(errno);
}

/* Waits for one "go" byte from the runtime; anything else means "give up quietly". */
static void wait_go(void)
{
	char c = 0;
	ssize_t n;
	do
		n = recv(sync_fd, &c, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n != 1 || c != 'G')
		_exit(1);
}

static int openat2_in_root(const char *path, int flags)
{
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}

/*
 * Opens PATH inside the root (O_PATH), creating missing components when asked. Every component is
 * resolved with RESOLVE_IN_ROOT, so a symlink in the rootfs cannot lead outside it.
 */
static int open_in_root(const char *path, int opts)
{
	int fd = openat2_in_root(path, O_PATH);
	if (fd >= 0 || errno != ENOENT || !(opts & (OPT_MKDIR | OPT_TOUCH)))
		return fd;

	char prefix[PATH_MAX];
	size_t plen = strlen(path);
	if (plen >= sizeof prefix) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int parent = dup(root_fd);
	if (parent < 0)
		return -1;
	size_t i = 0;
	while (i < plen) {
		while (path[i] == '/')
			i++;
		size_t start = i;
		while (i < plen && path[i] != '/')
			i++;
		if (i == start)
			break;
		memcpy(prefix, path, i);
		prefix[i] = 0;
		int last = i >= plen || path[i + strspn(path + i, "/")] == 0;
		int next = openat2_in_root(prefix, O_PATH);
		if (next < 0 && errno == ENOENT) {
			char name[NAME_MAX + 1];
			size_t nlen = i - start;
			if (nlen > NAME_MAX) {
				errno = ENAMETOOLONG;
				close(parent);
				return -1;
			}
			memcpy(name, path + start, nlen);
			name[nlen] = 0;
			int rc;
			if (last && (opts & OPT_TOUCH)) {
				rc = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (rc >= 0)
					close(rc);
			} else {
				rc = mkdirat(parent, name, 0755);
			}
			if (rc < 0 && errno != EEXIST) {
				close(parent);
				return -1;
			}
			next = openat2_in_root(prefix, O_PATH);
		}
		close(parent);
		if (next < 0)
			return -1;
		parent = next;
	}
	return parent;
}

/* Opens the parent directory of PATH inside the root and returns its last component in NAME. */
static int open_parent_in_root(const char *path, char *name, size_t name_size)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (*base == 0 || strlen(base) >= name_size) {
		errno = EINVAL;
		return -1;
	}
	strcpy(name, base);
	char dir[PATH_MAX];
	size_t dlen = slash ? (size_t)(slash - path) : 0;
	if (dlen >= sizeof dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, dlen);
	dir[dlen] = 0;
	if (dlen == 0)
		strcpy(dir, "/");
	return open_in_root(dir, OPT_MKDIR);
}

static void fd_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* Flags a bind mount cannot drop when it is locked (mount_namespaces(7), "locked mounts"). */
static unsigned long locked_flags(const char *path)
{
	struct statvfs st;
	unsigned long f = 0;
	if (statvfs(path, &st) < 0)
		return 0;
	if (st.f_flag & ST_NOSUID) f |= MS_NOSUID;
	if (st.f_flag & ST_NODEV) f |= MS_NODEV;
	if (st.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
	if (st.f_flag & ST_NOATIME) f |= MS_NOATIME;
	if (st.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
	if (st.f_flag & ST_RELATIME) f |= MS_RELATIME;
	if (st.f_flag & ST_RDONLY) f |= MS_RDONLY;
	return f;
}

/* getdents64(2)'s record; glibc's struct dirent64 has the same layout but is not promised to. */
struct kernel_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

#define MAX_COPY_DEPTH 128

static void copy_tree(int from_dir, int to_dir, int depth);

static void copy_symlink(int from_dir, int to_dir, const char *name)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(from_dir, name, target, sizeof target - 1);
	if (n < 0)
		fail(errno);
	target[n] = 0;
	check(symlinkat(target, to_dir, name));
}

static void copy_file(int from_dir, int to_dir, const char *name, off_t size)
{
	int from = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	check(from);
	int to = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	check(to);
	while (size > 0) {
		ssize_t n = sendfile(to, from, NULL, (size_t)(size > (1 << 30) ? (1 << 30) : size));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail(errno);
		if (n == 0)
			break; /* the file shrank since fstatat */
		size -= n;
	}
	close(from);
	close(to);
}

/* Copies one directory entry with its owner and mode; times are the copy's own, as with runc (tmpcopyup). */
static void copy_entry(int from_dir, int to_dir, const char *name, int depth)
{
	struct stat st;
	check(fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW));
	if (S_ISDIR(st.st_mode)) {
		check(mkdirat(to_dir, name, 0700));
		int from = openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		check(from);
		int to = openat(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		check(to);
		copy_tree(from, to, depth + 1);
		close(from);
		close(to);
	} else if (S_ISREG(st.st_mode)) {
		copy_file(from_dir, to_dir, name, st.st_size);
	} else if (S_ISLNK(st.st_mode)) {
		copy_symlink(from_dir, to_dir, name);
	} else {
		check(mknodat(to_dir, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev));
	}
	/* Owner before mode: chown clears the set-id bits. */
	check(fchownat(to_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW));
	if (!S_ISLNK(st.st_mode))
		check(fchmodat(to_dir, name, st.st_mode & 07777, 0));
}

/* Copies the content of FROM_DIR into the empty TO_DIR; getdents64 with a stack buffer (no malloc). */
static void copy_tree(int from_dir, int to_dir, int depth)
{
	if (depth > MAX_COPY_DEPTH)
		fail(ELOOP);
	char buf[4096] __attribute__((aligned(8)));
	for (;;) {
		long n = syscall(SYS_getdents64, from_dir, buf, sizeof buf);
		if (n < 0)
			fail(errno);
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			const struct kernel_dirent64 *d = (const struct kernel_dirent64 *)(buf + off);
			off += d->d_reclen;
			if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
				copy_entry(from_dir, to_dir, d->d_name, depth);
		}
	}
}

static void do_mount(const struct step *s)
{
	int opts = (int)s->num[1];
	unsigned long flags = (unsigned long)s->num[0];
	const char *target = s->str[1];
	char tpath[64];
	int fd = -1;
	if (opts & OPT_IN_ROOT) {
		fd = open_in_root(target, opts);
		if (fd < 0) {
			if (errno == ENOENT && (opts & OPT_IGNORE_ENOENT))
				return;
			fail(errno);
		}
		fd_path(tpath, sizeof tpath, fd);
		target = tpath;
	} else if ((opts & OPT_IGNORE_ENOENT) && access(target, F_OK) < 0 && errno == ENOENT) {
		return;
	}
	int covered = -1;
	if ((opts & OPT_COPY_UP) && fd < 0)
		fail(EINVAL); /* the plan asks for a copy-up only with IN_ROOT */
	if (opts & OPT_COPY_UP) {
		/* Opened before the mount: "." of the target stays the directory the new mount covers. */
		covered = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		check(covered);
	}
	const char *source = (opts & OPT_SRC_IS_TARGET) ? target : (*s->str[0] ? s->str[0] : NULL);
	const char *fstype = *s->str[2] ? s->str[2] : NULL;
	const char *data = *s->str[3] ? s->str[3] : NULL;
	int rc = mount(source, target, fstype, flags, data);
	if (rc < 0 && errno == EPERM && (flags & MS_REMOUNT) && (flags & MS_BIND)) {
		/* In a user namespace, a remount may not clear flags the mount is locked with. */
		rc = mount(source, target, fstype, flags | locked_flags(target), data);
	}
	if (rc < 0)
		fail(errno);
	if (covered >= 0) {
		/* A fresh lookup crosses into the new mount. */
		int top = openat2_in_root(s->str[1], O_RDONLY | O_DIRECTORY);
		check(top);
		copy_tree(covered, top, 0);
		/* The new root takes the covered directory's mode too (runc chmods it the same way). */
		struct stat st;
		check(fstat(covered, &st));
		check(fchmod(top, st.st_mode & 07777));
		close(top);
		close(covered);
	}
	if (fd >= 0)
		close(fd);
}

/* A slot number from the plan (USER_NS, IDMAP_TREE, MOVE_TREE); out of range is a bad plan. */
static int slot_index(int64_t n)
{
	if (n < 0 || n >= MAX_SLOTS)
		fail(EINVAL);
	return (int)n;
}

/* Writes a map to /proc/PID/NAME; returns 0 or errno (the caller has a child to clean up first). */
static int write_map(pid_t pid, const char *name, const char *map, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t n = write(fd, map, len);
	int err = n < 0 ? errno : (size_t)n != len ? EIO : 0;
	close(fd);
	return err;
}

/*
 * A user namespace that only carries an id mapping, for mount_setattr(MOUNT_ATTR_IDMAP): a child
 * is cloned into a new user namespace, its maps are written, the namespace is opened through
 * /proc (the fd keeps it alive), and the child is let go. The child waits on a pipe rather than a
 * signal, so it also ends if this process dies before closing it.
 */
static int make_userns(const struct step *s)
{
	int gate[2];
	check(pipe2(gate, O_CLOEXEC));
	struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
	if (pid < 0 && (errno == ENOSYS || errno == E2BIG))
		pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	check(pid);
	if (pid == 0) {
		char c;
		close(gate[1]);
		while (read(gate[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(gate[0]);
	int err = write_map(pid, "uid_map", s->str[0], s->len[0]);
	if (err == 0)
		err = write_map(pid, "gid_map", s->str[1], s->len[1]);
	int fd = -1;
	if (err == 0) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			err = errno;
	}
	close(gate[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (err != 0)
		fail(err);
	return fd;
}

/* USER_NS: slot num0 = an existing user namespace (str2 = its path) or a new one with maps str0/str1. */
static void do_userns(const struct step *s)
{
	int slot = slot_index(s->num[0]);
	int fd = *s->str[2] ? open(s->str[2], O_RDONLY | O_CLOEXEC) : make_userns(s);
	check(fd);
	slots[slot] = fd;
}

/*
 * IDMAP_TREE: a detached copy of the mount tree at str0 (open_tree OPEN_TREE_CLONE), idmapped with
 * the user namespace in slot num1, kept in slot num0 for MOVE_TREE. Only a detached mount can be
 * idmapped, and only by a task privileged over the filesystem's user namespace, so this runs in
 * stage 0, before the clone (README.md, "Idmapped mounts").
 */
static void do_idmap_tree(const struct step *s)
{
	int tree_slot = slot_index(s->num[0]), ns_slot = slot_index(s->num[1]);
	unsigned int flags = (unsigned int)s->num[2];
	if (slots[ns_slot] < 0)
		fail(EBADF);
	int tree = open_tree(AT_FDCWD, s->str[0],
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((flags & TREE_CLONE_RECURSIVE) ? AT_RECURSIVE : 0));
	check(tree);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)slots[ns_slot] };
	check(mount_setattr(tree, "", AT_EMPTY_PATH | ((flags & TREE_IDMAP_RECURSIVE) ? AT_RECURSIVE : 0), &attr, sizeof attr));
	slots[tree_slot] = tree;
	if (flags & TREE_LAST_USE_OF_NS) {
		close(slots[ns_slot]);
		slots[ns_slot] = -1;
	}
}

/* MOVE_TREE: attaches the detached mount in slot num0 on str0 inside the root (options num1). */
static void do_move_tree(const struct step *s)
{
	int slot = slot_index(s->num[0]);
	if (slots[slot] < 0)
		fail(EBADF);
	int target = open_in_root(s->str[0], (int)s->num[1]);
	check(target);
	check(move_mount(slots[slot], "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH));
	close(target);
	close(slots[slot]);
	slots[slot] = -1;
}

/* Hides PATH: /dev/null over a file, an empty read-only tmpfs over a directory. */
static void do_mask(const struct step *s)
{
	struct stat st;
	if (stat(s->str[0], &st) < 0) {
		if (errno == ENOENT)
			return;
		fail(errno);
	}
	int rc = S_ISDIR(st.st_mode)
		? mount("tmpfs", s->str[0], "tmpfs", MS_RDONLY, "size=0k,mode=555")
		: mount("/dev/null", s->str[0], NULL, MS_BIND, NULL);
	if (rc < 0 && errno != ENOENT)
		fail(errno);
}

static void do_pivot_root(const char *rootfs)
{
	/* pivot_root(".", "."): stack the old root under the new one, then detach it (pivot_root(2)). */
	int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	check(oldroot);
	int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	check(newroot);
	check(fchdir(newroot));
	check((int)syscall(SYS_pivot_root, ".", "."));
	check(fchdir(oldroot));
	/* Keep the unmount of the old root from propagating to the host. */
	check(mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL));
	check(umount2(".", MNT_DETACH));
	check(chdir("/"));
	close(oldroot);
	close(newroot);
}

static void do_move_root(const char *rootfs)
{
	check(chdir(rootfs));
	check(mount(rootfs, "/", NULL, MS_MOVE, NULL));
	check(chroot("."));
	check(chdir("/"));
}

static void set_root(const char *path)
{
	if (root_fd >= 0)
		close(root_fd);
	root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	check(root_fd);
}

static void write_file(const char *path, const char *content, size_t len, int opts)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT && (opts & OPT_IGNORE_ENOENT))
			return;
		fail(errno);
	}
	ssize_t n = write(fd, content, len);
	if (n < 0)
		fail(errno);
	if ((size_t)n != len)
		fail(EIO);
	close(fd);
}

static void write_proc_file(pid_t pid, const char *name, const char *content, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
	write_file(path, content, len, 0);
}

/* clone3 with CLONE_PARENT so the container's init is the runtime's child; clone(2) before 5.3. */
static pid_t do_clone(const struct step *s)
{
	uint64_t flags = (uint64_t)s->num[0] | CLONE_PARENT;
	/* With CLONE_PARENT the child inherits our exit signal; clone3 insists exit_signal is 0 then. */
	struct clone_args args = { .flags = flags, .exit_signal = 0 };
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
	if (pid < 0 && (errno == ENOSYS || errno == E2BIG)) {
		/* CLONE_NEWTIME does not fit clone(2)'s flags (it overlaps CSIGNAL); the plan unshares it instead. */
		pid = (pid_t)syscall(SYS_clone, (unsigned long)(flags & ~(uint64_t)CLONE_NEWTIME) | SIGCHLD, 0, 0, 0, 0);
	}
	check(pid);
	if (pid == 0) {
		/* The child: wait until the parent wrote the id maps and the runtime placed us in the cgroup. */
		wait_go();
		return 0;
	}
	if (s->len[2] > 0)
		write_proc_file(pid, "setgroups", s->str[2], s->len[2]);
	if (s->len[0] > 0)
		write_proc_file(pid, "uid_map", s->str[0], s->len[0]);
	if (s->len[1] > 0)
		write_proc_file(pid, "gid_map", s->str[1], s->len[1]);
	send_msg("PID %d", pid);
	return pid;
}

static void do_mknod(const struct step *s)
{
	char name[NAME_MAX + 1];
	int dir = open_parent_in_root(s->str[0], name, sizeof name);
	check(dir);
	int rc = mknodat(dir, name, (mode_t)s->num[0], (dev_t)s->num[1]);
	if (rc < 0)
		fail(errno);
	check(fchownat(dir, name, (uid_t)s->num[2], (gid_t)s->num[3], AT_SYMLINK_NOFOLLOW));
	/* mknod applies the umask; the spec's fileMode is exact. */
	int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	check(fd);
	char p[64];
	fd_path(p, sizeof p, fd);
	check(chmod(p, (mode_t)s->num[0] & 07777));
	close(fd);
	close(dir);
}

static void do_symlink(const struct step *s)
{
	char name[NAME_MAX + 1];
	int dir = open_parent_in_root(s->str[1], name, sizeof name);
	check(dir);
	if (symlinkat(s->str[0], dir, name) < 0 && !(errno == EEXIST && (s->num[1] & OPT_IGNORE_EXIST)))
		fail(errno);
	close(dir);
}

static void do_mkdir(const struct step *s)
{
	int fd = open_in_root(s->str[0], OPT_MKDIR);
	check(fd);
	char p[64];
	fd_path(p, sizeof p, fd);
	if (s->num[0] >= 0)
		check(chmod(p, (mode_t)s->num[0]));
	close(fd);
}

static void do_caps(const struct step *s)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)((uint64_t)s->num[0] >> (32 * i));
		data[i].permitted = (uint32_t)((uint64_t)s->num[1] >> (32 * i));
		data[i].inheritable = (uint32_t)((uint64_t)s->num[2] >> (32 * i));
	}
	check((int)syscall(SYS_capset, &hdr, data));
	check(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
	for (int cap = 0; cap < 64; cap++) {
		if (((uint64_t)s->num[3] >> cap) & 1)
			check(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0));
	}
}

static void do_bounding(uint64_t keep)
{
	for (int cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
			break; /* past the last capability this kernel knows */
		if (!((keep >> cap) & 1))
			check(prctl(PR_CAPBSET_DROP, cap, 0, 0, 0));
	}
}

static void send_fd(int sock, int fd, const char *name);

static void do_seccomp(const struct step *s)
{
	struct sock_fprog prog = {
		.len = (unsigned short)(s->len[0] / sizeof(struct sock_filter)),
		.filter = (struct sock_filter *)(uintptr_t)s->str[0],
	};
	if (s->len[0] % sizeof(struct sock_filter) != 0 || prog.len == 0)
		fail(EINVAL);
	int rc = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned int)s->num[0], &prog);
	check(rc);
	if ((uint64_t)s->num[0] & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		/*
		 * rc is the user-notification fd (seccomp_unotify(2)). The runtime hands it to the
		 * seccomp agent; wait until it has, since the next syscalls may already notify.
		 */
		send_fd(sync_fd, rc, "SECCOMP");
		close(rc);
		wait_go();
	}
}

static void send_fd(int sock, int fd, const char *name)
{
	char control[CMSG_SPACE(sizeof(int))];
	memset(control, 0, sizeof control);
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		fail(errno);
}

/* Opens a pty in the container's devpts, hands the master to the console socket, makes the slave our terminal. */
static void do_pty(const struct step *s)
{
	int master = open(s->str[0], O_RDWR | O_NOCTTY | O_CLOEXEC);
	check(master);
	int unlock = 0;
	check(ioctl(master, TIOCSPTLCK, &unlock));
	unsigned int ptn = 0;
	check(ioctl(master, TIOCGPTN, &ptn));
	int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	check(slave);
	if (s->num[1] > 0 && s->num[2] > 0) {
		struct winsize ws = { .ws_row = (unsigned short)s->num[1], .ws_col = (unsigned short)s->num[2] };
		check(ioctl(slave, TIOCSWINSZ, &ws));
	}
	char pts[64];
	snprintf(pts, sizeof pts, "/dev/pts/%u", ptn);
	if (*s->str[1]) {
		int fd = open(s->str[1], O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
		check(fd);
		close(fd);
		check(mount(pts, s->str[1], NULL, MS_BIND, NULL));
	}
	send_fd((int)s->num[0], master, pts);
	close(master);
	close((int)s->num[0]);
	check(ioctl(slave, TIOCSCTTY, 0));
	for (int fd = 0; fd < 3; fd++)
		check(dup2(slave, fd));
	if (slave > 2)
		close(slave);
}

/* Splits a NUL-separated blob into a NULL-terminated vector. */
static char **split_blob(const char *blob, uint32_t len)
{
	size_t count = 0;
	for (uint32_t i = 0; i < len; i++)
		if (blob[i] == 0)
			count++;
	char **v = calloc(count + 1, sizeof *v);
	if (!v)
		fail(ENOMEM);
	size_t k = 0;
	for (uint32_t i = 0; i < len; i += (uint32_t)strlen(blob + i) + 1)
		v[k++] = (char *)(blob + i);
	v[k] = NULL;
	return v;
}

/* Finds FILE like execvp(3) would, but in the PATH the container's environment gives. */
static const char *find_executable(const char *file, const char *path_var, char *buf, size_t size)
{
	if (strchr(file, '/')) {
		if (access(file, X_OK) < 0)
			fail(errno);
		return file;
	}
	int saw_eacces = 0;
	for (const char *p = path_var; ; ) {
		const char *colon = strchr(p, ':');
		size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
		if (dlen == 0)
			snprintf(buf, size, "%s", file);
		else
			snprintf(buf, size, "%.*s/%s", (int)dlen, p, file);
		struct stat st;
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(buf, X_OK) == 0)
				return buf;
			saw_eacces = 1;
		}
		if (!colon)
			break;
		p = colon + 1;
	}
	fail(saw_eacces ? EACCES : ENOENT);
}

static void reset_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL); /* fails harmlessly for SIGKILL, SIGSTOP and the RT signals glibc keeps */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* runc's start semantics: the user process must not run before `start` opens the FIFO. */
static void wait_fifo(int fifo)
{
	send_msg("READY");
	char p[64];
	fd_path(p, sizeof p, fifo);
	int fd;
	do
		fd = open(p, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	check(fd);
	if (write(fd, "0", 1) != 1)
		fail(errno);
	close(fd);
	close(fifo);
}

#define EXEC_CHECK_ONLY (-2)

static void do_exec(const struct step *s)
{
	char found[PATH_MAX];
	const char *path = find_executable(s->str[0], s->str[3], found, sizeof found);
	if (s->num[0] == EXEC_CHECK_ONLY)
		return;
	char **argv = split_blob(s->str[1], s->len[1]);
	char **envp = split_blob(s->str[2], s->len[2]);
	if (s->num[0] >= 0)
		wait_fifo((int)s->num[0]);
	reset_signals();
	execve(path, argv, envp);
	fail(errno);
}

/* Runs a hook (startContainer) from inside the container: state on stdin, killed after the timeout. */
static void do_run_hook(const struct step *s)
{
	int in[2];
	check(pipe2(in, O_CLOEXEC));
	pid_t pid = fork();
	check(pid);
	if (pid == 0) {
		if (dup2(in[0], 0) < 0)
			_exit(127);
		reset_signals();
		char **argv = split_blob(s->str[1], s->len[1]);
		char **envp = split_blob(s->str[2], s->len[2]);
		execve(s->str[0], argv, envp);
		_exit(127);
	}
	close(in[0]);
	signal(SIGPIPE, SIG_IGN);
	/* The state on stdin; num1 >= 0 is where our pid goes (the runtime cannot know it in advance). */
	size_t split = s->num[1] >= 0 && (uint64_t)s->num[1] <= s->len[3] ? (size_t)s->num[1] : s->len[3];
	char pid_text[16];
	int pid_len = s->num[1] >= 0 ? snprintf(pid_text, sizeof pid_text, "%d", getpid()) : 0;
	if ((write(in[1], s->str[3], split) < 0 ||
	     write(in[1], pid_text, (size_t)pid_len) < 0 ||
	     write(in[1], s->str[3] + split, s->len[3] - split) < 0) && errno != EPIPE)
		fail(errno);
	close(in[1]);
	long waited_ms = 0, limit_ms = s->num[0] > 0 ? s->num[0] * 1000 : -1;
	int status = 0;
	for (;;) {
		pid_t r = waitpid(pid, &status, limit_ms < 0 ? 0 : WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			fail(errno);
		if (limit_ms >= 0 && waited_ms >= limit_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail(ETIMEDOUT);
		}
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		waited_ms += 10;
	}
	signal(SIGPIPE, SIG_DFL);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail(ECANCELED);
}

/* One line of the PSC_TRACE_FILE format (bench/README.md) with a single write(2); errors are ignored. */
static void trace(int fd, const char *step, const char *id)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char line[512];
	int n = snprintf(line, sizeof line, "{\"t\":%lld,\"step\":\"%s\",\"comp\":\"psc-nsexec\",\"pid\":%d,\"id\":\"%s\"}\n",
			 (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, step, getpid(), id);
	if (n > 0 && (size_t)n < sizeof line && write(fd, line, (size_t)n) < 0) {
		/* tracing never changes the outcome */
	}
}

static void run_step(const struct step *s)
{
	switch (s->op) {
	case OP_SETNS: {
		int fd = open(s->str[0], O_RDONLY | O_CLOEXEC);
		check(fd);
		check(setns(fd, (int)s->num[0]));
		close(fd);
		break;
	}
	case OP_UNSHARE: check(unshare((int)s->num[0])); break;
	case OP_CLONE:
		if (do_clone(s) > 0)
			_exit(0); /* the parent's work is done; the child carries on with the next step */
		break;
	case OP_MOUNT: do_mount(s); break;
	case OP_PIVOT_ROOT: do_pivot_root(s->str[0]); set_root("/"); break;
	case OP_MOVE_ROOT: do_move_root(s->str[0]); set_root("/"); break;
	case OP_ROOT: set_root(s->str[0]); break;
	case OP_MKNOD: do_mknod(s); break;
	case OP_SYMLINK: do_symlink(s); break;
	case OP_MKDIR: do_mkdir(s); break;
	case OP_SETHOSTNAME: check(sethostname(s->str[0], s->len[0])); break;
	case OP_SETDOMAINNAME: check(setdomainname(s->str[0], s->len[0])); break;
	case OP_SETRLIMIT: {
		struct rlimit rl = { .rlim_cur = (rlim_t)s->num[1], .rlim_max = (rlim_t)s->num[2] };
		check(setrlimit((int)s->num[0], &rl));
		break;
	}
	case OP_WRITE_FILE: write_file(s->str[0], s->str[1], s->len[1], (int)s->num[1]); break;
	case OP_SETGROUPS: check(setgroups(s->len[0] / sizeof(gid_t), (const gid_t *)(uintptr_t)s->str[0])); break;
	case OP_SETRESGID: check(setresgid((gid_t)s->num[0], (gid_t)s->num[0], (gid_t)s->num[0])); break;
	case OP_SETRESUID: check(setresuid((uid_t)s->num[0], (uid_t)s->num[0], (uid_t)s->num[0])); break;
	case OP_KEEPCAPS: check(prctl(PR_SET_KEEPCAPS, (unsigned long)s->num[0], 0, 0, 0)); break;
	case OP_BOUNDING: do_bounding((uint64_t)s->num[0]); break;
	case OP_CAPS: do_caps(s); break;
	case OP_NO_NEW_PRIVS: check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)); break;
	case OP_SECCOMP: do_seccomp(s); break;
	case OP_CLOSE_FDS:
		/* Mark, not close: the sync socket must stay usable until execve closes it. */
		check((int)syscall(SYS_close_range, (unsigned int)s->num[0], ~0U, CLOSE_RANGE_CLOEXEC));
		break;
	case OP_CHDIR: check(chdir(s->str[0])); break;
	case OP_UMASK: umask((mode_t)s->num[0]); break;
	case OP_SETSID: check(setsid()); break;
	case OP_PTY: do_pty(s); break;
	case OP_PERSONALITY: check(personality((unsigned long)s->num[0])); break;
	case OP_BARRIER: send_msg("HOOK %lld", (long long)s->num[0]); wait_go(); break;
	case OP_EXEC: do_exec(s); break;
	case OP_IOPRIO: check((int)syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (int)s->num[0])); break;
	case OP_MASK: do_mask(s); break;
	case OP_RUN_HOOK: do_run_hook(s); break;
	case OP_WAIT_FIFO: wait_fifo((int)s->num[0]); break;
	case OP_TRACE: trace((int)s->num[0], s->str[0], s->str[1]); break;
	case OP_SCHED:
		/* str0 is a struct sched_attr the runtime filled (sched_setattr(2)); its size field says 48. */
		if (s->len[0] != 48)
			fail(EINVAL);
		check((int)syscall(SYS_sched_setattr, 0, s->str[0], 0));
		break;
	case OP_AFFINITY:
		/* str0 is a CPU bit mask in the kernel's layout (unsigned longs, little-endian bit order). */
		if (s->len[0] == 0 || s->len[0] % sizeof(unsigned long) != 0)
			fail(EINVAL);
		check((int)syscall(SYS_sched_setaffinity, 0, (size_t)s->len[0], s->str[0]));
		break;
	case OP_USER_NS: do_userns(s); break;
	case OP_IDMAP_TREE: do_idmap_tree(s); break;
	case OP_MOVE_TREE: do_move_tree(s); break;
	default: fail(ENOSYS);
	}
}

static void read_all(int fd, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fail(n < 0 ? errno : EIO);
		done += (size_t)n;
	}
}

/* Parses the plan into steps that point into one buffer (README.md, "Plan wire format"). */
static struct step *parse_plan(int fd, uint32_t *count)
{
	struct stat st;
	check(fstat(fd, &st));
	if (st.st_size < 16 || st.st_size > (64 << 20))
		fail(EINVAL);
	size_t size = (size_t)st.st_size;
	char *buf = malloc(size);
	if (!buf)
		fail(ENOMEM);
	read_all(fd, buf, size);
	if (memcmp(buf, "PSCPLAN1", 8) != 0)
		fail(EINVAL);
	memcpy(count, buf + 8, 4);
	struct step *steps = calloc(*count ? *count : 1, sizeof *steps);
	if (!steps)
		fail(ENOMEM);
	size_t off = 16;
	for (uint32_t i = 0; i < *count; i++) {
		cur_step = i;
		struct step *s = &steps[i];
		uint32_t nstr;
		if (off + 8 + 32 > size)
			fail(EINVAL);
		memcpy(&s->op, buf + off, 4);
		memcpy(&nstr, buf + off + 4, 4);
		memcpy(s->num, buf + off + 8, 32);
		off += 40;
		if (nstr > MAX_STR)
			fail(EINVAL);
		for (uint32_t k = 0; k < MAX_STR; k++) {
			s->str[k] = "";
			s->len[k] = 0;
		}
		for (uint32_t k = 0; k < nstr; k++) {
			uint32_t len;
			if (off + 4 > size)
				fail(EINVAL);
			memcpy(&len, buf + off, 4);
			off += 4;
			/* Each string is followed by a NUL the writer adds, so C can use it as a string. */
			if (len >= size || off + len + 1 > size || buf[off + len] != 0)
				fail(EINVAL);
			s->str[k] = buf + off;
			s->len[k] = len;
			off += len + 1;
		}
	}
	return steps;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fputs("usage: psc-nsexec PLAN_FD SYNC_FD (started by psc-runc, not by hand)\n", stderr);
		return 2;
	}
	sync_fd = atoi(argv[2]);
	int plan_fd = atoi(argv[1]);
	/* Our own fds must not reach the workload: execve closes them. */
	if (fcntl(sync_fd, F_SETFD, FD_CLOEXEC) < 0)
		return 2;
	for (int i = 0; i < MAX_SLOTS; i++)
		slots[i] = -1;
	uint32_t count = 0;
	struct step *steps = parse_plan(plan_fd, &count);
	close(plan_fd);
	for (uint32_t i = 0; i < count; i++) {
		cur_step = i;
		run_step(&steps[i]);
	}
	/* A plan without EXEC ends here: the runtime sees the socket close with no error. */
	return 0;
}
