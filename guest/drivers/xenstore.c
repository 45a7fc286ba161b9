/*
 * The xenstore client: requests go into the ring's req half as an xsd_sockmsg header and a payload,
 * xenstored answers in the rsp half with the same req_id (io/xs_wire.h, docs/misc/xenstore.txt).
 * Both halves are 1 KiB byte rings whose indices only grow (MASK_XENSTORE_IDX takes them modulo the
 * size). A notification on the store event channel tells the other side to look. One request is
 * outstanding at a time; watch events can arrive in between and are counted.
 */
#include "xenstore.h"
#include "../kernel/kernel.h"
#include "../kernel/x86.h"
#include "../platform/platform.h"

#define XS_RING 1024u
#define XS_PAYLOAD_MAX 4096u

static struct xenstore_domain_interface *xs;
static uint32_t xs_port;
static uint32_t next_req_id;
static unsigned watch_events;
static char reply[256];

void xs_init(struct xenstore_domain_interface *ring, uint32_t port)
{
    xs = ring;
    xs_port = port;
}

static void notify(void)
{
    uint32_t port = xs_port;
    _hypercall2(event_channel_op, EVTCHNOP_send, &port);
}

static void put(const void *data, uint32_t n)
{
    const char *p = data;
    while (n) {
        uint32_t prod = xs->req_prod, room = XS_RING - (prod - xs->req_cons);
        if (!room) {
            notify();
            plat_wait_for_interrupt();
            continue;
        }
        uint32_t k = n < room ? n : room;
        for (uint32_t i = 0; i < k; i++)
            xs->req[(prod + i) % XS_RING] = p[i];
        barrier();
        xs->req_prod = prod + k;
        p += k;
        n -= k;
    }
}

static uint32_t rsp_avail(void) { return xs->rsp_prod - xs->rsp_cons; }

/* Takes n bytes off the response ring, waiting for xenstored where it has not written them yet. */
static void get(void *data, uint32_t n)
{
    char *p = data;
    while (n) {
        uint32_t cons = xs->rsp_cons, avail = rsp_avail();
        if (!avail) {
            plat_wait_for_interrupt();
            continue;
        }
        barrier();
        uint32_t k = n < avail ? n : avail;
        for (uint32_t i = 0; i < k; i++)
            p[i] = xs->rsp[(cons + i) % XS_RING];
        barrier();
        xs->rsp_cons = cons + k;
        p += k;
        n -= k;
    }
}

/* Reads one message into `reply` (the payload cut to its size); counts it if it is a watch event. */
static void take_message(struct xsd_sockmsg *r)
{
    get(r, sizeof *r);
    uint32_t keep = r->len < sizeof reply - 1 ? r->len : sizeof reply - 1;
    get(reply, keep);
    for (uint32_t skip = keep; skip < r->len && r->len <= XS_PAYLOAD_MAX; skip++) {
        char c;
        get(&c, 1);
    }
    reply[keep] = 0;
    r->len = keep;
    if (r->type == XS_WATCH_EVENT)
        watch_events++;
}

/* Sends one request of up to two payload parts and waits for its reply, which lands in `reply`.
 * Returns the reply's type (XS_ERROR when xenstored refused) and its length in *len. */
static uint32_t request(uint32_t type, const char *a, uint32_t alen, const char *b, uint32_t blen, uint32_t *len)
{
    struct xsd_sockmsg m = { type, ++next_req_id, 0, alen + blen };
    put(&m, sizeof m);
    put(a, alen);
    put(b, blen);
    notify();
    for (;;) {
        struct xsd_sockmsg r;
        take_message(&r);
        if (r.type != XS_WATCH_EVENT && r.req_id == m.req_id) {
            *len = r.len;
            return r.type;
        }
    }
}

int xs_read(const char *path, char *buf, size_t size)
{
    uint32_t len;
    if (request(XS_READ, path, strlen(path) + 1, 0, 0, &len) != XS_READ || len >= size)
        return -1;
    memcpy(buf, reply, len);
    buf[len] = 0;
    return (int)len;
}

int xs_write(const char *path, const char *value)
{
    uint32_t len;
    return request(XS_WRITE, path, strlen(path) + 1, value, strlen(value), &len) == XS_WRITE ? 0 : -1;
}

int xs_watch(const char *path, const char *token)
{
    uint32_t len;
    return request(XS_WATCH, path, strlen(path) + 1, token, strlen(token) + 1, &len) == XS_WATCH ? 0 : -1;
}

unsigned xs_watch_events(void)
{
    while (rsp_avail() >= sizeof(struct xsd_sockmsg)) {
        struct xsd_sockmsg r;
        take_message(&r);
    }
    unsigned n = watch_events;
    watch_events = 0;
    return n;
}
