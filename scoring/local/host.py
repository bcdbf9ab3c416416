"""Local stand-in for the container of a managed online deployment.

Loads the scoring script the way the Azure ML inference server does (as a
module from a file path), calls init() once, then serves on 127.0.0.1:

  GET  /        liveness: 200 "Healthy", no key needed
  POST /score   run(<request body as text>), key auth: Authorization: Bearer <key>
  GET  /score   run(<query parameters as a JSON object>), key auth

run()'s result becomes a 200 JSON answer; an object with an integer
status_code and get_data() (AMLResponse, or the script's ClientErrorResponse)
is sent as it is; an exception in run() becomes a 500 with a generic message.

The endpoint key comes from the environment variable LOCAL_ENDPOINT_KEY, which
is removed before the script is imported (a real container never sees it).
Everything else the script reads comes from the environment this process was
started with.

Prints "LOCAL_HOST_READY port=<port> import_seconds=<s> init_seconds=<s>" on
stdout when it serves; if init() raises, prints "LOCAL_HOST_INIT_FAILED: <message>" on stderr
and exits with status 3.
"""

import argparse
import hmac
import http.server
import importlib.util
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
import urllib.parse
import uuid

MAX_BODY_BYTES = 10 * 1024 * 1024
KEY_ENV = "LOCAL_ENDPOINT_KEY"

LOG = logging.getLogger("localhost")


def load_script(path):
    spec = importlib.util.spec_from_file_location("entry_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("init", "run"):
        if not callable(getattr(module, name, None)):
            raise RuntimeError(f"{path} has no {name}() function")
    return module


class ScoringHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "local-scoring-host"
    sys_version = ""
    # headers and body go out in two writes: without TCP_NODELAY, Nagle's
    # algorithm and delayed ACKs add ~40 ms to every keep-alive response
    disable_nagle_algorithm = True

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/":
            self._send(200, b"Healthy", "text/html; charset=utf-8")
        elif path == "/score":
            if self._authorized():
                params = {}
                for name, values in urllib.parse.parse_qs(query, keep_blank_values=True).items():
                    parsed = [_json_or_text(v) for v in values]
                    params[name] = parsed[0] if len(parsed) == 1 else parsed
                self._score(json.dumps(params))
        else:
            self._send_json(404, {"message": "Not found"})

    def do_POST(self):
        path = self.path.partition("?")[0]
        if path != "/score":
            self._drain()
            self._send_json(404, {"message": "Not found"})
            return
        body = self._read_body()
        if body is None:
            return
        if not self._authorized():
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            self._send_json(400, {"message": f"Input cannot be decoded as UTF-8: {error}"})
            return
        self._score(text)

    def _authorized(self):
        header = self.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        expected = self.server.endpoint_key
        if scheme.lower() == "bearer" and given and hmac.compare_digest(given.strip().encode(), expected):
            return True
        self._send_json(
            401,
            {"message": "Missing or wrong key: send 'Authorization: Bearer <endpoint key>'."},
            {"WWW-Authenticate": "Bearer"},
        )
        return False

    def _score(self, raw):
        started = time.perf_counter()
        try:
            result = self.server.script.run(raw)
        except Exception:  # run() failing must not take the host down
            LOG.error("run() raised:\n%s", traceback.format_exc())
            self._send_json(
                500,
                {"message": "An unexpected error occurred in scoring script. Check the logs for more info."},
                {"x-ms-run-function-failed": "True"},
            )
            return
        elapsed_ms = f"{(time.perf_counter() - started) * 1000:.3f}"
        status = getattr(result, "status_code", None)
        if isinstance(status, int) and callable(getattr(result, "get_data", None)):
            headers = {k: v for k, v in result.headers.items() if k.lower() != "content-length"}
            content_type = headers.pop("Content-Type", None) or "application/json"
            headers["x-ms-run-fn-exec-ms"] = elapsed_ms
            self._send(status, result.get_data(), content_type, headers)
            return
        try:
            body = json.dumps(result).encode("utf-8")
        except (TypeError, ValueError):
            LOG.error("run() returned a value that is not JSON serializable: %r", type(result))
            self._send_json(500, {"message": "run() returned a value that is not JSON serializable."})
            return
        self._send(200, body, "application/json", {"x-ms-run-fn-exec-ms": elapsed_ms})

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            size = 0
            while True:
                line = self.rfile.readline(65537)
                try:
                    length = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    self._send_json(400, {"message": "Malformed chunked body."}, close=True)
                    return None
                if length == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                size += length
                if size > MAX_BODY_BYTES:
                    self._send_json(413, {"message": "Request body too large."}, close=True)
                    return None
                chunks.append(self.rfile.read(length))
                self.rfile.readline(65537)
            return b"".join(chunks)
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            self._send_json(400, {"message": "Invalid Content-Length."}, close=True)
            return None
        if length > MAX_BODY_BYTES:
            self._send_json(413, {"message": "Request body too large."}, close=True)
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _drain(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = 0
        if 0 < length <= MAX_BODY_BYTES:
            self.rfile.read(length)
        else:
            self.close_connection = True

    def _send_json(self, status, payload, headers=None, close=False):
        self._send(status, json.dumps(payload).encode("utf-8"), "application/json", headers, close)

    def _send(self, status, body, content_type, headers=None, close=False):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        request_id = self.headers.get("x-request-id") or str(uuid.uuid4())
        self.send_header("x-request-id", request_id[:100])
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        if self.server.access_log:
            LOG.info("%s %s", self.address_string(), format % args)


class ScoringServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client that hangs up mid-request is not worth a traceback
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        LOG.error("Error while serving %s:\n%s", client_address, traceback.format_exc())


def main(argv):
    parser = argparse.ArgumentParser(description="Serve a scoring script like an online deployment.")
    parser.add_argument("--code-dir", required=True, help="the deployment's code folder")
    parser.add_argument("--scoring-script", default="score.py", help="path inside --code-dir")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--access-log", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname).1s [%(process)d] %(name)s - %(message)s",
    )

    key = os.environ.pop(KEY_ENV, "")
    if len(key) < 16:
        print(f"{KEY_ENV} must hold the endpoint key (at least 16 characters)", file=sys.stderr)
        return 2

    code_dir = os.path.abspath(args.code_dir)
    script_path = os.path.normpath(os.path.join(code_dir, args.scoring_script))
    if os.path.commonpath([code_dir, script_path]) != code_dir or not os.path.isfile(script_path):
        print(f"No scoring script {args.scoring_script} inside {code_dir}", file=sys.stderr)
        return 2
    # what the platform sets for the script's process
    os.environ.setdefault("AML_APP_ROOT", code_dir)
    os.environ.setdefault("AZUREML_ENTRY_SCRIPT", script_path)
    sys.path.insert(0, code_dir)

    server = ScoringServer(("127.0.0.1", args.port), ScoringHandler)
    server.endpoint_key = key.encode()
    server.access_log = args.access_log

    started = time.monotonic()
    try:
        server.script = load_script(script_path)
        imported = time.monotonic()
        server.script.init()
    except BaseException as error:  # report whatever init() raises, then exit
        LOG.error("init() failed:\n%s", traceback.format_exc())
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"LOCAL_HOST_INIT_FAILED: {type(error).__name__}: {message}", file=sys.stderr, flush=True)
        server.server_close()
        return 3
    import_seconds = imported - started
    init_seconds = time.monotonic() - imported

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    port = server.server_address[1]
    print(
        f"LOCAL_HOST_READY port={port} import_seconds={import_seconds:.3f} init_seconds={init_seconds:.3f}",
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


def _json_or_text(value):
    try:
        return json.loads(value)
    except ValueError:
        return value


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
