/* chatarc:linkify() for the stylesheets (namespace urn:chatarc): a post's
 * text with its links, hashtags and mentions made links, in C. */
#ifndef CHATARC_LINKIFY_H
#define CHATARC_LINKIFY_H

/* Registers the function for every transform after it (once a process). */
void publish_register_linkify(void);

#endif
