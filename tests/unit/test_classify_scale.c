// SPDX-License-Identifier: GPL-2.0
/*
 * The classifier's de-duplication at scale (issue 16): 50,000 distinct
 * warnings each become a finding, repeats of them none, in well under a
 * second (a scan per finding took 10 s). Its own file, beside the corpus
 * tests of test_classify.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "classify.h"
#include "util.h"

/* A function name per i that survives key normalisation (no digits). */
static void fname(unsigned int i, char out[8])
{
	for (int k = 0; k < 6; k++, i /= 26)
		out[k] = 'a' + i % 26;
	out[6] = '\0';
}

static void test_many_distinct_warnings(void **state)
{
	struct sbuf sb = SBUF_INIT;
	struct classification cl;
	unsigned int n = 50000;
	clock_t t;
	FILE *f;

	sbuf_addstr(&sb, "[    0.000000] Linux version 6.12.0 (x) #1 SMP\n");
	for (int round = 0; round < 2; round++) /* every warning twice */
		for (unsigned int i = 0; i < n; i++) {
			char fn[8];

			fname(i, fn);
			sbuf_addf(&sb, "[    1.%06u] WARNING: CPU: 0 PID: 1 at mm/memremap.c:12 fn_%s+0x10/0x20\n",
				  i, fn);
		}
	f = fmemopen(sb.buf, sb.len, "r");
	assert_non_null(f);
	t = clock();
	assert_int_equal(classify_stream(f, &cl), 0);
	fclose(f);
	/* CPU seconds; generous for a sanitizer build */
	/* the figure docs/hostile-input.md quotes; the bound is generous for a sanitizer build */
	print_message("50,000 distinct warnings, each twice: %.2f s CPU\n",
		      (double)(clock() - t) / CLOCKS_PER_SEC);
	if ((double)(clock() - t) / CLOCKS_PER_SEC > 3)
		fail_msg("50,000 distinct warnings took %.1f s", (double)(clock() - t) / CLOCKS_PER_SEC);
	assert_int_equal(cl.n, n);
	{
		char fn[8], *want;

		fname(n - 1, fn);
		want = xasprintf("WARNING:at_mm/memremap.c:fn_%s", fn);
		assert_string_equal(cl.f[n - 1].key, want);
		free(want);
	}
	classification_free(&cl);
	sbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_distinct_warnings),
	};

	return cmocka_run_group_tests_name("classify_scale", tests, NULL, NULL);
}
