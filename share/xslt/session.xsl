<?xml version="1.0" encoding="UTF-8"?>
<!-- A session transcript, from the summariser's XML (share/schema/summary.rng):
     header, recap, activity chart, one section a topic, welcome and wrap-up. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="common.xsl"/>

  <xsl:template match="/session">
    <xsl:variable name="name" select="concat('#', @chat)"/>
    <xsl:call-template name="page">
      <xsl:with-param name="title" select="concat($name, ' ', @date, ': transcript')"/>
      <xsl:with-param name="feed">feed.atom</xsl:with-param>
      <xsl:with-param name="crumbs">
        <xsl:text> › </xsl:text><a href="index.html"><xsl:value-of select="$name"/></a>
        <xsl:text> › </xsl:text><span aria-current="page"><xsl:value-of select="@date"/></span>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- The page's main content, inside the shell (common.xsl "page"). -->
  <xsl:template match="/session" mode="page-body">
    <xsl:apply-templates select="." mode="header"/>
    <xsl:if test="topics/topic">
      <div role="navigation" aria-label="Topics" class="toc">
        <h2>Topics</h2>
        <ol>
          <xsl:for-each select="topics/topic">
            <li><a href="#{@id}"><xsl:value-of select="question/text"/></a></li>
          </xsl:for-each>
        </ol>
      </div>
    </xsl:if>
    <xsl:apply-templates select="." mode="recap"/>
    <xsl:apply-templates select="intro"/>
    <xsl:apply-templates select="topics/topic"/>
    <xsl:apply-templates select="wrap"/>
    <xsl:apply-templates select="unassigned[messages/message]"/>
  </xsl:template>

  <xsl:template match="session" mode="header">
    <div class="session-head">
      <h1>
        <xsl:choose>
          <xsl:when test="@title"><xsl:value-of select="@title"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="concat('#', @chat)"/></xsl:otherwise>
        </xsl:choose>
      </h1>
      <p class="when">
        <xsl:call-template name="long-date"><xsl:with-param name="date" select="@date"/></xsl:call-template>
        <xsl:if test="span">
          <xsl:text>, </xsl:text>
          <span class="time" title="{span/@first}"><xsl:call-template name="clock"><xsl:with-param name="local" select="span/@first-local"/></xsl:call-template></span>
          <xsl:text>–</xsl:text>
          <span class="time" title="{span/@last}"><xsl:call-template name="clock"><xsl:with-param name="local" select="span/@last-local"/></xsl:call-template></span>
          <xsl:value-of select="concat(' ', @tz, ' (UTC', substring(span/@first-local, 20), ')')"/>
          <xsl:text>; </xsl:text>
          <xsl:call-template name="utc-clock"><xsl:with-param name="time" select="span/@first"/></xsl:call-template>
        </xsl:if>
      </p>
      <ul class="counts">
        <li><xsl:call-template name="count"><xsl:with-param name="n" select="@message-count"/><xsl:with-param name="one" select="'message'"/><xsl:with-param name="many" select="'messages'"/></xsl:call-template></li>
        <li><xsl:call-template name="count"><xsl:with-param name="n" select="count(participants/participant)"/><xsl:with-param name="one" select="'participant'"/><xsl:with-param name="many" select="'participants'"/></xsl:call-template></li>
        <li><xsl:call-template name="count"><xsl:with-param name="n" select="@topic-count"/><xsl:with-param name="one" select="'topic'"/><xsl:with-param name="many" select="'topics'"/></xsl:call-template></li>
        <li><xsl:call-template name="count"><xsl:with-param name="n" select="@reply-count"/><xsl:with-param name="one" select="'reply'"/><xsl:with-param name="many" select="'replies'"/></xsl:call-template></li>
        <xsl:for-each select="networks/network">
          <li><strong><xsl:value-of select="@count"/></strong><xsl:text> on </xsl:text><xsl:call-template name="network-name"><xsl:with-param name="network" select="@name"/></xsl:call-template></li>
        </xsl:for-each>
      </ul>
      <xsl:apply-templates select="previous"/>
      <xsl:if test="@prev or @next">
        <div role="navigation" aria-label="Sessions" class="prevnext">
          <xsl:if test="@prev"><a rel="prev" href="{@prev}.html">← <xsl:value-of select="@prev"/></a></xsl:if>
          <xsl:if test="@next"><a rel="next" href="{@next}.html"><xsl:value-of select="@next"/> →</a></xsl:if>
        </div>
      </xsl:if>
    </div>
  </xsl:template>

  <xsl:template match="session" mode="recap">
    <div class="recap" role="region" aria-labelledby="recap-h">
      <h2 id="recap-h">Recap</h2>
      <xsl:apply-templates select="activity[minute]"/>
      <xsl:if test="topics/topic/highlights/highlight">
        <h3>Highlights</h3>
        <xsl:for-each select="topics/topic[highlights/highlight]">
          <h4><a href="#{@id}">
            <xsl:choose>
              <xsl:when test="question/text"><xsl:value-of select="question/text"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="@label"/></xsl:otherwise>
            </xsl:choose>
          </a></h4>
          <ul class="highlights">
            <xsl:for-each select="highlights/highlight">
              <xsl:variable name="m" select="key('message', @ref)"/>
              <li><blockquote><xsl:value-of select="$m/text"/></blockquote>
                <a href="#{@ref}"><xsl:call-template name="who"><xsl:with-param name="m" select="$m"/></xsl:call-template></a>
                <xsl:for-each select="$m"><xsl:call-template name="reactions"/></xsl:for-each></li>
            </xsl:for-each>
          </ul>
        </xsl:for-each>
      </xsl:if>
      <h3>Participants</h3>
      <ul class="participants">
        <xsl:for-each select="participants/participant">
          <li>
            <span class="author"><xsl:value-of select="@name"/></span>
            <xsl:value-of select="concat(' @', @author, ' (', @message-count, ')')"/>
            <xsl:if test="@moderator = 'yes'"><xsl:text> </xsl:text><span class="tagged">moderator</span></xsl:if>
            <xsl:if test="@newcomer = 'yes'"><xsl:text> </xsl:text><span class="tagged">first time</span></xsl:if>
          </li>
        </xsl:for-each>
      </ul>
      <xsl:if test="links/link">
        <h3>Links shared</h3>
        <ul class="links">
          <xsl:for-each select="links/link">
            <li><xsl:call-template name="safe-link"><xsl:with-param name="href" select="@url"/><xsl:with-param name="label" select="@url"/></xsl:call-template>
              <xsl:value-of select="concat(' (', @count, ')')"/></li>
          </xsl:for-each>
        </ul>
      </xsl:if>
      <xsl:if test="hashtags/hashtag">
        <h3>Hashtags</h3>
        <p class="hashtags">
          <xsl:for-each select="hashtags/hashtag">
            <xsl:value-of select="concat('#', @tag, ' (', @count, ')')"/>
            <xsl:if test="position() != last()">, </xsl:if>
          </xsl:for-each>
        </p>
      </xsl:if>
    </div>
  </xsl:template>

  <!-- Messages a minute as bars, drawn here: no script, no service. -->
  <xsl:template match="activity">
    <xsl:variable name="max">
      <xsl:for-each select="minute"><xsl:sort select="@count" data-type="number" order="descending"/>
        <xsl:if test="position() = 1"><xsl:value-of select="@count"/></xsl:if></xsl:for-each>
    </xsl:variable>
    <xsl:variable name="peak" select="minute[@count = $max][1]"/>
    <xsl:variable name="width" select="count(minute) * 4"/>
    <!-- The chat's offset from UTC in minutes ("-05:00" -> -300), for the
         local clock on the axis. -->
    <xsl:variable name="zone" select="substring(../span/@first-local, 20)"/>
    <xsl:variable name="offset" select="(1 - 2 * number(starts-with($zone, '-'))) * (substring($zone, 2, 2) * 60 + substring($zone, 5, 2))"/>
    <!-- Bars and axis stretched over the plot, 8% to 98% of the width;
         the labels outside it in the page's own pixels, so they read at a
         phone's width as on a desk (a scaled viewBox made them 5 px high). -->
    <div class="activity chart">
      <svg xmlns="http://www.w3.org/2000/svg" width="100%" height="100" role="img" aria-labelledby="activity-cap">
        <svg x="8%" y="18" width="90%" height="60" viewBox="0 0 {$width} 60" preserveAspectRatio="none">
          <xsl:for-each select="minute[@count &gt; 0]">
            <xsl:variable name="h" select="round(60 * @count div $max)"/>
            <rect x="{@offset * 4}" y="{60 - $h}" width="3" height="{$h}" class="bar"><title><xsl:value-of select="concat(substring(@time, 12, 5), ' UTC: ', @count)"/></title></rect>
          </xsl:for-each>
        </svg>
        <line x1="8%" y1="78.5" x2="98%" y2="78.5" class="axis"/>
        <text x="7%" y="26" text-anchor="end" class="label"><xsl:value-of select="$max"/></text>
        <text x="7%" y="78" text-anchor="end" class="label">0</text>
        <text x="{format-number(8 + 90 * ($peak/@offset * 4 + 1.5) div $width, '0.##')}%" y="14" text-anchor="middle" class="label peak"><xsl:value-of select="$max"/></text>
        <!-- A tick and the local time every quarter hour; a phone shows
             the hours and half hours. -->
        <xsl:for-each select="minute[number(substring(@time, 15, 2)) mod 15 = 0]">
          <xsl:variable name="x" select="concat(format-number(8 + 90 * @offset * 4 div $width, '0.##'), '%')"/>
          <line x1="{$x}" y1="79" x2="{$x}" y2="84" class="axis"/>
          <text x="{$x}" y="97" text-anchor="middle">
            <xsl:attribute name="class">label<xsl:if test="number(substring(@time, 15, 2)) mod 30 != 0"> minor</xsl:if></xsl:attribute>
            <xsl:call-template name="shift-clock"><xsl:with-param name="utc" select="substring(@time, 12, 5)"/><xsl:with-param name="by" select="$offset"/></xsl:call-template>
          </text>
        </xsl:for-each>
      </svg>
      <p id="activity-cap">
        <xsl:value-of select="concat('Messages per minute, ', ../@tz, ' time: busiest at ')"/>
        <xsl:call-template name="shift-clock"><xsl:with-param name="utc" select="substring($peak/@time, 12, 5)"/><xsl:with-param name="by" select="$offset"/></xsl:call-template>
        <xsl:value-of select="concat(' (', substring($peak/@time, 12, 5), ' UTC) with ', $max, '; ')"/>
        <xsl:call-template name="counted"><xsl:with-param name="n" select="count(minute)"/><xsl:with-param name="one" select="'minute'"/></xsl:call-template>
        <xsl:value-of select="concat(' from ', substring(minute[1]/@time, 12, 5), ' to ')"/>
        <xsl:call-template name="shift-clock"><xsl:with-param name="utc" select="substring(minute[last()]/@time, 12, 5)"/><xsl:with-param name="by" select="1"/></xsl:call-template>
        <xsl:text> UTC.</xsl:text>
      </p>
    </div>
  </xsl:template>

  <!-- "18:24" shifted by `by` minutes, on a 24-hour clock: "13:24". -->
  <xsl:template name="shift-clock">
    <xsl:param name="utc"/>
    <xsl:param name="by"/>
    <xsl:variable name="m" select="(substring($utc, 1, 2) * 60 + substring($utc, 4, 2) + $by + 1440) mod 1440"/>
    <xsl:value-of select="concat(format-number(floor($m div 60), '00'), ':', format-number($m mod 60, '00'))"/>
  </xsl:template>

  <xsl:template match="intro">
    <div class="section" role="region" aria-labelledby="welcome">
      <h2 id="welcome">Welcome</h2>
      <xsl:apply-templates select="messages" mode="threads"/>
    </div>
  </xsl:template>

  <xsl:template match="topic">
    <div class="section topic" id="{@id}" role="region" aria-labelledby="{@id}-h">
      <h2 id="{@id}-h"><xsl:value-of select="concat(@label, ': ', normalize-space(substring-after(question/text, ':')))"/>
        <xsl:if test="not(contains(question/text, ':'))"><xsl:value-of select="question/text"/></xsl:if></h2>
      <p class="topic-counts"><xsl:call-template name="counted"><xsl:with-param name="n" select="@message-count"/><xsl:with-param name="one" select="'message'"/></xsl:call-template><xsl:text> from </xsl:text><xsl:call-template name="counted"><xsl:with-param name="n" select="@participant-count"/><xsl:with-param name="one" select="'person'"/><xsl:with-param name="many" select="'people'"/></xsl:call-template></p>
      <xsl:apply-templates select="messages" mode="threads"/>
    </div>
  </xsl:template>

  <!-- A session with no one before its first question, or after the chat,
       shows no empty heading for it. -->
  <xsl:template match="intro[not(messages/message)] | wrap[not(messages/message)]"/>

  <xsl:template match="wrap">
    <div class="section" role="region" aria-labelledby="wrap-up">
      <h2 id="wrap-up">Wrap-up</h2>
      <xsl:apply-templates select="messages" mode="threads"/>
    </div>
  </xsl:template>

  <xsl:template match="unassigned">
    <div class="section" role="region" aria-labelledby="unassigned-h">
      <h2 id="unassigned-h">Not placed in a topic</h2>
      <xsl:apply-templates select="messages" mode="threads"/>
    </div>
  </xsl:template>
</xsl:stylesheet>
