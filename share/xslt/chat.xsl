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
            <td><xsl:value-of select="@message-count"/></td>
            <td><xsl:value-of select="@participant-count"/></td>
            <td><xsl:for-each select="topic"><xsl:value-of select="."/><xsl:if test="position() != last()"><br/></xsl:if></xsl:for-each></td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
    <xsl:apply-templates select="outside"/>
  </xsl:template>


  <!-- Messages and people per session over the latest 52 sessions (a year
       of a weekly chat), oldest left, as inline SVG: the scale, the first
       and last dates and the latest values are written out, so the chart
       reads without hovering (phones cannot hover). -->
  <xsl:template name="trend">
    <xsl:variable name="shown" select="session[position() &lt;= 52]"/>
    <xsl:variable name="n" select="count($shown)"/>
    <xsl:variable name="max">
      <xsl:for-each select="$shown"><xsl:sort select="@message-count" data-type="number" order="descending"/>
        <xsl:if test="position() = 1"><xsl:value-of select="@message-count"/></xsl:if>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="top" select="number($max) + number($max = 0)"/>
    <div class="trend" role="region" aria-labelledby="trend-h">
      <h2 id="trend-h">Session by session</h2>
      <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 190" width="100%" role="img" aria-labelledby="trend-cap">
        <line x1="48" y1="150.5" x2="470" y2="150.5" class="axis"/>
        <line x1="48.5" y1="20" x2="48.5" y2="150" class="axis"/>
        <text x="44" y="26" text-anchor="end" class="label"><xsl:value-of select="$max"/></text>
        <text x="44" y="150" text-anchor="end" class="label">0</text>
        <text x="48" y="170" class="label"><xsl:value-of select="$shown[last()]/@date"/></text>
        <text x="470" y="170" text-anchor="end" class="label"><xsl:value-of select="$shown[1]/@date"/></text>
        <xsl:for-each select="$shown[1]">
          <text x="476" y="{150 - 130 * @message-count div $top + 4}" class="label messages"><xsl:value-of select="concat(@message-count, ' messages')"/></text>
          <text x="476" y="{150 - 130 * @participant-count div $top + 4}" class="label people"><xsl:value-of select="concat(@participant-count, ' people')"/></text>
        </xsl:for-each>
        <polyline class="trend-messages" fill="none">
          <xsl:attribute name="points">
            <xsl:for-each select="$shown">
              <xsl:value-of select="concat(round(470 - 422 * (position() - 1) div ($n - 1)), ',', round(150 - 130 * @message-count div $top), ' ')"/>
            </xsl:for-each>
          </xsl:attribute>
        </polyline>
        <polyline class="trend-people" fill="none">
          <xsl:attribute name="points">
            <xsl:for-each select="$shown">
              <xsl:value-of select="concat(round(470 - 422 * (position() - 1) div ($n - 1)), ',', round(150 - 130 * @participant-count div $top), ' ')"/>
            </xsl:for-each>
          </xsl:attribute>
        </polyline>
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
        <xsl:value-of select="@count"/>
        <xsl:choose>
          <xsl:when test="@count = 1"> message was</xsl:when>
          <xsl:otherwise> messages were</xsl:otherwise>
        </xsl:choose>
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
