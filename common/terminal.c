/* Escaping what is printed for a terminal (terminal.h). */
#include "terminal.h"

#include <string.h>

#include "json.h"

void term_add_text(strbuf_t *out, const char *text, bool one_line)
{
	size_t len = strlen(text), n;
	unsigned cp;
	for (size_t i = 0; i < len; i += n) {
		n = utf8_decode(text + i, len - i, &cp);
		if (!n) {
			strbuf_addf(out, "\\x%02x", (unsigned char)text[i]);
			n = 1;
		} else if (cp == '\n' || ((cp == '\r' || cp == '\t') && one_line)) {
			strbuf_addch(out, one_line ? ' ' : '\n');
		} else if (cp == '\t') {
			strbuf_addch(out, '\t');
		} else if (cp < 0x20 || cp == 0x7f) {
			strbuf_addf(out, "\\x%02x", cp);
		} else if (cp >= 0x80 && cp < 0xa0) {
			strbuf_addf(out, "\\u%04x", cp);
		} else {
			strbuf_add(out, text + i, n);
		}
	}
}

void term_fputs(const char *text, FILE *f)
{
	strbuf_t clean;
	strbuf_init(&clean, strlen(text) + 16);
	term_add_text(&clean, text, false);
	fwrite(clean.buf, 1, clean.len, f);
	strbuf_release(&clean);
}

void term_say(const char *command, const char *message)
{
	fprintf(stderr, "chatarc: %s: ", command);
	term_fputs(message, stderr);
	fputc('\n', stderr);
}
