/* Declarative command-line options (after git's parse-options): each command
 * lists its options in a table; parsing, errors and --help come from it. */
#ifndef CHATARC_OPTIONS_H
#define CHATARC_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "status.h"

typedef enum option_type {
	OPTION_END = 0,
	OPTION_FLAG,    /* bool */
	OPTION_STRING,  /* const char * */
	OPTION_INT,     /* long */
	OPTION_KEYWORD, /* int: the index in `keywords` of the word given */
} option_type_t;

typedef struct chatarc_option {
	option_type_t type;
	const char *long_name;
	char short_name; /* 0 for none */
	const char *arg_name;
	const char *help;
	void *value;
	const char *const *keywords; /* OPTION_KEYWORD: the words it takes, NULL-ended */
} chatarc_option_t;

/* Table entries, in the style of git's OPT_* macros. */
#define OPT_FLAG(l, s, a, h, v)                                                                    \
	{                                                                                          \
		OPTION_FLAG, (l), (s), (a), (h), (v), NULL                                         \
	}
#define OPT_STRING(l, s, a, h, v)                                                                  \
	{                                                                                          \
		OPTION_STRING, (l), (s), (a), (h), (v), NULL                                       \
	}
#define OPT_INT(l, s, a, h, v)                                                                     \
	{                                                                                          \
		OPTION_INT, (l), (s), (a), (h), (v), NULL                                          \
	}
#define OPT_KEYWORD(l, s, a, h, v, words)                                                          \
	{                                                                                          \
		OPTION_KEYWORD, (l), (s), (a), (h), (v), (words)                                   \
	}
#define OPT_END                                                                                    \
	{                                                                                          \
		OPTION_END, NULL, 0, NULL, NULL, NULL, NULL                                        \
	}
/* The end of a table whose command takes words that start with one '-'
 * and are longer than a short option ("-filter:replies", "-word") as
 * arguments, not as unknown options: search's way to say "without". */
#define OPT_END_DASHED_WORDS                                                                       \
	{                                                                                          \
		OPTION_END, NULL, 0, "dashed words", NULL, NULL, NULL                              \
	}

typedef struct command_help {
	const char *usage;   /* "chatarc import --chat CHAT [options] FILE..." */
	const char *summary; /* one paragraph under the usage line */
} command_help_t;

/* Parses argv[1..argc) (argv[0] is the command name). Options may come
 * before or after positional arguments; "--" ends options. Positional
 * arguments are moved to argv[1..] and *argc becomes 1 + their count.
 * --help prints help to stdout and sets *help_shown. */
CHATARC_MUST_CHECK chatarc_status_t options_parse(const chatarc_option_t *options,
                                                  const command_help_t *help, int *argc,
                                                  char **argv, bool *help_shown,
                                                  chatarc_error_t *err);
void options_print_help(FILE *out, const chatarc_option_t *options, const command_help_t *help);

/* Prints "chatarc: COMMAND: why" and the usage line to stderr; returns the
 * usage exit code (2). */
int options_usage_error(const char *command, const command_help_t *help, const char *why);

#endif
