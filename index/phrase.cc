// Phrase search without Xapian's positions (phrase.h says why).
#include "phrase.h"

#include "../common/hash.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
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
} // namespace

Xapian::Stem phrase_recording_stemmer(const Xapian::Stem &real, phrase_words *words)
{
	return Xapian::Stem(new RecordingStemmer(real, words));
}

// The query as a tree this file can evaluate on one document.
struct PhraseCheck::Node {
	enum Kind { AND, OR, AND_NOT, XOR, AND_MAYBE, TERM, PHRASE, RANGE, ALL, NONE, UNKNOWN };
	Kind kind = UNKNOWN;
	bool has_phrase = false; // this node or one below it is a PHRASE
	std::vector<std::unique_ptr<Node>> kids;
	std::string term;           // TERM
	std::vector<uint32_t> want; // PHRASE: its words' hashes, in order
	Xapian::termcount window = 0;
	bool in_order = true;           // OP_PHRASE; OP_NEAR takes any order
	Xapian::valueno range_slot = 0; // RANGE: [low, high], either empty for open
	std::string low, high;
};

namespace
{
using Node = PhraseCheck::Node;

// The document as far as the check has needed it: its terms are read
// only when a term must be looked at, its words only for a phrase.
struct Doc {
	const Xapian::Document &doc;
	Xapian::valueno words_slot;
	bool have_terms = false, have_words = false;
	std::vector<std::string> terms; // sorted, as Xapian lists them
	std::vector<uint32_t> words;

	Doc(const Xapian::Document &doc_, Xapian::valueno slot) : doc(doc_), words_slot(slot)
	{
	}
	bool has_term(const std::string &term)
	{
		if (!have_terms) {
			for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t)
				terms.push_back(*t);
			have_terms = true;
		}
		return std::binary_search(terms.begin(), terms.end(), term);
	}
	const std::vector<uint32_t> &text_words()
	{
		if (!have_words) {
			std::string value = doc.get_value(words_slot);
			const unsigned char *p = (const unsigned char *)value.data();
			for (size_t i = 0; i + 4 <= value.size(); i += 4)
				words.push_back(p[i] | p[i + 1] << 8 | p[i + 2] << 16 |
				                (uint32_t)p[i + 3] << 24);
			have_words = true;
		}
		return words;
	}
};

// Whether the words hold the phrase: in order within `window` positions
// (window = the number of words: adjacent), or in any order (NEAR), each
// word at a position of its own.
bool holds_phrase(const std::vector<uint32_t> &words, const Node &phrase)
{
	size_t n = words.size(), m = phrase.want.size();
	for (size_t start = 0; start < n; start++) {
		if (phrase.in_order && words[start] != phrase.want[0])
			continue;
		size_t last = std::min(n, start + phrase.window); // positions [start, last)
		size_t found = 0;
		if (phrase.in_order) {
			// Taking each next word as early as it comes ends the
			// phrase earliest, so one pass from each start decides.
			for (size_t i = start; i < last && found < m; i++)
				found += words[i] == phrase.want[found];
		} else {
			std::vector<bool> used(last - start, false);
			for (size_t k = 0; k < m; k++)
				for (size_t i = start; i < last; i++)
					if (!used[i - start] && words[i] == phrase.want[k]) {
						used[i - start] = true;
						found++;
						break;
					}
		}
		if (found == m)
			return true;
	}
	return false;
}

// `known`: the document is known to match this node as Xapian ran it. A
// node with no phrase below it matches the same either way, so it is not
// looked at; nor are the parts of a known AND without a phrase.
bool eval(const Node &node, Doc &doc, bool known)
{
	if (known && !node.has_phrase)
		return true;
	switch (node.kind) {
	case Node::AND:
		for (const auto &kid : node.kids)
			if (!eval(*kid, doc, known))
				return false;
		return true;
	case Node::AND_MAYBE: // only its first part decides whether it matches
		return eval(*node.kids[0], doc, known);
	case Node::AND_NOT:
		if (!eval(*node.kids[0], doc, known))
			return false;
		for (size_t i = 1; i < node.kids.size(); i++)
			if (eval(*node.kids[i], doc, false))
				return false;
		return true;
	case Node::OR:
		for (const auto &kid : node.kids)
			if (eval(*kid, doc, false))
				return true;
		return false;
	case Node::XOR: {
		bool odd = false;
		for (const auto &kid : node.kids)
			odd ^= eval(*kid, doc, false);
		return odd;
	}
	case Node::TERM: return doc.has_term(node.term);
	case Node::PHRASE: return holds_phrase(doc.text_words(), node);
	case Node::RANGE: {
		std::string v = doc.doc.get_value(node.range_slot);
		return !v.empty() && (node.low.empty() || v >= node.low) &&
		       (node.high.empty() || v <= node.high);
	}
	case Node::ALL: return true;
	case Node::NONE: return false;
	case Node::UNKNOWN: break;
	}
	return true; // what it cannot evaluate it takes as Xapian matched it
}

// A value range's slot and ends, which Xapian shows only in its
// description ("Query(VALUE_RANGE 1 20200101 20201231)"); false when they
// do not read back plainly (the day value is digits).
bool read_range(const Xapian::Query &q, Node &node)
{
	std::string d = q.get_description();
	char op[16], a[64] = "", b[64] = "";
	unsigned slot;
	int n = std::sscanf(d.c_str(), "Query(%15s %u %63s %63s", op, &slot, a, b);
	std::string first = a, last = n == 4 ? b : a;
	// The description ends with ')'; an escaped byte (\xNN) is not read back.
	if (n < 3 || last.empty() || last.back() != ')' || d.find('\\') != std::string::npos)
		return false;
	last.pop_back();
	node.range_slot = slot;
	if (!std::strcmp(op, "VALUE_RANGE") && n == 4) {
		node.low = first;
		node.high = last;
	} else if (!std::strcmp(op, "VALUE_GE") && n == 3) {
		node.low = last;
	} else if (!std::strcmp(op, "VALUE_LE") && n == 3) {
		node.high = last;
	} else {
		return false;
	}
	return true;
}

// The window Xapian keeps for a phrase, also shown only in its description
// ("Query((Za@1 PHRASE 2 Zb@2))"); 0 when it cannot be read.
Xapian::termcount phrase_window(const Xapian::Query &phrase)
{
	std::string d = phrase.get_description();
	const char *op = phrase.get_type() == Xapian::Query::OP_PHRASE ? " PHRASE " : " NEAR ";
	size_t at = d.find(op);
	return at == std::string::npos ? 0
	                               : (Xapian::termcount)std::atoi(d.c_str() + at + strlen(op));
}

std::unique_ptr<Node> compile(const Xapian::Query &q)
{
	using Q = Xapian::Query;
	std::unique_ptr<Node> node(new Node);
	Q::op type = q.get_type();
	size_t n = q.get_num_subqueries();
	switch (type) {
	case Q::LEAF_TERM:
		node->kind = Node::TERM;
		node->term = *q.get_terms_begin();
		return node;
	case Q::LEAF_MATCH_ALL: node->kind = Node::ALL; return node;
	case Q::LEAF_MATCH_NOTHING: node->kind = Node::NONE; return node;
	case Q::OP_VALUE_RANGE:
	case Q::OP_VALUE_GE:
	case Q::OP_VALUE_LE:
		node->kind = read_range(q, *node) ? Node::RANGE : Node::UNKNOWN;
		return node;
	case Q::OP_PHRASE:
	case Q::OP_NEAR:
		node->window = phrase_window(q);
		node->in_order = type == Q::OP_PHRASE;
		for (size_t i = 0; i < n; i++) {
			std::string term = q.get_subquery(i).get_type() == Q::LEAF_TERM
			                       ? *q.get_subquery(i).get_terms_begin()
			                       : std::string();
			if (term.size() < 2 || term[0] != 'Z')
				break;
			node->want.push_back(word_hash(term.data() + 1, term.size() - 1));
		}
		if (n >= 2 && node->want.size() == n && node->window >= n) {
			node->kind = Node::PHRASE;
			node->has_phrase = true;
			return node;
		}
		node->want.clear();
		node->kind = Node::AND; // what Xapian matches it as
		break;
	case Q::OP_AND:
	case Q::OP_FILTER: node->kind = Node::AND; break;
	case Q::OP_OR:
	case Q::OP_SYNONYM:
	case Q::OP_MAX: node->kind = Node::OR; break;
	case Q::OP_AND_NOT: node->kind = Node::AND_NOT; break;
	case Q::OP_XOR: node->kind = Node::XOR; break;
	case Q::OP_AND_MAYBE: node->kind = Node::AND_MAYBE; break;
	case Q::OP_SCALE_WEIGHT: // a weight, not a match: its one part decides
		node->kind = Node::AND;
		break;
	default: return node; // UNKNOWN
	}
	for (size_t i = 0; i < n; i++) {
		node->kids.push_back(compile(q.get_subquery(i)));
		node->has_phrase = node->has_phrase || node->kids.back()->has_phrase;
	}
	if (node->kids.empty())
		node->kind = Node::UNKNOWN;
	return node;
}
} // namespace

// node: q as compile() read it, whose has_phrase says what there is to
// take apart.
static Xapian::Query relax(const Xapian::Query &q, const Node &node, bool negated)
{
	using Q = Xapian::Query;
	if (!node.has_phrase)
		return q;
	if (negated)
		return Q::MatchNothing; // NOT nothing: every candidate, for the check
	if (node.kind == Node::PHRASE)
		return q; // Xapian matches it as the AND of its words
	Q::op type = q.get_type();
	std::vector<Q> kids;
	for (size_t i = 0; i < node.kids.size(); i++)
		kids.push_back(
		    relax(q.get_subquery(i), *node.kids[i], type == Q::OP_AND_NOT && i > 0));
	switch (type) {
	case Q::OP_AND:
	case Q::OP_OR:
	case Q::OP_FILTER:
	case Q::OP_SYNONYM:
	case Q::OP_MAX:
	case Q::OP_AND_MAYBE:
	case Q::OP_AND_NOT: return Q(type, kids.begin(), kids.end());
	case Q::OP_XOR: return Q(Q::OP_OR, kids.begin(), kids.end());
	default: // an operator with a parameter
		return q;
	}
}

Xapian::Query PhraseCheck::relaxed(const Xapian::Query &query) const
{
	return relax(query, *root, false);
}

PhraseCheck::PhraseCheck(std::unique_ptr<Node> root_, Xapian::valueno slot_)
    : root(std::move(root_)), slot(slot_)
{
}

PhraseCheck::~PhraseCheck() = default;

std::unique_ptr<PhraseCheck> PhraseCheck::of_query(const Xapian::Query &query, Xapian::valueno slot)
{
	std::unique_ptr<Node> root = compile(query);
	if (!root->has_phrase)
		return nullptr;
	return std::unique_ptr<PhraseCheck>(new PhraseCheck(std::move(root), slot));
}

bool PhraseCheck::matches(const Xapian::Document &doc) const
{
	Doc view(doc, slot);
	return eval(*root, view, true);
}
