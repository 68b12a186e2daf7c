/* Option table parsing. */
#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void options_print_help(FILE *out, const chatarc_option_t *options, const command_help_t *help)
{
	fprintf(out, "usage: %s\n\n%s\n", help->usage, help->summary);
	if (options[0].type != OPTION_END)
		fputs("\noptions:\n", out);
	for (const chatarc_option_t *o = options; o->type != OPTION_END; o++) {
		char left[80];
		int n = 0;
		if (o->short_name)
			n = snprintf(left, sizeof left, "-%c, ", o->short_name);
		snprintf(left + n, sizeof left - (size_t)n, "--%s%s%s", o->long_name,
		         o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
		fprintf(out, "  %-26s %s\n", left, o->help);
	}
	fprintf(out, "  %-26s %s\n", "-h, --help", "show this help");
}

static CHATARC_MUST_CHECK chatarc_status_t set_value(const chatarc_option_t *o, const char *arg,
                                                     chatarc_error_t *err)
{
	char *end;
	switch (o->type) {
	case OPTION_FLAG: *(bool *)o->value = true; return CHATARC_OK;
	case OPTION_STRING: *(const char **)o->value = arg; return CHATARC_OK;
	case OPTION_INT:
		errno = 0;
		long n = strtol(arg, &end, 10);
		if (errno || end == arg || *end)
			return chatarc_error_set(err, CHATARC_ERR_USAGE,
			                         "--%s expects a whole number, not '%s'",
			                         o->long_name, arg);
		*(long *)o->value = n;
		return CHATARC_OK;
	case OPTION_KEYWORD:
		for (int k = 0; o->keywords[k]; k++)
			if (!strcmp(o->keywords[k], arg)) {
				*(int *)o->value = k;
				return CHATARC_OK;
			}
		strbuf_t words;
		strbuf_init(&words, 0);
		for (int k = 0; o->keywords[k]; k++)
			strbuf_addf(&words, "%s%s", k ? (o->keywords[k + 1] ? ", " : " or ") : "",
			            o->keywords[k]);
		chatarc_error_set(err, CHATARC_ERR_USAGE, "--%s must be %s, not '%s'", o->long_name,
		                  words.buf, arg);
		strbuf_release(&words);
		return CHATARC_ERR_USAGE;
	case OPTION_END: break;
	}
	return CHATARC_ERR_USAGE;
}

int options_usage_error(const char *command, const command_help_t *help, const char *why)
{
	fprintf(stderr, "chatarc: %s: %s\nusage: %s\n", command, why, help->usage);
	return 2;
}

static const chatarc_option_t *find_long(const chatarc_option_t *options, const char *name,
                                         size_t len)
{
	for (const chatarc_option_t *o = options; o->type != OPTION_END; o++)
		if (strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const chatarc_option_t *find_short(const chatarc_option_t *options, char c)
{
	for (const chatarc_option_t *o = options; o->type != OPTION_END; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

chatarc_status_t options_parse(const chatarc_option_t *options, const command_help_t *help,
                               int *argc, char **argv, bool *help_shown, chatarc_error_t *err)
{
	int positional = 1;
	bool options_done = false;
	const chatarc_option_t *end = options;
	while (end->type != OPTION_END)
		end++;
	bool dashed_words = end->arg_name != NULL; /* OPT_END_DASHED_WORDS */

	*help_shown = false;
	for (int i = 1; i < *argc; i++) {
		char *arg = argv[i];
		const chatarc_option_t *o;
		const char *value = NULL;

		if (options_done || arg[0] != '-' || !strcmp(arg, "-") ||
		    (dashed_words && arg[1] != '-' && arg[1] && arg[2])) {
			argv[positional++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			options_done = true;
			continue;
		}
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			options_print_help(stdout, options, help);
			*help_shown = true;
			return CHATARC_OK;
		}
		if (arg[1] == '-') {
			const char *eq = strchr(arg + 2, '=');
			size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
			o = find_long(options, arg + 2, len);
			if (!o)
				return chatarc_error_set(err, CHATARC_ERR_USAGE,
				                         "unknown option '%.*s'", (int)len + 2,
				                         arg);
			if (eq && o->type == OPTION_FLAG)
				return chatarc_error_set(err, CHATARC_ERR_USAGE,
				                         "--%s takes no value", o->long_name);
			value = eq ? eq + 1 : NULL;
		} else {
			o = find_short(options, arg[1]);
			if (!o || arg[2])
				return chatarc_error_set(err, CHATARC_ERR_USAGE,
				                         "unknown option '%s'", arg);
		}
		if (o->type != OPTION_FLAG && !value) {
			if (i + 1 >= *argc)
				return chatarc_error_set(err, CHATARC_ERR_USAGE,
				                         "--%s needs a value (%s)", o->long_name,
				                         o->arg_name ? o->arg_name : "");
			value = argv[++i];
		}
		chatarc_status_t status = set_value(o, value, err);
		if (status != CHATARC_OK)
			return status;
	}
	*argc = positional;
	argv[positional] = NULL;
	return CHATARC_OK;
}
