/* Text that reaches a terminal or a log (cron's mail): post content, display
 * names and servers' error bodies are hostile, and an ESC sequence in them
 * would recolour, move the cursor, retitle the window or hide what follows.
 * One escape for everything chatarc prints: control characters (C0 but the
 * line break, DEL, the C1 range) are shown as \xHH or \uHHHH instead of
 * acted on, and bytes that are not UTF-8 as \xHH. */
#ifndef CHATARC_TERMINAL_H
#define CHATARC_TERMINAL_H

#include <stdbool.h>
#include <stdio.h>

#include "strbuf.h"

/* Appends text escaped; one_line: line breaks and tabs become spaces. */
void term_add_text(strbuf_t *out, const char *text, bool one_line);
/* Writes text escaped to f (line breaks kept). */
void term_fputs(const char *text, FILE *f);
/* "chatarc: COMMAND: MESSAGE" and a line break on standard error, the
 * message escaped: how every command reports a failure or a warning. */
void term_say(const char *command, const char *message);

#endif
