#!/usr/bin/env python3
"""A small web app that is not golive's, for the workflow-language tests.

Standard library only (http.server). Binds 127.0.0.1 on a free port and
prints {"port": N} on its first line. Routes:
  GET  /set            sets cookies with every attribute (Secure, HttpOnly,
                       SameSite, Path, Max-Age, Expires, Domain)
  GET  /echo           {"cookie": <the Cookie header>} as JSON
  GET  /clear          expires the "session" cookie
  GET  /hop/N          302 to /hop/N-1; /hop/0 answers an HTML page
  POST /post-redirect  303 to /landing (a form post's usual answer)
  GET  /landing        HTML with the method it was reached by
  GET  /basic          needs Basic golive:<password given with --password>
  GET  /digest         needs Digest (MD5, qop=auth) for the same credentials
  POST /form           the urlencoded form as JSON
  POST /upload         the multipart parts as JSON: name, filename, type, size, head
  GET  /flaky?id=X     503 twice per id, then 200
"""
import argparse
import base64
import hashlib
import json
import os
import sys
import urllib.parse
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PASSWORD = ""
NONCE = os.urandom(8).hex()
FLAKY = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", content_type="text/plain", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status, value):
        self.send(status, json.dumps(value), "application/json")

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if path == "/set":
            self.send(200, "set", headers=[
                ("Set-Cookie", "session=s-123; Path=/; HttpOnly; SameSite=Lax"),
                ("Set-Cookie", "prefs=dark; Path=/; Max-Age=3600; Secure; SameSite=None"),
                ("Set-Cookie", "scoped=1; Path=/account; Expires=Wed, 01 Jan 2070 00:00:00 GMT"),
                ("Set-Cookie", "wide=1; Domain=127.0.0.1; Path=/"),
                ("Set-Cookie", "foreign=1; Domain=example.com; Path=/"),
            ])
        elif path == "/echo" or path == "/account/echo":
            self.send_json(200, {"cookie": self.headers.get("Cookie", "")})
        elif path == "/clear":
            self.send(200, "cleared", headers=[("Set-Cookie", "session=; Path=/; Max-Age=0")])
        elif path.startswith("/hop/"):
            n = int(path[5:])
            if n == 0:
                self.send(200, "<html><body><h1 id='end'>arrived</h1></body></html>", "text/html")
            else:
                self.send(302, "", headers=[("Location", "/hop/%d" % (n - 1))])
        elif path == "/landing":
            self.send(200, "<p class='method'>%s</p>" % self.command, "text/html")
        elif path == "/basic":
            expected = "Basic " + base64.b64encode(("golive:" + PASSWORD).encode()).decode()
            if self.headers.get("Authorization") == expected:
                self.send_json(200, {"user": "golive"})
            else:
                self.send(401, "", headers=[("WWW-Authenticate", 'Basic realm="site"')])
        elif path == "/digest":
            self.digest()
        elif path == "/flaky":
            key = urllib.parse.parse_qs(url.query).get("id", [""])[0]
            FLAKY[key] = FLAKY.get(key, 0) + 1
            if FLAKY[key] <= 2:
                self.send(503, "try again", headers=[("Retry-After", "0")])
            else:
                self.send_json(200, {"attempt": FLAKY[key]})
        else:
            self.send(404, "no route")

    def digest(self):
        header = self.headers.get("Authorization", "")
        if header.startswith("Digest "):
            fields = {}
            for item in urllib.request.parse_http_list(header[7:]):
                key, _, value = item.strip().partition("=")
                fields[key] = value.strip('"')
            md5 = lambda text: hashlib.md5(text.encode()).hexdigest()
            ha1 = md5("golive:site:" + PASSWORD)
            ha2 = md5("GET:" + fields.get("uri", ""))
            expected = md5(":".join([ha1, NONCE, fields.get("nc", ""), fields.get("cnonce", ""),
                                     "auth", ha2]))
            if fields.get("username") == "golive" and fields.get("response") == expected:
                self.send_json(200, {"user": "golive", "scheme": "digest"})
                return
        self.send(401, "", headers=[
            ("WWW-Authenticate", 'Digest realm="site", qop="auth", nonce="%s", algorithm=MD5' % NONCE)])

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        data = self.body()
        if path == "/post-redirect":
            self.send(303, "", headers=[("Location", "/landing")])
        elif path == "/form":
            form = urllib.parse.parse_qs(data.decode(), keep_blank_values=True)
            self.send_json(200, {k: v[0] for k, v in form.items()})
        elif path == "/upload":
            head = b"Content-Type: " + self.headers.get("Content-Type", "").encode() + b"\r\n\r\n"
            message = BytesParser(policy=HTTP).parsebytes(head + data)
            parts = []
            for part in message.iter_parts():
                payload = part.get_payload(decode=True) or b""
                parts.append({"name": part.get_param("name", header="content-disposition"),
                              "filename": part.get_filename(),
                              "type": part.get_content_type(),
                              "size": len(payload),
                              "head": payload[:5].decode("latin-1")})
            self.send_json(200, {"parts": parts})
        else:
            self.send(404, "no route")


def main():
    global PASSWORD
    parser = argparse.ArgumentParser()
    parser.add_argument("--password", required=True)
    PASSWORD = parser.parse_args().password
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    import urllib.request  # parse_http_list
    main()
