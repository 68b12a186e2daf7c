<?xml version="1.0" encoding="UTF-8"?>
<!-- What every page shares: the page shell, times, a message, and post text
     with its links, mentions and hashtags turned into links.
     Post text comes from strangers: it is only ever written as text or as an
     attribute value (which the serializer escapes), and an href is written
     only when it starts with https:// or http://, so no post can add markup,
     script, styles, event handlers or a javascript: link. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:chatarc="urn:chatarc" extension-element-prefixes="chatarc"
    exclude-result-prefixes="chatarc">
  <xsl:include href="words.xsl"/>

  <!-- From the page to the site's root: "" for the site index, "../" below. -->
  <xsl:param name="root" select="'../'"/>

  <xsl:output method="html" encoding="UTF-8" indent="no"
              doctype-system="about:legacy-compat"/>

  <!-- The page shell: landmarks as ARIA roles on elements every HTML parser
       knows (libxml2's, which the tests validate with, predates HTML5's).
       Called with the document's root element as the context node, whose
       template in mode "page-body" writes the main content. -->
  <xsl:template name="page">
    <xsl:param name="title"/>
    <xsl:param name="feed"/>
    <xsl:param name="crumbs"/>
    <html lang="en">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/></title>
        <!-- A chat under way (publish with live on): the page reloads itself,
             with no script, as new posts are published. -->
        <xsl:if test="@live">
          <meta http-equiv="refresh" content="10"/>
        </xsl:if>
        <link rel="stylesheet" href="{$root}style.css"/>
        <xsl:if test="$feed != ''">
          <link rel="alternate" type="application/atom+xml" href="{$feed}" title="{$title}"/>
        </xsl:if>
      </head>
      <body>
        <a class="skip" href="#content">Skip to content</a>
        <div role="banner" class="banner">
          <div role="navigation" aria-label="Site" class="crumbs">
            <a href="{$root}index.html">chatarc</a>
            <xsl:copy-of select="$crumbs"/>
          </div>
        </div>
        <div role="main" id="content">
          <xsl:if test="@live">
            <p class="live" role="status">Live, updated <xsl:value-of select="@live"/></p>
          </xsl:if>
          <!-- Rendered in place, not built as a fragment and copied: a
               transcript's body is most of its page (issue 17). -->
          <xsl:apply-templates select="." mode="page-body"/>
        </div>
        <div role="contentinfo" class="footer">
          <p>Published by chatarc from public posts. Times are in the chat's own time zone.</p>
        </div>
      </body>
    </html>
  </xsl:template>

  <!-- "2026-11-18T12:55:10-05:00" -> "12:55" -->
  <!-- "1 message", "2 messages": a count and its noun, singular for one. -->
  <xsl:template name="count">
    <xsl:param name="n"/>
    <xsl:param name="one"/>
    <xsl:param name="many"/>
    <strong><xsl:value-of select="$n"/></strong>
    <xsl:text> </xsl:text>
    <xsl:call-template name="noun"><xsl:with-param name="n" select="$n"/><xsl:with-param name="one" select="$one"/><xsl:with-param name="many" select="$many"/></xsl:call-template>
  </xsl:template>

  <xsl:template name="clock">
    <xsl:param name="local"/>
    <xsl:value-of select="substring($local, 12, 5)"/>
  </xsl:template>

  <!-- "2026-11-18T17:55:10.494Z" -> "17:55 UTC" -->
  <xsl:template name="utc-clock">
    <xsl:param name="time"/>
    <xsl:value-of select="concat(substring($time, 12, 5), ' UTC')"/>
  </xsl:template>

  <xsl:template name="network-name">
    <xsl:param name="network"/>
    <xsl:choose>
      <xsl:when test="$network = 'mastodon'">Mastodon</xsl:when>
      <xsl:when test="$network = 'bluesky'">Bluesky</xsl:when>
      <xsl:when test="$network = 'twitter'">Twitter</xsl:when>
      <xsl:otherwise><xsl:value-of select="$network"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- An external link, or plain text when the address is not http(s). -->
  <xsl:template name="safe-link">
    <xsl:param name="href"/>
    <xsl:param name="label"/>
    <xsl:param name="class"/>
    <xsl:choose>
      <xsl:when test="starts-with($href, 'https://') or starts-with($href, 'http://')">
        <a href="{$href}" rel="nofollow ugc noopener">
          <xsl:if test="$class != ''"><xsl:attribute name="class"><xsl:value-of select="$class"/></xsl:attribute></xsl:if>
          <xsl:value-of select="$label"/>
        </a>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$label"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- One message, with its replies in the same section nested below it.
       Sections are the <messages> lists (intro, a topic, wrap, unassigned);
       a reply placed in another section starts a thread there instead. -->
  <xsl:key name="replies" match="message" use="@reply-to"/>
  <!-- By id (in a digest, of any of its sessions: compare parents too). -->
  <xsl:key name="message" match="message" use="@id"/>

  <!-- A section's threads: its messages whose parent is not in it. Nodes
       are compared as count(a | b) = 1, which builds no strings. -->
  <xsl:template match="messages" mode="threads">
    <xsl:apply-templates select="message[not(@reply-to) or not(key('message', @reply-to)[count(.. | current()) = 1])]" mode="thread"/>
  </xsl:template>

  <xsl:template match="message" mode="thread">
    <xsl:variable name="section" select=".."/>
    <div class="msg net-{@network}" id="{@id}">
      <xsl:if test="@moderator = 'yes'"><xsl:attribute name="class">msg mod net-<xsl:value-of select="@network"/></xsl:attribute></xsl:if>
      <xsl:apply-templates select="." mode="body"/>
      <xsl:variable name="children" select="key('replies', @id)[count(.. | $section) = 1]"/>
      <xsl:if test="$children">
        <div class="replies">
          <xsl:apply-templates select="$children" mode="thread"/>
        </div>
      </xsl:if>
    </div>
  </xsl:template>

  <xsl:template match="message" mode="body">
    <xsl:param name="dated" select="false()"/>
    <p class="meta">
      <span class="author"><xsl:value-of select="@name"/></span>
      <xsl:text> </xsl:text>
      <span class="handle"><xsl:value-of select="concat('@', @author)"/></span>
      <xsl:text> </xsl:text>
      <span class="badge badge-{@network}"><xsl:call-template name="network-name"><xsl:with-param name="network" select="@network"/></xsl:call-template></span>
      <xsl:text> </xsl:text>
      <a class="permalink" href="#{@id}" title="Link to this message"><span class="time" title="{@time}"><xsl:if test="$dated"><xsl:value-of select="concat(substring(@local, 1, 10), ' ')"/></xsl:if><xsl:call-template name="clock"><xsl:with-param name="local" select="@local"/></xsl:call-template></span></a>
      <xsl:if test="@reply-to and key('message', @reply-to)">
        <xsl:text> </xsl:text>
        <a class="in-reply" href="#{@reply-to}">in reply to <xsl:value-of select="key('message', @reply-to)/@name"/></a>
      </xsl:if>
      <xsl:text> </xsl:text>
      <xsl:call-template name="safe-link">
        <xsl:with-param name="href" select="@url"/>
        <xsl:with-param name="label">original post</xsl:with-param>
        <xsl:with-param name="class">original</xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="reactions"/>
    </p>
    <xsl:choose>
      <!-- A content warning folds the post under it, as the networks do. -->
      <xsl:when test="content-warning">
        <details class="cw">
          <summary><span class="cw-label">Content warning:</span><xsl:text> </xsl:text><xsl:value-of select="content-warning"/></summary>
          <xsl:apply-templates select="." mode="content"/>
        </details>
      </xsl:when>
      <xsl:otherwise><xsl:apply-templates select="." mode="content"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The text, then the media the post carried, each with its alt text. -->
  <xsl:template match="message" mode="content">
    <p class="text">
      <!-- chatarc publish links the text in C, in one pass, into the page
           (publish/linkify.c); other processors (xsltproc) run the
           templates below. -->
      <chatarc:linkify-message>
        <xsl:fallback>
          <xsl:call-template name="linkify-xslt">
            <xsl:with-param name="text" select="text"/>
            <xsl:with-param name="network" select="@network"/>
            <xsl:with-param name="host" select="substring-before(substring-after(@url, 'https://'), '/')"/>
            <xsl:with-param name="mentions" select="mentions/mention"/>
          </xsl:call-template>
        </xsl:fallback>
      </chatarc:linkify-message>
    </p>
    <xsl:if test="media/alt">
      <ul class="media">
        <xsl:for-each select="media/alt">
          <li>
            <span class="media-kind">Image:</span>
            <xsl:text> </xsl:text>
            <xsl:choose>
              <xsl:when test="normalize-space(.)"><xsl:value-of select="."/></xsl:when>
              <xsl:otherwise><span class="no-alt">no description given</span></xsl:otherwise>
            </xsl:choose>
          </li>
        </xsl:for-each>
      </ul>
    </xsl:if>
    <!-- The links the text does not show: Twitter Archiver keeps a
         tweet's links apart from its text, a shortened link's text is
         not where it leads. Only http(s) addresses are links. -->
    <xsl:variable name="text" select="string(text)"/>
    <xsl:variable name="unshown" select="links/link[not(contains($text, .))]"/>
    <xsl:if test="$unshown">
      <ul class="message-links">
        <xsl:for-each select="$unshown">
          <li><xsl:call-template name="safe-link">
            <xsl:with-param name="href" select="string(.)"/>
            <xsl:with-param name="label" select="string(.)"/>
          </xsl:call-template></li>
        </xsl:for-each>
      </ul>
    </xsl:if>
  </xsl:template>

  <!-- Likes and boosts (reposts, retweets) as the network counted them when
       the post was last read, when there are any. -->
  <xsl:template name="reactions">
    <xsl:if test="@likes &gt; 0 or @reposts &gt; 0">
      <span class="reactions">
        <xsl:if test="@likes &gt; 0">
          <xsl:text> </xsl:text>
          <span class="likes" title="likes"><xsl:value-of select="concat('♥ ', @likes)"/></span>
        </xsl:if>
        <xsl:if test="@reposts &gt; 0">
          <xsl:text> </xsl:text>
          <span class="reposts" title="boosts and reposts"><xsl:value-of select="concat('↻ ', @reposts)"/></span>
        </xsl:if>
      </span>
    </xsl:if>
  </xsl:template>

  <!-- Post text: a long one is cut in two at a space or line break near its
       middle, each half linked alone, so the recursion is as deep as the
       log of its length plus the words of one short piece (word by word,
       a 1,500-word post passed libxslt's recursion limit and took the
       whole site down). -->
  <xsl:template name="linkify-xslt">
    <xsl:param name="text"/>
    <xsl:param name="network"/>
    <xsl:param name="host"/>
    <xsl:param name="mentions" select="/.."/>
    <xsl:variable name="half" select="floor(string-length($text) div 2)"/>
    <xsl:variable name="rest" select="substring($text, $half + 1)"/>
    <xsl:variable name="to-space" select="substring-before($rest, ' ')"/>
    <xsl:variable name="to-newline" select="substring-before($rest, '&#10;')"/>
    <xsl:variable name="cut">
      <xsl:choose>
        <xsl:when test="contains($rest, ' ') and (not(contains($rest, '&#10;')) or string-length($to-space) &lt; string-length($to-newline))"><xsl:value-of select="$half + string-length($to-space)"/></xsl:when>
        <xsl:when test="contains($rest, '&#10;')"><xsl:value-of select="$half + string-length($to-newline)"/></xsl:when>
        <xsl:otherwise>-1</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="string-length($text) &gt; 400 and $cut &gt;= 0">
        <xsl:call-template name="linkify-xslt">
          <xsl:with-param name="text" select="substring($text, 1, $cut)"/>
          <xsl:with-param name="network" select="$network"/>
          <xsl:with-param name="host" select="$host"/>
          <xsl:with-param name="mentions" select="$mentions"/>
        </xsl:call-template>
        <xsl:value-of select="substring($text, $cut + 1, 1)"/>
        <xsl:call-template name="linkify-xslt">
          <xsl:with-param name="text" select="substring($text, $cut + 2)"/>
          <xsl:with-param name="network" select="$network"/>
          <xsl:with-param name="host" select="$host"/>
          <xsl:with-param name="mentions" select="$mentions"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="linkify-words">
          <xsl:with-param name="text" select="$text"/>
          <xsl:with-param name="network" select="$network"/>
          <xsl:with-param name="host" select="$host"/>
          <xsl:with-param name="mentions" select="$mentions"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A short text, word by word: whitespace kept (the CSS keeps line
       breaks), each word that is a link, a #hashtag or an @mention made a
       link. -->
  <!-- Plain words are copied in one piece: the template jumps to the next
       word that may become a link (one starting with #, @ or http), so it
       recurses once per such word, not once per word. -->
  <xsl:template name="linkify-words">
    <xsl:param name="text"/>
    <xsl:param name="network"/>
    <xsl:param name="host"/>
    <xsl:param name="mentions" select="/.."/>
    <xsl:if test="$text != ''">
      <xsl:choose>
        <xsl:when test="starts-with($text, '#') or starts-with($text, '@') or starts-with($text, 'http')">
          <xsl:variable name="to-space" select="substring-before(concat($text, ' '), ' ')"/>
          <xsl:variable name="to-newline" select="substring-before(concat($text, '&#10;'), '&#10;')"/>
          <xsl:variable name="word">
            <xsl:choose>
              <xsl:when test="string-length($to-newline) &lt; string-length($to-space)"><xsl:value-of select="$to-newline"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="$to-space"/></xsl:otherwise>
            </xsl:choose>
          </xsl:variable>
          <xsl:call-template name="word">
            <xsl:with-param name="word" select="string($word)"/>
            <xsl:with-param name="network" select="$network"/>
            <xsl:with-param name="host" select="$host"/>
            <xsl:with-param name="mentions" select="$mentions"/>
          </xsl:call-template>
          <xsl:value-of select="substring($text, string-length($word) + 1, 1)"/>
          <xsl:call-template name="linkify-words">
            <xsl:with-param name="text" select="substring($text, string-length($word) + 2)"/>
            <xsl:with-param name="network" select="$network"/>
            <xsl:with-param name="host" select="$host"/>
            <xsl:with-param name="mentions" select="$mentions"/>
          </xsl:call-template>
        </xsl:when>
        <xsl:otherwise>
          <!-- Where the next such word starts: after the first space or
               line break followed by #, @ or http (0: none). -->
          <xsl:variable name="none" select="string-length($text) + 1"/>
          <xsl:variable name="s1" select="(string-length(substring-before($text, ' #')) + 1) * contains($text, ' #') + $none * not(contains($text, ' #'))"/>
          <xsl:variable name="s2" select="(string-length(substring-before($text, ' @')) + 1) * contains($text, ' @') + $none * not(contains($text, ' @'))"/>
          <xsl:variable name="s3" select="(string-length(substring-before($text, ' http')) + 1) * contains($text, ' http') + $none * not(contains($text, ' http'))"/>
          <xsl:variable name="n1" select="(string-length(substring-before($text, '&#10;#')) + 1) * contains($text, '&#10;#') + $none * not(contains($text, '&#10;#'))"/>
          <xsl:variable name="n2" select="(string-length(substring-before($text, '&#10;@')) + 1) * contains($text, '&#10;@') + $none * not(contains($text, '&#10;@'))"/>
          <xsl:variable name="n3" select="(string-length(substring-before($text, '&#10;http')) + 1) * contains($text, '&#10;http') + $none * not(contains($text, '&#10;http'))"/>
          <xsl:variable name="m1" select="$s1 * ($s1 &lt;= $s2) + $s2 * ($s2 &lt; $s1)"/>
          <xsl:variable name="m2" select="$m1 * ($m1 &lt;= $s3) + $s3 * ($s3 &lt; $m1)"/>
          <xsl:variable name="m3" select="$m2 * ($m2 &lt;= $n1) + $n1 * ($n1 &lt; $m2)"/>
          <xsl:variable name="m4" select="$m3 * ($m3 &lt;= $n2) + $n2 * ($n2 &lt; $m3)"/>
          <xsl:variable name="jump" select="$m4 * ($m4 &lt;= $n3) + $n3 * ($n3 &lt; $m4)"/>
          <xsl:value-of select="substring($text, 1, $jump)"/>
          <xsl:if test="$jump &lt; $none">
            <xsl:call-template name="linkify-words">
              <xsl:with-param name="text" select="substring($text, $jump + 1)"/>
              <xsl:with-param name="network" select="$network"/>
              <xsl:with-param name="host" select="$host"/>
              <xsl:with-param name="mentions" select="$mentions"/>
            </xsl:call-template>
          </xsl:if>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:if>
  </xsl:template>
  <xsl:template name="word">
    <xsl:param name="word"/>
    <xsl:param name="network"/>
    <xsl:param name="host"/>
    <xsl:param name="mentions" select="/.."/>
    <!-- Sentence punctuation after a link, tag or mention stays outside it. -->
    <xsl:variable name="last" select="substring($word, string-length($word))"/>
    <xsl:variable name="trail" select="string-length($word) &gt; 1 and contains('.,;:!?)', $last)"/>
    <xsl:variable name="core">
      <xsl:choose>
        <xsl:when test="$trail"><xsl:value-of select="substring($word, 1, string-length($word) - 1)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$word"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="(starts-with($core, 'https://') or starts-with($core, 'http://')) and string-length($core) &gt; 8">
        <a href="{$core}" rel="nofollow ugc noopener"><xsl:value-of select="$core"/></a>
        <xsl:if test="$trail"><xsl:value-of select="$last"/></xsl:if>
      </xsl:when>
      <xsl:when test="starts-with($core, '#') and string-length($core) &gt; 1">
        <xsl:variable name="tag" select="substring($core, 2)"/>
        <xsl:call-template name="safe-link">
          <xsl:with-param name="href">
            <xsl:choose>
              <xsl:when test="$network = 'mastodon' and $host != ''">https://<xsl:value-of select="$host"/>/tags/<xsl:value-of select="$tag"/></xsl:when>
              <xsl:when test="$network = 'bluesky'">https://bsky.app/hashtag/<xsl:value-of select="$tag"/></xsl:when>
              <xsl:when test="$network = 'twitter'">https://twitter.com/hashtag/<xsl:value-of select="$tag"/></xsl:when>
            </xsl:choose>
          </xsl:with-param>
          <xsl:with-param name="label" select="$core"/>
          <xsl:with-param name="class">tag</xsl:with-param>
        </xsl:call-template>
        <xsl:if test="$trail"><xsl:value-of select="$last"/></xsl:if>
      </xsl:when>
      <xsl:when test="starts-with($core, '@') and string-length($core) &gt; 1">
        <!-- Mastodon text names local accounts without their server: the
             message's mention list has the full account. -->
        <xsl:variable name="full" select="$mentions[starts-with(., concat(substring($core, 2), '@'))][1]"/>
        <xsl:variable name="who">
          <xsl:choose>
            <xsl:when test="$full and not(contains(substring($core, 2), '@'))"><xsl:value-of select="$full"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="substring($core, 2)"/></xsl:otherwise>
          </xsl:choose>
        </xsl:variable>
        <xsl:call-template name="safe-link">
          <xsl:with-param name="href">
            <xsl:choose>
              <xsl:when test="$network = 'mastodon' and contains($who, '@')">https://<xsl:value-of select="substring-after($who, '@')"/>/@<xsl:value-of select="substring-before($who, '@')"/></xsl:when>
              <xsl:when test="$network = 'mastodon' and $host != ''">https://<xsl:value-of select="$host"/>/@<xsl:value-of select="$who"/></xsl:when>
              <xsl:when test="$network = 'bluesky'">https://bsky.app/profile/<xsl:value-of select="$who"/></xsl:when>
              <xsl:when test="$network = 'twitter'">https://twitter.com/<xsl:value-of select="$who"/></xsl:when>
            </xsl:choose>
          </xsl:with-param>
          <xsl:with-param name="label" select="$core"/>
          <xsl:with-param name="class">mention</xsl:with-param>
        </xsl:call-template>
        <xsl:if test="$trail"><xsl:value-of select="$last"/></xsl:if>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$word"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A chat's name as a heading: its title, else #name. -->
  <xsl:template match="chat" mode="title">
    <xsl:choose>
      <xsl:when test="@title != ''"><xsl:value-of select="@title"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="concat('#', @name)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The next scheduled session, in the chat's zone and in UTC, and the
       schedule in words; "no session scheduled" when the rule has ended. -->
  <xsl:template match="next[@none = 'true']">
    <p class="next">No session scheduled (the chat met <xsl:value-of select="@schedule"/>).</p>
  </xsl:template>
  <xsl:template match="next">
    <p class="next">Next session:
      <xsl:call-template name="long-date">
        <xsl:with-param name="date" select="substring(@local, 1, 10)"/>
        <xsl:with-param name="weekday" select="@weekday"/>
      </xsl:call-template>
      <xsl:text> at </xsl:text>
      <span class="time" title="{@start}"><xsl:call-template name="clock"><xsl:with-param name="local" select="@local"/></xsl:call-template></span>
      <xsl:value-of select="concat(' ', ../@tz, ' (', substring(@start, 12, 5), ' UTC)')"/>
      <xsl:if test="@schedule != ''"><xsl:value-of select="concat('; it meets ', @schedule)"/></xsl:if>
      <xsl:text> · </xsl:text><a class="ics" href="{$root}{../@name}/schedule.ics" type="text/calendar">add its sessions to your calendar</a>
    </p>
  </xsl:template>

  <!-- Who wrote a message: the display name, else @account (Topsy and
       some CSV sheets keep no names), never an empty link. -->
  <xsl:template name="who">
    <xsl:param name="m"/>
    <xsl:choose>
      <xsl:when test="normalize-space($m/@name) != ''"><xsl:value-of select="$m/@name"/></xsl:when>
      <xsl:when test="$m/@author != ''"><xsl:value-of select="concat('@', $m/@author)"/></xsl:when>
      <xsl:otherwise>a message</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- "2026-11-18" -> "Wednesday 18 November 2026" -->
  <xsl:template name="long-date">
    <xsl:param name="date"/>
    <xsl:param name="weekday"/>
    <xsl:variable name="m" select="number(substring($date, 6, 2))"/>
    <xsl:if test="$weekday != ''"><xsl:value-of select="concat($weekday, ' ')"/></xsl:if>
    <xsl:value-of select="concat(number(substring($date, 9, 2)), ' ',
        normalize-space(substring('January  February March    April    May      June     July     August   SeptemberOctober  November December ', ($m - 1) * 9 + 1, 9)),
        ' ', substring($date, 1, 4))"/>
  </xsl:template>
  <!-- The same figures for the chat's session before, each with the change
       (transcripts and digests). -->
  <xsl:template match="previous">
    <!-- Where the chat's pages are, from the page showing this: "" on a
         transcript, "../CHAT/" on a digest. -->
    <xsl:param name="dir" select="''"/>
    <xsl:variable name="s" select=".."/>
    <p class="compare">
      <xsl:text>Against </xsl:text><a href="{$dir}{@date}.html"><xsl:value-of select="@date"/></a><xsl:text>: </xsl:text>
      <xsl:call-template name="change"><xsl:with-param name="what" select="'messages'"/><xsl:with-param name="now" select="$s/@message-count"/><xsl:with-param name="before" select="@message-count"/></xsl:call-template>
      <xsl:text>, </xsl:text>
      <xsl:call-template name="change"><xsl:with-param name="what" select="'participants'"/><xsl:with-param name="now" select="count($s/participants/participant)"/><xsl:with-param name="before" select="@participant-count"/></xsl:call-template>
      <xsl:text>, </xsl:text>
      <xsl:call-template name="change"><xsl:with-param name="what" select="'first time'"/><xsl:with-param name="now" select="count($s/participants/participant[@newcomer = 'yes'])"/><xsl:with-param name="before" select="@newcomer-count"/></xsl:call-template>
      <xsl:text>, </xsl:text>
      <xsl:call-template name="change"><xsl:with-param name="what" select="'returning'"/><xsl:with-param name="now" select="count($s/participants/participant[not(@newcomer = 'yes')])"/><xsl:with-param name="before" select="@returning-count"/></xsl:call-template>
      <xsl:text>, </xsl:text>
      <xsl:call-template name="change"><xsl:with-param name="what" select="'replies'"/><xsl:with-param name="now" select="$s/@reply-count"/><xsl:with-param name="before" select="@reply-count"/></xsl:call-template>
    </p>
  </xsl:template>

  <!-- "messages 158 (+12)": a figure and its change, the sign written. -->
  <xsl:template name="change">
    <xsl:param name="what"/>
    <xsl:param name="now"/>
    <xsl:param name="before"/>
    <xsl:variable name="d" select="$now - $before"/>
    <span class="change"><xsl:value-of select="concat($what, ' ', $now, ' (')"/>
      <xsl:choose>
        <xsl:when test="$d &gt; 0"><xsl:value-of select="concat('+', $d)"/></xsl:when>
        <xsl:when test="$d &lt; 0"><xsl:value-of select="concat('−', -$d)"/></xsl:when>
        <xsl:otherwise>±0</xsl:otherwise>
      </xsl:choose>
      <xsl:text>)</xsl:text></span>
  </xsl:template>

</xsl:stylesheet>
