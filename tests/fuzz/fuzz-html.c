/* Fuzz harness: the Mastodon HTML-to-text converter. Post content is
 * hostile: it must never crash the converter nor cost time quadratic in
 * its bytes (tests/fuzz/run gives each input a time budget, libFuzzer's
 * -timeout, so a superlinear case is found by machine). Every link it
 * gives is an http(s) URL.
 *
 * An input is a template, written out copy after copy up to 512 KB, each
 * byte 0x01 replaced by the copy's number: a tag left open with
 * name\x01="x" in it becomes one tag with thousands of distinct
 * attributes, a cost quadratic in them shows at sizes libFuzzer's
 * mutations reach. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/strbuf.h"
#include "../../fetch/posts.h"

enum { AMPLIFIED = 512 << 10 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	strbuf_t html;
	strlist_t links = {0};
	if (!size)
		return 0;
	strbuf_init(&html, AMPLIFIED + size);
	for (unsigned copy = 0; html.len < AMPLIFIED; copy++) {
		for (size_t i = 0; i < size; i++) {
			if (data[i] == 1)
				strbuf_addf(&html, "%u", copy);
			else if (data[i])
				strbuf_addch(&html, (char)data[i]);
		}
		if (html.len == 0)
			break;
	}
	char *text = mastodon_html_to_text(html.buf ? html.buf : "", &links);
	if (!text)
		abort();
	for (size_t i = 0; i < links.len; i++)
		if (strncmp(links.items[i], "http://", 7) && strncmp(links.items[i], "https://", 8))
			abort();
	free(text);
	strlist_clear(&links);
	strbuf_release(&html);
	return 0;
}
