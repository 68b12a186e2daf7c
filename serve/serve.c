/* The server: libmicrohttpd's thread pool over epoll, the site's files
 * opened under its directory without following any link, the access log,
 * signals. The routes of the API and of the pages are api.c's and
 * pages.c's. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#include "../common/alloc.h"
#include "../common/schedule.h"
#include "../common/terminal.h"
#include "../common/timeutil.h"
#include "../index/xapian-shim.h"
#include "serve-internal.h"

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- answers ---- */

/* On every answer: no script may run (pages have none; post text is
 * hostile), nothing is sniffed into another type, no address leaks. */
static void add_safety_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(
	    resp, "Content-Security-Policy",
	    "default-src 'none'; style-src 'self'; img-src 'self' https: data:; "
	    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
}

static int queue(request_t *r, unsigned status, struct MHD_Response *resp, size_t len)
{
	if (!resp)
		return MHD_NO;
	add_safety_headers(resp);
	r->status = status;
	r->bytes = len;
	enum MHD_Result result = MHD_queue_response(r->connection, status, resp);
	MHD_destroy_response(resp);
	return result;
}

int serve_respond(request_t *r, unsigned status, const char *content_type, const void *body,
                  size_t len)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (resp && content_type)
		MHD_add_response_header(resp, "Content-Type", content_type);
	if (resp && r->server->options->cors_origin && !strncmp(r->uri, "/api/", 5))
		MHD_add_response_header(resp, "Access-Control-Allow-Origin",
		                        r->server->options->cors_origin);
	return queue(r, status, resp, len);
}

int serve_error(request_t *r, unsigned status, const char *message)
{
	strbuf_t text;
	strbuf_init(&text, 128);
	strbuf_addf(&text, "%u %s\n", status, message);
	int result = serve_respond(r, status, "text/plain; charset=utf-8", text.buf, text.len);
	strbuf_release(&text);
	return result;
}

const char *serve_arg(request_t *r, const char *name)
{
	return MHD_lookup_connection_value(r->connection, MHD_GET_ARGUMENT_KIND, name);
}

long serve_number_arg(request_t *r, const char *name, long fallback, long max)
{
	const char *text = serve_arg(r, name);
	if (!text || !*text)
		return fallback;
	char *end;
	errno = 0;
	long n = strtol(text, &end, 10);
	return *end || errno || n < 1 || n > max ? 0 : n;
}

/* ---- the site's files ---- */

static const char *content_type_of(const char *name)
{
	static const struct {
		const char *suffix, *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".atom", "application/atom+xml"},
	    {".xml", "application/xml"},
	    {".ics", "text/calendar; charset=utf-8"},
	    {".json", "application/json"},
	    {".md", "text/markdown; charset=utf-8"},
	    {".txt", "text/plain; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".jpg", "image/jpeg"},
	};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		size_t k = strlen(types[i].suffix);
		if (n > k && !strcmp(name + n - k, types[i].suffix))
			return types[i].type;
	}
	return "application/octet-stream";
}

/* Opens path (after the leading '/') under the site's directory, one
 * component at a time, each without following a link: "..", ".", a name
 * starting with '.', and any symbolic link are refused, so no request
 * reaches a file outside the site or one the site keeps for itself. A
 * directory gives its index.html. -1 when there is no such file. */
static int open_site_file(server_t *server, const char *path, char *name, size_t name_size)
{
	int dir = dup(server->site_fd);
	char component[NAME_MAX + 1];
	snprintf(name, name_size, "index.html");
	for (const char *p = path; dir >= 0;) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len > NAME_MAX || p[0] == '.' || memchr(p, '\0', len)) {
			close(dir);
			return -1;
		}
		memcpy(component, p, len);
		component[len] = '\0';
		p += len;
		int next = openat(dir, component, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		close(dir);
		if (next < 0)
			return -1;
		struct stat st;
		if (fstat(next, &st) < 0 || (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) ||
		    (S_ISREG(st.st_mode) && *p && p[strspn(p, "/")])) {
			close(next);
			return -1;
		}
		if (S_ISREG(st.st_mode)) {
			snprintf(name, name_size, "%s", component);
			return next;
		}
		dir = next;
	}
	if (dir < 0)
		return -1;
	/* A directory: its index.html, never a listing. */
	int file = openat(dir, "index.html", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	close(dir);
	struct stat st;
	if (file >= 0 && (fstat(file, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(file);
		file = -1;
	}
	return file;
}

static int serve_file(request_t *r, const char *path)
{
	char name[NAME_MAX + 1];
	int fd = open_site_file(r->server, path, name, sizeof name);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return serve_error(r, MHD_HTTP_NOT_FOUND, "not found");
	}
	/* A directory asked without its '/' is sent there, so that the
	 * page's relative links resolve as the static site's do. */
	size_t path_len = strlen(path);
	if (!strcmp(name, "index.html") && path_len > 1 && path[path_len - 1] != '/' &&
	    strcmp(path + (path_len >= 11 ? path_len - 11 : 0), "/index.html")) {
		close(fd);
		strbuf_t to;
		strbuf_init(&to, path_len + 2);
		strbuf_addf(&to, "%s/", path);
		struct MHD_Response *resp =
		    MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (resp)
			MHD_add_response_header(resp, "Location", to.buf);
		strbuf_release(&to);
		return queue(r, MHD_HTTP_MOVED_PERMANENTLY, resp, 0);
	}
	struct MHD_Response *resp = MHD_create_response_from_fd((size_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", content_type_of(name));
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	return queue(r, MHD_HTTP_OK, resp, (size_t)st.st_size);
}

/* ---- each worker's index ---- */

struct searcher {
	struct xdb *db;
	char generation[PATH_MAX]; /* where DIR/index pointed when opened */
};

static void searcher_free(void *p)
{
	struct searcher *s = p;
	if (s && s->db)
		xdb_close(s->db);
	free(s);
}

struct xdb *serve_index(server_t *server, chatarc_error_t *err)
{
	struct searcher *s = pthread_getspecific(server->searcher_key);
	if (!s) {
		s = xcalloc(1, sizeof *s);
		pthread_setspecific(server->searcher_key, s);
	}
	/* `chatarc index --rebuild` (and a run that compacts) swaps in a new
	 * generation by pointing DIR/index elsewhere: a new database. A run
	 * that commits to the same one is a reopen. */
	char *link = index_path(server->options->data_dir);
	char now[PATH_MAX];
	ssize_t n = readlink(link, now, sizeof now - 1);
	free(link);
	now[n > 0 ? n : 0] = '\0';
	if (s->db && strcmp(now, s->generation)) {
		xdb_close(s->db);
		s->db = NULL;
	}
	bool changed;
	if (s->db && xdb_reopen(s->db, &changed, err) != CHATARC_OK) {
		xdb_close(s->db);
		s->db = NULL;
	}
	if (!s->db) {
		size_t stale;
		if (index_open_for_search(server->options->data_dir, &server->config, &s->db,
		                          &stale, err) != CHATARC_OK)
			return NULL;
		snprintf(s->generation, sizeof s->generation, "%s", now);
	}
	return s->db;
}

/* ---- requests ---- */

/* Called first, with the request line's uri as sent: the request begins. */
static void *begin_request(void *cls, const char *uri, struct MHD_Connection *connection)
{
	server_t *server = cls;
	request_t *r = xcalloc(1, sizeof *r);
	r->server = server;
	r->connection = connection;
	r->uri = xstrdup(uri ? uri : "");
	r->start_us = now_us();
	__atomic_add_fetch(&server->in_flight, 1, __ATOMIC_SEQ_CST);
	return r;
}

/* One line a request: when, who, what (its query string only with
 * --log-queries: what people search for is theirs), the answer, its size
 * and time. The uri is the client's: escaped for the terminal. */
static void log_request(request_t *r)
{
	server_t *server = r->server;
	char when[CHATARC_TIME_ISO_LEN], client[INET6_ADDRSTRLEN] = "-";
	time_format_iso(time_now_ms(), when);
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(r->connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info && info->client_addr) {
		const struct sockaddr *a = info->client_addr;
		if (a->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)a)->sin_addr,
			          client, sizeof client);
		else if (a->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
			          &((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
			          client, sizeof client);
	}
	size_t shown = server->options->log_queries ? strlen(r->uri) : strcspn(r->uri, "?");
	char *uri = xstrndup(r->uri, shown > 2048 ? 2048 : shown);
	strbuf_t line;
	strbuf_init(&line, 256);
	strbuf_addf(&line, "%s %s \"%s ", when, client, r->method[0] ? r->method : "-");
	term_add_text(&line, uri, true);
	strbuf_addf(&line, "\" %u %zu %.1fms\n", r->status, r->bytes,
	            (double)(now_us() - r->start_us) / 1000.0);
	pthread_mutex_lock(&server->log_lock);
	fwrite(line.buf, 1, line.len, stderr);
	pthread_mutex_unlock(&server->log_lock);
	strbuf_release(&line);
	free(uri);
}

static void end_request(void *cls, struct MHD_Connection *connection, void **req_cls,
                        enum MHD_RequestTerminationCode why)
{
	server_t *server = cls;
	request_t *r = *req_cls;
	(void)connection;
	(void)why;
	if (!r)
		return;
	log_request(r);
	free(r->uri);
	free(r);
	*req_cls = NULL;
	__atomic_sub_fetch(&server->in_flight, 1, __ATOMIC_SEQ_CST);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **req_cls)
{
	request_t *r = *req_cls;
	(void)cls;
	(void)connection; /* r has it, from begin_request */
	(void)version;
	(void)upload_data;
	if (!r)
		return MHD_NO;
	if (!r->method[0]) {
		snprintf(r->method, sizeof r->method, "%s", method);
		if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
			struct MHD_Response *resp =
			    MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
			if (resp)
				MHD_add_response_header(resp, "Allow", "GET, HEAD");
			return (enum MHD_Result)queue(r, MHD_HTTP_METHOD_NOT_ALLOWED, resp, 0);
		}
		return MHD_YES; /* the headers are in: answer on the next call */
	}
	if (*upload_size) {
		*upload_size = 0; /* a body on a GET is read and dropped */
		return MHD_YES;
	}
	if (r->status)
		return MHD_YES;
	/* The config is read whole or not at all while a request uses it. */
	pthread_rwlock_rdlock(&r->server->config_lock);
	int result = serve_api(r, url);
	if (!result && !r->status)
		result = serve_page(r, url);
	if (!result && !r->status)
		result = serve_file(r, url);
	pthread_rwlock_unlock(&r->server->config_lock);
	return (enum MHD_Result)result;
}

/* ---- the server ---- */

static CHATARC_MUST_CHECK chatarc_status_t load_style(server_t *server, const char *file,
                                                      struct _xsltStylesheet **out,
                                                      chatarc_error_t *err)
{
	strbuf_t path;
	strbuf_init(&path, 0);
	strbuf_addf(&path, "%s/xslt/%s", server->options->share_dir, file);
	*out = access(path.buf, R_OK) == 0 ? xsltParseStylesheetFile(BAD_CAST path.buf) : NULL;
	chatarc_status_t status =
	    *out ? CHATARC_OK
	         : chatarc_error_set(err, CHATARC_ERR_NOT_FOUND,
	                             "cannot load the stylesheet %s: reinstall chatarc (make "
	                             "install) or run it from its source tree",
	                             path.buf);
	strbuf_release(&path);
	return status;
}

/* As many connections as the process may open, less a margin for the
 * files and the index it opens itself. */
static unsigned connection_room(unsigned wanted)
{
	struct rlimit limit;
	if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
		limit.rlim_cur = limit.rlim_max;
		setrlimit(RLIMIT_NOFILE, &limit); /* raised to what the system allows */
	}
	if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
		return wanted;
	rlim_t room = limit.rlim_cur > 128 ? limit.rlim_cur - 128 : 16;
	return room < wanted ? (unsigned)room : wanted;
}

static void reload_config(server_t *server)
{
	chatarc_config_t fresh;
	chatarc_error_t err;
	if (config_load(server->options->config_path, &fresh, schedule_rule_problem, &err) !=
	    CHATARC_OK) {
		term_say("serve: SIGHUP", err.message);
		term_say("serve", "kept the config it had");
		return;
	}
	pthread_rwlock_wrlock(&server->config_lock);
	chatarc_config_t old = server->config;
	server->config = fresh;
	pthread_rwlock_unlock(&server->config_lock);
	config_release(&old);
	term_say("serve", "read the config again");
}

/* Waits for SIGTERM or SIGINT (SIGHUP reads the config again), then stops
 * taking connections and lets the requests in flight finish (at most 30
 * s). */
static void wait_for_signals(server_t *server, struct MHD_Daemon *daemon, const sigset_t *signals)
{
	for (;;) {
		int sig = 0;
		if (sigwait(signals, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			reload_config(server);
			continue;
		}
		break;
	}
	MHD_quiesce_daemon(daemon);
	const struct timespec tick = {0, 10 * 1000 * 1000};
	for (int i = 0; i < 3000 && __atomic_load_n(&server->in_flight, __ATOMIC_SEQ_CST) > 0; i++)
		nanosleep(&tick, NULL);
	MHD_stop_daemon(daemon);
}

chatarc_status_t serve_run(const serve_options_t *options, chatarc_error_t *err)
{
	server_t server = {.options = options, .site_fd = -1};
	chatarc_status_t status =
	    config_load(options->config_path, &server.config, schedule_rule_problem, err);
	if (status != CHATARC_OK)
		return status;
	server.site_fd = open(options->site_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (server.site_fd < 0) {
		config_release(&server.config);
		return chatarc_error_set(err, CHATARC_ERR_NOT_FOUND,
		                         "%s: no site to serve (run `chatarc publish` first): %s",
		                         options->site_dir, strerror(errno));
	}
	if ((status = load_style(&server, "search.xsl", &server.search_style, err)) != CHATARC_OK ||
	    (status = load_style(&server, "people.xsl", &server.people_style, err)) != CHATARC_OK)
		goto out;
	pthread_rwlock_init(&server.config_lock, NULL);
	pthread_mutex_init(&server.log_lock, NULL);
	pthread_key_create(&server.searcher_key, searcher_free);

	struct sockaddr_in6 addr6 = {0};
	struct sockaddr_in addr4 = {0};
	struct sockaddr *addr;
	if (inet_pton(AF_INET, options->host, &addr4.sin_addr) == 1) {
		addr4.sin_family = AF_INET;
		addr4.sin_port = htons((unsigned short)options->port);
		addr = (struct sockaddr *)&addr4;
	} else if (inet_pton(AF_INET6, options->host, &addr6.sin6_addr) == 1) {
		addr6.sin6_family = AF_INET6;
		addr6.sin6_port = htons((unsigned short)options->port);
		addr = (struct sockaddr *)&addr6;
	} else {
		status = chatarc_error_set(err, CHATARC_ERR_USAGE,
		                           "--listen %s: expected an IP address and a port, as "
		                           "127.0.0.1:8080 or [::1]:8080",
		                           options->host);
		goto stop;
	}
	/* The workers and libmicrohttpd's threads take no signal: the main
	 * thread waits for them. */
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	                 (addr->sa_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	struct MHD_Daemon *daemon = MHD_start_daemon(
	    flags, (uint16_t)options->port, NULL, NULL, on_request, &server, MHD_OPTION_SOCK_ADDR,
	    addr, MHD_OPTION_THREAD_POOL_SIZE, options->threads, MHD_OPTION_CONNECTION_LIMIT,
	    connection_room(options->max_connections), MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    options->per_client, MHD_OPTION_CONNECTION_TIMEOUT, options->timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_URI_LOG_CALLBACK,
	    begin_request, &server, MHD_OPTION_NOTIFY_COMPLETED, end_request, &server,
	    MHD_OPTION_END);
	if (!daemon) {
		status = chatarc_error_set(
		    err, CHATARC_ERR_IO, "cannot listen on %s port %u: %s (another server there?)",
		    options->host, options->port, strerror(errno));
		goto stop;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
	char address[INET6_ADDRSTRLEN + 16];
	snprintf(address, sizeof address,
	         addr->sa_family == AF_INET6 ? "http://[%s]:%u/" : "http://%s:%u/", options->host,
	         info ? info->port : options->port);
	if (options->ready)
		options->ready(options->ctx, address);
	wait_for_signals(&server, daemon, &signals);
stop:
	pthread_key_delete(server.searcher_key);
	pthread_rwlock_destroy(&server.config_lock);
	pthread_mutex_destroy(&server.log_lock);
out:
	if (server.search_style)
		xsltFreeStylesheet(server.search_style);
	if (server.people_style)
		xsltFreeStylesheet(server.people_style);
	close(server.site_fd);
	config_release(&server.config);
	return status;
}
