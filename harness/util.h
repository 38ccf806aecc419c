/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_UTIL_H
#define ZD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Error reporting: every message names what it is about (file, key, command). */
void zd_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* zd_err that returns -1 (sqlite's habit): `return zd_error("%s: ...", path);` */
int zd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void zd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void zd_set_quiet(bool quiet);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
/*
 * p, an array of n elements of sz bytes, with room for one more: grown
 * geometrically (to 1, 2, 4, ... elements when n is 0 or a power of two),
 * so appending n elements one at a time costs O(n), not O(n^2). Only for
 * arrays that grow by this alone (their count may be reset to 0).
 */
void *grow_array(void *p, size_t n, size_t sz);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Growable string buffer, in git's strbuf shape. buf[len] is always '\0'.
 *
 * Two empty states are valid and every sbuf_* function takes either:
 * `struct sbuf sb = SBUF_INIT;` (buf points at a shared static "", never
 * NULL) and the zero-initialised `{ 0 }` (buf NULL) that structs embedding
 * an sbuf get from calloc/memset. So never test `.buf` for "empty": test
 * `.len`, and read the string with sbuf_str(), which is never NULL. The
 * sbuf owns buf only while cap > 0; take it with sbuf_detach(), never by
 * copying `.buf` (an empty one may be the shared static "").
 * The data added may point into the sbuf itself (add, addf).
 */
struct sbuf {
	char *buf;
	size_t len, cap;	/* bytes used (without the NUL), bytes allocated */
};
extern char sbuf_slopbuf[1];
#define SBUF_INIT { .buf = sbuf_slopbuf, .len = 0, .cap = 0 }

void sbuf_init(struct sbuf *sb);
/* Make room for at least extra more bytes (and the NUL); aborts on OOM. */
void sbuf_grow(struct sbuf *sb, size_t extra);
void sbuf_add(struct sbuf *sb, const void *data, size_t n);
void sbuf_addstr(struct sbuf *sb, const char *s);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The contents as a C string: never NULL ("" when empty). Valid until the next sbuf_* call. */
static inline const char *sbuf_str(const struct sbuf *sb)
{
	return sb->buf ? sb->buf : "";
}
/* Length to 0, allocation kept for reuse. */
void sbuf_reset(struct sbuf *sb);
/*
 * Hand the string to the caller, who free()s it: never NULL (a fresh "" when
 * empty), its length in *len if len is non-NULL. The sbuf is left empty (SBUF_INIT).
 */
char *sbuf_detach(struct sbuf *sb, size_t *len);
/* Free the allocation; the sbuf is left empty (SBUF_INIT) and may be reused. */
void sbuf_release(struct sbuf *sb);
/* The older name of sbuf_release(). */
void sbuf_free(struct sbuf *sb);

/* Growable argv for execv-style calls: nothing goes through a shell. */
struct strv {
	char **v;
	size_t n, cap;
};
void strv_push(struct strv *sv, const char *s);
void strv_pushf(struct strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strv_free(struct strv *sv);
char *strv_join(const struct strv *sv, const char *sep);
/* Shell-quoted, for provenance and reproducer lines only: never executed. */
void sbuf_add_quoted(struct sbuf *sb, const char *arg);
char *strv_join_quoted(const struct strv *sv);

int mkdir_p(const char *path, unsigned int mode);
bool path_exists(const char *path);
bool is_dir(const char *path);
char *path_join(const char *a, const char *b);
char *path_abs(const char *path);
int rm_rf(const char *path);

/* Whole-file helpers. read_file NUL-terminates; returns NULL with errno set. */
char *read_file(const char *path, size_t *len);
/*
 * read_file for input a user names (config, results, history): only a
 * regular file (opened O_NONBLOCK, so a FIFO never blocks), at most max
 * bytes. NULL with errno set: EISDIR a folder, EINVAL not a regular file
 * (FIFO, device, socket), EFBIG larger than max, else open/read's errno.
 * read_file_strerror(errno) says which in words.
 */
char *read_file_max(const char *path, size_t max, size_t *len);
const char *read_file_strerror(int err);
/* fsync the folder that holds path (after a rename into it): 0 or -1, errno. */
int fsync_parent(const char *path);
/* Input size caps: no config or result zdbench writes comes near them. */
#define ZD_MAX_CONFIG_BYTES (1u << 20)
#define ZD_MAX_JSON_BYTES (256u << 20)
/*
 * Write via a fresh temporary file (O_EXCL, beside path) + fsync + rename
 * + fsync of the folder: a killed run never leaves a torn file, a planted
 * symlink is never followed, and the new name survives a crash. 0, or -1
 * with errno set (ENOSPC on a full disk) and no temporary file left.
 */
int write_file_atomic(const char *path, const void *data, size_t len) __attribute__((warn_unused_result));
int copy_file(const char *src, const char *dst);
/*
 * Take an exclusive flock(2) on path (created 0644 if missing), waiting
 * for another process that holds it, after saying so once with
 * "<what>: another zdbench is <doing>; waiting". The fd (O_CLOEXEC): close
 * it to release. -1 with the error printed.
 */
int lock_path(const char *path, const char *what, const char *doing);

/* SHA-256 (libcrypto) as lowercase hex. */
#define ZD_HASH_HEX 65
struct zd_hash;
struct zd_hash *hash_new(void);
void hash_update(struct zd_hash *h, const void *data, size_t n);
void hash_str(struct zd_hash *h, const char *tag, const char *s);
int hash_file(struct zd_hash *h, const char *tag, const char *path);
void hash_final(struct zd_hash *h, char out[ZD_HASH_HEX]);

double now_mono(void);
char *trim(char *s);
bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);
/* A decimal unsigned integer, digits only (no sign, no space): 0 or -1. */
int parse_u64(const char *s, uint64_t *out);
/*
 * Whether s is a name zdbench may use as a file or folder name (variants,
 * workloads): 1 to 128 of [A-Za-z0-9._-], not starting with a dot (so
 * never ".", ".." or hidden). ZD_NAME_RULE says so in messages.
 */
bool is_name(const char *s);
#define ZD_NAME_RULE "names are 1 to 128 of A-Z a-z 0-9 . _ - and do not start with a dot"
char *expand_home(const char *path);

#endif
