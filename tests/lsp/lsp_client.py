"""A minimal LSP client over a child process's stdio, for the scripted sessions of
lsp_tests.py and the benchmark: frames messages, reads the server's messages with a timeout
(a server that hangs fails the test instead of hanging it), and keeps notifications apart."""
import json
import os
import select
import subprocess
import time


class ServerGone(Exception):
    pass


class Client:
    def __init__(self, binary, *args, timeout=20.0):
        self.process = subprocess.Popen(
            [binary, "lsp", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        self.timeout = timeout
        self.buffer = b""
        self.next_id = 1
        self.notifications = []

    # Sending.
    def send_raw(self, data):
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message):
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method, params=None):
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def request_async(self, method, params=None):
        ident = self.next_id
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": ident, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return ident

    def request(self, method, params=None):
        """The whole response message (result or error) to a request."""
        return self.response(self.request_async(method, params))

    # Receiving.
    def _read_message(self, deadline):
        while True:
            header_end = self.buffer.find(b"\r\n\r\n")
            if header_end >= 0:
                headers = self.buffer[:header_end].decode("ascii")
                length = None
                for line in headers.split("\r\n"):
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                assert length is not None, "a message without Content-Length: %r" % headers
                start = header_end + 4
                if len(self.buffer) >= start + length:
                    body = self.buffer[start:start + length]
                    self.buffer = self.buffer[start + length:]
                    return json.loads(body.decode("utf-8"))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no message from the server in time")
            ready, _, _ = select.select([self.process.stdout], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.process.stdout.fileno(), 1 << 16)
            if not chunk:
                raise ServerGone("the server closed its output")
            self.buffer += chunk

    def response(self, ident, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            message = self._read_message(deadline)
            if "method" in message and "id" not in message:
                self.notifications.append(message)
                continue
            if message.get("id") == ident:
                return message
            raise AssertionError("unexpected message %r while waiting for %r" % (message, ident))

    def any_message(self, timeout=None):
        return self._read_message(time.monotonic() + (timeout or self.timeout))

    def diagnostics(self, uri, version=None, timeout=None):
        """The next publishDiagnostics for `uri` (for `version`, when given)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for index, message in enumerate(self.notifications):
                params = message.get("params", {})
                if (message.get("method") == "textDocument/publishDiagnostics"
                        and params.get("uri") == uri
                        and (version is None or params.get("version") == version)):
                    del self.notifications[index]
                    return params
            message = self._read_message(deadline)
            if "method" in message and "id" not in message:
                self.notifications.append(message)
            else:
                raise AssertionError("unexpected response %r" % message)

    def initialize(self, encodings=None):
        capabilities = {}
        if encodings is not None:
            capabilities["general"] = {"positionEncodings": encodings}
        answer = self.request("initialize", {"processId": None, "rootUri": None,
                                             "capabilities": capabilities})
        self.notify("initialized", {})
        return answer

    def finish(self):
        """shutdown then exit; the exit code and what the server logged."""
        answer = self.request("shutdown")
        assert answer.get("result", "missing") is None, answer
        self.notify("exit")
        return self.wait()

    def wait(self, timeout=None):
        try:
            code = self.process.wait(timeout or self.timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        stderr = self.process.stderr.read().decode("utf-8", "replace")
        self.buffer += self.process.stdout.read()
        self.process.stdin.close()
        self.process.stdout.close()
        self.process.stderr.close()
        return code, stderr
