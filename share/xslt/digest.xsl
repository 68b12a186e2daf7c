<?xml version="1.0" encoding="UTF-8"?>
<!-- The weekly digest: for each chat's session that week, its topics with
     their highlights, its counts and top links. Input: <digest> holding the
     summariser's <session> documents, each with the href of its page. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="common.xsl"/>

  <xsl:template match="/digest">
    <xsl:call-template name="page">
      <xsl:with-param name="title" select="concat('Weekly digest ', @week)"/>
      <xsl:with-param name="feed">feed.atom</xsl:with-param>
      <xsl:with-param name="crumbs">
        <xsl:text> › </xsl:text><span aria-current="page"><xsl:value-of select="concat('Digest ', @week)"/></span>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- The page's main content, inside the shell (common.xsl "page"). -->
  <xsl:template match="/digest" mode="page-body">
    <h1><xsl:value-of select="concat('Weekly digest, ', @week)"/></h1>
    <p class="when"><xsl:value-of select="concat(@start, ' to ', @end, ': ')"/><xsl:call-template name="counted"><xsl:with-param name="n" select="count(session)"/><xsl:with-param name="one" select="'session'"/></xsl:call-template></p>
    <xsl:apply-templates select="session" mode="digest"/>
  </xsl:template>

  <xsl:template match="session" mode="digest">
    <div class="section" role="region" aria-labelledby="d-{@chat}-{@date}">
      <h2 id="d-{@chat}-{@date}"><a href="{@href}"><xsl:value-of select="concat('#', @chat, ', ', @date)"/></a></h2>
      <p class="topic-counts"><xsl:call-template name="counted"><xsl:with-param name="n" select="@message-count"/><xsl:with-param name="one" select="'message'"/></xsl:call-template><xsl:text>, </xsl:text><xsl:call-template name="counted"><xsl:with-param name="n" select="count(participants/participant)"/><xsl:with-param name="one" select="'participant'"/></xsl:call-template><xsl:text>, </xsl:text><xsl:call-template name="counted"><xsl:with-param name="n" select="@topic-count"/><xsl:with-param name="one" select="'topic'"/></xsl:call-template></p>
      <xsl:apply-templates select="previous">
        <xsl:with-param name="dir" select="concat('../', @chat, '/')"/>
      </xsl:apply-templates>
      <xsl:for-each select="topics/topic">
        <h3><a href="{../../@href}#{@id}"><xsl:value-of select="question/text"/></a></h3>
        <ul class="highlights">
          <xsl:for-each select="highlights/highlight">
            <xsl:variable name="m" select="ancestor::session//message[@id = current()/@ref]"/>
            <li><blockquote><xsl:value-of select="$m/text"/></blockquote>
              <a href="{ancestor::session/@href}#{@ref}"><xsl:call-template name="who"><xsl:with-param name="m" select="$m"/></xsl:call-template></a></li>
          </xsl:for-each>
        </ul>
      </xsl:for-each>
      <xsl:if test="links/link">
        <h3>Top links</h3>
        <ul class="links">
          <xsl:for-each select="links/link[position() &lt;= 5]">
            <li><xsl:call-template name="safe-link"><xsl:with-param name="href" select="@url"/><xsl:with-param name="label" select="@url"/></xsl:call-template>
              <xsl:value-of select="concat(' (', @count, ')')"/></li>
          </xsl:for-each>
        </ul>
      </xsl:if>
    </div>
  </xsl:template>
</xsl:stylesheet>
