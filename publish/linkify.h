/* <chatarc:linkify-message/> for the stylesheets (namespace urn:chatarc):
 * the current message's text with its links, hashtags and mentions made
 * links, in C. */
#ifndef CHATARC_LINKIFY_H
#define CHATARC_LINKIFY_H

/* Registers the element for every stylesheet parsed after it. */
void publish_register_linkify(void);

#endif
