<?xml version="1.0" encoding="UTF-8"?>
<!-- A count and its noun, for every page and feed: "1 message", "0 messages",
     "2 people"; the rule of the program's own messages (plural() in
     common/strbuf.h). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">

  <!-- The noun alone: one for 1, many (default: one with an "s") else. -->
  <xsl:template name="noun">
    <xsl:param name="n"/>
    <xsl:param name="one"/>
    <xsl:param name="many" select="concat($one, 's')"/>
    <xsl:choose>
      <xsl:when test="number($n) = 1"><xsl:value-of select="$one"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$many"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- "N noun". -->
  <xsl:template name="counted">
    <xsl:param name="n"/>
    <xsl:param name="one"/>
    <xsl:param name="many" select="concat($one, 's')"/>
    <xsl:value-of select="concat($n, ' ')"/>
    <xsl:call-template name="noun">
      <xsl:with-param name="n" select="$n"/>
      <xsl:with-param name="one" select="$one"/>
      <xsl:with-param name="many" select="$many"/>
    </xsl:call-template>
  </xsl:template>
</xsl:stylesheet>
