/* aws_xml.h - reading the few elements signalbox needs out of AWS query-protocol answers (SNS:
 * <PublishBatchResult><Successful><member><Id>, <Failed><member><Code>, <Error><Code>).
 *
 * Not an XML parser: it finds elements by name in well-formed, namespace-free answers whose
 * elements of one name do not nest (true of every answer read here), and decodes the five
 * predefined entities and character references in text. */
#ifndef SB_AWS_XML_H
#define SB_AWS_XML_H

#include <stdbool.h>
#include <stddef.h>

/* A piece of the answer: [s, e). */
typedef struct sb_xml_span {
    const char *s, *e;
} sb_xml_span;

/* Finds the first element named name in in (at any depth): true with out set to its content
 * (empty for <name/>), false when there is none. */
bool sb_xml_find(sb_xml_span in, const char *name, sb_xml_span *out);

/* Like sb_xml_find, then moves in->s past the element found, for loops over siblings. */
bool sb_xml_next(sb_xml_span *in, const char *name, sb_xml_span *out);

/* Writes v's text into out (outlen > 0; NUL-terminated, cut at outlen - 1 bytes) with entities
 * decoded; returns the length written. */
size_t sb_xml_text(sb_xml_span v, char *out, size_t outlen);

#endif
