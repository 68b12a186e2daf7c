// Phrase search without Xapian's positions: the shim's, in C++ (only
// index/xapian-shim.cc includes this).
//
// Xapian keeps a position list per (term, document): a B-tree entry for
// each word of each post, a third of the time of indexing and a fifth of
// the database (BENCHMARKS.md, issue 17). A post is short, so chatarc
// keeps instead its text's stemmed words in order, one 32-bit hash each,
// in one value (XDB_SLOT_WORDS). Xapian matches a phrase in a database
// without positions as the AND of its words, ranked as it ranks a phrase;
// a PhraseCheck then asks of each hit good enough to be shown, as Xapian
// asks its positions only of those, whether it matches the query with its
// phrases in order.
#ifndef CHATARC_PHRASE_H
#define CHATARC_PHRASE_H

#include <xapian.h>

#include <memory>
#include <string>

// What a recording stemmer appends to: while `on`, each stem it returns
// (the TermGenerator stems every word of a text once, in order, with
// STEM_ALL_Z) as 4 bytes, little-endian.
struct phrase_words {
	bool on = false;
	std::string hashes;
};

// `real`, recording into *words, and remembering the stems it made: a
// chat's words repeat, and the Snowball stemmer costs more than a lookup.
Xapian::Stem phrase_recording_stemmer(const Xapian::Stem &real, phrase_words *words);

// Whether a document that the query's relaxed() form matched matches the
// query with its phrases (OP_PHRASE, OP_NEAR of terms) in the order and
// window of the words in the value `slot`.
class PhraseCheck
{
      public:
	struct Node;
	// Null when the query has no phrase: nothing to check.
	static std::unique_ptr<PhraseCheck> of_query(const Xapian::Query &query,
	                                             Xapian::valueno slot);
	// The query this check was made of, for Xapian to run: one that
	// matches at least what the query matches, for the check to narrow.
	// A phrase is left to Xapian (its AND); one under a NOT is taken out
	// (NOT the AND of its words would drop posts that hold them apart);
	// an XOR holding a phrase is run as an OR.
	Xapian::Query relaxed(const Xapian::Query &query) const;
	bool matches(const Xapian::Document &doc) const;
	~PhraseCheck();

      private:
	PhraseCheck(std::unique_ptr<Node> root, Xapian::valueno slot);
	std::unique_ptr<Node> root;
	Xapian::valueno slot;
};

#endif
