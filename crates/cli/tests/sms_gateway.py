"""A small SMS gateway for the notification test: a real HTTP server that
answers 503 to the first FAIL requests (to exercise the retries), then 200,
and appends every request it accepted to LOG as one JSON line.

Usage: python3 sms_gateway.py PORT LOG FAIL
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, log, fail = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
seen = {"n": 0}


class Gateway(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length).decode("utf-8"))
        seen["n"] += 1
        if seen["n"] <= fail:
            self.send_response(503)
            self.end_headers()
            self.wfile.write(b"busy")
            return
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps({
                "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
                "body": body,
            }) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status":"queued"}')

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Gateway).serve_forever()
