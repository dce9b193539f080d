// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>
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

void ds_out_ring_sources(struct ds_json *j, const char *key, const struct ds_ring_stats *rs)
{
	unsigned int i;

	if (rs->have) {
		ds_json__key(j, key);
		ds_json__begin_array(j);
		for (i = 0; i < DS_NR_SOURCES; i++) {
			const struct ds_meta_source_stats *ss = &rs->src[i];

			if (!(rs->have & (1u << i)))
				continue;
			ds_json__begin_object(j);
			ds_json__kv_str(j, "source", ds_source_name(1u << i));
			ds_json__kv_u64(j, "received", ss->received);
			ds_json__kv_u64(j, "emitted", ss->emitted);
			ds_json__kv_u64(j, "dropped", ss->dropped);
			ds_json__end_object(j);
		}
		ds_json__end_array(j);
	}
	if (rs->pings) {
		ds_json__key(j, "selftest");
		ds_json__begin_object(j);
		ds_json__kv_u64(j, "records", rs->pings);
		ds_json__kv_u64(j, "sequence_numbers", rs->ping_seqs);
		ds_json__kv_u64(j, "missing", rs->ping_seqs - rs->pings);
		ds_json__end_object(j);
	}
}

void ds_text_ring_sources(FILE *f, const struct ds_ring_stats *rs, bool per_source,
			  const char *note)
{
	const struct ds_meta_source_stats *ss = &rs->src[__builtin_ctz(DS_SRC_PING)];
	unsigned int i;

	for (i = 0; per_source && i < DS_NR_SOURCES; i++) {
		if (!(rs->have & (1u << i)))
			continue;
		fprintf(f, "  %-9s %" PRIu64 " received, %" PRIu64 " dropped%s\n",
			ds_source_name(1u << i), (uint64_t)rs->src[i].received,
			(uint64_t)rs->src[i].dropped, note);
	}
	if (!rs->pings)
		return;
	/* the numbers every attempt got, against what arrived and what was counted */
	fprintf(f, "selftest: %" PRIu64 " records of sequence numbers 0..%" PRIu64 ": %" PRIu64
		" missing", rs->pings, rs->ping_seqs - 1, rs->ping_seqs - rs->pings);
	if (rs->have & DS_SRC_PING)
		fprintf(f, ", the ring counted %" PRIu64 " dropped of %" PRIu64 " attempts%s",
			(uint64_t)ss->dropped, (uint64_t)(ss->emitted + ss->dropped),
			rs->ping_seqs - rs->pings <= ss->dropped &&
			rs->pings == ss->received ? " (consistent)" : " (INCONSISTENT)");
	fputc('\n', f);
}
