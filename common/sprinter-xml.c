/* The XML sprinter of sprinter.h, apart from the others so a program that
 * prints only JSON or CSV (chatarc's search front end) does not link
 * libxml2. */
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "json.h"
#include "sprinter.h"

struct sprinter_xml {
	sprinter_t sp;
	strbuf_t *out;
	xmlBufferPtr buf;
	xmlTextWriterPtr writer;
};

static xmlTextWriterPtr writer_of(sprinter_t *sp)
{
	return ((struct sprinter_xml *)sp)->writer;
}

static void xml_begin(sprinter_t *sp, const char *name)
{
	xmlTextWriterStartElement(writer_of(sp), BAD_CAST name);
}

static void xml_end(sprinter_t *sp)
{
	xmlTextWriterEndElement(writer_of(sp));
}

static void xml_string(sprinter_t *sp, const char *name, const char *value)
{
	if (!value)
		return;
	char *clean = xml_clean_copy(value);
	xmlTextWriterWriteAttribute(writer_of(sp), BAD_CAST name, BAD_CAST(clean ? clean : value));
	free(clean);
}

static void xml_integer(sprinter_t *sp, const char *name, long long value)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", value);
	xmlTextWriterWriteAttribute(writer_of(sp), BAD_CAST name, BAD_CAST buf);
}

static void xml_number(sprinter_t *sp, const char *name, double value)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.4f", value);
	xmlTextWriterWriteAttribute(writer_of(sp), BAD_CAST name, BAD_CAST buf);
}

static void xml_boolean(sprinter_t *sp, const char *name, bool value)
{
	if (value)
		xmlTextWriterWriteAttribute(writer_of(sp), BAD_CAST name, BAD_CAST "yes");
}

static void xml_text(sprinter_t *sp, const char *name, const char *value)
{
	char *clean = value ? xml_clean_copy(value) : NULL;
	xmlTextWriterWriteElement(writer_of(sp), BAD_CAST name,
	                          BAD_CAST(clean   ? clean
	                                   : value ? value
	                                           : ""));
	free(clean);
}

sprinter_t *sprinter_xml_new(strbuf_t *out, bool indent)
{
	struct sprinter_xml *x = xcalloc(1, sizeof *x);
	x->sp = (sprinter_t){xml_begin,   xml_end,    xml_begin,       xml_end,
	                     xml_string,  xml_string, xml_integer,     xml_number,
	                     xml_boolean, xml_text,   sprinter_no_raw, sprinter_texts_as_list};
	x->out = out;
	x->buf = xmlBufferCreate();
	x->writer = xmlNewTextWriterMemory(x->buf, 0);
	if (!x->buf || !x->writer)
		alloc_or_die(NULL);
	if (indent) {
		xmlTextWriterSetIndent(x->writer, 1);
		xmlTextWriterSetIndentString(x->writer, BAD_CAST " ");
	}
	xmlTextWriterStartDocument(x->writer, NULL, "UTF-8", NULL);
	return &x->sp;
}

void sprinter_xml_finish(sprinter_t *sp)
{
	struct sprinter_xml *x = (struct sprinter_xml *)sp;
	xmlTextWriterEndDocument(x->writer);
	xmlFreeTextWriter(x->writer);
	strbuf_add(x->out, xmlBufferContent(x->buf), (size_t)xmlBufferLength(x->buf));
	xmlBufferFree(x->buf);
	free(x);
}
