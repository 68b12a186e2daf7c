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
      <xsl:with-param name="body">
        <h1><xsl:apply-templates select="." mode="title"/></h1>
        <xsl:apply-templates select="next"/>
        <p><a href="feed.atom">Atom feed of new transcripts</a></p>
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
      </xsl:with-param>
    </xsl:call-template>
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
