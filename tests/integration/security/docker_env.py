"""The private test dockerd (ctest fixture `dockerd`) for the security tests: reuses tests/deploy's
helpers for its address and the docker CLI."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy"))

from deploy_support import Docker, docker_host, wait_for  # noqa: E402,F401  (re-exported)

IMAGE = "cmon-test/busybox"


def unix_socket_path(host):
    if not host.startswith("unix://"):
        raise AssertionError(f"the test dockerd should listen on a unix socket, not {host}")
    return host[len("unix://"):]


def remove_containers(docker, prefix):
    """Removes (force) every container whose name starts with prefix."""
    names = docker.text("ps", "-a", "--filter", f"name={prefix}", "--format", "{{.Names}}").split()
    if names:
        docker.run("rm", "-f", *names, check=False)
