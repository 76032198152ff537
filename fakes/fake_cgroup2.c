/*
 * fake_cgroup2.c — cgroup v2 controllers and the "no internal processes" rule.
 *
 * Follows Documentation/admin-guide/cgroup-v2.rst and kernel/cgroup/cgroup.c: a hierarchy
 * offers controllers (the root's cgroup.controllers); a cgroup's cgroup.controllers is its
 * parent's cgroup.subtree_control; a controller's interface files exist only where it is
 * enabled; a non-root cgroup cannot both hold processes and distribute domain controllers to
 * children (cgroup_vet_subtree_control_enable(), cgroup_migrate_vet_dst()). Threaded
 * controllers (cpuset, cpu, pids) are allowed beside processes, making the cgroup a thread
 * root, as the kernel does; cgroup.type (threaded cgroups) is not modelled.
 *
 * A controller file keeps only what was written (or set by fake_cgroup_set_file()); until
 * then it reads the kernel's default. Disabling a controller drops the children's files: the
 * kernel destroys the css, and re-enabling starts from the defaults again.
 * The errnos, defaults and parsing were checked against Linux 6.1 (ci/uml/run.sh).
 */
#include <ctype.h>
#include <string.h>

#include "lib/util.h"
#include "fakes/fake_impl.h"

/* The controllers in the kernel's order (include/linux/cgroup_subsys.h): masks, lists and
 * cgroup.controllers use it. v1-only subsystems have no v2 files (cgrp_dfl_inhibit_ss_mask)
 * and are unknown names here, as they are to cgroup_subtree_control_write(). */
enum { C_CPUSET, C_CPU, C_IO, C_MEMORY, C_HUGETLB, C_PIDS, C_RDMA, C_MISC, C_COUNT };

static const char *const ctrl_names[C_COUNT] = {
	"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc",
};

#define BIT(c) (1u << (c))
/* The controllers with .threaded = true (cgroup-v2.rst "Threaded controllers"). */
#define THREADED (BIT(C_CPUSET) | BIT(C_CPU) | BIT(C_PIDS))

#define PAGE_BYTES 4096ull                                      /* PAGE_SIZE */
#define PAGE_COUNTER_MAX (0x7fffffffffffffffull / PAGE_BYTES) /* LONG_MAX / PAGE_SIZE */
#define PIDS_MAX (4194304ull + 1)                            /* PID_MAX_LIMIT + 1 */
#define MAX_BW_US ((1ull << 44) - 1) /* max_cfs_runtime in us: 64 - BW_SHIFT bits */

static int ctrl_index(const char *name, size_t n)
{
	for (int c = 0; c < C_COUNT; c++)
		if (strlen(ctrl_names[c]) == n && strncmp(ctrl_names[c], name, n) == 0)
			return c;
	return -1;
}

/* The controller a file belongs to, by its prefix ("memory.max" -> memory), or -1 for the
 * core files that every cgroup has whatever is enabled: cgroup.*, cpu.stat (its core part)
 * and the PSI files. */
static int ctrl_of(const char *name)
{
	static const char *const core[] = { "cpu.stat", "cpu.stat.local", "cpu.pressure",
					    "io.pressure", "memory.pressure" };
	const char *dot = strchr(name, '.');

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(core); i++)
		if (strcmp(name, core[i]) == 0)
			return -1;
	return dot ? ctrl_index(name, (size_t)(dot - name)) : -1;
}

/* cgroup_control(): what the cgroup's cgroup.controllers lists. */
static unsigned int available(const struct fake *f, int h, const struct fcg *cg)
{
	return cg->parent ? cg->parent->subtree : f->hier[h].ctrls;
}

/* cgroup_print_ss_mask(): names in kernel order joined by sep; the file adds a newline only
 * when something was printed (an empty mask reads as ""). */
static char *mask_text(unsigned int mask, const char *sep, const char *end)
{
	char *s = mcz_xstrdup("");

	for (int c = 0; c < C_COUNT; c++) {
		if (!(mask & BIT(c)))
			continue;
		if (s[0])
			mcz_strappend(&s, sep);
		mcz_strappend(&s, ctrl_names[c]);
	}
	if (s[0])
		mcz_strappend(&s, end);
	return s;
}

/* strstrip(): leading and trailing whitespace off. */
static char *strip(const char *value)
{
	size_t n;

	while (isspace((unsigned char)*value))
		value++;
	n = strlen(value);
	while (n && isspace((unsigned char)value[n - 1]))
		n--;
	return mcz_xstrndup(value, n);
}

/* ---- parsing values as the kernel does ---- */

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)tolower((unsigned char)ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : 99;
}

/* _parse_integer(): base 0 picks 16 for "0x" before a hex digit, 8 for a leading 0, else 10
 * (_parse_integer_fixup_radix()). Returns the characters taken (0: no digit), *ret the
 * value, *overflow when it did not fit in 64 bits (simple_strtoull() ignores that). */
static size_t parse_integer(const char *s, unsigned int base, unsigned long long *ret,
			    bool *overflow)
{
	const char *p = s, *digits;

	if (base == 0 && p[0] == '0')
		base = tolower((unsigned char)p[1]) == 'x' && isxdigit((unsigned char)p[2]) ? 16 : 8;
	else if (base == 0)
		base = 10;
	if (base == 16 && p[0] == '0' && tolower((unsigned char)p[1]) == 'x')
		p += 2;
	digits = p;
	*ret = 0;
	*overflow = false;
	for (; digit_value(*p) < (int)base; p++) {
		unsigned int d = (unsigned int)digit_value(*p);
		if (*ret > (~0ull - d) / base)
			*overflow = true;
		*ret = *ret * base + d;
	}
	return p > digits ? (size_t)(p - s) : 0;
}

/* _kstrtoull(s, 0): digits, one optional newline; -EINVAL or -ERANGE. kstrtoull() also
 * takes a leading '+'. */
static int kstrtoull_raw(const char *s, unsigned long long *ret)
{
	bool overflow;
	size_t n = parse_integer(s, 0, ret, &overflow);

	if (overflow)
		return -ERANGE;
	if (n == 0)
		return -EINVAL;
	s += n;
	return (!*s || strcmp(s, "\n") == 0) ? 0 : -EINVAL;
}

static int kstrtoull(const char *s, unsigned long long *ret)
{
	return kstrtoull_raw(s + (*s == '+'), ret);
}

/* memparse(): simple_strtoull() then an optional K/M/G/T/P/E suffix. */
static unsigned long long memparse(const char *s, const char **end)
{
	static const char suffixes[] = "kmgtpe";
	unsigned long long v;
	const char *suffix;
	bool overflow;

	s += parse_integer(s, 0, &v, &overflow);
	suffix = *s ? strchr(suffixes, tolower((unsigned char)*s)) : NULL;
	if (suffix) {
		v <<= 10 * (unsigned int)(suffix - suffixes + 1);
		s++;
	}
	*end = s;
	return v;
}

/* memory.{max,high,low,min,swap.max}: strstrip(), page_counter_memparse(buf, "max"), kept
 * in pages; read back as bytes (a multiple of PAGE_SIZE) or "max" at PAGE_COUNTER_MAX. */
static int parse_memory(const char *value, const char *old, char **ret)
{
	_cleanup_free_ char *s = strip(value);
	unsigned long long pages;
	const char *end;

	(void)old;
	if (strcmp(s, "max") == 0) {
		*ret = mcz_xstrdup("max");
		return 0;
	}
	pages = memparse(s, &end) / PAGE_BYTES;
	if (*end)
		return -EINVAL;
	*ret = pages >= PAGE_COUNTER_MAX ? mcz_xstrdup("max")
					 : mcz_xasprintf("%llu", pages * PAGE_BYTES);
	return 0;
}

/* cpu.weight: a write_u64 file (kstrtoull), then CGROUP_WEIGHT_MIN..MAX or -ERANGE. */
static int parse_cpu_weight(const char *value, const char *old, char **ret)
{
	unsigned long long w;
	int r = kstrtoull(value, &w);

	(void)old;
	if (r < 0)
		return r;
	if (w < 1 || w > 10000)
		return -ERANGE;
	*ret = mcz_xasprintf("%llu", w);
	return 0;
}

/* cpu.max: cpu_period_quota_parse() is sscanf(buf, "%20s %llu", tok, &period): the period
 * is kept when absent; tok is decimal digits (the rest ignored) or "max". Then
 * tg_set_cfs_bandwidth(): quota and period at least 1 ms, period at most 1 s, quota at most
 * max_cfs_runtime; all -EINVAL. A token over 20 characters (which sscanf would split) and a
 * number that wraps are -EINVAL here. */
static int parse_cpu_max(const char *value, const char *old, char **ret)
{
	static const char ws[] = " \t\n\v\f\r";
	const char *tok = value + strspn(value, ws), *sp = strchr(old, ' ');
	size_t n = strcspn(tok, ws);
	const char *rest = tok + n + strspn(tok + n, ws);
	unsigned long long quota = 0, period = sp ? strtoull(sp + 1, NULL, 10) : 100000;
	bool max = n == 3 && strncmp(tok, "max", 3) == 0, oflow_quota = false, oflow_period = false;

	if (n == 0 || n > 20 || (!max && !parse_integer(tok, 10, &quota, &oflow_quota)))
		return -EINVAL;
	if (isdigit((unsigned char)*rest))
		parse_integer(rest, 10, &period, &oflow_period);
	if (oflow_quota || oflow_period || period < 1000 || period > 1000000 ||
	    (!max && (quota < 1000 || quota > MAX_BW_US)))
		return -EINVAL;
	*ret = max ? mcz_xasprintf("max %llu", period) : mcz_xasprintf("%llu %llu", quota, period);
	return 0;
}

/* pids.max: strstrip(), then "max" or kstrtoll(buf, 0) (-EINVAL, or -ERANGE past 64 bits)
 * in 0..PIDS_MAX - 1, else -EINVAL. */
static int parse_pids_max(const char *value, const char *old, char **ret)
{
	_cleanup_free_ char *s = strip(value);
	bool neg = s[0] == '-';
	unsigned long long v;
	int r;

	(void)old;
	if (strcmp(s, "max") == 0) {
		*ret = mcz_xstrdup("max");
		return 0;
	}
	r = neg ? kstrtoull_raw(s + 1, &v) : kstrtoull(s, &v);
	if (r < 0)
		return r;
	if (v > (neg ? 1ull << 63 : (1ull << 63) - 1))
		return -ERANGE;
	if ((neg && v) || v >= PIDS_MAX)
		return -EINVAL;
	*ret = mcz_xasprintf("%llu", v);
	return 0;
}

/* ---- the interface files the model knows ---- */

struct v2file {
	const char *name;
	bool on_root; /* the kernel's cftype lacks CFTYPE_NOT_ON_ROOT */
	const char *dflt; /* what a fresh cgroup reads (a newline is added); NULL: cpu.stat */
	int (*parse)(const char *value, const char *old, char **ret); /* NULL: read-only */
};

/* Linux 6.1's first lines (THP counters as with CONFIG_TRANSPARENT_HUGEPAGE), then the first
 * event counters. */
#define MEMORY_STAT                                                                             \
	"anon 0\nfile 0\nkernel 0\nkernel_stack 0\npagetables 0\nsec_pagetables 0\npercpu 0\n"  \
	"sock 0\nvmalloc 0\nshmem 0\nzswap 0\nzswapped 0\nfile_mapped 0\nfile_dirty 0\n"       \
	"file_writeback 0\nswapcached 0\nanon_thp 0\n"                                         \
	"file_thp 0\nshmem_thp 0\ninactive_anon 0\nactive_anon 0\ninactive_file 0\n"           \
	"active_file 0\nunevictable 0\nslab_reclaimable 0\nslab_unreclaimable 0\nslab 0\n"      \
	"pgfault 0\npgmajfault 0\n"

static const struct v2file v2files[] = {
	{ "cpu.max", false, "max 100000", parse_cpu_max },
	{ "cpu.stat", true, NULL, NULL },
	{ "cpu.weight", false, "100", parse_cpu_weight },
	{ "memory.current", false, "0", NULL },
	{ "memory.events", false, "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
	  NULL },
	{ "memory.high", false, "max", parse_memory },
	{ "memory.low", false, "0", parse_memory },
	{ "memory.max", false, "max", parse_memory },
	{ "memory.min", false, "0", parse_memory },
	{ "memory.peak", false, "0", NULL }, /* writable (a reset) only since Linux 6.12 */
	{ "memory.stat", true, MEMORY_STAT, NULL },
	{ "memory.swap.max", false, "max", parse_memory },
	{ "pids.current", false, "0", NULL },
	{ "pids.max", false, "max", parse_pids_max },
};

static const struct v2file *v2file(const char *name)
{
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(v2files); i++)
		if (strcmp(v2files[i].name, name) == 0)
			return &v2files[i];
	return NULL;
}

int fcg2_lookup(const struct fake *f, int h, const struct fcg *cg, const char *name)
{
	static const char *const not_on_root[] = { "cgroup.events", "cgroup.freeze",
						   "cgroup.kill" };
	const struct v2file *vf = v2file(name);
	int c = ctrl_of(name);

	if (!cg->parent) {
		for (size_t i = 0; i < MCZ_ARRAY_SIZE(not_on_root); i++)
			if (strcmp(name, not_on_root[i]) == 0)
				return -ENOENT;
		if (vf && !vf->on_root)
			return -ENOENT;
	}
	return c >= 0 && !(available(f, h, cg) & BIT(c)) ? -ENOENT : 0;
}

bool fcg2_is_file(const struct fake *f, int h, const struct fcg *cg, const char *name)
{
	return v2file(name) && fcg2_lookup(f, h, cg, name) == 0;
}

/* ---- the no-internal-process rule and thread roots ---- */

static bool populated_children(const struct fake *f, int h, const struct fcg *cg)
{
	for (size_t i = 0; i < cg->nkids; i++)
		if (fcg_populated(f, h, cg->kids[i]))
			return true;
	return false;
}

/* cgroup_is_thread_root(): a domain with processes and threaded controllers enabled (no
 * cgroup is threaded in the model, so none has threaded children). */
static bool is_thread_root(const struct fake *f, int h, const struct fcg *cg)
{
	return (cg->subtree & THREADED) && fcg_has_tasks(f, h, cg);
}

/* cgroup_can_be_thread_root(): the root always; else no populated children and no domain
 * controller enabled. */
static bool can_be_thread_root(const struct fake *f, int h, const struct fcg *cg)
{
	return !cg->parent || (!populated_children(f, h, cg) && !(cg->subtree & ~THREADED));
}

/* cgroup_is_valid_domain(): no non-root ancestor is a thread root. */
static bool valid_domain(const struct fake *f, int h, const struct fcg *cg)
{
	for (const struct fcg *a = cg->parent; a && a->parent; a = a->parent)
		if (is_thread_root(f, h, a))
			return false;
	return true;
}

int fcg2_vet_dst(const struct fake *f, int h, const struct fcg *cg)
{
	if (!valid_domain(f, h, cg))
		return -EOPNOTSUPP;
	if (can_be_thread_root(f, h, cg))
		return 0;
	return cg->subtree ? -EBUSY : 0;
}

/* cgroup_vet_subtree_control_enable(). */
static int vet_enable(const struct fake *f, int h, const struct fcg *cg, unsigned int enable)
{
	if (!enable)
		return 0;
	if (!valid_domain(f, h, cg))
		return -EOPNOTSUPP;
	if (!cg->parent)
		return 0; /* the root is exempt from the no-internal-process rule */
	if (enable & ~THREADED) {
		if (is_thread_root(f, h, cg))
			return -EOPNOTSUPP;
	} else if (can_be_thread_root(f, h, cg)) {
		return 0;
	}
	return fcg_has_tasks(f, h, cg) ? -EBUSY : 0;
}

/* Drop the stored files of controllers not in mask: their css is gone. */
static void drop_files(struct fcg *cg, unsigned int mask)
{
	size_t j = 0;

	for (size_t i = 0; i < cg->nfiles; i++) {
		int c = ctrl_of(cg->files[i].name);
		if (c >= 0 && !(mask & BIT(c))) {
			free(cg->files[i].name);
			free(cg->files[i].value);
			continue;
		}
		cg->files[j++] = cg->files[i];
	}
	cg->nfiles = j;
}

/* cgroup_propagate_control() and the css kills of cgroup_apply_control_disable(): every
 * cgroup below keeps only what is available to it. */
static void propagate(struct fcg *cg, unsigned int avail)
{
	drop_files(cg, avail);
	cg->subtree &= avail;
	for (size_t i = 0; i < cg->nkids; i++)
		propagate(cg->kids[i], cg->subtree);
}

/* The checks of cgroup_subtree_control_write() after parsing, in controller order, then the
 * change: all or nothing. */
static int subtree_change(struct fake *f, int h, struct fcg *cg, unsigned int enable,
			  unsigned int disable)
{
	int r;

	for (int c = 0; c < C_COUNT; c++) {
		if (enable & BIT(c)) {
			if (cg->subtree & BIT(c))
				enable &= ~BIT(c);
			else if (!(available(f, h, cg) & BIT(c)))
				return -ENOENT;
		} else if (disable & BIT(c)) {
			if (!(cg->subtree & BIT(c))) {
				disable &= ~BIT(c);
				continue;
			}
			for (size_t i = 0; i < cg->nkids; i++)
				if (cg->kids[i]->subtree & BIT(c))
					return -EBUSY; /* a child still distributes it */
		}
	}
	r = vet_enable(f, h, cg, enable);
	if (r < 0)
		return r;
	cg->subtree = (cg->subtree | enable) & ~disable;
	propagate(cg, available(f, h, cg));
	return 0;
}

/* "+name" / "-name" tokens separated by spaces (strsep(" ") after strstrip()); the last
 * word on a controller wins. An unknown name or a missing sign is -EINVAL. */
static int subtree_write(struct fake *f, int h, struct fcg *cg, const char *value)
{
	_cleanup_free_ char *buf = strip(value);
	unsigned int enable = 0, disable = 0;
	char *p = buf, *tok;

	while ((tok = strsep(&p, " "))) {
		int c;
		if (!tok[0])
			continue;
		c = ctrl_index(tok + 1, strlen(tok + 1));
		if (c < 0 || (tok[0] != '+' && tok[0] != '-'))
			return -EINVAL;
		enable = tok[0] == '+' ? enable | BIT(c) : enable & ~BIT(c);
		disable = tok[0] == '-' ? disable | BIT(c) : disable & ~BIT(c);
	}
	return subtree_change(f, h, cg, enable, disable);
}

int fcg2_enable(struct fake *f, int h, struct fcg *cg, unsigned int mask)
{
	if (cg->parent) {
		int r = fcg2_enable(f, h, cg->parent, mask);
		if (r < 0)
			return r;
	}
	return subtree_change(f, h, cg, mask, 0);
}

/* A space-separated list of controller names (world building). */
int fcg2_parse_names(const char *list, unsigned int *ret)
{
	*ret = 0;
	for (const char *p = list; *(p += strspn(p, " ,\t\n"));) {
		size_t n = strcspn(p, " ,\t\n");
		int c = ctrl_index(p, n);
		if (c < 0)
			return -EINVAL;
		*ret |= BIT(c);
		p += n;
	}
	return 0;
}

int fake_cgroup2_controllers(struct fake *f, int hier, const char *controllers)
{
	unsigned int mask;
	int r;

	if (hier < 0 || hier >= f->nhier || !f->hier[hier].v2 || !controllers)
		return -EINVAL;
	r = fcg2_parse_names(controllers, &mask);
	if (r < 0)
		return r;
	f->hier[hier].ctrls = mask;
	propagate(f->hier[hier].root, mask);
	return 0;
}

/* ---- reading and writing ---- */

static char *with_newline(const char *s)
{
	size_t n = strlen(s);

	return mcz_xasprintf("%s%s", s, n && s[n - 1] == '\n' ? "" : "\n");
}

char *fcg2_read(const struct fake *f, int h, const struct fcg *cg, const char *name)
{
	const struct v2file *vf = v2file(name);
	const struct fcg_file *file;

	if (strcmp(name, "cgroup.controllers") == 0)
		return mask_text(available(f, h, cg), " ", "\n");
	if (strcmp(name, "cgroup.subtree_control") == 0)
		return mask_text(cg->subtree, " ", "\n");
	if (!vf)
		return NULL;
	file = fcg_file(cg, name);
	if (file)
		return with_newline(file->value);
	if (vf->dflt)
		return with_newline(vf->dflt);
	/* cpu.stat: cgroup_base_stat_cputime_show(), then the cpu controller's part when it
	 * is enabled here (cgroup_extra_stat_show()). */
	return mcz_xasprintf("usage_usec 0\nuser_usec 0\nsystem_usec 0\n%s",
			     available(f, h, cg) & BIT(C_CPU)
				     ? "nr_periods 0\nnr_throttled 0\nthrottled_usec 0\n"
				       "nr_bursts 0\nburst_usec 0\n"
				     : "");
}

int fcg2_write(struct fake *f, int h, struct fcg *cg, const char *name, const char *value)
{
	const struct v2file *vf = v2file(name);
	const struct fcg_file *file;
	char *stored = NULL;
	int r;

	if (strcmp(name, "cgroup.subtree_control") == 0)
		return subtree_write(f, h, cg, value);
	/* A file without a write handler: cgroupfs does not set the kernfs open permission
	 * check, so root opens the 0444 file and cgroup_file_write() says EINVAL. */
	if (strcmp(name, "cgroup.controllers") == 0 || strcmp(name, "cgroup.events") == 0 ||
	    (vf && !vf->parse))
		return -EINVAL;
	if (!vf) {
		fcg_store(cg, name, value);
		return 0;
	}
	file = fcg_file(cg, name);
	r = vf->parse(value, file ? file->value : vf->dflt, &stored);
	if (r < 0)
		return r;
	fcg_store(cg, name, stored);
	free(stored);
	return 0;
}

void fcg2_dump(FILE *fp, const struct fcg *cg)
{
	_cleanup_free_ char *list = NULL;

	if (!cg->subtree)
		return;
	list = mask_text(cg->subtree, ",", "");
	fprintf(fp, " subtree_control=%s", list);
}
