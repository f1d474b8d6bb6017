"""Raw-socket helpers for the security tests: send exact bytes, read what comes back with deadlines,
find the monitor's side of a connection in /proc. Stdlib only."""
import os
import re
import resource
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from monitor_process import BINARY, Monitor  # noqa: E402  (re-exported for the tests)

STATUS_LINE = re.compile(rb"^HTTP/1\.[01] (\d{3}) ")


def port_of(monitor):
    return int(monitor.base.rsplit(":", 1)[1])


def raise_open_file_limit(wanted):
    """Raises this process's soft RLIMIT_NOFILE to at least `wanted` (the hard one too when root)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return soft
    if hard != resource.RLIM_INFINITY and hard < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))  # needs root; raises otherwise
        return wanted
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return wanted


def connect(port, receive_buffer=0, timeout=10):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    return s


def read_until_closed(s, deadline_s=20, limit=1 << 20):
    """Everything the server sends until it closes (EOF or reset), at most `limit` bytes. Raises
    AssertionError when the connection is still open after deadline_s."""
    data = b""
    deadline = time.monotonic() + deadline_s
    while len(data) < limit:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"server kept the connection open; got {data[:200]!r}")
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            break
        except socket.timeout:
            continue
        if not chunk:
            break
        data += chunk
    return data


def exchange(port, payload, deadline_s=20):
    """Sends `payload` (the server may close before taking it all) and returns (status or None, bytes)."""
    with connect(port) as s:
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        data = read_until_closed(s, deadline_s)
    m = STATUS_LINE.match(data)
    return (int(m.group(1)) if m else None), data


def is_closed_by_peer(s):
    """Non-blocking check: True when the server has closed `s` (EOF or reset pending), False while it is
    open with nothing to read. Data that arrives is discarded."""
    s.setblocking(False)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return True
    except BlockingIOError:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True
    finally:
        s.setblocking(True)


def _socket_inodes_of(pid):
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    for name in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, name))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def server_side_inode(server_port, client_port):
    """Inode of the server's socket of the loopback connection server_port <- client_port (IPv4), or None."""
    with open("/proc/net/tcp", encoding="ascii") as f:
        next(f)
        for line in f:
            fields = line.split()
            local_port = int(fields[1].split(":")[1], 16)
            remote_port = int(fields[2].split(":")[1], 16)
            if local_port == server_port and remote_port == client_port:
                return int(fields[9])
    return None


def server_holds_connection(pid, inode):
    """True while process `pid` still has the socket `inode` open."""
    return inode in _socket_inodes_of(pid)


def open_socket_count(pid):
    return len(_socket_inodes_of(pid))
