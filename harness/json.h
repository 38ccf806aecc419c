/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_JSON_H
#define ZD_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * JSON files and typed field reads over json-c, for every JSON the harness
 * writes or reads (results, run.json, kernel meta.json, the agent's lines).
 */

/*
 * Write o pretty-printed, with a final newline, atomically (temp file, fsync,
 * rename: a killed run leaves the old file or the new one). 0, or -1 with
 * "cannot write PATH: reason" reported and errno set.
 */
int zd_json_write(const char *path, struct json_object *o) __attribute__((warn_unused_result));
/*
 * Parse the file at path; the caller json_object_put()s it. NULL if it is
 * missing or unreadable (errno set: read_file_max's, so only a regular file
 * of at most ZD_MAX_JSON_BYTES) or not JSON (errno EBADMSG). Reports
 * nothing: a missing
 * file is often an answer (no cache entry yet), so the caller decides.
 */
struct json_object *zd_json_read(const char *path);

/*
 * Typed reads of o[key]; o may be NULL. A missing key or a value of another
 * type gives NULL or dflt. jint and jdouble take both JSON numbers.
 */
const char *jstr(struct json_object *o, const char *key); /* owned by o */
int64_t jint(struct json_object *o, const char *key, int64_t dflt);
double jdouble(struct json_object *o, const char *key, double dflt);
bool jbool(struct json_object *o, const char *key, bool dflt);

#endif
