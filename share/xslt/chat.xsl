<?xml version="1.0" encoding="UTF-8"?>
<!-- A chat's page: its next session and every session, newest first. Input:
     the <chat> document the publisher builds (publish/site.c). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="common.xsl"/>

  <xsl:template match="/chat">
    <xsl:call-template name="page">
      <xsl:with-param name="title" select="concat('#', @name, ': transcripts')"/>
      <xsl:with-param name="feed">feed.atom</xsl:with-param>
      <xsl:with-param name="crumbs">
        <xsl:text> › </xsl:text><span aria-current="page"><xsl:value-of select="concat('#', @name)"/></span>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- The page's main content, inside the shell (common.xsl "page"). -->
  <xsl:template match="/chat" mode="page-body">
    <h1><xsl:apply-templates select="." mode="title"/></h1>
    <xsl:apply-templates select="next"/>
    <p><a href="feed.atom">Atom feed of new transcripts</a></p>
    <xsl:if test="count(session) &gt;= 2"><xsl:call-template name="trend"/></xsl:if>
    <h2>Sessions</h2>
    <table class="sessions">
      <caption>Every session of <xsl:value-of select="concat('#', @name)"/>, newest first</caption>
      <thead><tr><th scope="col">Date</th><th scope="col">Messages</th><th scope="col">People</th><th scope="col">Topics</th></tr></thead>
      <tbody>
        <xsl:for-each select="session">
          <tr>
            <th scope="row"><a href="{@href}"><xsl:value-of select="@date"/></a></th>
            <td><xsl:value-of select="@message-count"/><span class="unit"><xsl:text> </xsl:text><xsl:call-template name="noun"><xsl:with-param name="n" select="@message-count"/><xsl:with-param name="one" select="'message'"/></xsl:call-template></span></td>
            <td><xsl:value-of select="@participant-count"/><span class="unit"><xsl:text> </xsl:text><xsl:call-template name="noun"><xsl:with-param name="n" select="@participant-count"/><xsl:with-param name="one" select="'person'"/><xsl:with-param name="many" select="'people'"/></xsl:call-template></span></td>
            <td><xsl:for-each select="topic"><xsl:value-of select="."/><xsl:if test="position() != last()"><br/></xsl:if></xsl:for-each></td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
    <xsl:apply-templates select="outside"/>
  </xsl:template>


  <!-- Messages and people per session over the latest 52 sessions (a year
       of a weekly chat), oldest left, as inline SVG: the scale, dates
       along the axis (five on a desk, three on a phone) and the latest
       values are written out, so the chart reads without hovering (phones
       cannot hover). The lines are stretched over the plot, 10% to 98% of
       the width; the labels stay in the page's own pixels. -->
  <xsl:template name="trend">
    <xsl:variable name="shown" select="session[position() &lt;= 52]"/>
    <xsl:variable name="n" select="count($shown)"/>
    <xsl:variable name="max">
      <xsl:for-each select="$shown"><xsl:sort select="@message-count" data-type="number" order="descending"/>
        <xsl:if test="position() = 1"><xsl:value-of select="@message-count"/></xsl:if>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="top" select="number($max) + number($max = 0)"/>
    <div class="trend chart" role="region" aria-labelledby="trend-h">
      <h2 id="trend-h">Session by session</h2>
      <svg xmlns="http://www.w3.org/2000/svg" width="100%" height="196" role="img" aria-labelledby="trend-cap">
        <xsl:for-each select="$shown[1]">
          <text x="98%" y="16" text-anchor="end" class="label messages"><xsl:call-template name="counted"><xsl:with-param name="n" select="@message-count"/><xsl:with-param name="one" select="'message'"/></xsl:call-template></text>
          <text x="98%" y="34" text-anchor="end" class="label people"><xsl:call-template name="counted"><xsl:with-param name="n" select="@participant-count"/><xsl:with-param name="one" select="'person'"/><xsl:with-param name="many" select="'people'"/></xsl:call-template></text>
        </xsl:for-each>
        <svg x="10%" y="44" width="88%" height="120" viewBox="0 0 1000 1000" preserveAspectRatio="none">
          <polyline class="trend-messages" fill="none" vector-effect="non-scaling-stroke">
            <xsl:attribute name="points">
              <xsl:for-each select="$shown">
                <xsl:value-of select="concat(round(1000 * ($n - position()) div ($n - 1)), ',', round(1000 - 1000 * @message-count div $top), ' ')"/>
              </xsl:for-each>
            </xsl:attribute>
          </polyline>
          <polyline class="trend-people" fill="none" vector-effect="non-scaling-stroke">
            <xsl:attribute name="points">
              <xsl:for-each select="$shown">
                <xsl:value-of select="concat(round(1000 * ($n - position()) div ($n - 1)), ',', round(1000 - 1000 * @participant-count div $top), ' ')"/>
              </xsl:for-each>
            </xsl:attribute>
          </polyline>
        </svg>
        <line x1="10%" y1="164.5" x2="98%" y2="164.5" class="axis"/>
        <line x1="10%" y1="44" x2="10%" y2="164" class="axis"/>
        <text x="9%" y="52" text-anchor="end" class="label"><xsl:value-of select="$max"/></text>
        <text x="9%" y="164" text-anchor="end" class="label">0</text>
        <xsl:variable name="quarter" select="round(($n - 1) div 4)"/>
        <xsl:variable name="half" select="round(($n - 1) div 2)"/>
        <xsl:for-each select="$shown">
          <xsl:variable name="p" select="position() - 1"/>
          <xsl:if test="$p = 0 or $p = $n - 1 or $p = $half or $p = $quarter or $p = $n - 1 - $quarter">
            <xsl:variable name="x" select="concat(format-number(10 + 88 * ($n - 1 - $p) div ($n - 1), '0.##'), '%')"/>
            <line x1="{$x}" y1="165" x2="{$x}" y2="170" class="axis"/>
            <text x="{$x}" y="186">
              <xsl:attribute name="text-anchor">
                <xsl:choose>
                  <xsl:when test="$p = 0">end</xsl:when>
                  <xsl:when test="$p = $n - 1">start</xsl:when>
                  <xsl:otherwise>middle</xsl:otherwise>
                </xsl:choose>
              </xsl:attribute>
              <xsl:attribute name="class">label<xsl:if test="not($p = 0 or $p = $n - 1 or $p = $half)"> minor</xsl:if></xsl:attribute>
              <xsl:value-of select="@date"/>
            </text>
          </xsl:if>
        </xsl:for-each>
      </svg>
      <p id="trend-cap">Messages (dark) and people taking part (light) in each of the latest
        <xsl:value-of select="$n"/> sessions, oldest left.</p>
    </div>
  </xsl:template>

  <!-- Posts outside every session (before a chat, between chats, a hashtag
       stream's quiet hours): the latest of them, so none is published
       nowhere. -->
  <xsl:template match="outside">
    <div class="section outside" role="region" aria-labelledby="outside-h">
      <h2 id="outside-h">Between sessions</h2>
      <p>
        <xsl:call-template name="counted"><xsl:with-param name="n" select="@count"/><xsl:with-param name="one" select="'message was'"/><xsl:with-param name="many" select="'messages were'"/></xsl:call-template>
        <xsl:text> posted outside every session</xsl:text>
        <xsl:if test="@shown &lt; @count">; the latest <xsl:value-of select="@shown"/> are below (all of them: <code>chatarc export</code>)</xsl:if>
        <xsl:text>.</xsl:text>
      </p>
      <xsl:for-each select="messages/message">
        <xsl:sort select="@time" order="descending"/>
        <div class="msg net-{@network}" id="{@id}">
          <xsl:apply-templates select="." mode="body"><xsl:with-param name="dated" select="true()"/></xsl:apply-templates>
        </div>
      </xsl:for-each>
    </div>
  </xsl:template>
</xsl:stylesheet>
