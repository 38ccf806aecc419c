// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool quiet;

void zd_set_quiet(bool q)
{
	quiet = q;
}

static void verr(const char *fmt, va_list ap)
{
	fputs("zdbench: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void zd_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
}

int zd_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	return -1;
}

void zd_info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	fputs("zdbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void oom(void)
{
	fputs("zdbench: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *grow_array(void *p, size_t n, size_t sz)
{
	if (n && (n & (n - 1)))
		return p; /* between powers of two: room was made at the last one */
	if (n > SIZE_MAX / 2 / sz)
		oom();
	return xrealloc(p, (n ? 2 * n : 1) * sz);
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	return s;
}

/*
 * The buffer of every empty SBUF_INIT sbuf. Writable (not a string literal)
 * so that code writing the terminating NUL of an empty sbuf does no harm;
 * nothing ever writes anything but '\0' to it.
 */
char sbuf_slopbuf[1];

void sbuf_init(struct sbuf *sb)
{
	sb->buf = sbuf_slopbuf;
	sb->len = 0;
	sb->cap = 0;
}

void sbuf_grow(struct sbuf *sb, size_t extra)
{
	bool owned = sb->cap != 0;
	size_t want;

	if (extra > SIZE_MAX - 1 - sb->len)
		oom();
	want = sb->len + extra + 1;
	if (want <= sb->cap)
		return;
	/* Doubling keeps appends amortised O(1); past SIZE_MAX / 2 just fit. */
	sb->cap = want <= SIZE_MAX / 2 ? want * 2 : want;
	/* Without an allocation buf is NULL or the slopbuf: never realloc that. */
	sb->buf = xrealloc(owned ? sb->buf : NULL, sb->cap);
	if (!owned)
		sb->buf[0] = '\0';
}

void sbuf_add(struct sbuf *sb, const void *data, size_t n)
{
	const char *d = data;
	uintptr_t at = (uintptr_t)d, base = (uintptr_t)sb->buf;

	/* data may lie inside sb (sbuf_add(sb, sb->buf, sb->len)): growing moves it */
	if (n && sb->cap && at >= base && at - base < sb->cap) {
		size_t off = at - base;

		sbuf_grow(sb, n);
		d = sb->buf + off;
	} else {
		sbuf_grow(sb, n);
	}
	if (n)
		memmove(sb->buf + sb->len, d, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sbuf_addstr(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
	char *s;
	int n;

	/*
	 * Format apart, then append: an argument may point into sb itself
	 * (sbuf_addf(&sb, "%s", sb.buf)), which formatting in place or a
	 * realloc would overwrite or free under vsnprintf.
	 */
	n = vasprintf(&s, fmt, ap);
	if (n < 0)
		oom();
	sbuf_add(sb, s, n);
	free(s);
}

void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	if (sb->cap)
		sb->buf[0] = '\0';
}

char *sbuf_detach(struct sbuf *sb, size_t *len)
{
	char *s;

	if (len)
		*len = sb->len;
	s = sb->cap ? sb->buf : xstrdup("");
	sbuf_init(sb);
	return s;
}

void sbuf_release(struct sbuf *sb)
{
	if (sb->cap)
		free(sb->buf);
	sbuf_init(sb);
}

void sbuf_free(struct sbuf *sb)
{
	sbuf_release(sb);
}

void strv_push(struct strv *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(char *));
	}
	sv->v[sv->n++] = xstrdup(s);
	sv->v[sv->n] = NULL;
}

void strv_pushf(struct strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	strv_push(sv, s);
	free(s);
}

void strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

char *strv_join(const struct strv *sv, const char *sep)
{
	struct sbuf sb = { 0 };

	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			sbuf_addstr(&sb, sep);
		sbuf_addstr(&sb, sv->v[i]);
	}
	return sbuf_detach(&sb, NULL);
}

int mkdir_p(const char *path, unsigned int mode)
{
	char *p = xstrdup(path);
	int ret = 0;

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) && errno != EEXIST) {
			ret = -1;
			goto out;
		}
		*s = '/';
	}
	if (mkdir(p, mode) && errno != EEXIST)
		ret = -1;
out:
	free(p);
	return ret;
}

bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *path_join(const char *a, const char *b)
{
	if (b[0] == '/')
		return xstrdup(b);
	return xasprintf("%s%s%s", a, str_ends(a, "/") ? "" : "/", b);
}

char *path_abs(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return xstrdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	return path_join(cwd, path);
}

int rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char *p;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = path_join(path, de->d_name);
		rm_rf(p);
		free(p);
	}
	closedir(d);
	return rmdir(path);
}

char *read_file(const char *path, size_t *len)
{
	struct sbuf sb = { 0 };
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sbuf_add(&sb, buf, n);
	if (n < 0) {
		int e = errno;

		close(fd);
		sbuf_free(&sb);
		errno = e;
		return NULL;
	}
	close(fd);
	return sbuf_detach(&sb, len);
}

char *read_file_max(const char *path, size_t max, size_t *len)
{
	struct sbuf sb = { 0 };
	char buf[65536];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), e;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		e = errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	if ((uintmax_t)st.st_size > max) {
		e = EFBIG;
		goto fail;
	}
	/* the size can still grow while we read: the cap holds on what is read */
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (sb.len + (size_t)n > max) {
			e = EFBIG;
			goto fail;
		}
		sbuf_add(&sb, buf, n);
	}
	if (n < 0) {
		e = errno;
		goto fail;
	}
	close(fd);
	return sbuf_detach(&sb, len);
fail:
	close(fd);
	sbuf_free(&sb);
	errno = e;
	return NULL;
}

const char *read_file_strerror(int err)
{
	switch (err) {
	case EINVAL: return "not a regular file";
	case EFBIG: return "too large";
	case EISDIR: return "a folder, not a file";
	default: return strerror(err);
	}
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int fsync_parent(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int fd, ret, e;

	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	ret = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return ret;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	/*
	 * mkostemp opens O_CREAT|O_EXCL under a name no one could guess: a
	 * symlink planted at the temporary name is never followed.
	 */
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd, e;

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto fail;
	if (fchmod(fd, 0644) || write_all(fd, data, len) || fsync(fd)) {
		e = errno;
		close(fd);
		errno = e;
		goto fail_unlink;
	}
	if (close(fd))
		goto fail_unlink;
	/* rename replaces a symlink at path, it does not write through it */
	if (rename(tmp, path))
		goto fail_unlink;
	/* the new name is durable only once its folder is */
	if (fsync_parent(path))
		goto fail;
	free(tmp);
	return 0;
fail_unlink:
	e = errno;
	unlink(tmp);
	errno = e;
fail:
	e = errno;
	free(tmp);
	errno = e;
	return -1;
}

int lock_path(const char *path, const char *what, const char *doing)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		zd_err("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	zd_info("%s: another zdbench is %s; waiting", what, doing);
	if (!flock(fd, LOCK_EX))
		return fd;
	zd_err("cannot lock %s: %s", path, strerror(errno));
	close(fd);
	return -1;
}

int copy_file(const char *src, const char *dst)
{
	size_t len;
	char *data = read_file(src, &len);
	int ret;

	if (!data)
		return -1;
	ret = write_file_atomic(dst, data, len);
	free(data);
	return ret;
}

struct zd_hash {
	EVP_MD_CTX *ctx;
};

struct zd_hash *hash_new(void)
{
	struct zd_hash *h = xmalloc(sizeof(*h));

	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || !EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL))
		oom();
	return h;
}

void hash_update(struct zd_hash *h, const void *data, size_t n)
{
	EVP_DigestUpdate(h->ctx, data, n);
}

/* Tagged, length-prefixed so that ("ab","c") and ("a","bc") never collide. */
void hash_str(struct zd_hash *h, const char *tag, const char *s)
{
	char hdr[64];
	size_t len = strlen(s);

	snprintf(hdr, sizeof(hdr), "%s:%zu:", tag, len);
	hash_update(h, hdr, strlen(hdr));
	hash_update(h, s, len);
}

int hash_file(struct zd_hash *h, const char *tag, const char *path)
{
	size_t len;
	char *data = read_file(path, &len);
	char hdr[64];

	if (!data)
		return -1;
	snprintf(hdr, sizeof(hdr), "%s:%zu:", tag, len);
	hash_update(h, hdr, strlen(hdr));
	hash_update(h, data, len);
	free(data);
	return 0;
}

void hash_final(struct zd_hash *h, char out[ZD_HASH_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	for (unsigned int i = 0; i < n && i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[64] = '\0';
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	/* strtoull would take a sign ("-1" wraps to 2^64 - 1) and spaces */
	if (!s || !(*s >= '0' && *s <= '9'))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

bool is_name(const char *s)
{
	size_t n = 0;

	if (!s || !*s || *s == '.')
		return false;
	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return false;
	return n <= 128;
}

char *expand_home(const char *path)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (!home || !*home) {
		pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}

	if (path[0] == '~' && (path[1] == '/' || !path[1]) && home)
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

void sbuf_add_quoted(struct sbuf *sb, const char *a)
{
	if (*a && !strpbrk(a, " \t\n'\"\\$`!*?;&|<>()[]{}~#")) {
		sbuf_addstr(sb, a);
		return;
	}
	sbuf_addstr(sb, "'");
	for (const char *p = a; *p; p++) {
		if (*p == '\'')
			sbuf_addstr(sb, "'\\''");
		else
			sbuf_add(sb, p, 1);
	}
	sbuf_addstr(sb, "'");
}

char *strv_join_quoted(const struct strv *sv)
{
	struct sbuf sb = { 0 };

	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			sbuf_addstr(&sb, " ");
		sbuf_add_quoted(&sb, sv->v[i]);
	}
	return sbuf_detach(&sb, NULL);
}
