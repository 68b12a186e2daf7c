// Phrase search without Xapian's positions: the shim's, in C++ (only
// index/xapian-shim.cc includes this).
//
// Xapian keeps a position list per (term, document): a B-tree entry for
// each word of each post, a third of the time of indexing and of the
// database's size (BENCHMARKS.md, issue 17). A post is short, so chatarc
// keeps instead its text's stemmed words in order, one 32-bit hash each,
// in one value (XDB_SLOT_WORDS). A phrase is matched as Xapian would (the
// AND of its terms, ranked the same), filtered by a posting source that
// reads that value of each document holding all its terms.
#ifndef CHATARC_PHRASE_H
#define CHATARC_PHRASE_H

#include <xapian.h>

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

// The query with each phrase (OP_PHRASE, OP_NEAR of terms) replaced by the
// AND of its terms filtered by their order in the value `slot`. Anything
// it cannot take apart is left as it was (matched as an AND: the index has
// no positions).
Xapian::Query phrase_rewrite(const Xapian::Query &query, Xapian::valueno slot);

#endif
