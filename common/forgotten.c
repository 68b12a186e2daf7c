/* DIR/forgotten: a first line "chatarc-forgotten 1 SALT" (32 hex digits,
 * random per data directory: a list copied elsewhere cannot be matched
 * against a guess list made for another), then one SHA-256 a line, hex. */
#define _DEFAULT_SOURCE
#include "forgotten.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "alloc.h"
#include "fsutil.h"
#include "strbuf.h"
#include "urimap.h"

#define FORGOTTEN_MAGIC "chatarc-forgotten 1 "
#define SALT_HEX        32
#define DIGEST_HEX      64
/* An author's stable identity among the names (never typed by a person:
 * a NUL-free mark no uri, url or account starts with). */
#define IDENTITY_MARK "\x01identity "

struct forgotten {
	char *path;
	char salt[SALT_HEX + 1];
	urimap_t hashes; /* hex digest -> (nothing) */
	strbuf_t text;   /* the file as it will be written */
	strbuf_t scratch;
};

static void hex_of(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

bool forgotten_name_is_account(const char *name)
{
	return !strstr(name, "://");
}

/* The hash of a name as the list holds it: accounts without '@' in front
 * and in lower case (networks compare them so), uris and urls as they are. */
static void digest_of(struct forgotten *list, const char *name, char out[DIGEST_HEX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	strbuf_t *s = &list->scratch;

	strbuf_reset(s);
	strbuf_addstr(s, list->salt);
	if (!strncmp(name, IDENTITY_MARK, strlen(IDENTITY_MARK))) {
		strbuf_addstr(s, "\nidentity\n");
		strbuf_addstr(s, name + strlen(IDENTITY_MARK));
	} else if (forgotten_name_is_account(name)) {
		strbuf_addstr(s, "\naccount\n");
		for (const char *p = name[0] == '@' ? name + 1 : name; *p; p++)
			strbuf_addch(s, *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p);
	} else {
		strbuf_addstr(s, "\nmessage\n");
		strbuf_addstr(s, name);
	}
	if (!EVP_Digest(s->buf, s->len, md, &md_len, EVP_sha256(), NULL)) {
		fputs("chatarc: SHA-256 is not available from libcrypto\n", stderr);
		abort();
	}
	hex_of(md, md_len, out);
}

static CHATARC_MUST_CHECK chatarc_status_t parse_list(struct forgotten *list, chatarc_error_t *err)
{
	char *p = list->text.buf;
	size_t magic = strlen(FORGOTTEN_MAGIC);
	if (strncmp(p, FORGOTTEN_MAGIC, magic) || strlen(p) < magic + SALT_HEX ||
	    p[magic + SALT_HEX] != '\n')
		goto corrupt;
	memcpy(list->salt, p + magic, SALT_HEX);
	list->salt[SALT_HEX] = '\0';
	for (p += magic + SALT_HEX + 1; *p;) {
		char *end = strchr(p, '\n');
		if (!end || end - p != DIGEST_HEX)
			goto corrupt;
		*end = '\0';
		bool added;
		urimap_insert(&list->hashes, p, &added);
		*end = '\n';
		p = end + 1;
	}
	return CHATARC_OK;
corrupt:
	return chatarc_error_set(err, CHATARC_ERR_CORRUPT,
	                         "%s: not a list of forgotten posts; restore it from a backup "
	                         "(fetch and import refuse to run without it)",
	                         list->path);
}

static CHATARC_MUST_CHECK chatarc_status_t new_salt(struct forgotten *list, chatarc_error_t *err)
{
	unsigned char bytes[SALT_HEX / 2];
	if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
		return chatarc_error_set(err, CHATARC_ERR_IO, "cannot read random bytes: %s",
		                         strerror(errno));
	hex_of(bytes, sizeof bytes, list->salt);
	strbuf_addf(&list->text, "%s%s\n", FORGOTTEN_MAGIC, list->salt);
	return CHATARC_OK;
}

chatarc_status_t forgotten_load(const char *data_dir, forgotten_t **out, chatarc_error_t *err)
{
	struct forgotten *list = xcalloc(1, sizeof *list);
	chatarc_status_t status;

	strbuf_init(&list->text, 0);
	strbuf_init(&list->scratch, 0);
	urimap_init(&list->hashes);
	strbuf_t path;
	strbuf_init(&path, 0);
	strbuf_addf(&path, "%s/forgotten", data_dir);
	list->path = strbuf_detach(&path, NULL);
	status = fs_read_file(list->path, &list->text, 0, err);
	if (status == CHATARC_OK)
		status = parse_list(list, err);
	else if (status == CHATARC_ERR_NOT_FOUND || !fs_exists(list->path))
		status = CHATARC_OK; /* nothing forgotten yet: salted on the first add */
	if (status != CHATARC_OK) {
		forgotten_free(list);
		return status;
	}
	*out = list;
	return CHATARC_OK;
}

void forgotten_free(forgotten_t *list)
{
	if (!list)
		return;
	free(list->path);
	urimap_release(&list->hashes);
	strbuf_release(&list->text);
	strbuf_release(&list->scratch);
	free(list);
}

bool forgotten_is_empty(const forgotten_t *list)
{
	return !list || list->hashes.count == 0;
}

chatarc_status_t forgotten_add(forgotten_t *list, const strlist_t *names, chatarc_error_t *err)
{
	char digest[DIGEST_HEX + 1];
	chatarc_status_t status;

	if (!list->salt[0] && (status = new_salt(list, err)) != CHATARC_OK)
		return status;
	for (size_t i = 0; i < names->len; i++) {
		bool added;
		digest_of(list, names->items[i], digest);
		urimap_insert(&list->hashes, digest, &added);
		if (added)
			strbuf_addf(&list->text, "%s\n", digest);
	}
	return CHATARC_OK;
}

chatarc_status_t forgotten_save(forgotten_t *list, chatarc_error_t *err)
{
	if (!list->salt[0])
		return CHATARC_OK; /* nothing was ever added */
	return fs_replace_file_mode(list->path, list->text.buf, list->text.len, 0600, err);
}

static bool name_forgotten(forgotten_t *list, const char *name)
{
	char digest[DIGEST_HEX + 1];
	if (!name || !*name)
		return false;
	digest_of(list, name, digest);
	return urimap_find(&list->hashes, digest) != NULL;
}

void forgotten_add_identity(strlist_t *names, const char *identity)
{
	strbuf_t name;
	strbuf_init(&name, 64);
	strbuf_addf(&name, "%s%s", IDENTITY_MARK, identity);
	strlist_add_unique(names, name.buf);
	strbuf_release(&name);
}

bool forgotten_matches(forgotten_t *list, const chatarc_record_t *record)
{
	if (forgotten_is_empty(list))
		return false;
	/* An author is always an account; a uri or url never is. */
	if (name_forgotten(list, record->uri) || name_forgotten(list, record->url) ||
	    (record->author && forgotten_name_is_account(record->author) &&
	     name_forgotten(list, record->author)))
		return true;
	/* A boost event goes with the message it boosts and with that
	 * message's author: neither may stay named in it. */
	if (name_forgotten(list, record->boost_of) ||
	    (record->boost_of_account && forgotten_name_is_account(record->boost_of_account) &&
	     name_forgotten(list, record->boost_of_account)))
		return true;
	/* The author under another handle: by the identity a handle change
	 * keeps (record_author_identity). */
	strbuf_t identity;
	strbuf_init(&identity, 64);
	strbuf_addstr(&identity, IDENTITY_MARK);
	bool found =
	    record_author_identity(record, &identity) && name_forgotten(list, identity.buf);
	strbuf_release(&identity);
	return found;
}
