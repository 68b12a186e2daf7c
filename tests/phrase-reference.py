#!/usr/bin/python3
"""Xapian's own reading of chatarc's queries, for T80 to compare chatarc with.

This builds a positional Xapian database from the same messages (chatarc
export --format json on stdin) with Xapian's Python bindings, stemmed as
chatarc stems (STEM_ALL_Z, each post in its own language, the query read in
every language the messages have), and answers the same queries with
Xapian's QueryParser: OP_PHRASE, OP_NEAR, ranking and all.

Usage: phrase-reference.py QUERIES < export.jsonl
  QUERIES holds one query a line; each answer is printed as
  "QUERY<TAB>uri uri ...<TAB>uri=weight ..." (the hits sorted, then the
  first ten by weight, ties by uri).
  phrase-reference.py --make-queries N < export.jsonl prints N queries made
  from the messages' own words: phrases of 2 and 3 adjacent words, the same
  words reversed, NEAR and ADJ of words a few apart, a phrase ORed with or
  excluded from a word, hyphenated words as written, a phrase ORed with a
  word in a year (date:), and a phrase under XOR.
"""
import json
import random
import re
import sys
import tempfile

import xapian

FLAGS = (xapian.QueryParser.FLAG_BOOLEAN | xapian.QueryParser.FLAG_PHRASE
         | xapian.QueryParser.FLAG_LOVEHATE | xapian.QueryParser.FLAG_PURE_NOT)


def primary_language(tag):
    """index/index.c's primary_language: "de-DE" -> "de", none for und/zxx."""
    m = re.match(r"[A-Za-z]*", tag or "")
    lang = m.group(0).lower()
    if len(lang) < 2 or len(lang) > 3 or (len(tag) > len(lang) and tag[len(lang)] not in "-_"):
        return None
    return None if lang in ("und", "zxx") else lang


def stemmer_for(lang):
    try:
        return xapian.Stem(lang if lang and lang != "en" else "english")
    except xapian.InvalidArgumentError:
        return xapian.Stem("english")


def records():
    for line in sys.stdin:
        if line.strip():
            yield json.loads(line)


def make_queries(n):
    rng = random.Random(17)
    recs = list(records())
    texts = [r.get("text") or "" for r in recs]
    years = sorted({r["created_at"][:4] for r in recs})
    words_of = [re.findall(r"[^\W_]+", t) for t in texts]
    hyphenated = sorted({w for t in texts for w in re.findall(r"\b[^\W_]+-[^\W_]+\b", t)})
    long_texts = [w for w in words_of if len(w) >= 8]
    out = []
    while len(out) < n and long_texts:
        w = rng.choice(long_texts)
        i = rng.randrange(len(w) - 4)
        kind = len(out) % 10
        if kind == 0:
            out.append('"%s %s"' % (w[i], w[i + 1]))
        elif kind == 1:
            out.append('"%s %s %s"' % (w[i], w[i + 1], w[i + 2]))
        elif kind == 2:
            out.append('"%s %s"' % (w[i + 1], w[i]))
        elif kind == 3:
            out.append("%s NEAR/3 %s" % (w[i + 3], w[i]))
        elif kind == 4:
            out.append("%s ADJ/2 %s" % (w[i], w[i + 2]))
        elif kind == 5:
            out.append('"%s %s" OR %s' % (w[i], w[i + 1], w[i + 4]))
        elif kind == 6:
            out.append('%s -"%s %s"' % (w[i + 3], w[i + 1], w[i + 2]))
        elif kind == 7 and hyphenated:
            out.append(rng.choice(hyphenated))
        elif kind == 8:
            # A phrase beside a date range under OR: the check must read
            # the range itself (the AND of the words would not do).
            year = rng.choice(years)
            out.append('"%s %s" OR (%s date:%s-01-01..%s-12-31)' % (w[i], w[i + 1], w[i + 3], year, year))
        elif kind == 9:
            out.append('(%s OR "%s %s") XOR %s' % (w[i + 3], w[i], w[i + 1], w[i + 2]))
    for q in out:
        print(q)


def main():
    if sys.argv[1] == "--make-queries":
        make_queries(int(sys.argv[2]))
        return
    queries = [q.rstrip("\n") for q in open(sys.argv[1], encoding="utf-8") if q.strip()]
    # On disk, in Xapian's default backend (glass), as chatarc's index is:
    # backends differ at the edges (a phrase with a word that has no
    # positions in a document, such as the author's name).
    scratch = tempfile.TemporaryDirectory()
    db = xapian.WritableDatabase(scratch.name + "/db", xapian.DB_CREATE)
    terms = xapian.TermGenerator()
    terms.set_stemming_strategy(xapian.TermGenerator.STEM_ALL_Z)
    langs = set()
    for r in records():
        lang = primary_language(r.get("lang"))
        if lang:
            langs.add(lang)
        doc = xapian.Document()
        terms.set_document(doc)
        terms.set_stemmer(stemmer_for(lang))
        text = r.get("text") or ""
        if r.get("content_warning"):
            text = r["content_warning"] + "\n\n" + text
        terms.index_text(text)
        if r.get("author_name"):
            terms.increase_termpos()
            terms.index_text_without_positions(r["author_name"])
        doc.add_value(1, r["created_at"][:10].replace("-", ""))  # XDB_SLOT_DAY
        doc.set_data(r["uri"])
        db.add_document(doc)
    parser = xapian.QueryParser()
    parser.set_database(db)
    parser.set_stemming_strategy(xapian.QueryParser.STEM_ALL_Z)
    parser.set_default_op(xapian.Query.OP_AND)
    dates = xapian.DateRangeProcessor(1, "date:")
    parser.add_rangeprocessor(dates)
    for q in queries:
        readings, seen = [], set()
        for lang in ["en"] + sorted(langs - {"en"}):
            parser.set_stemmer(stemmer_for(lang))
            reading = parser.parse_query(q, FLAGS)
            if str(reading) not in seen:
                seen.add(str(reading))
                readings.append(reading)
        query = readings[0] if len(readings) == 1 else xapian.Query(xapian.Query.OP_OR, readings)
        enquire = xapian.Enquire(db)
        enquire.set_query(query)
        hits = [(m.document.get_data().decode(), m.weight) for m in enquire.get_mset(0, db.get_doccount())]
        uris = sorted(uri for uri, _ in hits)
        # The first ten by weight (4 decimals, as chatarc prints a score),
        # ties by uri: the two databases number their documents apart.
        top = sorted(hits, key=lambda h: (-round(h[1], 4), h[0]))[:10]
        print("%s\t%s\t%s" % (q, " ".join(uris), " ".join("%s=%.4f" % (u, w) for u, w in top)))


if __name__ == "__main__":
    main()
