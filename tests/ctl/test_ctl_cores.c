/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/ctl/ctl_cores.c: `cores`, `cores parts` and /linerate/cores report each worker's
 * longest turn and the longest time of each part of a turn, and a read takes them
 * all (the next read starts from 0).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "ctl_cmds.h"
#include "lr_ctl.h"
#include "lr_test.h"

static void
setup(void)
{
	lr_test_reset();
	lr_ctl_unregister_all();
	CU_ASSERT_EQUAL(lr_app_ctl_register(NULL), 0);
}

static void
teardown(void)
{
	lr_ctl_unregister_all();
	lr_test_cleanup();
}

/* Worker 0 had turns of 50 and 120 us, parts of p * 10 + 3 us (part p). */
static void
record_turns(void)
{
	uint64_t us = rte_get_tsc_hz() / 1000000;
	unsigned int p;

	lr_tw->parts_timed = true;
	lr_worker_turn_end(lr_tw, 50 * us);
	lr_worker_turn_end(lr_tw, 120 * us + us / 2);
	for (p = 0; p < LR_TURN_PART_NB; p++) {
		lr_worker_part_end(lr_tw, p, (p * 10 + 3) * us + us / 2);
		lr_worker_part_end(lr_tw, p, us);   /* not a maximum */
	}
}

static const char *
exec_ok(struct lr_ctl_buf *resp, const char *req)
{
	int ret = lr_ctl_exec(req, resp);

	if (ret != 0)
		fprintf(stderr, "%s: %s\n", req, resp->data);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	CU_ASSERT_FATAL(strncmp(resp->data, "OK\n", 3) == 0);
	return resp->data + 3;
}

static void
test_ctl_cores_parts_reports_and_takes_maxima(void)
{
	struct lr_ctl_buf resp;
	const char *body;
	char want[64];
	unsigned int p;

	record_turns();
	lr_ctl_buf_init(&resp);
	body = exec_ok(&resp, "cores parts --json");
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"worker\":0,\"turn_max_us\":120,"));
	for (p = 0; p < LR_TURN_PART_NB; p++) {
		/* the column is named after lr_turn_part_names[] and holds part p's maximum */
		snprintf(want, sizeof(want), "\"%s_max_us\":%u%c", lr_turn_part_names[p], p * 10 + 3,
				p + 1 < LR_TURN_PART_NB ? ',' : '}');
		CU_ASSERT_PTR_NOT_NULL(strstr(body, want));
		if (strstr(body, want) == NULL)
			fprintf(stderr, "missing %s in %s\n", want, body);
	}
	/* taken: the next read starts a new period */
	body = exec_ok(&resp, "cores parts --json");
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"turn_max_us\":0,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"rx_max_us\":0,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"other_max_us\":0"));
	lr_ctl_buf_free(&resp);
}

/* Plain `cores` takes the parts too (one period for all); its JSON carries them. */
static void
test_ctl_cores_json_has_parts_and_text_does_not(void)
{
	struct lr_ctl_buf resp;
	const char *body;

	record_turns();
	lr_ctl_buf_init(&resp);
	body = exec_ok(&resp, "cores --json");
	/* one of the two turns was over 100 us; long_turns is a count, not taken */
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"turn_max_us\":120,\"long_turns\":1,\"rx_max_us\":3,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"call_max_us\":83,"));
	record_turns();
	body = exec_ok(&resp, "cores --json");
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"long_turns\":2,"));
	record_turns();
	body = exec_ok(&resp, "cores");
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "turn_max_us"));
	CU_ASSERT_PTR_NULL(strstr(body, "rx_max_us"));
	body = exec_ok(&resp, "cores parts");
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "rx_max_us"));
	/* the text `cores` above took them */
	CU_ASSERT_PTR_NULL(strstr(body, " 120 "));
	CU_ASSERT_TRUE(lr_ctl_exec("cores bogus", &resp) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "usage: cores [parts]"));
	lr_ctl_buf_free(&resp);
}

/* Without [worker] turn_parts the parts are not timed: `cores parts` says which key. */
static void
test_ctl_cores_parts_off_names_the_key(void)
{
	struct lr_ctl_buf resp;

	lr_tw->parts_timed = false;
	lr_ctl_buf_init(&resp);
	CU_ASSERT_TRUE(lr_ctl_exec("cores parts", &resp) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.data, "[worker] turn_parts = yes"));
	exec_ok(&resp, "cores");   /* plain `cores` still works */
	lr_ctl_buf_free(&resp);
	lr_tw->parts_timed = true;
}

static void
test_ctl_cores_telemetry_has_parts(void)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	record_turns();
	CU_ASSERT_EQUAL(lr_app_tel_cores("/linerate/cores", NULL, d), 0);
	rte_tel_data_free(d);
	/* taken by the telemetry read */
	d = rte_tel_data_alloc();
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(lr_app_tel_cores("/linerate/cores", NULL, d), 0);
	rte_tel_data_free(d);
	CU_ASSERT_EQUAL(lr_worker_part_max_take(lr_tw, LR_TURN_CALL), 0);
	CU_ASSERT_EQUAL(lr_worker_turn_max_take(lr_tw), 0);
}

static CU_TestInfo cases[] = {
	{ "test_ctl_cores_parts_reports_and_takes_maxima",
		test_ctl_cores_parts_reports_and_takes_maxima },
	{ "test_ctl_cores_json_has_parts_and_text_does_not",
		test_ctl_cores_json_has_parts_and_text_does_not },
	{ "test_ctl_cores_telemetry_has_parts", test_ctl_cores_telemetry_has_parts },
	{ "test_ctl_cores_parts_off_names_the_key", test_ctl_cores_parts_off_names_the_key },
	CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
	static const struct lr_test_suite suites[] = {
		{ "ctl_cores", setup, teardown, cases },
		{ NULL, NULL, NULL, NULL },
	};

	return lr_test_main(argc, argv, suites);
}
