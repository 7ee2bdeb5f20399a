#!/usr/bin/env python3
"""A webhook receiver for tests. It checks Standard Webhooks signatures with Python's own
hmac, hashlib and base64 (never Batchline's code), so a test that reads its log knows the
signatures are right by an independent implementation.

usage: webhook_receiver.py PORT SECRET LOG_PATH [FAIL_FIRST [DELAY_MS]]

Every POST is answered 500 for the first FAIL_FIRST (default 1) requests with a given
webhook-id, then 200, DELAY_MS (default 0) after it arrived, and logged as it arrives as one
JSON line: webhook_id, timestamp, signature_valid,
timestamp_fresh (within 5 minutes, as the SDKs require), answered, content_type, body.
GET /healthz answers 200 once the receiver listens.
"""
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
SECRET = sys.argv[2]
LOG_PATH = sys.argv[3]
FAIL_FIRST = int(sys.argv[4]) if len(sys.argv) > 4 else 1
DELAY_S = int(sys.argv[5]) / 1000.0 if len(sys.argv) > 5 else 0.0

lock = threading.Lock()
seen = {}


def signature_valid(msg_id, timestamp, body, header):
    key = base64.b64decode(SECRET[len("whsec_"):])
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in header.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        msg_id = self.headers.get("webhook-id", "")
        timestamp = self.headers.get("webhook-timestamp", "")
        valid = signature_valid(msg_id, timestamp, body, self.headers.get("webhook-signature", ""))
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= 300
        with lock:
            seen[msg_id] = seen.get(msg_id, 0) + 1
            answer = 500 if seen[msg_id] <= FAIL_FIRST else 200
            with open(LOG_PATH, "a") as log:
                log.write(json.dumps({
                    "webhook_id": msg_id,
                    "timestamp": timestamp,
                    "signature_valid": valid,
                    "timestamp_fresh": fresh,
                    "answered": answer,
                    "content_type": self.headers.get("Content-Type", ""),
                    "body": body.decode("utf-8", "replace"),
                }) + "\n")
        time.sleep(DELAY_S)
        self.send_response(answer)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
