/* <chatarc:linkify-message/>: the current message's text as the page
 * shows it, links made of its URLs, #hashtags and @mentions, as an XSLT
 * extension element writing into the page. The stylesheets' own template
 * (the element's xsl:fallback, for other XSLT processors such as
 * xsltproc) walks the text in recursive templates: 44% of a transcript's
 * render time. This gives the same nodes in one pass, straight into the
 * output (an extension function's result had to be copied there).
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

#include <stdlib.h>

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
	xmlNodePtr mentions; /* the message's <mentions>, or NULL */
};

/* The first child element of parent named name, or NULL. */
static xmlNodePtr child_element(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name))
			return n;
	return NULL;
}

/* "ana" -> "ana@toot.example" when the message's mentions name her so
 * (Mastodon text names local accounts without their server). */
static char *full_mention(const struct context *c, const char *who)
{
	size_t len = strlen(who);
	for (xmlNodePtr n = c->mentions ? c->mentions->children : NULL; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, BAD_CAST "mention"))
			continue;
		xmlChar *m = xmlNodeGetContent(n);
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

/* The host of an https:// url, as the templates take it:
 * substring-before(substring-after(url, 'https://'), '/'), so "" for
 * anything else. */
static char *url_host(const char *url)
{
	const char *after = url ? strstr(url, "https://") : NULL;
	const char *slash = after ? strchr(after + 8, '/') : NULL;
	strbuf_t host;
	strbuf_init(&host, 32);
	if (slash)
		strbuf_add(&host, after + 8, (size_t)(slash - after - 8));
	return strbuf_detach(&host, NULL);
}

/* In a template whose current node is a summary's <message>. */
static void linkify_element(xsltTransformContextPtr ctxt, xmlNodePtr node, xmlNodePtr inst,
                            xsltElemPreCompPtr comp)
{
	(void)inst;
	(void)comp;
	if (!ctxt || !node || !ctxt->insert || !ctxt->output)
		return;
	xmlChar *text = xmlNodeGetContent(child_element(node, "text"));
	xmlChar *network = xmlGetProp(node, BAD_CAST "network");
	xmlChar *url = xmlGetProp(node, BAD_CAST "url");
	char *host = url_host((const char *)url);
	struct context c = {network ? (const char *)network : "", host,
	                    child_element(node, "mentions")};
	linkify(ctxt->output, ctxt->insert, &c, text ? (const char *)text : "");
	free(host);
	xmlFree(url);
	xmlFree(network);
	xmlFree(text);
}

void publish_register_linkify(void)
{
	xsltRegisterExtModuleElement(BAD_CAST "linkify-message", BAD_CAST CHATARC_XSLT_NS, NULL,
	                             linkify_element);
}
