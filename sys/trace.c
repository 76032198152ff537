/*
 * trace.c — pack, format and record sys calls (strace style), and the tracing shim.
 *
 * Formatting must be deterministic so traces compare byte for byte between runs and between
 * the fake and the real kernel: out-parameters show only what both agree on (the st_mode
 * type and permission bits, owner and group; the statfs mount flags), never inode numbers,
 * sizes, times or addresses.
 */
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sched.h>

#include "lib/util.h"
#include "sys/trace.h"

/* The kernel sets ST_VALID in every statfs f_flags (fs/statfs.c calculate_f_flags);
 * glibc does not name it. */
#ifndef ST_VALID
#define ST_VALID 0x0020
#endif

#define TRACE_MAX_FDS 65536

struct sys_trace {
	char *text;
	size_t len;
	size_t cap;
	size_t lines;
	char **fd_paths; /* indexed by fd */
	int n_fd_paths;
	char prefix[32];
};

/* ---- a small growable string ---- */

struct sbuf {
	char *s;
	size_t len;
	size_t cap;
};

static void sb_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (b->len + n + 1 > cap)
			cap *= 2;
		b->s = mcz_xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_add(struct sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void sb_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = mcz_xvasprintf(fmt, ap);
	va_end(ap);
	sb_add(b, s);
	free(s);
}

static char *sb_take(struct sbuf *b)
{
	if (!b->s)
		return mcz_xstrdup("");
	return TAKE_PTR(b->s);
}

/* ---- packing ---- */

static const char *kind_args(enum sys_op op)
{
	return strchr(sys_op_kinds[op], ':') + 1;
}

void sys_call_pack(struct sys_call *c, enum sys_op op, ...)
{
	const char *k = kind_args(op);
	va_list ap;

	memset(c, 0, sizeof(*c));
	c->op = op;
	va_start(ap, op);
	for (int i = 0; k[i] && i < SYS_CALL_MAX_ARGS; i++, c->nargs++) {
		switch (k[i]) {
		case 'd':
		case 'a':
		case 'o':
		case 'U':
		case 'O':
		case 'V':
			c->a[i].i = va_arg(ap, int);
			break;
		case 'P':
		case 's':
			c->a[i].p = va_arg(ap, const char *);
			break;
		case 'S':
		case 'T':
		case 'b':
			c->a[i].p = va_arg(ap, void *);
			break;
		case 'm':
		case 'u':
			c->a[i].u = va_arg(ap, unsigned int);
			break;
		case 'r':
			c->a[i].u64 = va_arg(ap, uint64_t);
			break;
		case 'z':
			c->a[i].u = va_arg(ap, size_t);
			break;
		case 'M':
			c->a[i].u = va_arg(ap, unsigned long);
			break;
		case 'L':
		case 'I':
		case 'p':
		case 'g':
		case 'W':
		case 'h':
			c->a[i].i = va_arg(ap, int);
			break;
		case 'A':
			c->a[i].u64 = va_arg(ap, uint64_t);
			break;
		case 'B':
		case 'v':
		case 'w':
		case 'k':
		case 'x':
		case 'G':
		case 'C':
		case 'c':
		case 'R':
		case 'J':
		case 'q':
		case 'X':
			c->a[i].p = va_arg(ap, const void *);
			break;
		default:
			abort(); /* a kind letter sys.h does not define: fix the inventory */
		}
	}
	va_end(ap);
}

const char *sys_call_path(const struct sys_call *c, int *ret_dirfd)
{
	const char *k = kind_args(c->op);

	for (int i = 0; i < c->nargs; i++) {
		if (k[i] != 'P')
			continue;
		if (ret_dirfd)
			*ret_dirfd = (i > 0 && k[i - 1] == 'd') ? (int)c->a[i - 1].i : AT_FDCWD;
		return c->a[i].p;
	}
	if (ret_dirfd)
		*ret_dirfd = AT_FDCWD;
	return NULL;
}

/* ---- paths ---- */

char *sys_path_join(const char *dir, const char *path)
{
	struct sbuf b = { 0 };
	const char *parts[2] = { dir, path };

	/* An absolute path ignores the directory, as openat(2) does. */
	if (!dir || path[0] == '/')
		parts[0] = "";
	for (int i = 0; i < 2; i++) {
		const char *p = parts[i];
		while (*p) {
			size_t n = strcspn(p, "/");
			if (n && !(n == 1 && p[0] == '.')) {
				sb_add(&b, "/");
				sb_addn(&b, p, n);
			}
			p += n;
			p += strspn(p, "/");
		}
	}
	if (!b.s)
		sb_add(&b, "/");
	return sb_take(&b);
}

/* ---- symbolic names ---- */

struct flag_name {
	unsigned long val;
	const char *name;
};

#define FLAG(x) { (unsigned long)(x), #x }

static const struct flag_name o_flags[] = {
	/* composite flags first, so their parts are not named twice */
	FLAG(O_SYNC),      FLAG(O_TMPFILE),  FLAG(O_CREAT),    FLAG(O_EXCL),     FLAG(O_NOCTTY),
	FLAG(O_TRUNC),     FLAG(O_APPEND),   FLAG(O_NONBLOCK), FLAG(O_DSYNC),    FLAG(O_ASYNC),
	FLAG(O_DIRECT),    FLAG(O_DIRECTORY), FLAG(O_NOFOLLOW), FLAG(O_NOATIME), FLAG(O_CLOEXEC),
	FLAG(O_PATH),      { 0, NULL },
};

static const struct flag_name at_flags[] = {
	FLAG(AT_SYMLINK_NOFOLLOW), FLAG(AT_REMOVEDIR), FLAG(AT_SYMLINK_FOLLOW),
	FLAG(AT_NO_AUTOMOUNT),     FLAG(AT_EMPTY_PATH), FLAG(AT_RECURSIVE), { 0, NULL },
};

/* open_tree(2): its own bits, O_CLOEXEC and the AT_* ones it shares with the *at calls. */
static const struct flag_name open_tree_flags[] = {
	FLAG(OPEN_TREE_CLONE), FLAG(OPEN_TREE_CLOEXEC), FLAG(AT_SYMLINK_NOFOLLOW),
	FLAG(AT_NO_AUTOMOUNT), FLAG(AT_EMPTY_PATH),     FLAG(AT_RECURSIVE),
	{ 0, NULL },
};

static const struct flag_name move_mount_flags[] = {
	FLAG(MOVE_MOUNT_F_SYMLINKS), FLAG(MOVE_MOUNT_F_AUTOMOUNTS), FLAG(MOVE_MOUNT_F_EMPTY_PATH),
	FLAG(MOVE_MOUNT_T_SYMLINKS), FLAG(MOVE_MOUNT_T_AUTOMOUNTS), FLAG(MOVE_MOUNT_T_EMPTY_PATH),
	{ 0, NULL },
};

static const struct flag_name ms_flags[] = {
	FLAG(MS_RDONLY),     FLAG(MS_NOSUID),     FLAG(MS_NODEV),      FLAG(MS_NOEXEC),
	FLAG(MS_SYNCHRONOUS), FLAG(MS_REMOUNT),   FLAG(MS_MANDLOCK),   FLAG(MS_DIRSYNC),
	FLAG(MS_NOSYMFOLLOW), FLAG(MS_NOATIME),   FLAG(MS_NODIRATIME), FLAG(MS_BIND),
	FLAG(MS_MOVE),       FLAG(MS_REC),        FLAG(MS_SILENT),     FLAG(MS_POSIXACL),
	FLAG(MS_UNBINDABLE), FLAG(MS_PRIVATE),    FLAG(MS_SLAVE),      FLAG(MS_SHARED),
	FLAG(MS_RELATIME),   FLAG(MS_KERNMOUNT),  FLAG(MS_I_VERSION),  FLAG(MS_STRICTATIME),
	FLAG(MS_LAZYTIME),   { 0, NULL },
};

static const struct flag_name umount_flags[] = {
	FLAG(MNT_FORCE), FLAG(MNT_DETACH), FLAG(MNT_EXPIRE), FLAG(UMOUNT_NOFOLLOW), { 0, NULL },
};

static const struct flag_name resolve_flags[] = {
	/* scope first, then what may be crossed: reads like the intent */
	FLAG(RESOLVE_BENEATH),  FLAG(RESOLVE_IN_ROOT),  FLAG(RESOLVE_NO_SYMLINKS),
	FLAG(RESOLVE_NO_MAGICLINKS), FLAG(RESOLVE_NO_XDEV), FLAG(RESOLVE_CACHED),
	{ 0, NULL },
};

static const struct flag_name st_flags[] = {
	FLAG(ST_RDONLY),    FLAG(ST_NOSUID),     FLAG(ST_NODEV),     FLAG(ST_NOEXEC),
	FLAG(ST_SYNCHRONOUS), FLAG(ST_VALID),    FLAG(ST_MANDLOCK),  FLAG(ST_WRITE),
	FLAG(ST_APPEND),    FLAG(ST_IMMUTABLE),  FLAG(ST_NOATIME),   FLAG(ST_NODIRATIME),
	FLAG(ST_RELATIME),  { 0, NULL },
};

/* "A|B|0x40"; `lead` (may be NULL) is printed first, as O_RDONLY is. 0 alone prints "0". */
static void add_flags(struct sbuf *b, const struct flag_name *t, unsigned long v, const char *lead)
{
	bool first = true;

	if (lead) {
		sb_add(b, lead);
		first = false;
	}
	for (; t->name; t++) {
		if (!t->val || (v & t->val) != t->val)
			continue;
		sb_addf(b, "%s%s", first ? "" : "|", t->name);
		v &= ~t->val;
		first = false;
	}
	if (v || first)
		sb_addf(b, first ? "%#lx" : "|%#lx", v);
}

char *sys_mount_flags_name(unsigned long flags)
{
	struct sbuf b = { 0 };
	add_flags(&b, ms_flags, flags, NULL);
	return sb_take(&b);
}

static void add_open_flags(struct sbuf *b, int flags)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	unsigned long v = (unsigned int)flags;
	add_flags(b, o_flags, v & ~(unsigned long)O_ACCMODE, acc[v & O_ACCMODE]);
}

static void add_mode(struct sbuf *b, unsigned long mode)
{
	sb_addf(b, "%#lo", mode);
}

static void add_string(struct sbuf *b, const char *s, size_t n)
{
	sb_add(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '"': sb_add(b, "\\\""); break;
		case '\\': sb_add(b, "\\\\"); break;
		case '\n': sb_add(b, "\\n"); break;
		case '\t': sb_add(b, "\\t"); break;
		case '\r': sb_add(b, "\\r"); break;
		default:
			if (ch < 0x20 || ch >= 0x7f)
				sb_addf(b, "\\%03o", ch);
			else
				sb_addn(b, (const char *)&s[i], 1);
		}
	}
	sb_add(b, "\"");
}

static void add_cstring(struct sbuf *b, const char *s)
{
	if (!s)
		sb_add(b, "NULL");
	else
		add_string(b, s, strlen(s));
}

static void add_fd(struct sbuf *b, const struct sys_trace *t, int fd)
{
	const char *p = t ? sys_trace_fd_path(t, fd) : NULL;

	if (fd == AT_FDCWD)
		sb_add(b, "AT_FDCWD");
	else if (p)
		sb_addf(b, "%d<%s>", fd, p);
	else
		sb_addf(b, "%d", fd);
}

static void add_stat(struct sbuf *b, const struct stat *st)
{
	static const struct {
		mode_t type;
		const char *name;
	} types[] = {
		{ S_IFREG, "S_IFREG" }, { S_IFDIR, "S_IFDIR" }, { S_IFLNK, "S_IFLNK" },
		{ S_IFCHR, "S_IFCHR" }, { S_IFBLK, "S_IFBLK" }, { S_IFIFO, "S_IFIFO" },
		{ S_IFSOCK, "S_IFSOCK" },
	};
	const char *type = NULL;

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(types); i++)
		if ((st->st_mode & S_IFMT) == types[i].type)
			type = types[i].name;
	sb_add(b, "{st_mode=");
	if (type)
		sb_addf(b, "%s|", type);
	else
		sb_addf(b, "%#o|", st->st_mode & S_IFMT);
	add_mode(b, st->st_mode & 07777);
	sb_addf(b, ", st_uid=%u, st_gid=%u}", (unsigned int)st->st_uid, (unsigned int)st->st_gid);
}

static void add_id(struct sbuf *b, unsigned long id)
{
	if ((unsigned int)id == (unsigned int)-1)
		sb_add(b, "-1");
	else
		sb_addf(b, "%lu", id);
}

/* Out-parameters are only meaningful after success; before that they hold garbage. */
static void add_out(struct sbuf *b, char kind, const void *p, int r)
{
	if (!p) {
		sb_add(b, "NULL");
		return;
	}
	if (r < 0) {
		sb_add(b, kind == 'b' ? "..." : "{...}");
		return;
	}
	if (kind == 'S') {
		add_stat(b, p);
	} else if (kind == 'T') {
		sb_add(b, "{f_flags=");
		add_flags(b, st_flags, (unsigned long)((const struct statfs *)p)->f_flags, NULL);
		sb_add(b, "}");
	} else {
		add_string(b, p, (size_t)r);
	}
}

/* ---- the process kinds ---- */

static const struct flag_name lock_flags[] = {
	FLAG(LOCK_SH), FLAG(LOCK_EX), FLAG(LOCK_UN), FLAG(LOCK_NB), { 0, NULL },
};

static const struct flag_name mount_attr_flags[] = {
	FLAG(MOUNT_ATTR_RDONLY),     FLAG(MOUNT_ATTR_NOSUID),      FLAG(MOUNT_ATTR_NODEV),
	FLAG(MOUNT_ATTR_NOEXEC),     FLAG(MOUNT_ATTR__ATIME),      FLAG(MOUNT_ATTR_NOATIME),
	FLAG(MOUNT_ATTR_STRICTATIME), FLAG(MOUNT_ATTR_NODIRATIME), FLAG(MOUNT_ATTR_IDMAP),
	FLAG(MOUNT_ATTR_NOSYMFOLLOW), { 0, NULL },
};

static const struct flag_name wait_flags[] = {
	FLAG(WNOHANG), FLAG(WUNTRACED), FLAG(WCONTINUED), FLAG(__WNOTHREAD), FLAG(__WALL),
	FLAG(__WCLONE), { 0, NULL },
};

static const struct flag_name clone_flags[] = {
	FLAG(CLONE_NEWNS),     FLAG(CLONE_NEWCGROUP), FLAG(CLONE_NEWUTS), FLAG(CLONE_NEWIPC),
	FLAG(CLONE_NEWUSER),   FLAG(CLONE_NEWPID),    FLAG(CLONE_NEWNET), FLAG(CLONE_VM),
	FLAG(CLONE_FS),        FLAG(CLONE_FILES),     FLAG(CLONE_VFORK),  FLAG(CLONE_PARENT),
	{ 0, NULL },
};

const char *sys_signal_name(int sig)
{
	static __thread char other[4][24];
	static __thread unsigned int next;
	const char *abbrev = sig > 0 && sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;
	char *s = other[next++ % MCZ_ARRAY_SIZE(other)];

	if (abbrev)
		snprintf(s, sizeof(other[0]), "SIG%s", abbrev);
	else if (sig == SIGRTMIN)
		snprintf(s, sizeof(other[0]), "SIGRTMIN");
	else if (sig > SIGRTMIN && sig <= SIGRTMAX)
		/* glibc's SIGRTMIN (34: NPTL keeps 32 and 33), as strace prints it. */
		snprintf(s, sizeof(other[0]), "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(s, sizeof(other[0]), "%d", sig);
	return s;
}

/* strace's notation: [SIGINT SIGTERM], and ~[...] for the complement when that is shorter. */
static void add_sigset(struct sbuf *b, const sigset_t *set)
{
	int n = 0;
	bool first = true, invert;

	for (int sig = 1; sig <= SIGRTMAX; sig++)
		n += sigismember(set, sig) == 1;
	invert = n > SIGRTMAX / 2;
	sb_add(b, invert ? "~[" : "[");
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		if ((sigismember(set, sig) == 1) == invert)
			continue;
		sb_addf(b, "%s%s", first ? "" : " ", sys_signal_name(sig));
		first = false;
	}
	sb_add(b, "]");
}

/* strace's way of decoding a wait status. */
static void add_wait_status(struct sbuf *b, int st)
{
	if (WIFEXITED(st))
		sb_addf(b, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		sb_addf(b, "[{WIFSIGNALED(s) && WTERMSIG(s) == %s%s}]", sys_signal_name(WTERMSIG(st)),
			WCOREDUMP(st) ? " && WCOREDUMP(s)" : "");
	else if (WIFSTOPPED(st))
		sb_addf(b, "[{WIFSTOPPED(s) && WSTOPSIG(s) == %s}]", sys_signal_name(WSTOPSIG(st)));
	else if (WIFCONTINUED(st))
		sb_add(b, "[{WIFCONTINUED(s)}]");
	else
		sb_addf(b, "[%#x]", (unsigned int)st);
}

/* argv in full; envp (a vector that follows another) as a count: environments are long,
 * and the variables mcz sets are checked by scenarios, not by reading traces. */
static void add_vector(struct sbuf *b, char *const *v, bool count_only)
{
	size_t n = 0;

	if (!v) {
		sb_add(b, "NULL");
		return;
	}
	while (v[n])
		n++;
	if (count_only) {
		sb_addf(b, "[%zu var%s]", n, n == 1 ? "" : "s");
		return;
	}
	sb_add(b, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_add(b, ", ");
		add_cstring(b, v[i]);
	}
	sb_add(b, "]");
}

/* An input buffer: escaped, cut at TRACE_MAX_STR bytes with "..." after the quotes (strace -s). */
#define TRACE_MAX_STR 64

static void add_buffer(struct sbuf *b, const void *p, size_t len)
{
	if (!p) {
		sb_add(b, "NULL");
		return;
	}
	add_string(b, p, len > TRACE_MAX_STR ? TRACE_MAX_STR : len);
	if (len > TRACE_MAX_STR)
		sb_add(b, "...");
}

static void add_report(struct sbuf *b, const struct sys_child_report *rep, int r)
{
	/* Only a failure writes the report, and then its errnum is the result: anything else
	 * (an injected fault, a success) left the caller's struct as it was. */
	if (r >= 0 || rep->errnum != -r) {
		sb_add(b, "{...}");
		return;
	}
	sb_add(b, "{step=");
	add_string(b, rep->step, strnlen(rep->step, sizeof(rep->step)));
	sb_add(b, ", path=");
	add_string(b, rep->path, strnlen(rep->path, sizeof(rep->path)));
	sb_addf(b, ", errno=%s}", sys_errno_name(rep->errnum));
}

static void add_gids(struct sbuf *b, const gid_t *gids, size_t n)
{
	if (!gids) {
		sb_add(b, "NULL");
		return;
	}
	sb_add(b, "[");
	for (size_t i = 0; i < n; i++)
		sb_addf(b, "%s%u", i ? ", " : "", (unsigned int)gids[i]);
	sb_add(b, "]");
}

static void add_passwd(struct sbuf *b, const struct sys_passwd *pw)
{
	sb_add(b, "{pw_name=");
	add_string(b, pw->name, strnlen(pw->name, sizeof(pw->name)));
	sb_addf(b, ", pw_uid=%u, pw_gid=%u, pw_dir=", (unsigned int)pw->uid, (unsigned int)pw->gid);
	add_string(b, pw->home, strnlen(pw->home, sizeof(pw->home)));
	sb_add(b, ", groups=");
	add_gids(b, pw->groups, pw->n_groups < SYS_GROUPS_MAX ? pw->n_groups : SYS_GROUPS_MAX);
	sb_add(b, "}");
}

static void add_siginfo(struct sbuf *b, const siginfo_t *si)
{
	sb_addf(b, "{si_signo=%s, si_pid=%d}", sys_signal_name(si->si_signo), (int)si->si_pid);
}

static const char *sigprocmask_how(int how)
{
	switch (how) {
	case SIG_BLOCK: return "SIG_BLOCK";
	case SIG_UNBLOCK: return "SIG_UNBLOCK";
	case SIG_SETMASK: return "SIG_SETMASK";
	default: return NULL;
	}
}

/* Is argument i an out-parameter? Most kinds say so themselves; k and c are both: the
 * second sigset of sigprocmask (the old mask) and the child of spawn (after its request). */
static bool arg_is_out(const char *k, int i)
{
	switch (k[i]) {
	case 'S': case 'T': case 'b': case 'w': case 'x': case 'G': case 'R': case 'J': case 'q':
		return true;
	case 'k': return i > 0 && k[i - 1] == 'k';
	case 'c': return i > 0 && k[i - 1] == 'C';
	default: return false;
	}
}

/* Out-parameters written on success; the report kind decides for itself. */
static void add_out_param(struct sbuf *b, const char *k, int i, const struct sys_call *c, int r)
{
	const void *p = c->a[i].p;

	if (k[i] == 'R' && p) {
		add_report(b, p, r);
		return;
	}
	/* waitpid with WNOHANG returns 0 without writing the status. */
	if (!p || r < 0 || (k[i] == 'w' && r == 0)) {
		add_out(b, k[i], p, p && k[i] == 'w' ? -1 : r);
		return;
	}
	switch (k[i]) {
	case 'w': add_wait_status(b, *(const int *)p); break;
	case 'x': add_siginfo(b, p); break;
	case 'G': add_passwd(b, p); break;
	case 'J': sb_addf(b, "[%d pid%s]", r, r == 1 ? "" : "s"); break;
	case 'q': sb_addf(b, "[%llu]", (unsigned long long)*(const uint64_t *)p); break;
	case 'k': add_sigset(b, p); break;
	case 'c': sb_addf(b, "{pid=%d}", (int)((const struct sys_child *)p)->pid); break;
	default: add_out(b, k[i], p, r); break;
	}
}

static void add_in_param(struct sbuf *b, const struct sys_trace *t, const char *k, int i,
			 const struct sys_call *c)
{
	union sys_arg a = c->a[i];
	const char *how;

	switch (k[i]) {
	case 'd': add_fd(b, t, (int)a.i); break;
	case 'P':
	case 's': add_cstring(b, a.p); break;
	case 'z': sb_addf(b, "%lu", a.u); break;
	case 'a': add_flags(b, at_flags, (unsigned int)a.i, NULL); break;
	case 'O': add_flags(b, open_tree_flags, (unsigned int)a.i, NULL); break;
	case 'V': add_flags(b, move_mount_flags, (unsigned int)a.i, NULL); break;
	case 'o': add_open_flags(b, (int)a.i); break;
	case 'm': add_mode(b, a.u); break;
	case 'r': add_flags(b, resolve_flags, a.u64, NULL); break;
	case 'u': add_id(b, a.u); break;
	case 'M': add_flags(b, ms_flags, a.u, NULL); break;
	case 'U': add_flags(b, umount_flags, (unsigned int)a.i, NULL); break;
	case 'L': add_flags(b, lock_flags, (unsigned int)a.i, NULL); break;
	case 'A': add_flags(b, mount_attr_flags, a.u64, NULL); break;
	case 'W': add_flags(b, wait_flags, (unsigned int)a.i, NULL); break;
	case 'I':
	case 'p': sb_addf(b, "%d", (int)a.i); break;
	case 'g': sb_add(b, (int)a.i ? sys_signal_name((int)a.i) : "0"); break;
	case 'h':
		how = sigprocmask_how((int)a.i);
		if (how)
			sb_add(b, how);
		else
			sb_addf(b, "%d", (int)a.i);
		break;
	case 'B': add_buffer(b, a.p, i + 1 < c->nargs ? c->a[i + 1].u : 0); break;
	case 'X': add_gids(b, a.p, i > 0 ? c->a[i - 1].u : 0); break;
	case 'v': add_vector(b, a.p, i > 0 && k[i - 1] == 'v'); break;
	case 'k':
		if (a.p)
			add_sigset(b, a.p);
		else
			sb_add(b, "NULL");
		break;
	case 'C':
		if (!a.p) {
			sb_add(b, "NULL");
			break;
		}
		sb_add(b, "{flags=");
		add_flags(b, clone_flags, ((const struct sys_spawn_req *)a.p)->clone_flags, NULL);
		sb_add(b, "}");
		break;
	case 'c':
		if (a.p)
			sb_addf(b, "{pid=%d}", (int)((const struct sys_child *)a.p)->pid);
		else
			sb_add(b, "NULL");
		break;
	default: abort();
	}
}

static void add_arg(struct sbuf *b, const struct sys_trace *t, const struct sys_call *c, int i, int r)
{
	const char *k = kind_args(c->op);

	if (arg_is_out(k, i))
		add_out_param(b, k, i, c, r);
	else
		add_in_param(b, t, k, i, c);
}

static const struct {
	int err;
	const char *name;
} errnos[] = {
#define E(x) { x, #x }
	E(EPERM),     E(ENOENT),    E(ESRCH),     E(EINTR),     E(EIO),        E(ENXIO),
	E(E2BIG),     E(ENOEXEC),   E(EBADF),     E(ECHILD),    E(EAGAIN),     E(ENOMEM),
	E(EACCES),    E(EFAULT),    E(ENOTBLK),   E(EBUSY),     E(EEXIST),     E(EXDEV),
	E(ENODEV),    E(ENOTDIR),   E(EISDIR),    E(EINVAL),    E(ENFILE),     E(EMFILE),
	E(ENOTTY),    E(ETXTBSY),   E(EFBIG),     E(ENOSPC),    E(ESPIPE),     E(EROFS),
	E(EMLINK),    E(EPIPE),     E(EDOM),      E(ERANGE),    E(EDEADLK),    E(ENAMETOOLONG),
	E(ENOLCK),    E(ENOSYS),    E(ENOTEMPTY), E(ELOOP),     E(ENOMSG),     E(EIDRM),
	E(ENOSTR),    E(ENODATA),   E(ETIME),     E(ENOSR),     E(ENOLINK),    E(EPROTO),
	E(EBADMSG),   E(EOVERFLOW), E(EILSEQ),    E(EUSERS),    E(ENOTSOCK),   E(EMSGSIZE),
	E(EOPNOTSUPP), E(EADDRINUSE), E(ENETDOWN), E(ECONNRESET), E(ENOBUFS),  E(EISCONN),
	E(ENOTCONN),  E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTUNREACH), E(EALREADY),
	E(EINPROGRESS), E(ESTALE),  E(EDQUOT),    E(ECANCELED), E(EOWNERDEAD),
	E(ENOTRECOVERABLE), E(ENOMEDIUM), E(EMEDIUMTYPE), E(ENOKEY), E(EKEYEXPIRED),
#undef E
};

const char *sys_errno_name(int err)
{
	/* A per-thread ring for numbers nobody named, so a caller can hold a few at once. */
	static __thread char unknown[4][16];
	static __thread unsigned int next;
	const char *name;
	char *s;

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(errnos); i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	name = strerrorname_np(err);
	if (name)
		return name;
	s = unknown[next++ % MCZ_ARRAY_SIZE(unknown)];
	snprintf(s, sizeof(unknown[0]), "E%d", err);
	return s;
}

char *sys_call_format(const struct sys_trace *t, const struct sys_call *c, int r, bool injected)
{
	struct sbuf b = { 0 };

	sb_addf(&b, "%s(", sys_op_names[c->op]);
	for (int i = 0; i < c->nargs; i++) {
		if (i)
			sb_add(&b, ", ");
		add_arg(&b, t, c, i, r);
	}
	if (r >= 0 && sys_op_kinds[c->op][0] == 'g') {
		sb_addf(&b, ") = %s", sys_signal_name(r));
	} else if (r >= 0) {
		sb_addf(&b, ") = %d", r);
	} else {
		/* strerrordesc_np is locale-independent, unlike strerror: traces stay stable. */
		const char *msg = strerrordesc_np(-r);
		sb_addf(&b, ") = -1 %s (%s)", sys_errno_name(-r), msg ? msg : "Unknown error");
	}
	if (injected)
		sb_add(&b, " [injected]");
	return sb_take(&b);
}

/* ---- the recorder ---- */

struct sys_trace *sys_trace_new(void)
{
	return mcz_xcalloc(1, sizeof(struct sys_trace));
}

static void forget_fds(struct sys_trace *t)
{
	for (int i = 0; i < t->n_fd_paths; i++)
		free(t->fd_paths[i]);
	free(t->fd_paths);
	t->fd_paths = NULL;
	t->n_fd_paths = 0;
}

struct sys_trace *sys_trace_free(struct sys_trace *t)
{
	if (!t)
		return NULL;
	forget_fds(t);
	free(t->text);
	free(t);
	return NULL;
}

const char *sys_trace_fd_path(const struct sys_trace *t, int fd)
{
	if (fd < 0 || fd >= t->n_fd_paths)
		return NULL;
	return t->fd_paths[fd];
}

static void set_fd_path(struct sys_trace *t, int fd, char *path)
{
	if (fd < 0 || fd >= TRACE_MAX_FDS) {
		free(path);
		return;
	}
	if (fd >= t->n_fd_paths) {
		int n = fd + 16;
		t->fd_paths = mcz_xrealloc(t->fd_paths, sizeof(char *) * (size_t)n);
		memset(t->fd_paths + t->n_fd_paths, 0, sizeof(char *) * (size_t)(n - t->n_fd_paths));
		t->n_fd_paths = n;
	}
	free(t->fd_paths[fd]);
	t->fd_paths[fd] = path;
}

int sys_proc_fd_path(const char *path, const char **ret_rest)
{
	static const char prefix[] = "/proc/self/fd/";
	const char *num = path + sizeof(prefix) - 1;
	char *end;
	long fd;

	if (strncmp(path, prefix, sizeof(prefix) - 1) != 0 || *num < '0' || *num > '9')
		return -1;
	fd = strtol(num, &end, 10);
	if ((*end != '\0' && *end != '/') || fd > INT32_MAX)
		return -1;
	*ret_rest = end;
	return (int)fd;
}

/* The path an open*() call reached, as far as the recorder can tell without a kernel:
 * joined with the dirfd's path, and /proc/self/fd/N replaced by fd N's path. */
static char *opened_path(const struct sys_trace *t, const struct sys_call *c)
{
	int dirfd, fd;
	const char *path = sys_call_path(c, &dirfd), *rest;
	const char *dir = dirfd == AT_FDCWD ? NULL : sys_trace_fd_path(t, dirfd);

	if (!path)
		return NULL;
	fd = sys_proc_fd_path(path, &rest);
	if (fd >= 0 && fd < TRACE_MAX_FDS && sys_trace_fd_path(t, fd))
		return sys_path_join(sys_trace_fd_path(t, fd), rest + strspn(rest, "/"));
	if (!dir && path[0] != '/')
		return mcz_xstrdup(path); /* relative to an unknown directory: keep as given */
	return sys_path_join(dir, path);
}

static void append_line(struct sys_trace *t, const char *line)
{
	size_t n = strlen(line);

	if (t->len + n + 2 > t->cap) {
		size_t cap = t->cap ? t->cap : 1024;
		while (t->len + n + 2 > cap)
			cap *= 2;
		t->text = mcz_xrealloc(t->text, cap);
		t->cap = cap;
	}
	memcpy(t->text + t->len, line, n);
	t->len += n;
	t->text[t->len++] = '\n';
	t->text[t->len] = '\0';
	t->lines++;
}

void sys_trace_note(struct sys_trace *t, const char *text)
{
	char *line = mcz_xasprintf("%s%s", t->prefix, text);

	append_line(t, line);
	free(line);
}

void sys_trace_set_prefix(struct sys_trace *t, const char *prefix)
{
	snprintf(t->prefix, sizeof(t->prefix), "%s", prefix);
}

void sys_trace_record(struct sys_trace *t, const struct sys_call *c, int r, bool injected)
{
	char *line = sys_call_format(t, c, r, injected);

	sys_trace_note(t, line);
	free(line);

	/* A prefixed line is another process's: the fd table is the traced process's. */
	if (t->prefix[0])
		return;
	if ((c->op == SYS_OP_openat || c->op == SYS_OP_openat2 || c->op == SYS_OP_open_tree) &&
	    r >= 0) {
		char *p = opened_path(t, c);
		if (p)
			set_fd_path(t, r, p);
	} else if (c->op == SYS_OP_close) {
		/* close(2) releases the fd even when it reports an error. */
		int fd = (int)c->a[0].i;
		if (fd >= 0 && fd < t->n_fd_paths) {
			free(t->fd_paths[fd]);
			t->fd_paths[fd] = NULL;
		}
	}
}

const char *sys_trace_text(const struct sys_trace *t)
{
	return t->text ? t->text : "";
}

size_t sys_trace_lines(const struct sys_trace *t)
{
	return t->lines;
}

void sys_trace_clear_lines(struct sys_trace *t)
{
	free(t->text);
	t->text = NULL;
	t->len = t->cap = t->lines = 0;
}

void sys_trace_clear(struct sys_trace *t)
{
	forget_fds(t);
	sys_trace_clear_lines(t);
}

/* ---- the tracing shim ---- */

struct tracer {
	struct sys sys;
	struct sys *inner;
	struct sys_trace *trace;
};

#define SYS_X_TRACER(name, area, kinds, err, verb, params, args)                                \
	static int tracer_##name(SYS_S_PARAMS params)                             \
	{                                                                                       \
		struct tracer *tr = s->priv;                                                    \
		struct sys_call c;                                                              \
		int r;                                                                          \
                                                                                                \
		sys_call_pack(&c, SYS_OP_##name SYS_COMMA_ARGS args);                             \
		r = sys_##name(tr->inner SYS_COMMA_ARGS args);                                    \
		sys_trace_record(tr->trace, &c, r, false);                                      \
		return r;                                                                       \
	}
SYS_OPS(SYS_X_TRACER)
#undef SYS_X_TRACER

static const struct sys_ops tracer_ops = {
#define SYS_X_OP(name, area, kinds, err, verb, params, args) .name = tracer_##name,
	SYS_OPS(SYS_X_OP)
#undef SYS_X_OP
};

struct sys *sys_tracer_new(struct sys *inner)
{
	struct tracer *tr = mcz_xcalloc(1, sizeof(*tr));

	tr->sys.ops = &tracer_ops;
	tr->sys.priv = tr;
	tr->inner = inner;
	tr->trace = sys_trace_new();
	return &tr->sys;
}

struct sys *sys_tracer_free(struct sys *tracer)
{
	struct tracer *tr;

	if (!tracer)
		return NULL;
	tr = tracer->priv;
	sys_trace_free(tr->trace);
	free(tr);
	return NULL;
}

struct sys_trace *sys_tracer_trace(struct sys *tracer)
{
	return ((struct tracer *)tracer->priv)->trace;
}
