/* A xenstore client over the domain's store ring (io/xs_wire.h; docs/misc/xenstore.txt). */
#ifndef RINGOS_XENSTORE_H
#define RINGOS_XENSTORE_H

#include <stddef.h>
#include <stdint.h>
#include "xen.h"

/* The ring the domain builder shared with xenstored, and the event channel bound to it. */
void xs_init(struct xenstore_domain_interface *ring, uint32_t port);
/* Reads a key (relative paths are under /local/domain/<id>/) into buf as a C string; its length, or -1. */
int xs_read(const char *path, char *buf, size_t size);
/* Writes a key; 0, or -1 when xenstored refused. */
int xs_write(const char *path, const char *value);
/* Asks xenstored to send a watch event whenever path (or a key below it) changes, and once now. */
int xs_watch(const char *path, const char *token);
/* Watch events received since the last call, taking those waiting in the ring (their paths and
 * tokens carry nothing ringos needs). */
unsigned xs_watch_events(void);

#endif
