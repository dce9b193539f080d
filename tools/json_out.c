// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "json_out.h"

void ds_out_unavailable(struct ds_json *j, const char *missing)
{
	char tmp[256], *tok, *save = NULL;

	ds_json__key(j, "unavailable");
	ds_json__begin_array(j);
	if (missing && *missing) {
		snprintf(tmp, sizeof(tmp), "%s", missing);
		for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			ds_json__str(j, tok);
	}
	ds_json__end_array(j);
}

void ds_out_ring(struct ds_json *j, bool have, const struct ds_meta_stats *st)
{
	ds_json__key(j, "ring");
	if (!have) {
		ds_json__null(j);
		return;
	}
	ds_json__begin_object(j);
	ds_json__kv_u64(j, "received", st->received);
	ds_json__kv_u64(j, "emitted", st->emitted);
	ds_json__kv_u64(j, "dropped", st->dropped);
	ds_json__end_object(j);
}
