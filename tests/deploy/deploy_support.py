"""Helpers for the deployment tests: the private dockerd's address, a docker CLI wrapper, waiting with a
deadline, and assembling a container image from the locally built binary without any registry."""
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time

BINARY = os.path.abspath(os.environ.get("CMON_BINARY", "build/container-monitor"))
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def docker_host():
    """DOCKER_HOST of the private test dockerd: from the env file the ctest `dockerd` fixture writes
    (CMON_DOCKERD_ENV, lines of NAME=value; it wins over a DOCKER_HOST the machine may have), else from the
    environment (a run by hand)."""
    env_file = os.environ.get("CMON_DOCKERD_ENV", "")
    if env_file and os.path.exists(env_file):
        with open(env_file, encoding="utf-8") as f:
            for line in f:
                name, _, value = line.strip().partition("=")
                if name == "DOCKER_HOST" and value:
                    return value.strip().strip('"')
    if os.environ.get("DOCKER_HOST") and not env_file:
        return os.environ["DOCKER_HOST"]
    raise RuntimeError(
        "no test dockerd: set DOCKER_HOST (scripts/start-test-dockerd.sh DIR prints it) or run under ctest "
        f"with the dockerd fixture (env file CMON_DOCKERD_ENV={env_file!r} missing or without DOCKER_HOST)")


class Docker:
    """The docker CLI against one daemon. Every call has a timeout; failures raise with stderr."""

    def __init__(self, host):
        self.host = host

    def run(self, *args, timeout=120, check=True, input_bytes=None):
        r = subprocess.run(["docker", "-H", self.host, *args], input=input_bytes, capture_output=True,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"docker {' '.join(args)} exited {r.returncode}: "
                                 f"{r.stderr.decode(errors='replace').strip()}")
        return r

    def text(self, *args, **kwargs):
        return self.run(*args, **kwargs).stdout.decode().strip()


def wait_for(condition, deadline_s, what, interval_s=0.2):
    """Polls condition() until it returns something truthy; fails with `what` after deadline_s."""
    deadline = time.monotonic() + deadline_s
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as e:  # the condition is not met yet; keep the reason for the failure message
            last_error = e
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {deadline_s} s waiting for {what}"
                         + (f" (last error: {last_error})" if last_error else ""))


def free_loopback_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shared_libraries(binary):
    """Paths `ldd` lists for binary, the dynamic loader included (linux-vdso has no file)."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    paths = []
    for line in out.splitlines():
        line = line.strip()
        if "=>" in line:
            target = line.split("=>", 1)[1].strip().split(" (", 1)[0]
            if target.startswith("/"):
                paths.append(target)
        elif line.startswith("/"):
            paths.append(line.split(" (", 1)[0])
    return paths


def build_monitor_image(docker, binary, tag):
    """Imports a scratch image of binary plus exactly the shared libraries it needs (each copied, symlinks
    resolved, to the path ldd printed) with the binary as exec-form ENTRYPOINT. No registry, no base image."""
    libs = shared_libraries(binary)
    if not any("ld-linux" in p for p in libs):
        raise AssertionError(f"ldd {binary} listed no dynamic loader: {libs}")
    root = tempfile.mkdtemp(prefix="cmon-image-")
    try:
        shutil.copy2(binary, os.path.join(root, "container-monitor"))
        for lib in libs:
            dest = os.path.join(root, lib.lstrip("/"))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copy2(os.path.realpath(lib), dest)
        for d in ("proc", "sys", "dev", "etc", "tmp", "host/proc", "var/run"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        os.chmod(os.path.join(root, "tmp"), 0o1777)
        tar_path = root + ".tar"
        with tarfile.open(tar_path, "w") as tar:
            tar.add(root, arcname=".")
        try:
            docker.run("import", "--change", 'ENTRYPOINT ["/container-monitor"]', tar_path, tag, timeout=300)
        finally:
            os.unlink(tar_path)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return libs
