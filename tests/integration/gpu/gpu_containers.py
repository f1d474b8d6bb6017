"""Containers for the GPU integration tests: start them in the private test dockerd, find a second process
in one, and remove every one started (also a half-created one) when the class is done.

A mixin for unittest.TestCase classes that set `cls.docker`, `cls.names` (a list) and `cls.tmp`."""
import shutil


IMAGE = "cmon-test/busybox"


class GpuContainers:
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
