<?xml version="1.0" encoding="UTF-8"?>
<!-- Atom feeds (RFC 4287): a chat's transcripts (input <chat>) and the
     weekly digests (input <digests>). Links are absolute when the config
     gives the site's address ("site": {"base_url"}), else relative to the
     feed's own address, as RFC 4287 allows; entry ids are stable URNs. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns="http://www.w3.org/2005/Atom">
  <xsl:include href="words.xsl"/>
  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:param name="site-title" select="''"/>
  <xsl:param name="base-url" select="''"/>

  <xsl:template match="/chat">
    <!-- The feed's own folder: absolute with a base address. -->
    <xsl:variable name="here" select="substring(concat($base-url, @name, '/'), 1, string-length($base-url) * 1000)"/>
    <feed>
      <title><xsl:value-of select="concat('#', @name, ' transcripts')"/></title>
      <id><xsl:value-of select="concat('urn:chatarc:', @name)"/></id>
      <updated><xsl:value-of select="@updated"/></updated>
      <link rel="alternate" type="text/html" href="{$here}index.html"/>
      <link rel="self" href="{$here}feed.atom"/>
      <author><name><xsl:value-of select="concat('#', @name)"/></name></author>
      <xsl:for-each select="session[position() &lt;= 20]">
        <entry>
          <title><xsl:value-of select="concat('#', ../@name, ', ', @date, ': ')"/><xsl:call-template name="counted"><xsl:with-param name="n" select="@message-count"/><xsl:with-param name="one" select="'message'"/></xsl:call-template></title>
          <id><xsl:value-of select="concat('urn:chatarc:', ../@name, ':', @date)"/></id>
          <updated><xsl:value-of select="@last"/></updated>
          <link rel="alternate" type="text/html" href="{$here}{@href}"/>
          <summary type="text"><xsl:for-each select="topic"><xsl:value-of select="."/><xsl:text>&#10;</xsl:text></xsl:for-each></summary>
        </entry>
      </xsl:for-each>
    </feed>
  </xsl:template>

  <xsl:template match="/digests">
    <xsl:variable name="here" select="substring(concat($base-url, 'digest/'), 1, string-length($base-url) * 1000)"/>
    <feed>
      <title><xsl:value-of select="$site-title"/><xsl:if test="$site-title != ''">: </xsl:if>Weekly chat digests</title>
      <id>urn:chatarc:digests</id>
      <updated><xsl:value-of select="@updated"/></updated>
      <link rel="self" href="{$here}feed.atom"/>
      <author><name>chatarc</name></author>
      <xsl:for-each select="digest">
        <entry>
          <title><xsl:value-of select="concat('Digest ', @week, ': ')"/><xsl:call-template name="counted"><xsl:with-param name="n" select="count(session)"/><xsl:with-param name="one" select="'session'"/></xsl:call-template></title>
          <id><xsl:value-of select="concat('urn:chatarc:digest:', @week)"/></id>
          <updated><xsl:value-of select="@updated"/></updated>
          <link rel="alternate" type="text/html" href="{$here}{@week}.html"/>
          <summary type="text">
            <xsl:for-each select="session">
              <xsl:value-of select="concat('#', @chat, ' ', @date, ': ')"/><xsl:call-template name="counted"><xsl:with-param name="n" select="@message-count"/><xsl:with-param name="one" select="'message'"/></xsl:call-template>
              <xsl:for-each select="topics/topic"><xsl:value-of select="concat('&#10;  ', question/text)"/></xsl:for-each>
              <xsl:text>&#10;</xsl:text>
            </xsl:for-each>
          </summary>
        </entry>
      </xsl:for-each>
    </feed>
  </xsl:template>
</xsl:stylesheet>
