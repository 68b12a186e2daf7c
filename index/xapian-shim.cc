// The Xapian shim: every Xapian call of chatarc, every exception caught here
// and turned into a chatarc status and message.
#include "xapian-shim.h"

#include "../common/alloc.h"
#include "display-data.h"

#include <xapian.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

// The stemmer of a language (a BCP 47 primary subtag: "de", "fr"), English
// for a language Xapian has none for ("ja", "und") or no language at all:
// what the index used for every post before it knew their languages.
static Xapian::Stem stemmer_for(const std::string &lang)
{
	if (lang.empty() || lang == "en")
		return Xapian::Stem("english");
	try {
		return Xapian::Stem(lang);
	} catch (const Xapian::InvalidArgumentError &) {
		return Xapian::Stem("english");
	}
}

struct xdb {
	Xapian::Database *read = nullptr;
	Xapian::WritableDatabase *write = nullptr;
	Xapian::TermGenerator terms;
	std::map<std::string, Xapian::Stem> stemmers; // by language, made once
	std::string stemmer_lang = "en";              // the one terms has now
	display_codec_t *codec = nullptr;             // packs and unpacks display data
	void use_language(const char *lang)
	{
		std::string key(lang ? lang : "");
		if (key.empty())
			key = "en";
		if (key == stemmer_lang)
			return;
		auto it = stemmers.find(key);
		if (it == stemmers.end())
			it = stemmers.emplace(key, stemmer_for(key)).first;
		terms.set_stemmer(it->second);
		stemmer_lang = key;
	}
	xdb()
	{
		codec = display_codec_new();
		terms.set_stemmer(stemmers.emplace("en", Xapian::Stem("english")).first->second);
		// Stemmed terms only (Z-prefixed), as the query parser asks
		// for them: not also every word unstemmed, which cost a fifth
		// of the indexing time (BENCHMARKS.md).
		terms.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL_Z);
	}
	~xdb()
	{
		delete write;
		delete read;
		display_codec_free(codec);
	}
	Xapian::Database &db()
	{
		return write ? *write : *read;
	}
};

// The languages other than English that Xapian 1.4 has a Snowball stemmer
// for, by the ISO 639-1 codes Xapian::Stem takes (every other language is
// stemmed in English), in the order of their lang: terms. Search asks the
// index which of them it holds one by one: listing the lang: terms walked
// every chunk of their postings, 2 MB of reads for each search at 1M
// messages, a third of a short one.
static const char *const stemmed_languages[] = {
    "ar", "ca", "da", "de", "es", "eu", "fi", "fr", "ga", "hu", "hy", "id", "it",
    "lt", "nb", "ne", "nl", "nn", "no", "pt", "ro", "ru", "sv", "ta", "tr"};

static CHATARC_MUST_CHECK chatarc_status_t fail(chatarc_error_t *err, chatarc_status_t status,
                                                const char *what, const Xapian::Error &e)
{
	return chatarc_error_set(err, status, "%s: %s: %s", what, e.get_type(),
	                         e.get_msg().c_str());
}

// Called from a catch (...) in every function: rethrows what was caught and
// maps it to a status and message, in one place (notmuch's
// _notmuch_xapian_error_private is the model). Nothing escapes to C.
static CHATARC_MUST_CHECK chatarc_status_t xapian_error(chatarc_error_t *err, const char *what)
{
	try {
		throw;
	} catch (const Xapian::DatabaseLockError &e) {
		return fail(err, CHATARC_ERR_BUSY, what, e);
	} catch (const Xapian::DatabaseNotFoundError &e) {
		return fail(err, CHATARC_ERR_NOT_FOUND, what, e);
	} catch (const Xapian::DatabaseOpeningError &e) {
		return fail(err, CHATARC_ERR_NOT_FOUND, what, e);
	} catch (const Xapian::DatabaseCorruptError &e) {
		return fail(err, CHATARC_ERR_CORRUPT, what, e);
	} catch (const Xapian::Error &e) {
		return fail(err, CHATARC_ERR_IO, what, e);
	} catch (const std::bad_alloc &) {
		alloc_or_die(nullptr); /* the program's one out-of-memory policy (alloc.h) */
		return CHATARC_ERR_NOMEM;
	} catch (const std::exception &e) {
		return chatarc_error_set(err, CHATARC_ERR_IO, "%s: %s", what, e.what());
	} catch (...) {
		return chatarc_error_set(err, CHATARC_ERR_IO, "%s: unknown error", what);
	}
}

extern "C" chatarc_status_t xdb_open_writable(const char *path, xdb_t **out, chatarc_error_t *err)
{
	try {
		std::unique_ptr<xdb> db(new xdb);
		db->write = new Xapian::WritableDatabase(path, Xapian::DB_CREATE_OR_OPEN);
		db->terms.set_database(*db->write);
		*out = db.release();
		return CHATARC_OK;
	} catch (...) {
		return xapian_error(err, path);
	}
}

extern "C" chatarc_status_t xdb_reopen(xdb_t *db, bool *changed, chatarc_error_t *err)
{
	try {
		*changed = db->read && db->read->reopen();
		return CHATARC_OK;
	} catch (...) {
		return xapian_error(err, "reopen");
	}
}

extern "C" chatarc_status_t xdb_open_readonly(const char *const *paths, size_t n_paths, xdb_t **out,
                                              chatarc_error_t *err)
{
	const char *current = n_paths ? paths[0] : "";
	try {
		std::unique_ptr<xdb> db(new xdb);
		db->read = new Xapian::Database();
		for (size_t i = 0; i < n_paths; i++) {
			current = paths[i];
			if (!std::strncmp(current, "tcp:", 4)) {
				std::string host_port(current + 4);
				size_t colon = host_port.rfind(':');
				if (colon == std::string::npos)
					return chatarc_error_set(err, CHATARC_ERR_USAGE,
					                         "%s: expected tcp:HOST:PORT",
					                         current);
				db->read->add_database(Xapian::Remote::open(
				    host_port.substr(0, colon),
				    (unsigned)std::atoi(host_port.c_str() + colon + 1), 10000,
				    10000));
			} else {
				db->read->add_database(Xapian::Database(current));
			}
		}
		*out = db.release();
		return CHATARC_OK;
	} catch (...) {
		return xapian_error(err, current);
	}
}

extern "C" void xdb_close(xdb_t *db)
{
	try {
		if (db && db->write)
			db->write->close();
	} catch (const Xapian::Error &) {
		// Closing without commit: what was not committed is dropped, as intended.
	}
	delete db;
}

extern "C" chatarc_status_t xdb_replace(xdb_t *db, const xdb_document_t *in, chatarc_error_t *err)
{
	try {
		Xapian::Document doc;
		std::string id_term = std::string("Q") + in->id;
		db->terms.set_document(doc);
		// Stemmed in the post's own language: "Forschungen" finds
		// "Forschung" in German, which English stemming leaves apart.
		// With positions: Xapian runs phrases, NEAR and ADJ itself, on
		// every backend, remote shards included.
		db->use_language(in->lang);
		db->terms.index_text(in->text ? in->text : "");
		// The author's display name: found by its words, never part of
		// a phrase with the text.
		if (in->name && *in->name) {
			db->terms.increase_termpos();
			db->terms.index_text_without_positions(in->name);
		}
		doc.add_boolean_term(id_term);
		for (const char *const *t = in->boolean_terms; t && *t; t++) {
			std::string term(*t);
			// Xapian terms are at most 245 bytes; longer values cannot be
			// matched exactly anyway.
			if (!term.empty() && term.size() < 240)
				doc.add_boolean_term(term);
		}
		std::string created(in->created ? in->created : "");
		doc.add_value(XDB_SLOT_CREATED, created);
		if (created.size() >= 10) {
			std::string day =
			    created.substr(0, 4) + created.substr(5, 2) + created.substr(8, 2);
			doc.add_value(XDB_SLOT_DAY, day);
			doc.add_boolean_term(XDB_PREFIX_YEAR + day.substr(0, 4));
			doc.add_boolean_term(XDB_PREFIX_MONTH + day.substr(0, 6));
			doc.add_boolean_term(XDB_PREFIX_DAY + day);
		}
		if (in->facets && *in->facets)
			doc.add_value(XDB_SLOT_FACETS, in->facets);
		if (in->data && *in->data) {
			size_t packed_len;
			const char *packed =
			    display_pack(db->codec, in->data, std::strlen(in->data), &packed_len);
			if (!packed)
				throw std::bad_alloc();
			doc.add_value(XDB_SLOT_DATA, std::string(packed, packed_len));
		}
		// Adding skips the lookup of the id term (a quarter of the time).
		if (in->is_new)
			db->write->add_document(doc);
		else
			db->write->replace_document(id_term, doc);
		return CHATARC_OK;
	} catch (...) {
		return xapian_error(err, "index");
	}
}

extern "C" chatarc_status_t xdb_delete(xdb_t *db, const char *id, chatarc_error_t *err)
{
	try {
		db->write->delete_document(std::string("Q") + id);
		return CHATARC_OK;
	} catch (...) {
		return xapian_error(err, "index");
	}
}

extern "C" chatarc_status_t xdb_day_ids(xdb_t *db, const char *chat_term, const char *day,
                                        void (*fn)(void *ctx, const char *id), void *ctx,
                                        chatarc_error_t *err)
{
	try {
		Xapian::Query query(
		    Xapian::Query::OP_FILTER,
		    Xapian::Query(Xapian::Query::OP_VALUE_RANGE, XDB_SLOT_DAY, day, day),
		    Xapian::Query(chat_term));
		Xapian::Enquire enquire(db->db());
		enquire.set_query(query);
		enquire.set_weighting_scheme(Xapian::BoolWeight());
		Xapian::MSet hits = enquire.get_mset(0, db->db().get_doccount());
		for (Xapian::MSetIterator it = hits.begin(); it != hits.end(); ++it) {
			Xapian::Document doc = it.get_document();
			Xapian::TermIterator t = doc.termlist_begin();
			t.skip_to("Q");
			if (t != doc.termlist_end() && (*t)[0] == 'Q')
				fn(ctx, (*t).c_str() + 1);
		}
		return CHATARC_OK;
	} catch (...) {
		return xapian_error(err, "index");
	}
}

extern "C" chatarc_status_t xdb_set_metadata(xdb_t *db, const char *key, const char *value,
                                             chatarc_error_t *err)
{
	try {
		db->write->set_metadata(key, value);
		return CHATARC_OK;
	} catch (...) {
		return xapian_error(err, "index metadata");
	}
}

extern "C" chatarc_status_t xdb_get_metadata(xdb_t *db, const char *key, char **value,
                                             chatarc_error_t *err)
{
	try {
		*value = xstrdup(db->db().get_metadata(key).c_str());
		return CHATARC_OK;
	} catch (...) {
		return xapian_error(err, "index metadata");
	}
}

extern "C" chatarc_status_t xdb_commit(xdb_t *db, chatarc_error_t *err)
{
	try {
		db->write->commit();
		return CHATARC_OK;
	} catch (...) {
		return xapian_error(err, "index commit");
	}
}

extern "C" chatarc_status_t xdb_compact_to(xdb_t *db, const char *dest, chatarc_error_t *err)
{
	try {
		db->db().compact(dest);
		return CHATARC_OK;
	} catch (...) {
		return xapian_error(err, dest);
	}
}

extern "C" chatarc_status_t xdb_field_values(xdb_t *db, const char *prefix,
                                             const char *value_prefix,
                                             void (*fn)(void *ctx, const char *value), void *ctx,
                                             chatarc_error_t *err)
{
	try {
		std::string start = std::string(prefix) + value_prefix;
		size_t skip = std::strlen(prefix);
		for (auto t = db->db().allterms_begin(start); t != db->db().allterms_end(start);
		     ++t)
			fn(ctx, (*t).substr(skip).c_str());
		return CHATARC_OK;
	} catch (...) {
		return xapian_error(err, "index terms");
	}
}

extern "C" chatarc_status_t xdb_document_count(xdb_t *db, size_t *count, chatarc_error_t *err)
{
	try {
		*count = db->db().get_doccount();
		return CHATARC_OK;
	} catch (...) {
		return xapian_error(err, "index");
	}
}

// A document's display data ("" for none), held by the codec until its
// next call; damaged data throws, as Xapian does for a damaged table.
static const char *display_data(display_codec_t *codec, const Xapian::Document &doc)
{
	std::string packed = doc.get_value(XDB_SLOT_DATA);
	if (packed.empty())
		return "";
	chatarc_error_t err;
	const char *json = display_unpack(codec, packed.data(), packed.size(), &err);
	if (!json)
		throw Xapian::DatabaseCorruptError(err.message);
	return json;
}

// The documents a hide list leaves out: those of its chat holding one of
// its terms (an author, an id, a url), as a query a remote shard runs too.
static Xapian::Query hidden_query(const xdb_hidden_t *hidden, size_t n)
{
	std::vector<Xapian::Query> groups;
	for (size_t i = 0; i < n; i++) {
		std::vector<Xapian::Query> terms;
		for (size_t k = 0; k < hidden[i].n_terms; k++) {
			terms.emplace_back(hidden[i].terms[k]);
		}
		if (terms.empty())
			continue;
		Xapian::Query any(Xapian::Query::OP_OR, terms.begin(), terms.end());
		std::string chat = hidden[i].chat_term ? hidden[i].chat_term : "";
		groups.push_back(chat.empty() ? any
		                              : Xapian::Query(Xapian::Query::OP_FILTER, any,
		                                              Xapian::Query(chat)));
	}
	return groups.empty() ? Xapian::Query()
	                      : Xapian::Query(Xapian::Query::OP_OR, groups.begin(), groups.end());
}

// The terms of a query in order: what tells two readings of it apart.
static std::vector<std::string> terms_of(const Xapian::Query &query)
{
	return std::vector<std::string>(query.get_terms_begin(), query.get_terms_end());
}

// Compiles chatarc's query tree (query.h) into a Xapian::Query, for one
// language's stemmer: its free text split into words as the indexer splits
// a post (the same TermGenerator and stemmer), so a word the indexer made
// two terms of ("covid-19") is a phrase of them, as Xapian's QueryParser
// reads it.
// A calendar day, for cutting date ranges into years, months and days.
struct Day {
	int y, m, d;
	static bool leap(int y)
	{
		return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	}
	static int days_in(int y, int m)
	{
		static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		return m == 2 && leap(y) ? 29 : n[m - 1];
	}
	static bool parse(const char *s, Day *out)
	{
		if (!s || std::strlen(s) != 8 || std::strspn(s, "0123456789") != 8)
			return false;
		int v = std::atoi(s);
		*out = {v / 10000, v / 100 % 100, v % 100};
		return out->m >= 1 && out->m <= 12 && out->d >= 1 &&
		       out->d <= days_in(out->y, out->m);
	}
	int key() const
	{
		return y * 10000 + m * 100 + d;
	}
	std::string text(int digits) const
	{
		char buf[40];
		std::snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, d);
		return std::string(buf, (size_t)digits);
	}
};

// The years the index holds (its year terms), read once a search and only
// when a date range asks: every language's reading of the query shares them.
struct IndexYears {
	const Xapian::Database &db;
	bool read = false;
	int first = 0, last = -1; // last < first: no dated message
	explicit IndexYears(const Xapian::Database &database) : db(database)
	{
	}
	void ensure()
	{
		if (read)
			return;
		read = true;
		const std::string prefix(XDB_PREFIX_YEAR);
		for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
			int year = std::atoi((*t).c_str() + prefix.size());
			if (last < first)
				first = last = year;
			first = std::min(first, year);
			last = std::max(last, year);
		}
	}
};

class Compiler
{
	Xapian::TermGenerator words;
	IndexYears &years;

	// A query no message matches. Not Xapian's MatchNothing, which is the
	// empty query: under an AND or a filter an empty query is left out
	// (pair), so a range outside the index's years matched everything.
	static Xapian::Query nothing()
	{
		return Xapian::Query(std::string(XDB_PREFIX_YEAR));
	}
	// [lo, hi] as the fewest year, month and day terms: days up to a
	// month's start, months up to a year's, whole years, then back down.
	Xapian::Query date_terms(Day lo, Day hi)
	{
		std::vector<std::string> terms;
		while (lo.key() <= hi.key() && terms.size() < 5000) {
			Day year_end = {lo.y, 12, 31};
			Day month_end = {lo.y, lo.m, Day::days_in(lo.y, lo.m)};
			if (lo.m == 1 && lo.d == 1 && year_end.key() <= hi.key()) {
				terms.push_back(XDB_PREFIX_YEAR + lo.text(4));
				lo = {lo.y + 1, 1, 1};
			} else if (lo.d == 1 && month_end.key() <= hi.key()) {
				terms.push_back(XDB_PREFIX_MONTH + lo.text(6));
				lo = lo.m == 12 ? Day{lo.y + 1, 1, 1} : Day{lo.y, lo.m + 1, 1};
			} else {
				terms.push_back(XDB_PREFIX_DAY + lo.text(8));
				lo = lo.d < Day::days_in(lo.y, lo.m) ? Day{lo.y, lo.m, lo.d + 1}
				     : lo.m == 12                    ? Day{lo.y + 1, 1, 1}
				                                     : Day{lo.y, lo.m + 1, 1};
			}
		}
		if (terms.empty())
			return nothing();
		return Xapian::Query(
		    Xapian::Query::OP_SCALE_WEIGHT,
		    Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()), 0.0);
	}
	// A range of days (either end open) as terms, clamped to the years
	// the index holds; a day that is no calendar day is a value range.
	Xapian::Query date_range(const char *low, const char *high)
	{
		Day lo, hi;
		bool have_lo = Day::parse(low, &lo), have_hi = Day::parse(high, &hi);
		if ((low && !have_lo) || (high && !have_hi)) {
			if (low && high)
				return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, XDB_SLOT_DAY,
				                     low, high);
			return low ? Xapian::Query(Xapian::Query::OP_VALUE_GE, XDB_SLOT_DAY, low)
			           : Xapian::Query(Xapian::Query::OP_VALUE_LE, XDB_SLOT_DAY, high);
		}
		years.ensure();
		if (years.last < years.first)
			return nothing(); // no dated message at all
		Day first = {years.first, 1, 1}, last = {years.last, 12, 31};
		if (!have_lo || lo.key() < first.key())
			lo = first;
		if (!have_hi || hi.key() > last.key())
			hi = last;
		return date_terms(lo, hi);
	}

      public:
	Compiler(const Xapian::Stem &stem, IndexYears &index_years) : years(index_years)
	{
		words.set_stemmer(stem);
		words.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL_Z);
	}
	std::vector<std::string> split(const char *text)
	{
		Xapian::Document doc;
		words.set_document(doc);
		words.index_text(text ? text : "");
		std::vector<std::pair<Xapian::termpos, std::string>> at;
		for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t)
			for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p)
				at.emplace_back(*p, *t);
		std::sort(at.begin(), at.end());
		std::vector<std::string> out;
		for (const auto &a : at)
			out.push_back(a.second);
		return out;
	}
	static Xapian::Query phrase(const std::vector<std::string> &terms, Xapian::Query::op op,
	                            Xapian::termcount window)
	{
		if (terms.size() == 1)
			return Xapian::Query(terms[0]);
		return Xapian::Query(op, terms.begin(), terms.end(), window);
	}
	// a op b, where either may be empty (free text with no words): the
	// other alone, as QueryParser leaves out what has no terms.
	static Xapian::Query pair(Xapian::Query::op op, const Xapian::Query &a,
	                          const Xapian::Query &b)
	{
		if (b.empty())
			return a;
		if (a.empty())
			return op == Xapian::Query::OP_AND_NOT ? a
			       : op == Xapian::Query::OP_FILTER
			           ? Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, b, 0.0)
			           : b;
		return Xapian::Query(op, a, b);
	}
	Xapian::Query compile(const query_node_t *n)
	{
		switch (n->op) {
		case QUERY_ALL: return Xapian::Query::MatchAll;
		case QUERY_TEXT:
		case QUERY_PHRASE: {
			std::vector<std::string> terms = split(n->text);
			if (terms.empty())
				return Xapian::Query();
			return phrase(terms, Xapian::Query::OP_PHRASE, terms.size());
		}
		case QUERY_WILDCARD: {
			std::string start("Z");
			for (const char *p = n->text; *p; p++)
				start += (char)std::tolower((unsigned char)*p);
			// The 1,000 commonest words it starts, as one synonym.
			return Xapian::Query(Xapian::Query::OP_WILDCARD, start, 1000,
			                     Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
		}
		case QUERY_NEAR:
		case QUERY_ADJ: {
			std::vector<std::string> terms;
			for (size_t i = 0; i < n->n_kids; i++)
				for (const auto &t : split(n->kids[i]->text))
					terms.push_back(t);
			if (terms.empty())
				return Xapian::Query();
			return phrase(terms,
			              n->op == QUERY_NEAR ? Xapian::Query::OP_NEAR
			                                  : Xapian::Query::OP_PHRASE,
			              n->window);
		}
		case QUERY_TERM: return Xapian::Query(n->text);
		case QUERY_RANGE: return date_range(n->low, n->high);
		case QUERY_BOOLEAN:
			return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, compile(n->kids[0]),
			                     0.0);
		case QUERY_AND:
		case QUERY_OR:
		case QUERY_XOR:
		case QUERY_AND_NOT:
		case QUERY_FILTER: {
			static const Xapian::Query::op ops[] = {
			    Xapian::Query::OP_AND, Xapian::Query::OP_OR, Xapian::Query::OP_XOR,
			    Xapian::Query::OP_AND_NOT, Xapian::Query::OP_FILTER};
			Xapian::Query::op op = ops[n->op - QUERY_AND];
			Xapian::Query q = compile(n->kids[0]);
			for (size_t i = 1; i < n->n_kids; i++)
				q = pair(op, q, compile(n->kids[i]));
			return q;
		}
		}
		throw Xapian::InvalidArgumentError("a query node chatarc cannot compile");
	}
};

// The first term of each prefix a document holds, without the prefix.
static std::vector<std::string> first_terms(const Xapian::Document &doc,
                                            const char *const *prefixes)
{
	std::vector<std::string> values;
	for (const char *const *p = prefixes; p && *p; p++) {
		Xapian::TermIterator t = doc.termlist_begin();
		t.skip_to(*p);
		std::string term = t != doc.termlist_end() ? *t : std::string();
		values.push_back(term.compare(0, std::strlen(*p), *p) == 0
		                     ? term.substr(std::strlen(*p))
		                     : std::string("\x01"));
	}
	return values;
}

// The combined facet values' counts, split into year, network and chat.
// scale: the matches estimated over those the spy saw (1 when it saw all).
static void report_facets(const Xapian::ValueCountMatchSpy &spy, double scale, xdb_facet_fn fn,
                          void *ctx)
{
	static const char *const names[] = {"year", "network", "chat"};
	std::map<std::string, size_t> counts[3];
	for (Xapian::TermIterator v = spy.values_begin(); v != spy.values_end(); ++v) {
		std::string key = *v;
		size_t at = 0;
		for (int i = 0; i < 3; i++) {
			size_t end = i < 2 ? key.find(XDB_FACET_SEP, at) : key.size();
			if (end == std::string::npos)
				break;
			counts[i][key.substr(at, end - at)] += v.get_termfreq();
			at = end + 1;
		}
	}
	for (int i = 0; i < 3; i++)
		for (const auto &c : counts[i])
			fn(ctx, names[i], c.first.c_str(), (size_t)(c.second * scale + 0.5));
}

extern "C" chatarc_status_t xdb_search(xdb_t *db, const query_node_t *tree,
                                       const xdb_request_t *request, xdb_hit_fn fn, void *ctx,
                                       size_t *total, chatarc_error_t *err)
{
	const xdb_sort_t sort = request->sort;
	const xdb_marks_t *marks = request->marks;
	try {
		// Each post was stemmed in its own language: the query is read
		// in each language the index holds (its lang: terms), and a post
		// matches when the reading in some language matches. Readings
		// whose terms come out the same (no free text, or words every
		// stemmer leaves alike) are asked once.
		IndexYears years(db->db());
		Xapian::Query query = Compiler(Xapian::Stem("english"), years).compile(tree);
		std::vector<std::vector<std::string>> seen{terms_of(query)};
		std::vector<Xapian::Query> readings{query};
		for (const char *lang : stemmed_languages) {
			if (!db->db().term_exists(std::string("XLANG") + lang))
				continue;
			Xapian::Query reading = Compiler(stemmer_for(lang), years).compile(tree);
			std::vector<std::string> terms = terms_of(reading);
			bool known = false;
			for (const auto &t : seen)
				known = known || t == terms;
			if (!known) {
				seen.push_back(terms);
				readings.push_back(reading);
			}
		}
		if (readings.size() > 1)
			query =
			    Xapian::Query(Xapian::Query::OP_OR, readings.begin(), readings.end());
		// The moderators' hide list: left out by the match itself.
		Xapian::Query hide = hidden_query(request->hidden, request->n_hidden);
		Xapian::Enquire enquire(db->db());
		enquire.set_query(
		    hide.empty() ? query : Xapian::Query(Xapian::Query::OP_AND_NOT, query, hide));
		if (sort != XDB_SORT_RELEVANCE)
			enquire.set_sort_by_value_then_relevance(XDB_SLOT_CREATED,
			                                         sort == XDB_SORT_DATE_DESC);
		// Asked for a total or facets: check_at_least = every document,
		// so they are exact, not estimated. Not asked: only the hits
		// shown are needed (counting every match cost a search 4x at p99).
		Xapian::ValueCountMatchSpy facets(XDB_SLOT_FACETS);
		if (request->facets)
			enquire.add_matchspy(&facets);
		// count_up_to bounds that work for a resident server (a word in a
		// million messages is a million matches to weigh and count).
		Xapian::doccount size = total || request->facets ? db->db().get_doccount() : 0;
		if (request->count_up_to &&
		    request->count_up_to + request->offset + request->limit < size)
			size = (Xapian::doccount)(request->count_up_to + request->offset +
			                          request->limit);
		Xapian::MSet hits = enquire.get_mset((Xapian::doccount)request->offset,
		                                     (Xapian::doccount)request->limit, size);
		bool exact = hits.get_matches_lower_bound() == hits.get_matches_upper_bound();
		if (request->exact)
			*request->exact = exact;
		if (request->facets)
			report_facets(facets,
			              exact || !facets.get_total()
			                  ? 1.0
			                  : (double)hits.get_matches_estimated() /
			                        facets.get_total(),
			              request->facets, request->facets_ctx);
		if (total)
			*total = hits.get_matches_estimated();
		Xapian::Stem english("english");
		// Marks come from the query's terms alone, ORed (the hits matched
		// the query itself, phrases and all).
		Xapian::MSet marking;
		if (marks) {
			Xapian::Enquire marker(db->db());
			marker.set_query(Xapian::Query(
			    Xapian::Query::OP_OR, query.get_terms_begin(), query.get_terms_end()));
			marking = marker.get_mset(0, 0);
		}
		for (Xapian::MSetIterator it = hits.begin(); it != hits.end(); ++it) {
			const char *data = display_data(db->codec, it.get_document());
			std::string marked;
			if (marks) {
				const char *text = marks->text_of(ctx, data);
				// Long enough for any post: the whole text, terms marked.
				marked = marking.snippet(text ? text : "", 100000, english,
				                         Xapian::MSet::SNIPPET_EXHAUSTIVE,
				                         marks->before, marks->after, "");
			}
			std::vector<std::string> values;
			std::vector<const char *> terms;
			if (request->term_prefixes) {
				values = first_terms(it.get_document(), request->term_prefixes);
				for (const std::string &v : values)
					terms.push_back(v == "\x01" ? nullptr : v.c_str());
			}
			const xdb_hit_t hit = {data, it.get_weight(),
			                       marks ? marked.c_str() : nullptr,
			                       request->term_prefixes ? terms.data() : nullptr};
			chatarc_status_t status = fn(ctx, &hit, err);
			if (status != CHATARC_OK)
				return status;
		}
		return CHATARC_OK;
	} catch (const Xapian::InvalidArgumentError &e) {
		return chatarc_error_set(err, CHATARC_ERR_USAGE, "cannot search the query: %s",
		                         e.get_msg().c_str());
	} catch (...) {
		return xapian_error(err, "search");
	}
}
