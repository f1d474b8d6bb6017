"""A recording proxy on a unix socket in front of the Docker Engine's unix socket. Every request head the
client sends is parsed (HTTP/1.1, several requests per keep-alive connection, bodies by Content-Length or
chunked framing skipped over correctly) and recorded as (method, target); bytes are relayed unchanged both
ways, so chunked /events and stats streams going back need no parsing. Stdlib only, threads, stopped by
close()."""
import os
import socket
import threading


class ProtocolError(Exception):
    pass


class _Reader:
    """Buffered reads from a socket, for parsing request framing while forwarding every byte."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError
        self.buffer += chunk

    def line(self, limit=65536):
        while b"\r\n" not in self.buffer:
            if len(self.buffer) > limit:
                raise ProtocolError("line too long")
            self._fill()
        end = self.buffer.index(b"\r\n") + 2
        out, self.buffer = self.buffer[:end], self.buffer[end:]
        return out

    def exactly(self, n):
        while len(self.buffer) < n:
            self._fill()
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out


def _read_request(reader):
    """One request: returns (method, target, version, raw bytes). EOFError at a clean end between requests."""
    raw = reader.line()
    while raw == b"\r\n":  # tolerated empty lines before a request line (RFC 9112 2.2)
        raw = reader.line()
    parts = raw[:-2].split(b" ")
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
        raise ProtocolError(f"bad request line {raw!r}")
    method, target, version = (p.decode("latin-1") for p in parts)
    length = 0
    chunked = False
    while True:
        try:
            line = reader.line()
        except EOFError:
            raise ProtocolError("connection closed inside a request head") from None
        raw += line
        if line == b"\r\n":
            break
        name, sep, value = line[:-2].partition(b":")
        if not sep:
            raise ProtocolError(f"bad header line {line!r}")
        name = name.strip().lower()
        value = value.strip()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size_line = reader.line()
            raw += size_line
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while True:  # trailer fields, then the empty line
                    trailer = reader.line()
                    raw += trailer
                    if trailer == b"\r\n":
                        break
                break
            raw += reader.exactly(size + 2)
    elif length:
        raw += reader.exactly(length)
    return method, target, version, raw


class RecordingProxy:
    def __init__(self, listen_path, upstream_path):
        self.listen_path = listen_path
        self.upstream_path = upstream_path
        self.requests = []  # (method, target), in arrival order
        self.errors = []  # framing the proxy could not parse: a finding in itself
        self.connections = 0
        self._lock = threading.Lock()
        self._sockets = []
        self._closed = False
        if os.path.exists(listen_path):
            os.unlink(listen_path)
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(listen_path)
        self._server.listen(64)
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def snapshot(self):
        with self._lock:
            return list(self.requests), list(self.errors)

    def close(self):
        self._closed = True
        try:
            self._server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._server.close()
        with self._lock:
            sockets = list(self._sockets)
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self._thread.join(10)
        if os.path.exists(self.listen_path):
            os.unlink(self.listen_path)

    def _accept(self):
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(self.upstream_path)
            except OSError as e:
                with self._lock:
                    self.errors.append(f"upstream connect failed: {e}")
                client.close()
                continue
            with self._lock:
                self.connections += 1
                self._sockets += [client, upstream]
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._responses, args=(upstream, client), daemon=True).start()

    def _requests(self, client, upstream):
        reader = _Reader(client)
        try:
            while True:
                try:
                    method, target, version, raw = _read_request(reader)
                except EOFError:
                    break
                with self._lock:
                    self.requests.append((method, target))
                upstream.sendall(raw)
        except ProtocolError as e:
            with self._lock:
                self.errors.append(str(e))
        except OSError:
            pass
        finally:
            try:
                upstream.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    @staticmethod
    def _responses(upstream, client):
        try:
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                client.sendall(chunk)
        except OSError:
            pass
        finally:
            try:
                client.shutdown(socket.SHUT_WR)
            except OSError:
                pass
