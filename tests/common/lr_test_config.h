/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Configuration text in unit tests (app/daemon/config.c): written to a temporary file,
 * loaded with one optional --set, an error and its message expected, a dump reloaded.
 */
#ifndef LR_TEST_CONFIG_H
#define LR_TEST_CONFIG_H

#include <stddef.h>

#include "config.h"

/** Room for a temporary file's name (lr_test_config_write()). */
#define LR_TEST_TMP_PATH_MAX 64

/**
 * Write text to a new temporary file /tmp/lr-test-config-XXXXXX; the caller unlinks it.
 * @param path receives its name (LR_TEST_TMP_PATH_MAX bytes)
 */
void lr_test_config_write(const char *text, char *path);

/**
 * Load text as the configuration file (NULL: no file) with one optional --set.
 * @param err receives the message
 * @return lr_config_load()'s result
 */
int lr_test_config_load(struct lr_config *cfg, const char *text, const char *set, char *err,
		size_t errlen);

/**
 * Loading text with set must fail with -EINVAL and a one-line message containing want;
 * what it got is printed when not. err keeps the message.
 */
void lr_test_config_expect_error(struct lr_config *cfg, const char *text, const char *set,
		const char *want, char *err, size_t errlen);

/**
 * Dump cfg, load the dump: it must give the same configuration (its file path aside);
 * the reload's message and the dump are printed when it fails.
 * @return the dump (free() it), or NULL if it could not be made
 */
char *lr_test_config_roundtrip(const struct lr_config *cfg);

#endif /* LR_TEST_CONFIG_H */
