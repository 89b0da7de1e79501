/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "lr_stats.h"

struct lr_stats lr_stats_blocks[LR_STATS_MAX_BLOCKS];

static const struct lr_stat_desc descs[LR_STAT_MAX] = {
#define LR_STAT_DESC(layer, name, kind, desc) \
	[LR_STAT_##layer##_##name] = { #layer, #name, LR_STAT_KIND_##kind, desc },
	LR_STATS_TABLE(LR_STAT_DESC)
#undef LR_STAT_DESC
};

const struct lr_stat_desc *
lr_stats_desc(enum lr_stat_id id)
{
	if ((unsigned int)id >= LR_STAT_MAX)
		return NULL;
	return &descs[id];
}

uint64_t
lr_stats_sum(enum lr_stat_id id, unsigned int nb_blocks)
{
	uint64_t sum = 0;
	unsigned int i;

	if ((unsigned int)id >= LR_STAT_MAX)
		return 0;
	if (nb_blocks > LR_STATS_MAX_BLOCKS)
		nb_blocks = LR_STATS_MAX_BLOCKS;
	for (i = 0; i < nb_blocks; i++)
		sum += lr_stats_read(i, id);
	return sum;
}

void
lr_stats_reset(void)
{
	memset(lr_stats_blocks, 0, sizeof(lr_stats_blocks));
}
