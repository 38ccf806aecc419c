// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int64_t jint(struct json_object *o, const char *key, int64_t dflt)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return dflt;
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return dflt;
	return json_object_get_int64(v);
}

double jdouble(struct json_object *o, const char *key, double dflt)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return dflt;
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return dflt;
	return json_object_get_double(v);
}

bool jbool(struct json_object *o, const char *key, bool dflt)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
		return dflt;
	return json_object_get_boolean(v);
}

int zd_json_write(const char *path, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	struct sbuf sb = { 0 };
	int ret;

	sbuf_addf(&sb, "%s\n", s);
	ret = write_file_atomic(path, sb.buf, sb.len);
	if (ret)
		zd_err("cannot write %s: %s", path, strerror(errno));
	sbuf_free(&sb);
	return ret;
}

struct json_object *zd_json_read(const char *path)
{
	char *text = read_file_max(path, ZD_MAX_JSON_BYTES, NULL);
	struct json_object *o;
	enum json_tokener_error jerr;

	if (!text)
		return NULL;
	o = json_tokener_parse_verbose(text, &jerr);
	free(text);
	if (!o)
		errno = EBADMSG; /* read, but not JSON */
	return o;
}
