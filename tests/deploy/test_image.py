"""The container deployment contract (docs/deployment.md), proven against a real dockerd.

The image is assembled without a registry: the locally built binary plus exactly the shared libraries
`ldd` lists, `docker import`ed with an exec-form ENTRYPOINT, the runtime shape deploy/Dockerfile builds.
  (a) `snapshot --format json` with the documented mounts (Docker socket, --pid=host, host /proc and
      cgroups read-only) but --network none and no --uts=host: it lists another container with CPU and
      memory, and shows the host's hostname (Docker's /info Name) and primary IPv4 (the host's network
      namespace through /host/proc/1/net), not the container's; --hostname/CMON_HOSTNAME pick another name.
  (b) serving with --network host on a free loopback port: /healthz and /query answer from outside;
      `docker stop <id>` ends it cleanly.
Bridge networks are never used (the test daemon has none). Containers and the image are removed."""
import json
import os
import socket
import subprocess
import unittest
import urllib.error
import urllib.request
import uuid

from deploy_support import (BINARY, REPO_ROOT, Docker, build_monitor_image, docker_host, free_loopback_port,
                            wait_for)

MONITOR_IMAGE = "cmon-test/monitor:latest"
BUSYBOX_IMAGE = "cmon-test/busybox:latest"


def primary_ipv4():
    """This host's primary IPv4 as iproute2 sees it: the source address the kernel picks toward the default
    route's gateway (127.0.0.1 without a default route, as the monitor shows)."""
    try:
        default = subprocess.run(["ip", "-4", "-o", "route", "show", "default"], capture_output=True,
                                 text=True, check=True, timeout=10).stdout.split()
    except FileNotFoundError:
        raise AssertionError("`ip` not found: install iproute2 (scripts/install-deps.sh test)") from None
    if not default:
        return "127.0.0.1"
    target = default[default.index("via") + 1] if "via" in default else "1.1.1.1"
    route = subprocess.run(["ip", "-4", "-o", "route", "get", target], capture_output=True, text=True,
                           check=True, timeout=10).stdout.split()
    return route[route.index("src") + 1]


def host_reference(docker):
    """What the monitor must show for this host, from sources other than the monitor itself."""
    with open("/proc/meminfo") as f:
        mem_kib = int(next(line for line in f if line.startswith("MemTotal:")).split()[1])
    return {
        "engine_name": docker.text("info", "--format", "{{.Name}}"),  # --hostname auto in a container
        "kernel_hostname": socket.gethostname(),
        "primary_ipv4": primary_ipv4(),
        "cpu_count": os.cpu_count(),
        "memory_total_bytes": mem_kib * 1024,
    }


class ContainerDeployment(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docker = Docker(docker_host())
        if not cls.docker.host.startswith("unix://"):
            raise AssertionError(f"the socket mount needs a unix:// DOCKER_HOST, got {cls.docker.host}")
        cls.socket_path = cls.docker.host[len("unix://"):]
        cls.label = f"cmon.test.deploy={uuid.uuid4().hex[:12]}"
        cls.addClassCleanup(cls.remove_test_containers)

        subprocess.run([os.path.join(REPO_ROOT, "scripts", "make-test-image.sh"), cls.docker.host], check=True,
                       timeout=120)
        cls.libraries = build_monitor_image(cls.docker, BINARY, MONITOR_IMAGE)
        cls.addClassCleanup(cls.docker.run, "rmi", "-f", MONITOR_IMAGE, check=False)

        # The container to be seen: no network, 4 MB in its /dev/shm (tmpfs pages are charged to its cgroup
        # and count as used, as `docker stats` shows them).
        cls.workload_id = cls.docker.text("run", "-d", "--network", "none", "--label", cls.label, BUSYBOX_IMAGE,
                                          "sh", "-c", "head -c 4000000 /dev/zero >/dev/shm/fill; exec sleep 600")
        wait_for(lambda: cls.docker.text("exec", cls.workload_id, "stat", "-c", "%s", "/dev/shm/fill") == "4000000",
                 30, "the workload container to fill /dev/shm")
        cls.host = host_reference(cls.docker)

    @classmethod
    def remove_test_containers(cls):
        ids = cls.docker.text("ps", "-aq", "--filter", f"label={cls.label}", check=False).split()
        if ids:
            cls.docker.run("rm", "-f", *ids, check=False)

    def monitor_mounts(self):
        return ["--pid=host", "-v", f"{self.socket_path}:/var/run/docker.sock:ro",
                "-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro", "-v", "/proc:/host/proc:ro"]

    def run_snapshot(self, *docker_flags, monitor_flags=()):
        r = self.docker.run("run", "--rm", "--label", self.label, "--network", "none", *docker_flags,
                            *self.monitor_mounts(), MONITOR_IMAGE,
                            "snapshot", "--format", "json", "--interval", "0.5", "--proc-root", "/host/proc",
                            *monitor_flags, timeout=90, check=False)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        return json.loads(r.stdout)

    def test_image_holds_only_the_binary_and_its_libraries(self):
        names = sorted(os.path.basename(p) for p in self.libraries)
        self.assertTrue(any(n.startswith("libssl.so") for n in names), names)
        self.assertTrue(any(n.startswith("ld-linux") for n in names), names)
        r = self.docker.run("run", "--rm", "--label", self.label, "--network", "none", MONITOR_IMAGE, "--version")
        self.assertRegex(r.stdout.decode(), r"^container-monitor \d+\.\d+")

    def test_snapshot_without_host_network_sees_the_other_container_and_the_host(self):
        # The documented command: no --network=host, no --uts=host.
        snapshot = self.run_snapshot()

        docker_source = [s for s in snapshot["sources"] if s["name"] == "docker"]
        self.assertEqual(len(docker_source), 1, snapshot["sources"])
        self.assertTrue(docker_source[0]["ok"], docker_source[0])
        host_source = [s for s in snapshot["sources"] if s["name"] == "host"]
        self.assertTrue(host_source and host_source[0]["ok"], snapshot["sources"])

        workloads = [c for c in snapshot["containers"] if c["id"] == self.workload_id]
        self.assertEqual(len(workloads), 1, [c.get("id") for c in snapshot["containers"]])
        workload = workloads[0]
        self.assertEqual(workload["state"], "running")
        # CPU and memory come from the host's cgroup files, mounted read-only.
        self.assertIn("cpu_time_ns_total", workload)
        self.assertIn("cpu_percent", workload, "two samples give a CPU rate")
        self.assertGreater(workload["memory_usage_bytes"], 0)
        self.assertGreaterEqual(workload["memory_usage_bytes"], 4_000_000, "the 4 MB in /dev/shm")

        # Docker's GET /info Name (--hostname auto in a container), although the container's own UTS name is
        # its id.
        self.assertEqual(snapshot["host"]["hostname"], self.host["engine_name"])
        # The host's network namespace through pid 1 of the host pid namespace (/host/proc/1/net),
        # although the monitor itself has no network.
        self.assertEqual(snapshot["host"]["primary_ipv4"], self.host["primary_ipv4"])
        self.assertEqual(snapshot["host"]["cpu_count"], self.host["cpu_count"])
        self.assertEqual(snapshot["host"]["memory_total_bytes"], self.host["memory_total_bytes"])

    def test_hostname_policies(self):
        # The container's own UTS name, set so that it is known; --hostname before the image is Docker's flag.
        inner = ["--hostname", "inner-uts-name"]
        self.assertEqual(self.run_snapshot(*inner)["host"]["hostname"], self.host["engine_name"], "auto: Docker's name")
        self.assertEqual(self.run_snapshot(*inner, monitor_flags=("--hostname", "kernel"))["host"]["hostname"],
                         "inner-uts-name", "kernel: the monitor's own UTS namespace")
        self.assertEqual(self.run_snapshot(*inner, "-e", "CMON_HOSTNAME=front-desk")["host"]["hostname"],
                         "front-desk", "a literal name from the environment")
        # A bad value is one clear line, nothing runs.
        r = subprocess.run([BINARY, "--hostname", "gpu box", "snapshot"], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("'gpu box' is not auto, kernel, docker or a host name", r.stderr)
        # --uts=host still works and agrees.
        self.assertEqual(self.run_snapshot("--uts=host", monitor_flags=("--hostname", "kernel"))["host"]["hostname"],
                         self.host["kernel_hostname"])

    def test_serve_with_host_network(self):
        port = free_loopback_port()
        container_id = self.docker.text(
            "run", "-d", "--label", self.label, "--network", "host", *self.monitor_mounts(), MONITOR_IMAGE,
            "--bind", "127.0.0.1", "--port", str(port), "--interval", "0.5", "--proc-root", "/host/proc")
        base = f"http://127.0.0.1:{port}"

        def get(path):
            try:
                with urllib.request.urlopen(base + path, timeout=5) as response:
                    return response.status, json.loads(response.read())
            except urllib.error.HTTPError as e:  # 503 while starting: keep the body for the message
                return e.code, json.loads(e.read() or b"{}")

        def healthy():
            if self.docker.text("inspect", "-f", "{{.State.Running}}", container_id) != "true":
                logs = self.docker.run("logs", container_id, check=False)
                raise AssertionError(f"monitor exited: {logs.stdout.decode()}{logs.stderr.decode()}")
            status, body = get("/healthz")
            return body if status == 200 else None

        health = wait_for(healthy, 30, f"GET {base}/healthz to answer 200")
        self.assertIn(health["status"], ("ok", "degraded"))
        sources = {s["name"]: s for s in health["sources"]}
        self.assertTrue(sources["docker"]["ok"], sources)
        self.assertTrue(sources["host"]["ok"], sources)

        def query_lists_workload():
            status, body = get("/query")
            return body if status == 200 and self.workload_id[:12] in body["container-stats"] else None

        query = wait_for(query_lists_workload, 20, "/query to list the workload container")
        self.assertEqual(list(query.keys()), ["time", "hostname", "ip", "note", "host-stats", "container-stats"])
        self.assertEqual(query["ip"], self.host["primary_ipv4"])
        self.assertIn("mem", query["container-stats"][self.workload_id[:12]])

        self.docker.run("stop", "-t", "10", container_id, timeout=60)
        self.assertEqual(self.docker.text("inspect", "-f", "{{.State.Running}}", container_id), "false")
        exit_code = int(self.docker.text("inspect", "-f", "{{.State.ExitCode}}", container_id))
        self.assertEqual(exit_code, 0, "SIGTERM (docker stop) is a clean shutdown")
        with self.assertRaises(OSError):
            urllib.request.urlopen(base + "/healthz", timeout=2)
        self.docker.run("rm", container_id)


if __name__ == "__main__":
    unittest.main()
