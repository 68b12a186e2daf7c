<?xml version="1.0" encoding="UTF-8"?>
<!-- The site's front page: every chat, its next session in its own zone,
     its latest sessions. Input: <site> with the publisher's <chat>s. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="common.xsl"/>
  <xsl:param name="root" select="''"/>
  <xsl:param name="site-title" select="''"/>
  <xsl:variable name="heading">
    <xsl:value-of select="$site-title"/>
    <xsl:if test="$site-title = ''">Chat transcripts</xsl:if>
  </xsl:variable>

  <xsl:template match="/site">
    <xsl:call-template name="page">
      <xsl:with-param name="title" select="string($heading)"/>
    </xsl:call-template>
  </xsl:template>

  <!-- The page's main content, inside the shell (common.xsl "page"). -->
  <xsl:template match="/site" mode="page-body">
    <h1><xsl:value-of select="$heading"/></h1>
    <xsl:if test="not(chat)"><p>No chats yet.</p></xsl:if>
    <xsl:for-each select="chat">
      <div class="chat-card" role="region" aria-labelledby="chat-{@name}">
        <h2 id="chat-{@name}"><a href="{@name}/index.html"><xsl:apply-templates select="." mode="title"/></a></h2>
        <xsl:apply-templates select="next"/>
        <xsl:if test="session">
          <h3>Latest sessions</h3>
          <ul>
            <xsl:for-each select="session[position() &lt;= 3]">
              <li><a href="{../@name}/{@href}"><xsl:value-of select="@date"/></a>
                <xsl:text>: </xsl:text><xsl:call-template name="counted"><xsl:with-param name="n" select="@message-count"/><xsl:with-param name="one" select="'message'"/></xsl:call-template><xsl:text>, </xsl:text><xsl:call-template name="counted"><xsl:with-param name="n" select="@topic-count"/><xsl:with-param name="one" select="'topic'"/></xsl:call-template></li>
            </xsl:for-each>
          </ul>
        </xsl:if>
      </div>
    </xsl:for-each>
    <xsl:if test="digest">
      <h2>Weekly digests</h2>
      <ul>
        <xsl:for-each select="digest">
          <li><a href="digest/{@week}.html"><xsl:value-of select="@week"/></a></li>
        </xsl:for-each>
      </ul>
      <p><a href="digest/feed.atom">Atom feed of the weekly digests</a></p>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
