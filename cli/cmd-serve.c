/* `chatarc serve [--listen ADDR:PORT] [--site DIR]`: the archive on the web. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/options.h"
#include "../serve/serve.h"
#include "cli.h"

static const command_help_t serve_help = {
    "chatarc serve [--listen ADDR:PORT] [--site DIR] [--threads N] [--per-client N]\n"
    "              [--log-queries] [--cors ORIGIN]",
    "Serves the published site (DIR/site, as `chatarc publish` wrote it) and adds\n"
    "a search page (/search?q=...), people's pages (/people/ACCOUNT) and a JSON\n"
    "API (/api/search?q=...&page=N&per_page=N, /api/chats, /api/sessions?chat=,\n"
    "/api/session/CHAT/DATE). Read-only; GET and HEAD only. --listen defaults to\n"
    "127.0.0.1:8080 (loopback: put a reverse proxy in front to publish it; port 0\n"
    "takes any free one). The line \"serving http://ADDR:PORT/\" on stdout says\n"
    "where, once it listens. A query is at most 2048 bytes, a page 100 hits, a\n"
    "search pages to hit 10,000; --per-client connections at once from one\n"
    "address (default 16); a connection idle 10 s is closed. The access log on\n"
    "stderr is one line a request, without query strings unless --log-queries.\n"
    "--cors ORIGIN lets pages of that origin call the API (off by default).\n"
    "SIGHUP reads the config again; SIGTERM or Ctrl-C lets the requests in\n"
    "flight finish and exits 0. The index is searched as `chatarc search` does,\n"
    "and reopened when `chatarc index` commits or swaps in a new one."};

static void say_ready(void *ctx, const char *address)
{
	(void)ctx;
	printf("serving %s\n", address);
	fflush(stdout);
}

/* "127.0.0.1:8080", "[::1]:8080", ":8080" (loopback) into host and port. */
static bool parse_listen(const char *listen, char *host, size_t size, unsigned *port)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || !colon[1])
		return false;
	char *end;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (*end || p > 65535)
		return false;
	*port = (unsigned)p;
	const char *start = listen;
	size_t len = (size_t)(colon - listen);
	if (len >= 2 && start[0] == '[' && start[len - 1] == ']') {
		start++;
		len -= 2;
	}
	if (len == 0) {
		snprintf(host, size, "127.0.0.1");
		return true;
	}
	if (len >= size)
		return false;
	memcpy(host, start, len);
	host[len] = '\0';
	return true;
}

int cmd_serve(int argc, char **argv, cli_context_t *ctx)
{
	const char *listen = "127.0.0.1:8080", *site = NULL, *cors = NULL;
	long threads = 4, per_client = 16;
	bool log_queries = false, help = false;
	const chatarc_option_t options[] = {
	    OPT_STRING("listen", 'l', "ADDR:PORT", "where to listen (default 127.0.0.1:8080)",
	               &listen),
	    OPT_STRING("site", 0, "DIR", "the published site (default DIR/site)", &site),
	    OPT_INT("threads", 0, "N", "workers (default 4)", &threads),
	    OPT_INT("per-client", 0, "N", "connections at once from one address (default 16)",
	            &per_client),
	    OPT_FLAG("log-queries", 0, NULL, "keep query strings in the access log", &log_queries),
	    OPT_STRING("cors", 0, "ORIGIN", "let pages of ORIGIN call the API", &cors),
	    OPT_END,
	};
	chatarc_error_t err;
	chatarc_status_t status = options_parse(options, &serve_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("serve", status, &err);
	if (argc > 1)
		return options_usage_error("serve", &serve_help, "serve takes no arguments");
	char host[256];
	unsigned port;
	if (!parse_listen(listen, host, sizeof host, &port))
		return options_usage_error(
		    "serve", &serve_help,
		    "--listen takes ADDR:PORT, as 127.0.0.1:8080 or [::1]:8080");
	if (threads < 1 || threads > 64 || per_client < 1 || per_client > 10000)
		return options_usage_error("serve", &serve_help,
		                           "--threads takes 1 to 64, --per-client 1 to 10000");
	char *config_path = cli_config_path(ctx);
	char site_dir[4096];
	snprintf(site_dir, sizeof site_dir, "%s/site", ctx->data_dir);
	serve_options_t serve = {.data_dir = ctx->data_dir,
	                         .config_path = config_path,
	                         .site_dir = site ? site : site_dir,
	                         .share_dir = ctx->share_dir,
	                         .host = host,
	                         .port = port,
	                         .threads = (unsigned)threads,
	                         .per_client = (unsigned)per_client,
	                         .max_connections = 10000,
	                         .timeout_s = 10,
	                         .log_queries = log_queries,
	                         .cors_origin = cors,
	                         .ready = say_ready};
	status = serve_run(&serve, &err);
	free(config_path);
	return cli_report("serve", status, &err);
}
