/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration text in unit tests: lr_test_config.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "config.h"
#include "lr_test_config.h"

#define ERRLEN 512

void
lr_test_config_write(const char *text, char *path)
{
	size_t len = strlen(text);
	int fd;

	snprintf(path, LR_TEST_TMP_PATH_MAX, "/tmp/lr-test-config-XXXXXX");
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, text, len) == (ssize_t)len);
	close(fd);
}

int
lr_test_config_load(struct lr_config *cfg, const char *text, const char *set, char *err,
		size_t errlen)
{
	char *sets[1] = { (char *)(uintptr_t)set };
	char path[LR_TEST_TMP_PATH_MAX];
	int ret;

	if (text == NULL)
		return lr_config_load(cfg, NULL, sets, set != NULL, err, errlen);
	lr_test_config_write(text, path);
	ret = lr_config_load(cfg, path, sets, set != NULL, err, errlen);
	unlink(path);
	return ret;
}

void
lr_test_config_expect_error(struct lr_config *cfg, const char *text, const char *set,
		const char *want, char *err, size_t errlen)
{
	int ret = lr_test_config_load(cfg, text, set, err, errlen);

	CU_ASSERT_EQUAL(ret, -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	if (ret != -EINVAL || strstr(err, want) == NULL)
		printf("\n  set '%s': got %d '%s', want '%s'\n", set ? set : "", ret, err, want);
}

char *
lr_test_config_roundtrip(const struct lr_config *cfg)
{
	struct lr_config again;
	char path[LR_TEST_TMP_PATH_MAX], err[ERRLEN] = "";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	lr_config_dump(cfg, f);
	fclose(f);
	lr_test_config_write(buf, path);
	CU_ASSERT_EQUAL(lr_config_load(&again, path, NULL, 0, err, sizeof(err)), 0);
	if (err[0] != '\0')
		printf("\n  reload: %s\n%s", err, buf);
	unlink(path);
	memcpy(again.path, cfg->path, sizeof(again.path));
	CU_ASSERT_EQUAL(memcmp(&again, cfg, sizeof(*cfg)), 0);
	return buf;
}
