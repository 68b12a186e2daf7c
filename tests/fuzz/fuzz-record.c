/* Fuzz harness: the archive line reader. A line that reads as a record
 * must write back to a line that reads as the same record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	chatarc_record_t r, again;
	chatarc_error_t err;
	strbuf_t first, second;
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (record_from_json(line, &r, &err) == CHATARC_OK) {
		strbuf_init(&first, 256);
		strbuf_init(&second, 256);
		record_to_json(&r, &first);
		if (record_from_json(first.buf, &again, &err) != CHATARC_OK)
			abort();
		record_to_json(&again, &second);
		if (strcmp(first.buf, second.buf))
			abort(); /* not a fixed point: a field changes on each rewrite */
		record_clear(&again);
		record_clear(&r);
		strbuf_release(&first);
		strbuf_release(&second);
	}
	free(line);
	return 0;
}
