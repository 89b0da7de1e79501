/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in HTTP/1.1 responder (see tcp_services.h): parses requests from the held
 * receive chain and answers GET and HEAD with a body of http_body_size bytes, in
 * order, while no earlier response is still waiting for send-buffer room.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "lr_tcp.h"
#include "tcp_services_internal.h"

#define BODY_CHUNK 4096

static uint8_t body_pat[BODY_CHUNK + 26];

RTE_INIT(http_body_pattern)
{
	unsigned int i;

	for (i = 0; i < sizeof(body_pat); i++)
		body_pat[i] = (uint8_t)('a' + i % 26);
}

/* ---- HTTP/1.1 responder ---- */

/* RFC 9110 §5.6.2 tchar: ALPHA, DIGIT and "!#$%&'*+-.^_`|~" (a table: one load a byte). */
static bool tchar_tab[256];

RTE_INIT(http_tchar_table)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";
	unsigned int c;

	for (c = 0; c < 256; c++)
		tchar_tab[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				(c >= '0' && c <= '9') || (c != 0 && strchr(extra, (int)c) != NULL);
}

static inline bool
is_tchar(char ch)
{
	return tchar_tab[(uint8_t)ch];
}

/* name (NUL-terminated, nlen bytes) is the header want, case-insensitively: the length
 * is compared first, so most headers cost one compare. */
static inline bool
hdr_is(const char *name, size_t nlen, const char *want, size_t wlen)
{
	return nlen == wlen && strcasecmp(name, want) == 0;
}

static char *
trim_ows(char *s, char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	*e = '\0';
	return s;
}

/* "METHOD SP target SP HTTP/1.x" (a long target's middle is not kept). */
static void
http_request_line(struct http_state *h, char *line, size_t len)
{
	char *sp1 = memchr(line, ' ', len), *sp2 = strrchr(line, ' '), *p;

	if (sp1 == NULL || sp1 == line || sp2 == sp1 + 1 || sp1 == sp2) {
		h->req.status = 400;
		return;
	}
	for (p = line; p < sp1; p++)
		if (!is_tchar(*p)) {
			h->req.status = 400;
			return;
		}
	if (strcmp(sp2 + 1, "HTTP/1.1") == 0)
		h->req.v10 = false;
	else if (strcmp(sp2 + 1, "HTTP/1.0") == 0)
		h->req.v10 = true;
	else {
		h->req.status = 400;
		return;
	}
	*sp1 = '\0';
	if (strcmp(line, "HEAD") == 0)
		h->req.head = true;
	else if (strcmp(line, "GET") != 0)
		h->req.status = 405;
}

/* "Name: value": Connection, Content-Length and Transfer-Encoding matter. */
static void
http_header(struct http_state *h, char *line, size_t len)
{
	char *colon = memchr(line, ':', len), *p, *tok, *save = NULL;
	uint64_t v = 0;
	size_t nlen;

	if (colon == NULL || colon == line) {
		h->req.status = 400;
		return;
	}
	for (p = line; p < colon; p++)
		if (!is_tchar(*p)) {  /* also refuses obs-fold and blanks before ':' */
			h->req.status = 400;
			return;
		}
	*colon = '\0';
	nlen = (size_t)(colon - line);
	p = trim_ows(colon + 1, line + len);
	if (hdr_is(line, nlen, "connection", 10)) {
		for (tok = strtok_r(p, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
			tok = trim_ows(tok, tok + strlen(tok));
			if (strcasecmp(tok, "close") == 0)
				h->req.conn_close = true;
			else if (strcasecmp(tok, "keep-alive") == 0)
				h->req.conn_keep = true;
		}
	} else if (hdr_is(line, nlen, "content-length", 14)) {
		if (*p == '\0' || strlen(p) > 15 || p[strspn(p, "0123456789")] != '\0') {
			h->req.status = 400;
			return;
		}
		v = strtoull(p, NULL, 10);
		if (h->req.has_len && v != h->req.content_length)
			h->req.status = 400;
		h->req.has_len = true;
		h->req.content_length = v;
	} else if (hdr_is(line, nlen, "transfer-encoding", 17)) {
		h->req.chunked = true;
	}
}

/* A complete line (CR LF or LF stripped). @return true when the request is complete */
static bool
http_line(struct http_state *h)
{
	size_t len = h->line_len;

	if (len > 0 && h->line[len - 1] == '\r')
		len--;
	h->line[len] = '\0';
	if (h->stage == H_LINE) {
		if (len == 0 && !h->truncated) {   /* RFC 9112 §2.2: skip empty lines */
			h->head_bytes = 0;
			return false;
		}
		http_request_line(h, h->line, len);
		h->stage = H_HDR;
		return h->req.status != 200;
	}
	if (len == 0 && !h->truncated)
		return true;
	if (h->req.status == 200)
		http_header(h, h->line, len);
	return h->req.status != 200;
}

/* Append n bytes of a line: past HTTP_LINE - 1 the start stays and the last HTTP_TAIL
 * bytes slide (the tail region always holds the line's last HTTP_TAIL bytes). */
static void
line_append(struct http_state *h, const uint8_t *s, uint32_t n)
{
	uint32_t direct = RTE_MIN(n, (uint32_t)(HTTP_LINE - 1 - h->line_len));
	char *tail = h->line + HTTP_LINE - 1 - HTTP_TAIL;

	memcpy(h->line + h->line_len, s, direct);
	h->line_len = (uint16_t)(h->line_len + direct);
	s += direct;
	n -= direct;
	if (n == 0)
		return;
	h->truncated = true;
	if (n >= HTTP_TAIL) {
		memcpy(tail, s + n - HTTP_TAIL, HTTP_TAIL);
	} else {
		memmove(tail, tail + n, HTTP_TAIL - n);
		memcpy(tail + HTTP_TAIL - n, s, n);
	}
}

/*
 * Feed bytes to the parser until a request is complete, a line at a time (memchr
 * for its end, one copy), not a byte at a time.
 * @return true when one is (then *used bytes were consumed), false when all were
 */
static bool
http_feed(struct http_state *h, const uint8_t *p, uint32_t len, uint32_t *used)
{
	uint32_t i = 0, end, span, room;
	const uint8_t *nl;

	if (h->stage == H_SKIP) {
		i = (uint32_t)RTE_MIN((uint64_t)len, h->skip);
		h->skip -= i;
		if (h->skip == 0)
			h->stage = H_LINE;
	}
	while (i < len) {
		nl = memchr(p + i, '\n', len - i);
		end = nl != NULL ? (uint32_t)(nl - p) : len;
		span = end - i + (nl != NULL);   /* bytes this step counts, LF included */
		room = h->head_bytes < LR_HTTP_HDR_MAX ? LR_HTTP_HDR_MAX - h->head_bytes : 0;
		if (span > room) {
			/* the byte at i + room is the first beyond the limit */
			h->head_bytes = RTE_MAX(h->head_bytes, (uint32_t)LR_HTTP_HDR_MAX) + 1;
			h->req.status = h->stage == H_LINE ? 400 : 431;
			*used = i + room + 1;
			return true;
		}
		h->head_bytes += span;
		line_append(h, p + i, end - i);
		if (nl == NULL)
			break;
		i = end + 1;
		if (http_line(h)) {
			*used = i;
			return true;
		}
		h->line_len = 0;
		h->truncated = false;
	}
	*used = len;
	return false;
}

static const char *
http_reason(uint16_t status)
{
	switch (status) {
	case 200:
		return "OK";
	case 405:
		return "Method Not Allowed";
	case 431:
		return "Request Header Fields Too Large";
	default:
		return "Bad Request";
	}
}

static int
http_format(char *buf, size_t size, unsigned int status, uint32_t body, bool keep, bool v10)
{
	int n = snprintf(buf, size,
		"HTTP/1.1 %u %s\r\nServer: linerate\r\nContent-Type: text/plain\r\n"
		"Content-Length: %u\r\n%s%s\r\n", status, http_reason(status), body,
		status == 405 ? "Allow: GET, HEAD\r\n" : "",
		!keep ? "Connection: close\r\n" : v10 ? "Connection: keep-alive\r\n" : "");

	return (int)RTE_MIN((unsigned int)n, size - 1);
}

/* A 200 of kind k (0 keep-alive, 1 closing, 2 keep-alive HTTP/1.0): its header,
 * formatted at the first use, and the header with the body behind when both fit
 * in HTTP_OK_FULL (snprintf was a tenth of the server's time in the request/response
 * benchmark; a prebuilt response is one send). */
static void
http_ok_build(struct svc_worker *sw, unsigned int k, bool keep, bool v10)
{
	uint32_t hl, body = sw->body_size;

	RTE_BUILD_BUG_ON(sizeof(sw->ok_hdr[0]) > sizeof(((struct http_state *)0)->resp));
	sw->ok_len[k] = (uint8_t)http_format(sw->ok_hdr[k], sizeof(sw->ok_hdr[k]), 200, body,
			keep, v10);
	hl = sw->ok_len[k];
	if (hl + body > sizeof(sw->ok_full[k]))
		return;
	RTE_BUILD_BUG_ON(sizeof(sw->ok_full[0]) > sizeof(body_pat));
	memcpy(sw->ok_full[k], sw->ok_hdr[k], hl);
	memcpy(sw->ok_full[k] + hl, body_pat, body);
	sw->ok_full_len[k] = (uint16_t)(hl + body);
}

/* The request is complete: prepare its response and reset the parser. */
static void
http_respond(struct svc_conn *sc)
{
	struct http_state *h = &sc->http;
	struct svc_worker *sw = sc->sw;
	bool bad = h->req.status == 400 || h->req.status == 431;
	bool keep = sw->keepalive && !bad && !h->req.conn_close && !h->req.chunked &&
		(!h->req.v10 || h->req.conn_keep) && !sw->draining;
	uint32_t body = h->req.status == 200 ? sw->body_size : 0;

	h->body_left = h->req.head ? 0 : body;
	h->body_off = 0;
	if (h->req.status == 200) {
		unsigned int k = !keep ? 1 : h->req.v10 ? 2 : 0;

		if (sw->ok_len[k] == 0)
			http_ok_build(sw, k, keep, h->req.v10);
		if (sw->ok_full_len[k] != 0) {
			/* the body from the prebuilt response too */
			h->resp_src = sw->ok_full[k];
			h->resp_len = (uint16_t)(sw->ok_len[k] + h->body_left);
			h->body_left = 0;
		} else {
			h->resp_src = sw->ok_hdr[k];
			h->resp_len = sw->ok_len[k];
		}
	} else {
		h->resp_len = (uint16_t)http_format(h->resp, sizeof(h->resp), h->req.status, body,
				keep, h->req.v10);
		h->resp_src = h->resp;
	}
	h->resp_off = 0;
	h->resp_pending = true;
	h->close_after = !keep;
	sc->served = true;
	sc_stats(sc)->requests++;
	if (h->req.status != 200)
		sc_stats(sc)->errors++;
	/* next request: skip this one's body first */
	h->skip = bad ? 0 : h->req.content_length;
	h->stage = h->skip > 0 ? H_SKIP : H_LINE;
	h->line_len = 0;
	h->truncated = false;
	h->head_bytes = 0;
	h->req = (struct http_req){ .status = 200 };
}

/* Queue as much of the pending response as fits. @return false on a send error */
static bool
http_send(struct svc_conn *sc)
{
	struct http_state *h = &sc->http;
	int n;

	while (h->resp_off < h->resp_len) {
		n = lr_tcp_send(sc->c, h->resp_src + h->resp_off, h->resp_len - h->resp_off);
		if (n < 0 && n != -ENOBUFS)
			return false;
		if (n <= 0)
			return true;
		h->resp_off += (uint16_t)n;
		sc_stats(sc)->bytes_out += (uint32_t)n;
	}
	while (h->body_left > 0) {
		n = lr_tcp_send(sc->c, body_pat + h->body_off % 26,
				RTE_MIN(h->body_left, (uint32_t)BODY_CHUNK));
		if (n < 0 && n != -ENOBUFS)
			return false;
		if (n <= 0)
			return true;
		h->body_off += (uint32_t)n;
		h->body_left -= (uint32_t)n;
		sc_stats(sc)->bytes_out += (uint32_t)n;
	}
	h->resp_pending = false;
	return true;
}

/*
 * http_feed() with the worker's memo: a parser at the start of a request whose bytes
 * begin with the last request head it parsed that way takes that result (the parser
 * is a function of the bytes alone from its fresh state), and a request parsed whole
 * from a fresh parser in p is remembered.
 */
static bool
http_parse(struct svc_conn *sc, const uint8_t *p, uint32_t len, uint32_t *used)
{
	struct http_state *h = &sc->http;
	struct http_memo *mm = &sc->sw->memo;
	bool fresh = h->stage == H_LINE && h->head_bytes == 0 && h->line_len == 0 &&
		!h->truncated && h->req.status == 200;
	bool done;

	if (fresh && mm->len != 0 && len >= mm->len && memcmp(p, mm->bytes, mm->len) == 0) {
		h->req = mm->req;
		*used = mm->len;
		return true;
	}
	done = http_feed(h, p, len, used);
	if (done && fresh && h->req.status == 200 && *used <= sizeof(mm->bytes)) {
		memcpy(mm->bytes, p, *used);
		mm->len = (uint16_t)*used;
		mm->req = h->req;
	}
	return done;
}

/* Queue the response just prepared. @return false when the connection is gone (an
 * error aborted it, or it was answered with Connection: close and closed) */
static bool
http_answer(struct svc_conn *sc)
{
	struct http_state *h = &sc->http;

	if (!http_send(sc)) {
		lr_svc_abort(sc);
		return false;
	}
	if (!h->resp_pending && h->close_after) {
		lr_svc_close(sc);
		return false;
	}
	return true;
}

/* Answer requests in order while the send buffer has room. */
static void
http_run(struct svc_conn *sc)
{
	struct http_state *h = &sc->http;
	uint32_t used, len;
	bool done;

	for (;;) {
		if (h->resp_pending) {
			if (!http_answer(sc) || h->resp_pending)
				return;
		}
		if (sc->in == NULL) {
			/* draining: an idle keep-alive is closed by us (FIN) */
			if (sc->peer_fin || (sc->sw->draining && h->head_bytes == 0))
				lr_svc_close(sc);
			else
				lr_svc_hdr_check(sc);
			return;
		}
		len = sc->in->data_len;
		done = http_parse(sc, rte_pktmbuf_mtod(sc->in, const uint8_t *), len, &used);
		lr_svc_in_pull(sc, used);
		if (used > 0)
			lr_tcp_recved(sc->c, used);
		if (done)
			http_respond(sc);
	}
}

/*
 * A segment arriving with nothing held and no response waiting is parsed where it
 * lies: the requests that end in it are answered and only what is left of it (a
 * request's beginning, or requests behind one waiting for send-buffer room) is held,
 * so a request in one segment is never copied out of the receive pool.
 * @return the bytes of m consumed, or -1 when the connection is gone (m not freed)
 */
static int32_t
http_direct(struct svc_conn *sc, struct rte_mbuf *m)
{
	struct http_state *h = &sc->http;
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t off = 0, used, len = m->data_len;
	bool done;

	while (off < len && !h->resp_pending) {
		done = http_parse(sc, p + off, len - off, &used);
		off += used;
		if (used > 0)
			lr_tcp_recved(sc->c, used);
		if (!done)
			break;
		http_respond(sc);
		if (!http_answer(sc))
			return -1;
	}
	return (int32_t)off;
}

void
lr_http_data(struct lr_tcp_conn *c, struct rte_mbuf *m, void *arg)
{
	struct svc_conn *sc = arg;
	int32_t used;

	RTE_SET_USED(c);
	lr_svc_touch(sc);
	if (sc->in == NULL && m->nb_segs == 1 && !sc->http.resp_pending) {
		sc_stats(sc)->bytes_in += m->pkt_len;
		used = http_direct(sc, m);
		if (used < 0 || (uint32_t)used == m->data_len) {
			rte_pktmbuf_free(m);
			if (used >= 0)
				http_run(sc);   /* nothing held: close or time the next head */
			return;
		}
		rte_pktmbuf_adj(m, (uint16_t)used);   /* the rest is held */
	} else {
		sc_stats(sc)->bytes_in += m->pkt_len;
	}
	if (lr_svc_in_append(sc, m))
		http_run(sc);
	else
		lr_svc_abort(sc);
}

void
lr_http_sent(struct lr_tcp_conn *c, uint32_t acked, void *arg)
{
	RTE_SET_USED(c);
	RTE_SET_USED(acked);
	lr_svc_touch(arg);
	http_run(arg);
}

void
lr_http_peer_closed(struct lr_tcp_conn *c, void *arg)
{
	struct svc_conn *sc = arg;

	RTE_SET_USED(c);
	sc->peer_fin = true;
	http_run(sc);
}
