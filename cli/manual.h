/* The manual built into the program: each page of doc/ as text, for
 * `chatarc help CMD`. Made from the same Markdown as the man pages
 * (tools/md2man), so the two never say different things. */
#ifndef CHATARC_MANUAL_H
#define CHATARC_MANUAL_H

struct manual_page {
	const char *name; /* "chatarc-search", "chatarc-config" */
	const char *text;
};
/* Ends with {NULL, NULL}. */
extern const struct manual_page manual_pages[];

#endif
