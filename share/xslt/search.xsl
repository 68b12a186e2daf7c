<?xml version="1.0" encoding="UTF-8"?>
<!-- `chatarc serve`'s search page: the form, then the hits of one page with
     the total, facets to narrow by chat, year and network, and the pages
     before and after. Works without script. Input: <search> (serve/pages.c):
     query, page, pages, total, first, last, prev, next; <warning>s, an
     <error>, <facet>s of <value name count href>, <hit>s. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="common.xsl"/>
  <xsl:param name="root" select="'/'"/>

  <xsl:template match="/search">
    <xsl:call-template name="page">
      <xsl:with-param name="title">
        <xsl:choose>
          <xsl:when test="@query != ''"><xsl:value-of select="concat(@query, ': search')"/></xsl:when>
          <xsl:otherwise>Search</xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
      <xsl:with-param name="crumbs"> › <span aria-current="page">Search</span></xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="/search" mode="page-body">
    <h1>Search the chats</h1>
    <form class="search" action="/search" method="get" role="search">
      <label for="q">Words, "phrases", #tags, @accounts, from:, date:, chat:</label>
      <div class="search-row">
        <input type="search" id="q" name="q" value="{@query}" maxlength="2048"/>
        <button type="submit">Search</button>
      </div>
    </form>
    <xsl:for-each select="warning">
      <p class="warning" role="status"><xsl:value-of select="."/></p>
    </xsl:for-each>
    <xsl:for-each select="error">
      <p class="error" role="alert"><xsl:value-of select="."/></p>
    </xsl:for-each>
    <xsl:if test="@total">
      <p class="result-count" role="status">
        <xsl:choose>
          <xsl:when test="@total = 0">No messages match.</xsl:when>
          <xsl:otherwise>
            <xsl:value-of select="concat(@first, '–', @last, ' of ')"/>
            <xsl:if test="@estimated">about </xsl:if>
            <xsl:call-template name="counted"><xsl:with-param name="n" select="@total"/><xsl:with-param name="one" select="'message'"/></xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </p>
    </xsl:if>
    <xsl:if test="facet/value">
      <div class="facets" role="navigation" aria-label="Narrow the search">
        <xsl:for-each select="facet[value]">
          <div class="facet">
            <h2><xsl:value-of select="@name"/></h2>
            <ul>
              <xsl:for-each select="value">
                <li><a href="{@href}"><xsl:value-of select="@name"/></a><xsl:value-of select="concat(' (', @count, ')')"/></li>
              </xsl:for-each>
            </ul>
          </div>
        </xsl:for-each>
      </div>
    </xsl:if>
    <ol class="hits">
      <xsl:if test="@first"><xsl:attribute name="start"><xsl:value-of select="@first"/></xsl:attribute></xsl:if>
      <xsl:apply-templates select="hit"/>
    </ol>
    <xsl:if test="@prev or @next">
      <div role="navigation" aria-label="Pages" class="prevnext">
        <xsl:if test="@prev"><a rel="prev" href="{@prev}">← page <xsl:value-of select="@page - 1"/></a></xsl:if>
        <xsl:if test="@next"><a rel="next" href="{@next}">page <xsl:value-of select="@page + 1"/> →</a></xsl:if>
      </div>
    </xsl:if>
  </xsl:template>

  <!-- A hit: where (chat, session, topic), who, when in the chat's zone,
       the text, a link to it in its transcript and to the original. -->
  <xsl:template match="hit">
    <li class="hit net-{@network}">
      <p class="meta">
        <span class="chat"><xsl:value-of select="concat('#', @chat)"/></span>
        <xsl:if test="@session">
          <xsl:text> · </xsl:text><span class="session"><xsl:value-of select="@session"/></span>
        </xsl:if>
        <xsl:if test="@topic">
          <xsl:text> · </xsl:text><span class="topic"><xsl:call-template name="topic-label"/></span>
        </xsl:if>
        <xsl:text> · </xsl:text>
        <a href="{@people-href}" class="author"><xsl:call-template name="hit-author"/></a>
        <xsl:text> </xsl:text>
        <span class="time" title="{@utc}"><xsl:value-of select="concat(@local, ' (UTC', @offset, ')')"/></span>
      </p>
      <xsl:if test="content-warning">
        <p class="cw"><span class="cw-label">Content warning:</span><xsl:text> </xsl:text><xsl:value-of select="content-warning"/></p>
      </xsl:if>
      <p class="text"><xsl:value-of select="text"/></p>
      <p class="hit-links">
        <xsl:if test="@href"><a class="in-transcript" href="{@href}">in the transcript</a><xsl:text> </xsl:text></xsl:if>
        <xsl:call-template name="safe-link">
          <xsl:with-param name="href" select="@url"/>
          <xsl:with-param name="label">original post</xsl:with-param>
          <xsl:with-param name="class">original</xsl:with-param>
        </xsl:call-template>
      </p>
    </li>
  </xsl:template>

  <!-- A topic as the transcript names it: "t2" -> "T2", the welcome and
       the wrap-up by name. -->
  <xsl:template name="topic-label">
    <xsl:choose>
      <xsl:when test="@topic = 'intro'">welcome</xsl:when>
      <xsl:when test="@topic = 'wrap'">wrap-up</xsl:when>
      <xsl:otherwise><xsl:value-of select="translate(@topic, 't', 'T')"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The author's name, else @account. -->
  <xsl:template name="hit-author">
    <xsl:choose>
      <xsl:when test="normalize-space(@author-name)"><xsl:value-of select="@author-name"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="concat('@', @author)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
