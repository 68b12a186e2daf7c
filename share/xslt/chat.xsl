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
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>
</xsl:stylesheet>
