<?xml version="1.0" encoding="UTF-8"?>
<!-- A person's page (`chatarc serve`'s /people/ACCOUNT): who knows what, as
     healthcare networks find experts. The chats and sessions the person
     took part in, the topics they answered, the links they shared, and
     their posts by session and topic. Input: <person account total> with
     the person's <hit>s (serve/pages.c), oldest first. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="search.xsl"/>
  <xsl:key name="by-chat" match="hit" use="@chat"/>
  <xsl:key name="by-session" match="hit" use="concat(@chat, ' ', @session)"/>
  <!-- The topic questions answered (t1, t2...; not the welcome or wrap-up). -->
  <xsl:key name="by-topic" match="hit[starts-with(@topic, 't')]" use="concat(@chat, ' ', @session, ' ', @topic)"/>
  <xsl:key name="by-link" match="links/link" use="."/>

  <xsl:variable name="name">
    <xsl:for-each select="/person/hit[normalize-space(@author-name)][last()]"><xsl:value-of select="@author-name"/></xsl:for-each>
  </xsl:variable>

  <xsl:template match="/person">
    <xsl:call-template name="page">
      <xsl:with-param name="title" select="concat('@', @account)"/>
      <xsl:with-param name="crumbs"> › <span aria-current="page"><xsl:value-of select="concat('@', @account)"/></span></xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="/person" mode="page-body">
    <h1>
      <xsl:if test="$name != ''"><xsl:value-of select="concat($name, ' ')"/></xsl:if>
      <span class="handle"><xsl:value-of select="concat('@', @account)"/></span>
    </h1>
    <xsl:variable name="chats" select="hit[generate-id() = generate-id(key('by-chat', @chat)[1])]"/>
    <xsl:variable name="sessions" select="hit[@session][generate-id() = generate-id(key('by-session', concat(@chat, ' ', @session))[1])]"/>
    <p class="when">
      <xsl:call-template name="counted"><xsl:with-param name="n" select="@total"/><xsl:with-param name="one" select="'message'"/></xsl:call-template>
      <xsl:if test="@total &gt; count(hit)"><xsl:value-of select="concat(' (the latest ', count(hit), ' below)')"/></xsl:if>
      <xsl:text> in </xsl:text>
      <xsl:call-template name="counted"><xsl:with-param name="n" select="count($chats)"/><xsl:with-param name="one" select="'chat'"/></xsl:call-template>
      <xsl:text>, </xsl:text>
      <xsl:call-template name="counted"><xsl:with-param name="n" select="count($sessions)"/><xsl:with-param name="one" select="'session'"/></xsl:call-template>
    </p>
    <xsl:variable name="topics" select="hit[starts-with(@topic, 't')][generate-id() = generate-id(key('by-topic', concat(@chat, ' ', @session, ' ', @topic))[1])]"/>
    <xsl:if test="$topics">
      <h2>Topics answered</h2>
      <ul class="topics-answered">
        <xsl:for-each select="$topics">
          <li><a href="{$root}{@chat}/{@session}.html#{@topic}"><xsl:value-of select="concat('#', @chat, ' ', @session, ' ')"/><xsl:call-template name="topic-label"/></a></li>
        </xsl:for-each>
      </ul>
    </xsl:if>
    <xsl:variable name="links" select="hit/links/link[generate-id() = generate-id(key('by-link', .)[1])]"/>
    <xsl:if test="$links">
      <h2>Links shared</h2>
      <ul class="links">
        <xsl:for-each select="$links">
          <li><xsl:call-template name="safe-link"><xsl:with-param name="href" select="string(.)"/><xsl:with-param name="label" select="string(.)"/></xsl:call-template></li>
        </xsl:for-each>
      </ul>
    </xsl:if>
    <h2>Posts by session</h2>
    <xsl:for-each select="$sessions">
      <xsl:sort select="@session" order="descending"/>
      <div class="section person-session">
        <h3><a href="{$root}{@chat}/{@session}.html"><xsl:value-of select="concat('#', @chat, ' ', @session)"/></a></h3>
        <ol class="hits">
          <xsl:apply-templates select="key('by-session', concat(@chat, ' ', @session))"/>
        </ol>
      </div>
    </xsl:for-each>
    <xsl:if test="hit[not(@session)]">
      <div class="section person-session">
        <h3>Between sessions</h3>
        <ol class="hits"><xsl:apply-templates select="hit[not(@session)]"/></ol>
      </div>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
