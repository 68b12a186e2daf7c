/* chatarc:linkify(text, network, host, mentions): a post's text as the
 * page shows it, links made of its URLs, #hashtags and @mentions, as an
 * XSLT extension function. The stylesheets' own linkify template (kept
 * for other XSLT processors, such as xsltproc) walked the text word by
 * word in recursive templates: 44% of a transcript's render time. This
 * gives the same nodes in one pass.
 *
 * A word is a run of characters up to a space or a line break. A word
 * that starts with "http", "#" or "@" may become a link; sentence
 * punctuation at its end (.,;:!?) stays outside. Only http(s) hrefs are
 * made: a post can never put another scheme into a page. */
#include "linkify.h"

#include <stdbool.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxslt/extensions.h>
#include <libxslt/transform.h>
#include <libxslt/variables.h>
#include <libxslt/xsltutils.h>

#include "../common/strbuf.h"

#define CHATARC_XSLT_NS "urn:chatarc"

/* Characters, not bytes: XPath's string-length, which the template used. */
static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static void add_text(xmlDocPtr doc, xmlNodePtr parent, const char *text, size_t len)
{
	if (len)
		xmlAddChild(parent, xmlNewDocTextLen(doc, BAD_CAST text, (int)len));
}

/* <a href="HREF" rel="nofollow ugc noopener" class="CLASS">LABEL</a>, or
 * the label alone when href is not http(s). */
static void add_link(xmlDocPtr doc, xmlNodePtr parent, const char *href, const char *class,
                     const char *label, size_t label_len)
{
	if (strncmp(href, "https://", 8) && strncmp(href, "http://", 7)) {
		add_text(doc, parent, label, label_len);
		return;
	}
	xmlNodePtr a = xmlNewDocNode(doc, NULL, BAD_CAST "a", NULL);
	xmlNewProp(a, BAD_CAST "href", BAD_CAST href);
	xmlNewProp(a, BAD_CAST "rel", BAD_CAST "nofollow ugc noopener");
	if (class)
		xmlNewProp(a, BAD_CAST "class", BAD_CAST class);
	add_text(doc, a, label, label_len);
	xmlAddChild(parent, a);
}

struct context {
	const char *network, *host;
	xmlNodeSetPtr mentions;
};

/* "ana" -> "ana@toot.example" when the message's mentions name her so
 * (Mastodon text names local accounts without their server). */
static char *full_mention(const struct context *c, const char *who)
{
	size_t len = strlen(who);
	for (int i = 0; c->mentions && i < c->mentions->nodeNr; i++) {
		xmlChar *m = xmlXPathCastNodeToString(c->mentions->nodeTab[i]);
		if (m && !strncmp((const char *)m, who, len) && m[len] == '@')
			return (char *)m;
		xmlFree(m);
	}
	return NULL;
}

static void add_word(xmlDocPtr doc, xmlNodePtr parent, const struct context *c, const char *word,
                     size_t len)
{
	bool trail = utf8_chars(word, len) > 1 && strchr(".,;:!?)", word[len - 1]);
	size_t core = trail ? len - 1 : len;
	strbuf_t href, rest;
	strbuf_init(&href, 64);
	strbuf_init(&rest, core);
	if ((!strncmp(word, "https://", 8) || !strncmp(word, "http://", 7)) &&
	    utf8_chars(word, core) > 8) {
		strbuf_add(&href, word, core);
		add_link(doc, parent, href.buf, NULL, word, core);
	} else if (word[0] == '#' && utf8_chars(word, core) > 1) {
		strbuf_add(&rest, word + 1, core - 1);
		if (!strcmp(c->network, "mastodon") && *c->host)
			strbuf_addf(&href, "https://%s/tags/%s", c->host, rest.buf);
		else if (!strcmp(c->network, "bluesky"))
			strbuf_addf(&href, "https://bsky.app/hashtag/%s", rest.buf);
		else if (!strcmp(c->network, "twitter"))
			strbuf_addf(&href, "https://twitter.com/hashtag/%s", rest.buf);
		add_link(doc, parent, href.buf, "tag", word, core);
	} else if (word[0] == '@' && utf8_chars(word, core) > 1) {
		strbuf_add(&rest, word + 1, core - 1);
		char *full = strchr(rest.buf, '@') ? NULL : full_mention(c, rest.buf);
		const char *who = full ? full : rest.buf;
		const char *at = strchr(who, '@');
		if (!strcmp(c->network, "mastodon") && at)
			strbuf_addf(&href, "https://%s/@%.*s", at + 1, (int)(at - who), who);
		else if (!strcmp(c->network, "mastodon") && *c->host)
			strbuf_addf(&href, "https://%s/@%s", c->host, who);
		else if (!strcmp(c->network, "bluesky"))
			strbuf_addf(&href, "https://bsky.app/profile/%s", who);
		else if (!strcmp(c->network, "twitter"))
			strbuf_addf(&href, "https://twitter.com/%s", who);
		add_link(doc, parent, href.buf, "mention", word, core);
		xmlFree(full);
	} else {
		core = len;
		trail = false;
		add_text(doc, parent, word, len);
	}
	if (trail)
		add_text(doc, parent, word + core, 1);
	strbuf_release(&href);
	strbuf_release(&rest);
}

static bool may_link(const char *word)
{
	return word[0] == '#' || word[0] == '@' || !strncmp(word, "http", 4);
}

/* The text's nodes under parent: runs of plain words as one text node. */
static void linkify(xmlDocPtr doc, xmlNodePtr parent, const struct context *c, const char *text)
{
	const char *plain = text, *p = text;
	while (*p) {
		size_t len = strcspn(p, " \n");
		if (len && may_link(p)) {
			add_text(doc, parent, plain, (size_t)(p - plain));
			add_word(doc, parent, c, p, len);
			plain = p + len;
		}
		p += len;
		if (*p)
			p++; /* the space or line break: plain text */
	}
	add_text(doc, parent, plain, (size_t)(p - plain));
}

static void linkify_function(xmlXPathParserContextPtr ctxt, int nargs)
{
	if (nargs != 4) {
		xmlXPathSetArityError(ctxt);
		return;
	}
	xmlXPathObjectPtr mentions = valuePop(ctxt);
	xmlChar *host = xmlXPathPopString(ctxt);
	xmlChar *network = xmlXPathPopString(ctxt);
	xmlChar *text = xmlXPathPopString(ctxt);
	xsltTransformContextPtr tctxt = xsltXPathGetTransformContext(ctxt);
	xmlDocPtr container = tctxt ? xsltCreateRVT(tctxt) : NULL;
	if (!container || !text || !network || !host) {
		xmlXPathSetError(ctxt, XPATH_MEMORY_ERROR);
	} else {
		xsltRegisterLocalRVT(tctxt, container);
		xmlNodePtr root = xmlNewDocNode(container, NULL, BAD_CAST "linkified", NULL);
		xmlAddChild((xmlNodePtr)container, root);
		struct context c = {
		    (const char *)network, (const char *)host,
		    mentions && mentions->type == XPATH_NODESET ? mentions->nodesetval : NULL};
		linkify(container, root, &c, (const char *)text);
		/* The nodes themselves, as a node-set to copy-of. */
		xmlNodeSetPtr set = xmlXPathNodeSetCreate(NULL);
		for (xmlNodePtr n = root->children; n; n = n->next)
			xmlXPathNodeSetAdd(set, n);
		valuePush(ctxt, xmlXPathWrapNodeSet(set));
	}
	xmlFree(text);
	xmlFree(network);
	xmlFree(host);
	xmlXPathFreeObject(mentions);
}

void publish_register_linkify(void)
{
	xsltRegisterExtModuleFunction(BAD_CAST "linkify", BAD_CAST CHATARC_XSLT_NS,
	                              linkify_function);
}
