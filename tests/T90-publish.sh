#!/usr/bin/env bash
# chatarc publish and digest: the sample's site against reviewed golden
# pages, HTML validity, every internal link, hostile posts in a real browser
# (Debian's chromium), incremental and atomic rewrites, weekly digests.
. "$(dirname "$0")/lib.sh"
# "Now" for the next-session line, so pages are reproducible (2026-11-24).
export SOURCE_DATE_EPOCH=1795478400
EXPECTED="$ROOT/tests/expected/site"
ARTIFACTS="${TEST_ARTIFACTS:-$ROOT/tests/artifacts}"
mkdir -p "$ARTIFACTS"

D="$TMP/sample"
"$CHATARC" --data "$D" init --sample >/dev/null
"$CHATARC" --data "$D" import --chat hcsmdemo "$ROOT"/share/sample/hcsmdemo/* >/dev/null
out=$("$CHATARC" --data "$D" publish -v)
expect_eq "publish: the sample's site is written" "$out" \
	"published 1 session to $D/site/index.html: 7 files written, 0 unchanged"
S="$D/site"
for page in index.html hcsmdemo/index.html hcsmdemo/2026-11-18.html hcsmdemo/feed.atom; do
	expect_file_eq "publish: $page matches the reviewed golden page" "$S/$page" "$EXPECTED/$page"
done
expect_eq "publish: nothing printed under cron (no TTY, no --verbose)" \
	"$("$CHATARC" --data "$D" publish 2>&1; echo "rc=$?")" "rc=0"

# What a reader sees: every message once, with its anchor; topics anchored.
page="$S/hcsmdemo/2026-11-18.html"
xp() { xmllint --html --xpath "$2" "$1" 2>/dev/null; }
expect_eq "publish: every message has one permalink anchor" \
	"$(xp "$page" 'count(//div[starts-with(@id, "m")][contains(@class, "msg")])') $(xp "$page" 'count(//a[@class="permalink"])')" "158 158"
expect_eq "publish: one section a topic, anchored #t1..#t5" \
	"$(xp "$page" 'count(//div[@id="t1" or @id="t2" or @id="t3" or @id="t4" or @id="t5"][contains(@class, "topic")])')" "5"
# Anchors are named by each message's uri (m + 48 bits of its hash): Maya's
# answer .../maya/statuses/117638748579348746 is m3b0cd81f5164, Pete's reply
# .../pete/statuses/117638755201275171 is m93f05084dc1f.
expect_eq "publish: replies nest under their parent (Pete's reply inside Maya's answer)" \
	"$(xp "$page" 'string(//div[@id="m3b0cd81f5164"]/div[@class="replies"]/div[1]/@id)')" "m93f05084dc1f"
expect_eq "publish: a Mastodon mention links the full account's server" \
	"$(xp "$page" 'string(//div[@id="m93f05084dc1f"]/p[@class="text"]/a[@class="mention"]/@href)')" "https://toot.example/@maya"
expect_eq "publish: times in the chat's zone on the page, UTC in the title" \
	"$(xp "$page" 'string(//div[@id="m3b0cd81f5164"]//span[@class="time"])') $(xp "$page" 'string(//div[@id="m3b0cd81f5164"]//span[@class="time"]/@title)')" \
	"13:00 2026-11-18T18:00:50.148Z"
expect_eq "publish: the activity chart is inline SVG, one bar a busy minute" \
	"$(xp "$page" 'count(//svg/rect)')" "$("$CHATARC" --data "$D" summarise hcsmdemo --format json | jq '[.activity[] | select(.count > 0)] | length')"

# Validity: libxml2's HTML parser finds nothing wrong but the HTML5 names it
# predates (svg, its shapes and text); the feeds are well-formed Atom.
bad=""
for f in $(find "$S" -name '*.html'); do
	errs=$(xmllint --html --noout "$f" 2>&1 | grep 'error' | grep -v -E 'Tag (svg|rect|line|title|text|polyline) invalid')
	[ -n "$errs" ] && bad="$bad $f: $errs"
done
expect_eq "publish: every page parses as HTML without errors" "$bad" ""
check "publish: the feed is well-formed XML in the Atom namespace" \
	sh -c "xmllint --noout '$S/hcsmdemo/feed.atom' && grep -q 'xmlns=\"http://www.w3.org/2005/Atom\"' '$S/hcsmdemo/feed.atom'"

# Every internal link resolves: the file exists, and so does the anchor.
check_links() { # site dir; prints the broken ones
	local f href target frag
	for f in $(find "$1" -name '*.html'); do
		for href in $(xmllint --html --xpath '//a/@href | //link/@href' "$f" 2>/dev/null | sed 's/^ *href="\([^"]*\)"/\1/'); do
			case "$href" in http://* | https://*) continue ;; esac
			target=${href%%#*}
			frag=""
			[ "$target" != "$href" ] && frag=${href#*#}
			[ -z "$target" ] && target=$(basename "$f")
			target="$(dirname "$f")/$target"
			if [ ! -f "$target" ]; then
				echo "$f -> $href"
			elif [ -n "$frag" ] && ! grep -q "id=\"$frag\"" "$target"; then
				echo "$f -> $href (no anchor)"
			fi
		done
	done
}
expect_eq "publish: every internal link and anchor resolves" "$(check_links "$S")" ""

# Incremental and atomic: a rerun writes nothing; a changed session rewrites
# its page by rename (a new inode), leaving the others alone.
expect_eq "publish: a rerun writes nothing" "$("$CHATARC" --data "$D" publish -v)" \
	"published 1 session to $S/index.html: 0 files written, 7 unchanged"
# anchors PAGE: each message's anchor with what it points at (its time and
# its original post), one a line, sorted.
anchors() { python3 -c 'import re, sys
for m in re.findall(r"<div class=\"msg[^\"]*\" id=\"(m[0-9a-f]+)\"><p class=\"meta\">.*?<span class=\"time\" title=\"([^\"]*)\".*?href=\"([^\"]*)\" rel=\"nofollow ugc noopener\" class=\"original\"", open(sys.argv[1]).read()):
    print(" ".join(m))' "$1" | sort; }
anchors "$page" >"$TMP/anchors.before"
inode_before=$(stat -c %i "$page")
css_before=$(stat -c %i "$S/style.css")
jq -n -c '{data: [{id: "1990000000000000001", text: "A2 a late thought on trust #hcsmdemo", created_at: "2026-11-18T18:40:00.000Z", author_id: "77"}], includes: {users: [{id: "77", username: "latecomer", name: "Late Comer"}]}}' >"$TMP/late.json"
"$CHATARC" --data "$D" import --chat hcsmdemo "$TMP/late.json" >/dev/null
out=$("$CHATARC" --data "$D" publish -v)
expect_eq "publish: a new message rewrites its session, the chat page, feed and index" "$out" \
	"published 1 session to $S/index.html: 4 files written, 3 unchanged"
[ "$(stat -c %i "$page")" != "$inode_before" ] && [ "$(stat -c %i "$S/style.css")" == "$css_before" ] &&
	ok "publish: the changed page was replaced by rename, the unchanged file kept" ||
	fail "publish: atomic replacement" "inodes $inode_before -> $(stat -c %i "$page")"
expect_eq "publish: the new message is on the page" \
	"$(xp "$page" 'count(//div[contains(@class, "msg")])') $(grep -c 'a late thought on trust' "$page")" "159 1"
# A late post (18:40, in the middle of the session) renumbers nothing: every
# anchor of before still names the same message.
anchors "$page" >"$TMP/anchors.after"
expect_eq "publish: a late message leaves every earlier anchor on the same message" \
	"$(wc -l <"$TMP/anchors.before") $(comm -23 "$TMP/anchors.before" "$TMP/anchors.after" | wc -l) $(comm -13 "$TMP/anchors.before" "$TMP/anchors.after" | wc -l)" "158 0 1"
# Nothing changed (no day file, config, stylesheet or program): the chat
# is not summarised again at all; its pages are known from state.
strace -f -e trace=open,openat -o "$TMP/strace" "$CHATARC" --data "$D" publish >/dev/null
expect_eq "publish: a rerun with nothing changed opens no day file of the archive" \
	"$(grep -c '\.jsonl\.gz' "$TMP/strace")" "0"
# The same through relative paths to a site that does not exist yet: the
# render cache is named by the site's real path, so the second run finds it.
rel=$(cd "$TMP" && pwd)
(cd "$rel" && cp -r "$D" relative-data && rm -rf relative-data/site relative-data/state &&
	"$CHATARC" --data relative-data publish --out relative-data/new-site >/dev/null &&
	strace -f -e trace=open,openat -o "$TMP/strace.rel" "$CHATARC" --data relative-data publish --out relative-data/new-site >/dev/null)
expect_eq "publish: a site first made through a relative path is known unchanged on the next run" \
	"$(grep -c '\.jsonl\.gz' "$TMP/strace.rel")" "0"
# A change of config is a change: the hide list takes the late post off.
cp "$D/chatarc.conf" "$TMP/conf.keep"
sed -i 's|"tags": \["hcsmdemo"\],|"tags": ["hcsmdemo"], "hide": ["latecomer"],|' "$D/chatarc.conf"
"$CHATARC" --data "$D" publish >/dev/null
expect_eq "publish: a config change re-renders (the hidden account's post is gone)" \
	"$(xp "$page" 'count(//div[contains(@class, "msg")])') $(grep -c 'a late thought on trust' "$page")" "158 0"
cp "$TMP/conf.keep" "$D/chatarc.conf"
"$CHATARC" --data "$D" publish >/dev/null
# A page is not transformed again when its summary is unchanged, but one
# that was removed or damaged is.
cp "$page" "$TMP/page.keep"
rm "$page"
"$CHATARC" --data "$D" publish >/dev/null
expect_file_eq "publish: a removed session page is rendered again" "$page" "$TMP/page.keep"
echo "<p>defaced</p>" >"$page"
"$CHATARC" --data "$D" publish >/dev/null
expect_file_eq "publish: a damaged session page is rendered again" "$page" "$TMP/page.keep"

# The activity chart reads without hovering: its quarter-hour ticks and
# its busiest minute in the chat's time (converted here with date(1)), the
# peak's value written over its bar, the UTC range's end.
"$CHATARC" --data "$D" summarise hcsmdemo 2026-11-18 --format json >"$TMP/act.json"
peak=$(jq -r '.activity | (map(.count) | max) as $m | map(select(.count == $m))[0] | "\(.time) \(.count)"' "$TMP/act.json")
first=$(jq -r '.activity[0].time' "$TMP/act.json")
last=$(jq -r '.activity[-1].time' "$TMP/act.json")
local_of() { TZ=America/Toronto date -d "$1" +%H:%M; }
expect_eq "pages: the activity chart's caption gives the busiest minute in local time and UTC, and the range" \
	"$(xp "$page" 'normalize-space(//p[@id="activity-cap"])')" \
	"Messages per minute, America/Toronto time: busiest at $(local_of "${peak% *}") ($(date -u -d "${peak% *}" +%H:%M) UTC) with ${peak#* }; $(jq '.activity | length' "$TMP/act.json") minutes from $(date -u -d "$first" +%H:%M) to $(date -u -d "$last + 1 minute" +%H:%M) UTC."
expect_eq "pages: the chart's first tick is the window's start in local time; the peak's value is written" \
	"$(xp "$page" 'string((//*[local-name()="svg"]//*[local-name()="text"][@y="97"])[1])') $(xp "$page" 'string(//*[local-name()="text"][contains(@class, "peak")])')" \
	"$(local_of "$first") ${peak#* }"
# Likes and boosts beside each message that has any, as the summary has them.
expect_eq "pages: likes and boosts shown on every message that has them, with the summary's figures" \
	"$(xp "$page" 'count(//div[contains(@class,"msg")]/p[@class="meta"]/span[@class="reactions"])') $(xp "$page" 'normalize-space(//div[@id="m3b0cd81f5164"]/p[@class="meta"]/span[@class="reactions"])')" \
	"$(jq '[.. | objects | select(has("method")) | select((.likes // 0) > 0 or (.reposts // 0) > 0)] | length' "$TMP/act.json") $(jq -r '[.. | objects | select(.id? == "m3b0cd81f5164")][0] | [(if (.likes // 0) > 0 then "♥ \(.likes)" else empty end), (if (.reposts // 0) > 0 then "↻ \(.reposts)" else empty end)] | join(" ")' "$TMP/act.json")"
# A screenshot of the transcript as a person sees it (kept as an artifact).
browser --window-size=1100,2400 --screenshot="$ARTIFACTS/transcript.png" "file://$page" >/dev/null
size=$(stat -c %s "$ARTIFACTS/transcript.png" 2>/dev/null || echo 0)
[ "$size" -gt 50000 ] && ok "publish: chromium renders the transcript (screenshot $size bytes in tests/artifacts)" ||
	fail "publish: screenshot" "size $size"

# Hostile posts: every payload through import, summarise and publish, then
# loaded in chromium. A payload that ran would replace the body with PWNED.
X=$(new_data xss xss)
jq -R -s -c 'split("\n") | map(select(length > 0)) | to_entries | {
	data: ([.[] | {id: ("1990000000000001" + (100 + .key | tostring)), text: (.value + " #xss"),
		created_at: ("2026-11-18T18:" + (10 + .key | tostring) + ":00.000Z"), author_id: (100 + .key | tostring),
		entities: {urls: [{start: 0, end: 5, url: "https://t.co/x", expanded_url: "javascript:document.body.innerHTML=1"}]}}]
		+ [{id: "1990000000000002000", text: "a bell \u0007 rings #xss", created_at: "2026-11-18T18:50:00.000Z", author_id: "99"}]),
	includes: {users: ([.[] | {id: (100 + .key | tostring), username: ("u" + (.key | tostring)), name: .value}]
		+ [{id: "99", username: "bell", name: "Bell"}])}}' "$ROOT/tests/xss/payloads.txt" >"$TMP/xss.json"
"$CHATARC" --data "$X" import --chat xss "$TMP/xss.json" >/dev/null
out=$("$CHATARC" --data "$X" publish -v 2>&1)
expect_eq "xss: the hostile session publishes" "$out" "published 1 session to $X/site/index.html: 7 files written, 0 unchanged"
xpage="$X/site/xss/2026-11-18.html"
browser --dump-dom "file://$xpage" >"$TMP/xss-dom.html"
expect_eq "xss: no payload ran in chromium (the page is whole)" \
	"$(xp "$TMP/xss-dom.html" 'count(//div[contains(@class, "msg")])')" "21"
expect_eq "xss: no script, frame, object, style, base or meta element, no event handler, no javascript: link" \
	"$(xp "$TMP/xss-dom.html" 'count(//script | //iframe | //object | //embed | //style | //base | //body//meta | //*[@style] | //@*[starts-with(name(), "on")] | //a[starts-with(translate(normalize-space(@href), "JAVSCRIPT", "javscript"), "javascript")])')" "0"
# Every payload is there as visible text, exactly as the archive holds it.
missing=0
for i in $(seq 0 19); do
	want=$("$CHATARC" --data "$X" export xss --format json | jq -r --arg a "u$i" 'select(.author == $a) | .text')
	name=$("$CHATARC" --data "$X" export xss --format json | jq -r --arg a "u$i" 'select(.author == $a) | .author_name')
	got=$(xp "$TMP/xss-dom.html" "string(//div[contains(@class, 'msg')][.//span[@class='handle'] = '@u$i']/p[@class='text'])")
	got_name=$(xp "$TMP/xss-dom.html" "string(//div[contains(@class, 'msg')][.//span[@class='handle'] = '@u$i']//span[@class='author'])")
	[ "$got" == "$want" ] && [ "$got_name" == "$name" ] || {
		missing=$((missing + 1))
		echo "     payload $i: want [$want] got [$got]" >&2
	}
done
expect_eq "xss: all 20 payloads appear as visible text, in posts and display names" "$missing" "0"
# chatarc links post text in C (publish/linkify.c); the stylesheets keep
# their own templates for other processors. Both give the same paragraphs,
# on the hostile posts and on the sample's.
texts() { xmllint --html --xpath '//p[@class="text"]' "$1" 2>/dev/null; }
"$CHATARC" --data "$X" summarise xss 2026-11-18 --format xml >"$TMP/xss.xml"
xsltproc "$ROOT/share/xslt/session.xsl" "$TMP/xss.xml" >"$TMP/xss-xsltproc.html" 2>/dev/null
"$CHATARC" --data "$D" summarise hcsmdemo 2026-11-18 --format xml >"$TMP/sample.xml"
xsltproc "$ROOT/share/xslt/session.xsl" "$TMP/sample.xml" >"$TMP/sample-xsltproc.html" 2>/dev/null
expect_eq "publish: the C linkify gives the paragraphs the stylesheet's templates give under xsltproc (hostile posts, the sample)" \
	"$(texts "$xpage" | md5sum) $(texts "$S/hcsmdemo/2026-11-18.html" | md5sum) $(texts "$xpage" | grep -o '<a ' | wc -l) $(texts "$S/hcsmdemo/2026-11-18.html" | grep -o '<a ' | wc -l)" \
	"$(texts "$TMP/xss-xsltproc.html" | md5sum) $(texts "$TMP/sample-xsltproc.html" | md5sum) $(texts "$TMP/xss-xsltproc.html" | grep -o '<a ' | wc -l) $(texts "$TMP/sample-xsltproc.html" | grep -o '<a ' | wc -l)"
grep -q '<script>' "$ROOT/tests/xss/payloads.txt" && "$CHATARC" --data "$X" export xss --format json | grep -q '<script>' &&
	ok "xss: the archive kept the payloads verbatim (nothing was neutralised before publishing)" ||
	fail "xss: payloads not kept verbatim"

# A content warning and media with alt texts (a real Mastodon status with
# both set, hostile text in each): the warning is kept apart from the text,
# searched with it, and on the page folds the text under it (closed, as the
# networks show it); each image is listed with its alt text, or says it has
# none. What reaches chromium is text, never markup.
W=$(new_data cw cw)
http_body "$FIXTURES/mastodon/mastodonpy_tag_page1.http" | jq '[.[0]
	| .created_at = "2026-11-18T18:05:00.000Z" | .language = "en"
	| .spoiler_text = "<img src=x onerror=document.body.innerHTML=1> spoilers for tonight"
	| .media_attachments = [{"type": "image", "description": "Chart: <script>document.body.innerHTML=1</script> visits"},
		{"type": "image", "description": null}]]' >"$TMP/cw.json"
"$CHATARC" --data "$W" import --chat cw "$TMP/cw.json" >/dev/null
expect_eq "cw: export keeps the warning apart from the text, the media's alt texts and their count" \
	"$("$CHATARC" --data "$W" export cw --format json | jq -c '[.content_warning, (.text | contains("spoilers")), .media_count, .media_alt, .lang]')" \
	'["<img src=x onerror=document.body.innerHTML=1> spoilers for tonight",false,2,["Chart: <script>document.body.innerHTML=1</script> visits",""],"en"]'
"$CHATARC" --data "$W" index >/dev/null
expect_eq "cw: search finds a word of the warning" "$("$CHATARC" --data "$W" search --count 'spoilers')" "1"
"$CHATARC" --data "$W" publish >/dev/null
browser --dump-dom "file://$W/site/cw/2026-11-18.html" >"$TMP/cw-dom.html"
expect_eq "cw: the page folds the text under the warning, closed, the warning as text" \
	"$(xp "$TMP/cw-dom.html" 'concat(count(//details[@class="cw"][not(@open)]/p[@class="text"]), "|", normalize-space(//details[@class="cw"]/summary))')" \
	"1|Content warning: <img src=x onerror=document.body.innerHTML=1> spoilers for tonight"
expect_eq "cw: a session with no one after the chat shows no empty Wrap-up heading" \
	"$(xp "$TMP/cw-dom.html" 'count(//h2[@id="wrap-up"])') $(xp "$TMP/cw-dom.html" 'count(//h2[@id="welcome"])')" "0 1"
expect_eq "cw: each image with its alt text as text, or saying it has none; no element from either" \
	"$(xp "$TMP/cw-dom.html" 'concat(normalize-space(//ul[@class="media"]/li[1]), "|", normalize-space(//ul[@class="media"]/li[2]), "|", count(//img | //script))')" \
	"Image: Chart: <script>document.body.innerHTML=1</script> visits|Image: no description given|0"

# Characters XML cannot hold, in a post, a display name and a moderator's
# topic question (U+FFFF, U+FFFE, a lone surrogate, C0 controls): one such
# post once made every page and feed ill-formed. Each becomes U+FFFD at the
# one place XML is written; every page and feed stays well-formed.
H=$(new_data chars chars)
sed -i 's|"tags": \["chars"\]|"tags": ["chars"], "moderators": ["mod.example"]|' "$H/chatarc.conf"
printf '%s\n' '{"posts": [' \
	'{"uri": "at://did:plc:m/app.bsky.feed.post/q1", "author": {"handle": "mod.example", "displayName": "Mod \uffff"}, "record": {"text": "T1: what \u0001 breaks \u001b[31m feeds? #chars", "createdAt": "2026-11-18T18:05:00Z"}},' \
	'{"uri": "at://did:plc:a/app.bsky.feed.post/a1", "author": {"handle": "a.example", "displayName": "Ann \ufffe \ud800"}, "record": {"text": "A1 nonchar \uffff and \ufffe and \ud83d alone #chars", "createdAt": "2026-11-18T18:06:00Z"}}' \
	']}' >"$TMP/chars.json"
"$CHATARC" --data "$H" import --chat chars "$TMP/chars.json" >/dev/null 2>&1
"$CHATARC" --data "$H" publish >/dev/null 2>"$TMP/chars.err"
code=$?
bad=""
for f in $(find "$H/site" -name '*.atom' -o -name '*.xml'); do xmllint --noout "$f" 2>/dev/null || bad="$bad ${f#$H/site/}"; done
for f in $(find "$H/site" -name '*.html'); do
	python3 -c 'import sys; from html.parser import HTMLParser; d = open(sys.argv[1], "rb").read().decode("utf-8"); sys.exit(any(0xfffe <= ord(c) <= 0xffff or 0xd800 <= ord(c) <= 0xdfff or (ord(c) < 32 and c not in "\t\n\r") for c in d))' "$f" || bad="$bad ${f#$H/site/}"
done
expect_eq "publish: characters XML cannot hold become U+FFFD: exit 0, every page and feed well-formed" \
	"$code $(find "$H/site" -name '2026-11-18.html' | wc -l)$bad" "0 1"
expect_eq "publish: the question keeps its words around the replaced characters" \
	"$(xp "$H/site/chars/index.html" 'string(//td/text()[contains(., "breaks")])')" "T1: what � breaks �[31m feeds? #chars"

# Long posts: 1,500 words (past libxslt's recursion limit when linked word
# by word) and 4,000 words across lines (48 KB), each fourth word a hashtag, a link
# or a mention: published, every word there, every tag linked.
L=$(new_data long long)
python3 -c '
import json
def text(n, sep):
    words = []
    for i in range(n):
        words.append(["w%d" % i, "#t%d" % i, "https://x.example/p%d" % i, "@u%d" % i][i % 4])
    return sep.join(words)
posts = [{"uri": "at://did:plc:l/app.bsky.feed.post/%d" % k, "author": {"handle": "l.example"},
          "record": {"text": t, "createdAt": "2026-11-18T18:%02d:00Z" % (10 + k)}}
         for k, t in enumerate([text(1500, " "), text(4000, " \n")])]
print(json.dumps({"posts": posts}))' >"$TMP/long.json"
"$CHATARC" --data "$L" import --chat long "$TMP/long.json" >/dev/null
"$CHATARC" --data "$L" publish >/dev/null 2>"$TMP/long.err"
code=$?
lp="$L/site/long/2026-11-18.html"
expect_eq "publish: posts of 1,500 and 4,000 words publish, whole, every hashtag linked" \
	"$code $(grep -o 'w3996' "$lp" | head -1) $(grep -o 'class="tag">#t[0-9]*<' "$lp" | wc -l) $(grep -o 'href="https://x.example/p3998"' "$lp" | wc -l)" \
	"0 w3996 1375 1"

# A post of 300 KB (real posts are tens of kilobytes): the archive keeps it
# whole, a page shows its first 64 KB, cut at a word and marked.
python3 -c '
import json
t = " ".join("word%d" % i for i in range(40000)) + " THE-END"
print(json.dumps({"posts": [{"uri": "at://did:plc:l/app.bsky.feed.post/big", "author": {"handle": "l.example"},
      "record": {"text": t, "createdAt": "2026-11-18T18:30:00Z"}}]}))' >"$TMP/big.json"
"$CHATARC" --data "$L" import --chat long "$TMP/big.json" >/dev/null
"$CHATARC" --data "$L" publish >/dev/null
big_html=$(python3 -c 'import re, sys; s = open(sys.argv[1]).read(); m = re.search(r"word0 word1 .*?</p>", s); print(60000 < len(m.group(0).encode()) <= 65536 + 7, m.group(0).endswith("\u2026</p>"))' "$lp")
expect_eq "publish: a 300 KB post shows its first 64 KB on the page, marked as cut; the archive keeps it all" \
	"$big_html $("$CHATARC" --data "$L" export long | jq -r 'select(.uri | endswith("/big")) | .text | length') $(grep -c THE-END "$lp")" \
	"True True 388897 0"

# Names become paths: a chat whose name would leave the site is refused.
E=$(new_data evil evil)
sed -i 's|"evil"|"../../escape"|' "$E/chatarc.conf"
"$CHATARC" --data "$E" publish >"$TMP/evil.out" 2>&1
code=$?
[ "$code" -ne 0 ] && [ ! -e "$TMP/escape" ] && [ ! -e "$E/escape" ] &&
	ok "publish: a chat name with ../ is refused, nothing written outside (exit $code)" ||
	fail "publish: path from a chat name" "exit $code" "$(cat "$TMP/evil.out")"

# Digests: a week with three chats, a week with none, overlapping runs.
W="$TMP/digest"
mkdir -p "$W"
jq -n '{chats: (["alpha", "beta", "gamma"] | map({key: ., value: {tags: [.],
	moderators: ["hcsmdemo@toot.example", "hcsmdemo.bsky.example"],
	schedule: {weekday: "Wed", start: "13:00", minutes: 60, tz: "America/Toronto"}}}) | from_entries)}' >"$W/chatarc.conf"
for c in alpha beta gamma; do
	"$CHATARC" --data "$W" import --chat "$c" "$ROOT"/share/sample/hcsmdemo/* >/dev/null
done
out=$("$CHATARC" --data "$W" digest --week 2026-W10 2>&1; echo "rc=$?")
expect_eq "digest: a week without sessions prints nothing, writes nothing, exits 0" \
	"$out $(ls "$W/site/digest" 2>/dev/null | wc -l)" "rc=0 0"
"$CHATARC" --data "$W" digest --week 2026-W47 &
"$CHATARC" --data "$W" digest --week 2026-W47 &
wait %1 && c1=0 || c1=$?
wait %2 && c2=0 || c2=$?
expect_eq "digest: two overlapping runs both succeed (one waits for the other's lock)" "$c1 $c2" "0 0"
out=$("$CHATARC" --data "$W" digest 2>&1; echo "rc=$?")
expect_eq "digest: with no --week, the last complete week (2026-W47 on 2026-11-24), quietly" \
	"$out $(ls "$W/site/digest" | tr '\n' ' ')" "rc=0 2026-W47.html 2026-W47.xml feed.atom "
dg="$W/site/digest/2026-W47.html"
expect_eq "digest: one section a chat's session, with its topics and highlights" \
	"$(xp "$dg" 'count(//div[@class="section"])') $(xp "$dg" 'count(//div[@class="section"][1]//h3/a)') $(xp "$dg" 'count(//div[@class="section"][1]//ul[@class="highlights"]/li)')" \
	"3 5 15"
expect_eq "digest: the feed has the week as an entry" \
	"$(xmllint --xpath 'string(//*[local-name()="entry"]/*[local-name()="id"])' "$W/site/digest/feed.atom")" "urn:chatarc:digest:2026-W47"
expect_eq "digest: every link of the digest resolves (sessions were published)" "$(check_links "$W/site")" ""
expect_eq "digest: the site index lists the digest" "$(xp "$W/site/index.html" 'string(//a[@href="digest/2026-W47.html"])')" "2026-W47"
expect_eq "digest: a bad week is a usage error" \
	"$("$CHATARC" --data "$W" digest --week 2026-47 2>&1; echo "rc=$?")" \
	"chatarc: digest: '2026-47' is not an ISO week: give YYYY-Www, e.g. 2026-W47
rc=2"

# Newcomers over many sessions: the publisher carries who took part forward
# from session to session; each page must agree with a summary built alone.
H=$(new_data history hist)
"$ROOT/tools/gen-posts" 120 7 30 >"$TMP/hist.jsonl"
"$CHATARC" --data "$H" import --chat hist "$TMP/hist.jsonl" >/dev/null
"$CHATARC" --data "$H" publish
disagree="" regulars=0
dates=$(cd "$H/site/hist" && ls 20*.html | sed 's/\.html$//')
for date in $dates; do
	want=$("$CHATARC" --data "$H" summarise hist "$date" --format json | jq -r '[.participants[] | select(.newcomer == true) | .author] | sort | join(" ")')
	got=$(xp "$H/site/hist/$date.html" '//ul[@class="participants"]/li[span[@class="tagged"] = "first time"]/text()[1]' | sed -n 's/^ *@\([^ ]*\) (.*/\1/p' | sort | paste -sd' ')
	[ "$want" == "$got" ] || disagree="$disagree $date"
	regulars=$((regulars + $("$CHATARC" --data "$H" summarise hist "$date" --format json | jq '[.participants[] | select(.regular == true)] | length')))
done
expect_eq "publish: first-time participants on each of 5 pages match the session summarised alone" \
	"$(echo $dates | wc -w) [$disagree]" "5 []"
check "publish: later sessions have regulars (the history is not empty)" test "$regulars" -gt 0
expect_eq "publish: the chat page lists sessions newest first" \
	"$(xp "$H/site/hist/index.html" '//div[@id="content"]//a[contains(@href, "20")]/@href' | grep -o '20[0-9-]*' | paste -sd' ')" \
	"$(echo $dates | tr ' ' '\n' | sort -r | paste -sd' ')"

# A chat without a schedule (a real hashtag stream, #ichbinhanna, 80 posts
# over six weeks, and a burst of 12 posts crossing local midnight): one
# session page for the burst, named by its local start date, and every
# other post on the chat page, not one page a day.
F="$TMP/free"
mkdir -p "$F"
echo '{"chats": {"free": {"tags": ["ichbinhanna"], "tz": "Europe/Berlin"}}, "sources": {}}' >"$F/chatarc.conf"
for p in 1 2; do http_body "$FIXTURES/mastodon/rtoot_ichbinhanna_page$p.http"; done | jq -c -s 'add | unique_by(.uri)' >"$F/hanna.json"
jq -n -c '{data: [range(0; 12) | {id: ("19900000000000001" + (10 + . | tostring)), text: "burst post \(.) #ichbinhanna",
	created_at: ("2025-06-01T21:\(50 + . * 2 | if . >= 60 then . - 60 else . end | tostring | if length == 1 then "0" + . else . end):00.000Z"
		| if (. | test("T21:0|T21:1")) then sub("T21"; "T22") else . end), author_id: "9"}],
	includes: {users: [{id: "9", username: "burster", name: "Burst <b>Er</b>"}]}}' >"$F/burst.json"
"$CHATARC" --data "$F" import --chat free "$F/hanna.json" "$F/burst.json" >/dev/null
"$CHATARC" --data "$F" publish >/dev/null
expect_eq "publish: a chat without a schedule gets one page a burst, named by its local start date" \
	"$(cd "$F/site/free" && ls *.html | tr '\n' ' ')" "2025-06-01.html index.html "
got=$(xp "$F/site/free/2025-06-01.html" 'count(//div[contains(@class, "msg")])')
expect_eq "publish: the burst page holds the 12 posts across midnight (23:50-00:12 Berlin)" "$got" "12"
consenting=$(jq '[.[] | select(.account.noindex != true and .account.discoverable != false)] | length' "$F/hanna.json")
expect_eq "publish: every post outside a session is counted on the chat page ($consenting of 80: the others' authors opted out), the latest 50 shown" \
	"$(xp "$F/site/free/index.html" 'normalize-space(//div[contains(@class, "outside")]/p[1])') $(xp "$F/site/free/index.html" 'count(//div[contains(@class, "outside")]//div[contains(@class, "msg")])')" \
	"$consenting messages were posted outside every session; the latest 50 are below (all of them: chatarc export). 50"
newest=$(jq -r '[.[] | select(.account.noindex != true and .account.discoverable != false)] | max_by(.created_at) | .url' "$F/hanna.json")
expect_eq "publish: the newest post between sessions comes first, with its date" \
	"$(xp "$F/site/free/index.html" 'string((//div[contains(@class, "outside")]//a[@class="original"])[1]/@href)')" "$newest"

# The config's "site": a title on the front page (text, however it is
# written) and the address the site is served at, which makes the feeds'
# links absolute.
T="$TMP/titled"
"$CHATARC" --data "$T" init --sample >/dev/null
sed -i '0,/^{$/s||{ "site": {"title": "Health <b>chats</b> \\"weekly\\"", "base_url": "https://chats.example.org/archive"},|' "$T/chatarc.conf"
"$CHATARC" --data "$T" publish >/dev/null
"$CHATARC" --data "$T" digest --week 2026-W47 >/dev/null
expect_eq "site: the title is the front page's heading and title, as text" \
	"$(xp "$T/site/index.html" 'string(//h1)') / $(xp "$T/site/index.html" 'count(//h1/b)')" 'Health <b>chats</b> "weekly" / 0'
links=$(grep -o 'href="[^"]*"' "$T/site/hcsmdemo/feed.atom" "$T/site/digest/feed.atom" | cut -d'"' -f2 | sort -u)
expect_eq "site: with base_url, every feed link is absolute under it" \
	"$(echo "$links" | grep -vc '^https://chats.example.org/archive/') $(echo "$links" | grep -c 'archive/hcsmdemo/2026-11-18.html$') $(echo "$links" | grep -c 'archive/digest/2026-W47.html$')" "0 1 1"
for f in $links; do
	[ -e "$T/site/${f#https://chats.example.org/archive/}" ] || echo "$f"
done >"$TMP/missing"
expect_eq "site: each absolute feed link names a page of the site" "$(cat "$TMP/missing")" ""
# Calendars (libical): each scheduled chat's schedule.ics and one of all of
# them, read by a second parser (python3-icalendar): every weekly session
# at its local hour in its own zone on both sides of a DST change, the UTC
# hour moving on the right day; the page links it.
sed -i 's|"chats": {|"chats": {"berlin": {"tags": ["wisskomm"], "schedule": {"weekday": "Fri", "start": "19:00", "minutes": 90, "tz": "Europe/Berlin"}},|' "$T/chatarc.conf"
"$CHATARC" --data "$T" publish >/dev/null
cal() { /usr/bin/python3 - "$1" <<'PY'
import icalendar, sys
from dateutil.rrule import rrulestr
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
zones = {z["TZID"]: z.to_tz() for z in cal.walk("VTIMEZONE")}
for ev in sorted(cal.walk("VEVENT"), key=lambda e: str(e["UID"])):
    start = ev["DTSTART"].dt
    tz = zones[ev["DTSTART"].params["TZID"]]
    naive = start.replace(tzinfo=None)
    rule = rrulestr(ev["RRULE"].to_ical().decode(), dtstart=naive)
    occurrences = [tz.localize(o) for o in list(rule)[:30]]
    local = sorted({o.strftime("%a %H:%M") for o in occurrences})
    utc = [o.astimezone(__import__("datetime").timezone.utc).strftime("%H:%M") for o in occurrences]
    switch = next(o.strftime("%Y-%m-%d") for o, u in zip(occurrences, utc) if u != utc[0])
    print(ev["UID"], ev["DURATION"].dt, start.strftime("%Y-%m-%d"), ",".join(local),
          utc[0], "->", utc[-1], "from", switch, ev.get("URL", "-"))
PY
}
expect_eq "calendar: the site's schedule.ics holds both chats, each at its local hour across DST, UTC moving on the day" \
	"$(cal "$T/site/schedule.ics")" \
	"chat-berlin@chats.example.org 1:30:00 2026-11-27 Fri 19:00 18:00 -> 17:00 from 2027-04-02 https://chats.example.org/archive/berlin/index.html
chat-hcsmdemo@chats.example.org 1:00:00 2026-11-18 Wed 13:00 18:00 -> 17:00 from 2027-03-17 https://chats.example.org/archive/hcsmdemo/index.html"
# Calendar clients look a TZID up by its IANA name (many never read the
# VTIMEZONE): libical's "/freeassociation.sourceforge.net/..." left them
# guessing. A second reader, python3-vobject, expands each event through the
# file's VTIMEZONE; the same dates placed by the TZID's name in the system's
# zoneinfo give the same UTC instants, across the DST change.
expect_eq "calendar: TZIDs are IANA names; vobject's expansion equals zoneinfo's by name" \
	"$(/usr/bin/python3 - "$T/site/schedule.ics" <<'PY'
import datetime, re, sys, vobject, zoneinfo
text = open(sys.argv[1]).read()
names = sorted(set(re.findall(r"TZID[:=]([^:;\r\n]+)", text)))
cal = vobject.readOne(text)
same = 0
for ev in cal.vevent_list:
    name = ev.dtstart.params["X-VOBJ-ORIGINAL-TZID"][0]
    by_name = zoneinfo.ZoneInfo(name)
    for o in list(ev.getrruleset())[:30]:
        same += o == o.replace(tzinfo=None).replace(tzinfo=by_name)
print(" ".join(names), same)
PY
)" "America/Toronto Europe/Berlin 60"
expect_eq "calendar: a chat's own schedule.ics holds its event alone" \
	"$(cal "$T/site/hcsmdemo/schedule.ics" | cut -d' ' -f1)" "chat-hcsmdemo@chats.example.org"
expect_eq "calendar: the chat page and the front page link their calendars" \
	"$(xp "$T/site/hcsmdemo/index.html" 'string(//a[@class="ics"]/@href)') $(xp "$T/site/index.html" 'count(//a[@class="ics"])')" \
	"../hcsmdemo/schedule.ics 2"
# Session by session: with three sessions, the chat page draws messages and
# people per session, oldest left, the newest values written out.
"$CHATARC" --data "$T" import --chat hcsmdemo "$ROOT"/tests/gold/nolabels-dst/*.json "$ROOT"/tests/gold/late-replies/*.json >/dev/null
"$CHATARC" --data "$T" publish >/dev/null
counts=$(xp "$T/site/hcsmdemo/index.html" 'concat(count(//table[@class="sessions"]//tr[td]), " ", string((//table[@class="sessions"]//tr[td])[1]/td[1]/text()), " ", string((//table[@class="sessions"]//tr[td])[1]/td[2]/text()))')
points=$(xp "$T/site/hcsmdemo/index.html" 'string(//*[local-name()="polyline"][@class="trend-messages"]/@points)')
read -r rows newest_m newest_p <<<"$counts"
expect_eq "pages: the trend has a point a session, the newest at the right, labelled with its figures" \
	"$(echo "$points" | wc -w) $(echo "$points" | cut -d' ' -f1 | cut -d, -f1) $(xp "$T/site/hcsmdemo/index.html" 'normalize-space(//*[local-name()="text"][contains(@class, "messages")])') $(xp "$T/site/hcsmdemo/index.html" 'normalize-space(//*[local-name()="text"][contains(@class, "people")])')" \
	"$rows 1000 $newest_m messages $newest_p people"
# Week over week: a transcript compares its session with the chat's one
# before (figures recounted here from the two sessions' JSON).
figs() { "$CHATARC" --data "$T" summarise hcsmdemo "$1" --format json |
	jq -r '[."message-count", (.participants | length), ([.participants[] | select(.newcomer)] | length), ([.participants[] | select(.newcomer | not)] | length), ."reply-count"] | join(" ")'; }
read -r m1 p1 n1 r1 y1 <<<"$(figs 2026-11-11)"
read -r m2 p2 n2 r2 y2 <<<"$(figs 2026-11-18)"
sign() { if [ "$1" -gt 0 ]; then echo "+$1"; elif [ "$1" -lt 0 ]; then echo "−$((-$1))"; else echo "±0"; fi; }
expect_eq "pages: a transcript's figures against the session before, each with its change" \
	"$(xp "$T/site/hcsmdemo/2026-11-18.html" 'normalize-space(//p[@class="compare"])')" \
	"Against 2026-11-11: messages $m2 ($(sign $((m2 - m1)))), participants $p2 ($(sign $((p2 - p1)))), first time $n2 ($(sign $((n2 - n1)))), returning $r2 ($(sign $((r2 - r1)))), replies $y2 ($(sign $((y2 - y1))))"
expect_eq "pages: the chat's first session has nothing to compare with" \
	"$(xp "$T/site/hcsmdemo/2026-11-04.html" 'count(//p[@class="compare"])')" "0"
# The weekly digest compares the same way: its session against the chat's
# one the week before, which the digest itself does not show, and links it.
"$CHATARC" --data "$T" digest --week 2026-W47 >/dev/null
expect_eq "digest: one session is \"1 session\", on the page and in the feed" \
	"$(xp "$T/site/digest/2026-W47.html" 'normalize-space(//p[@class="when"])') | $(grep -o 'Digest 2026-W47: [0-9]* sessions\?' "$T/site/digest/feed.atom" | head -1)" \
	"2026-11-16 to 2026-11-22: 1 session | Digest 2026-W47: 1 session"
expect_eq "digest: a session's figures against the chat's session before, each with its change, linked" \
	"$(xp "$T/site/digest/2026-W47.html" 'normalize-space(//p[@class="compare"])') $(xp "$T/site/digest/2026-W47.html" 'string(//p[@class="compare"]/a/@href)')" \
	"Against 2026-11-11: messages $m2 ($(sign $((m2 - m1)))), participants $p2 ($(sign $((p2 - p1)))), first time $n2 ($(sign $((n2 - n1)))), returning $r2 ($(sign $((r2 - r1)))), replies $y2 ($(sign $((y2 - y1)))) ../hcsmdemo/2026-11-11.html"
# What a person sees, at 1280 and 390 px wide (a phone): screenshots of the
# front page, a chat's page, a transcript and a digest in tests/artifacts;
# and, measured in Chromium, the chat page at 390 px scrolls nowhere
# sideways and gives a session's topics the whole width. Headless Chromium
# has no window narrower than 500 px, so a phone is a 390 px iframe.
for p in index.html hcsmdemo/index.html hcsmdemo/2026-11-18.html digest/2026-W47.html; do
	name=$(echo "$p" | tr '/' '-' | sed 's/\.html$//')
	browser --window-size=1280,1600 --screenshot="$ARTIFACTS/$name-1280.png" "file://$T/site/$p" >/dev/null
	framed "$T/site/$p" 390
	browser --allow-file-access-from-files --window-size=500,1600 --virtual-time-budget=3000 \
		--screenshot="$ARTIFACTS/$name-390.png" "file://$TMP/framed.html" >/dev/null
done
shots=$(for f in "$ARTIFACTS"/*-1280.png "$ARTIFACTS"/*-390.png; do [ "$(stat -c %s "$f")" -gt 20000 ] && echo "$f"; done | wc -l)
expect_eq "pages: screenshots of 4 pages at 1280 and 390 px, each with something drawn" "$shots" "8"
widths='(function () { var c = d.querySelector("table.sessions td:last-child"); return d.documentElement.scrollWidth + " " + (c ? Math.round(c.getBoundingClientRect().width) : 0); })()'
read -r scroll topics <<<"$(measure_framed "$T/site/hcsmdemo/index.html" 390 "$widths")"
[ "${scroll:-999}" -le 390 ] && [ "${topics:-0}" -ge 330 ] &&
	ok "pages: at 390 px the chat page fits the width and its topics get ${topics} px" ||
	fail "pages: phone layout" "scroll width ${scroll:-?}, topics ${topics:-?} px"
read -r scroll _ <<<"$(measure_framed "$T/site/hcsmdemo/2026-11-18.html" 390 "$widths")"
[ "${scroll:-999}" -le 390 ] && ok "pages: at 390 px the transcript fits the width (long links wrap: $scroll px)" ||
	fail "pages: at 390 px the transcript scrolls sideways" "scroll width ${scroll:-?}"
sed -i 's|"base_url": "https://chats.example.org/archive"|"base_url": "javascript:alert(1)"|' "$T/chatarc.conf"
"$CHATARC" --data "$T" publish >/dev/null 2>"$TMP/err"
expect_eq "site: a base_url that is not an http(s) address is a config error naming the key (exit 1)" \
	"$? $(grep -c 'site.base_url' "$TMP/err")" "1 1"

test_done
