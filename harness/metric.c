// SPDX-License-Identifier: GPL-2.0
/*
 * The metric table (see metric.h). Derived fio metrics are computed from
 * what the agent reports per repetition (bytes, ios, fio's job runtime,
 * the time inside I/O), so old results gain them without a schema change.
 */
#define _GNU_SOURCE
#include "metric.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static double m_ns_per_page(const struct zd_sample *s, const char *k)
{
	return s->pages ? s->ns_per_page : NAN;
}

static double m_elapsed_ns(const struct zd_sample *s, const char *k)
{
	return s->pages || s->elapsed_ns ? (double)s->elapsed_ns : NAN;
}

static double m_get_ns(const struct zd_sample *s, const char *k)
{
	return s->get_ns_per_page;
}

static double m_put_ns(const struct zd_sample *s, const char *k)
{
	return s->put_ns_per_page;
}

/* fio: bytes over the job's runtime */
static double m_fio_bw(const struct zd_sample *s, const char *k)
{
	double ms = sample_extra(s, "fio_runtime_ms");

	return ms > 0 ? sample_extra(s, "bytes") / (ms / 1e3) : NAN;
}

static double m_fio_iops(const struct zd_sample *s, const char *k)
{
	double ms = sample_extra(s, "fio_runtime_ms");

	return ms > 0 ? sample_extra(s, "ios") / (ms / 1e3) : NAN;
}

/* fio: elapsed_ns is the time inside I/O (mean latency x I/Os) */
static double m_fio_lat_mean(const struct zd_sample *s, const char *k)
{
	double ios = sample_extra(s, "ios");

	return ios > 0 ? (double)s->elapsed_ns / ios : NAN;
}

static double m_extra(const struct zd_sample *s, const char *k)
{
	return sample_extra(s, k);
}

static double m_counter(const struct zd_sample *s, const char *k)
{
	return sample_counter(s, k);
}

const struct zd_metric zd_metrics[] = {
	{ "ns_per_page", "ns", "time per page pinned and released", false, m_ns_per_page },
	{ "elapsed_ns", "ns", "time of the measured loop", false, m_elapsed_ns },
	{ "get_ns_per_page", "ns", "gup_test: the kernel's pin time per page", false, m_get_ns },
	{ "put_ns_per_page", "ns", "gup_test: the kernel's unpin time per page", false, m_put_ns },
	{ "fault_ns_per_page", "ns", "mapcycle: fault-in time per page of a fresh mapping", false, m_extra, "fault_ns_per_page" },
	{ "zap_ns_per_page", "ns", "mapcycle: munmap (zap) time per page", false, m_extra, "zap_ns_per_page" },
	{ "fio_bw", "B/s", "fio: bytes per second of job runtime", true, m_fio_bw },
	{ "fio_iops", "IO/s", "fio: I/Os per second of job runtime", true, m_fio_iops },
	{ "fio_lat_mean_ns", "ns", "fio: mean completion latency", false, m_fio_lat_mean },
	{ "fio_lat_p50_ns", "ns", "fio: median completion latency", false, m_extra, "lat_p50_ns" },
	{ "fio_lat_p99_ns", "ns", "fio: 99th percentile completion latency", false, m_extra, "lat_p99_ns" },
};
const size_t zd_nr_metrics = ARRAY_SIZE(zd_metrics);

int metric_find(const char *name, struct zd_metric *out)
{
	for (size_t i = 0; i < zd_nr_metrics; i++)
		if (!strcmp(zd_metrics[i].name, name)) {
			*out = zd_metrics[i];
			return 0;
		}
	if (str_starts(name, "counter.") && name[8]) {
		*out = (struct zd_metric){ name, "count", "libperf counter", false, m_counter, name + 8 };
		return 0;
	}
	if (str_starts(name, "extra.") && name[6]) {
		*out = (struct zd_metric){ name, "count", "the agent's number", false, m_extra, name + 6 };
		return 0;
	}
	return -1;
}

double *metric_values(const struct zd_metric *m, const struct zd_result *r, size_t *n)
{
	double *v = xcalloc(r->nr_samples + 1, sizeof(double));

	*n = 0;
	for (size_t i = 0; i < r->nr_samples; i++) {
		double x = metric_value(m, &r->samples[i]);

		if (isfinite(x))
			v[(*n)++] = x;
	}
	return v;
}

const char *metric_names(void)
{
	static char *names;

	if (!names) {
		struct sbuf sb = { 0 };

		for (size_t i = 0; i < zd_nr_metrics; i++)
			sbuf_addf(&sb, "%s%s", i ? ", " : "", zd_metrics[i].name);
		sbuf_addstr(&sb, ", counter.NAME, extra.NAME");
		names = sb.buf;
	}
	return names;
}
