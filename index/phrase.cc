// Phrase search without Xapian's positions (phrase.h says why).
#include "phrase.h"

#include "../common/hash.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

// A stem's 32 bits in the value. Two words of one post that share a hash
// could make a phrase match where it should not; among a post's few dozen
// words that is about one post in a hundred million.
static uint32_t word_hash(const char *stem, size_t len)
{
	uint64_t h = fnv1a(FNV1A_START, stem, len);
	return (uint32_t)(h ^ (h >> 32));
}

namespace
{
// Stems as `real` does, remembers them, and records what it returns.
class RecordingStemmer : public Xapian::StemImplementation
{
	Xapian::Stem real;
	phrase_words *words;
	std::unordered_map<std::string, std::string> stems;
	// Enough for a chat's vocabulary; past it the map starts again,
	// so memory stays flat on a run of any size.
	static const size_t KEPT_STEMS = 65536;

      public:
	RecordingStemmer(const Xapian::Stem &real_, phrase_words *words_)
	    : real(real_), words(words_)
	{
	}
	std::string operator()(const std::string &word) override
	{
		auto it = stems.find(word);
		if (it == stems.end()) {
			if (stems.size() >= KEPT_STEMS)
				stems.clear();
			it = stems.emplace(word, real(word)).first;
		}
		const std::string &stem = it->second;
		// An empty stem is no term and takes no position.
		if (words->on && !stem.empty()) {
			uint32_t h = word_hash(stem.data(), stem.size());
			char le[4] = {(char)h, (char)(h >> 8), (char)(h >> 16), (char)(h >> 24)};
			words->hashes.append(le, 4);
		}
		return stem;
	}
	std::string get_description() const override
	{
		return real.get_description();
	}
};

// The documents whose words (the value in `slot`) hold the phrase's: in
// order within `window` positions (OP_PHRASE; window = the number of words
// is adjacent), or in any order (OP_NEAR).
class PhraseSource : public Xapian::PostingSource
{
	Xapian::valueno slot;
	std::vector<uint32_t> want;
	Xapian::termcount window;
	bool in_order;
	Xapian::ValueIterator it;
	Xapian::doccount documents = 0;
	bool started = false;

	bool holds_phrase(const std::string &value) const;
	void to_match()
	{
		while (it != Xapian::ValueIterator() && !holds_phrase(*it))
			++it;
	}

      public:
	PhraseSource(Xapian::valueno slot_, const std::vector<uint32_t> &want_,
	             Xapian::termcount window_, bool in_order_)
	    : slot(slot_), want(want_), window(window_), in_order(in_order_)
	{
	}
	void init(const Xapian::Database &db) override
	{
		it = db.valuestream_begin(slot);
		documents = db.get_doccount();
		started = false;
	}
	// Estimated as every document: the AND of the phrase's terms leads,
	// and this only checks the documents it finds.
	Xapian::doccount get_termfreq_min() const override
	{
		return 0;
	}
	Xapian::doccount get_termfreq_est() const override
	{
		return documents;
	}
	Xapian::doccount get_termfreq_max() const override
	{
		return documents;
	}
	Xapian::docid get_docid() const override
	{
		return it.get_docid();
	}
	bool at_end() const override
	{
		return it == Xapian::ValueIterator();
	}
	void next(double) override
	{
		if (started && !at_end())
			++it;
		started = true;
		to_match();
	}
	void skip_to(Xapian::docid did, double) override
	{
		started = true;
		if (!at_end())
			it.skip_to(did);
		to_match();
	}
	// False leaves the position past did to next() (the contract allows
	// it): the value iterator's check leaves it the same way.
	bool check(Xapian::docid did, double) override
	{
		started = true;
		if (at_end())
			return true;
		if (!it.check(did))
			return false;
		if (!at_end() && it.get_docid() == did)
			return holds_phrase(*it);
		to_match();
		return true;
	}
	PostingSource *clone() const override
	{
		return new PhraseSource(slot, want, window, in_order);
	}
	std::string get_description() const override
	{
		std::string d = in_order ? "chatarc phrase(" : "chatarc near(";
		for (uint32_t h : want)
			d += std::to_string(h) + " ";
		return d + "window " + std::to_string(window) + ")";
	}
};
} // namespace

bool PhraseSource::holds_phrase(const std::string &value) const
{
	size_t n = value.size() / 4;
	std::vector<uint32_t> words(n);
	const unsigned char *p = (const unsigned char *)value.data();
	for (size_t i = 0; i < n; i++, p += 4)
		words[i] = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
	size_t m = want.size();
	for (size_t start = 0; start < n; start++) {
		size_t last = std::min(n, start + window); // positions [start, last)
		if (in_order) {
			// The earliest next word each time ends the phrase
			// earliest, so one greedy pass per start decides.
			size_t k = 0;
			for (size_t i = start; i < last && k < m; i++)
				if (words[i] == want[k] && (k > 0 || i == start))
					k++;
			if (k == m)
				return true;
		} else {
			// Every word wanted, each at a position of its own.
			std::vector<bool> used(last - start, false);
			size_t found = 0;
			for (size_t k = 0; k < m; k++)
				for (size_t i = start; i < last; i++)
					if (!used[i - start] && words[i] == want[k]) {
						used[i - start] = true;
						found++;
						break;
					}
			if (found == m)
				return true;
		}
	}
	return false;
}

Xapian::Stem phrase_recording_stemmer(const Xapian::Stem &real, phrase_words *words)
{
	return Xapian::Stem(new RecordingStemmer(real, words));
}

// The window Xapian keeps for a phrase: only its description shows it
// ("Query((Za@1 PHRASE 2 Zb@2))"); 0 when it cannot be read.
static Xapian::termcount phrase_window(const Xapian::Query &phrase)
{
	std::string d = phrase.get_description();
	const char *op = phrase.get_type() == Xapian::Query::OP_PHRASE ? " PHRASE " : " NEAR ";
	size_t at = d.find(op);
	return at == std::string::npos ? 0
	                               : (Xapian::termcount)std::atoi(d.c_str() + at + strlen(op));
}

static Xapian::Query rewrite(const Xapian::Query &q, Xapian::valueno slot, bool *changed)
{
	using Q = Xapian::Query;
	Q::op type = q.get_type();
	size_t n = q.get_num_subqueries();
	if (type == Q::OP_PHRASE || type == Q::OP_NEAR) {
		std::vector<Q> terms;
		std::vector<uint32_t> want;
		for (size_t i = 0; i < n; i++) {
			Q term = q.get_subquery(i);
			if (term.get_type() != Q::LEAF_TERM)
				return q;
			std::string name = *term.get_terms_begin();
			if (name.size() < 2 || name[0] != 'Z')
				return q;
			want.push_back(word_hash(name.data() + 1, name.size() - 1));
			terms.push_back(term);
		}
		Xapian::termcount window = phrase_window(q);
		if (n < 2 || window < n)
			return q;
		*changed = true;
		return Q(
		    Q::OP_FILTER, Q(Q::OP_AND, terms.begin(), terms.end()),
		    Q((new PhraseSource(slot, want, window, type == Q::OP_PHRASE))->release()));
	}
	// Operators without a parameter of their own are rebuilt from their
	// rewritten parts; any other is kept whole.
	if (type != Q::OP_AND && type != Q::OP_OR && type != Q::OP_AND_NOT && type != Q::OP_XOR &&
	    type != Q::OP_AND_MAYBE && type != Q::OP_FILTER && type != Q::OP_SYNONYM &&
	    type != Q::OP_MAX)
		return q;
	std::vector<Q> parts;
	bool any = false;
	for (size_t i = 0; i < n; i++)
		parts.push_back(rewrite(q.get_subquery(i), slot, &any));
	if (!any)
		return q;
	*changed = true;
	return Q(type, parts.begin(), parts.end());
}

Xapian::Query phrase_rewrite(const Xapian::Query &query, Xapian::valueno slot)
{
	bool changed = false;
	return rewrite(query, slot, &changed);
}
