"""Containers for the GPU integration tests: start them in the private test dockerd, find a second process
in one, and remove every one started (also a half-created one) when the class is done.

A mixin for unittest.TestCase classes; their setUpClass calls _use_test_dockerd first."""
import shutil
import tempfile

from deploy_support import Docker, docker_host


IMAGE = "cmon-test/busybox"


class GpuContainers:
    @classmethod
    def _use_test_dockerd(cls, tmp_prefix):
        """The test dockerd (cls.host, cls.docker), no container yet (cls.names) and a temporary directory
        (cls.tmp): what _run and tearDownClass work with."""
        cls.host = docker_host()
        cls.docker = Docker(cls.host)
        cls.tmp = tempfile.mkdtemp(prefix=tmp_prefix)
        cls.names = []

    @classmethod
    def _run(cls, name, command, options=()):
        cls.names.append(name)  # before the run: a half-created container is removed too
        return cls.docker.text("run", "-d", "--network", "none", "--name", name, *options, IMAGE, *command)

    @classmethod
    def _other_pid(cls, cid, init):
        top = cls.docker.text("top", cid, "-o", "pid")
        pids = [int(line) for line in top.splitlines()[1:] if line.strip().isdigit()]
        others = [p for p in pids if p != init]
        return others[0] if others else None

    @classmethod
    def tearDownClass(cls):
        for name in cls.names:
            cls.docker.run("rm", "-f", name, check=False, timeout=60)
        shutil.rmtree(cls.tmp, ignore_errors=True)
