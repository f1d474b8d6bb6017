"""AMD GPUs from DRM fdinfo/sysfs, end to end, on a mixed host: the real binary with --proc-root/--sys-root
pointing at a tree built here. The tree's /proc is this machine's /proc (one symlink per entry) except the
processes of two real test containers, which are directories holding their real cgroup/status/stat files
plus DRM fds (links to /dev/dri/renderD128, dangling here) and fdinfo text in the kernel's formats; its /sys
holds the amdgpu card of tests/fixtures/drm/amdgpu. The NVML stand-in reports one NVIDIA GPU at the same
time. Checks /query (exact legacy shape, the AMD GPU a row like any other), /api/v1/snapshot (vendor,
driver, PCI address, engine %) and /metrics (DCGM names for NVIDIA only, cmon_gpu_* for both). Also: fdinfo
refused to a monitor without CAP_SYS_PTRACE is named in its health. Bounded waits only."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "deploy"))

from monitor_process import Monitor  # noqa: E402
from gpu_containers import GpuContainers  # noqa: E402
from deploy_support import wait_for  # noqa: E402

FAKE_NVML = os.environ.get("CMON_FAKE_NVML", "build/tests/fakes/libnvidia-ml.so.1")
FIXTURES = os.path.join(HERE, "..", "..", "fixtures", "drm")
VRAM_USED, VRAM_TOTAL = 3221225472, 68702699520  # the fixture card's mem_info_vram_*
NV_TOTAL = 10_000_000_000
CLIENT_VRAM_KIB = 2097152  # 2 GiB held by A's client


def fdinfo_ns(client_id, gfx_ns, vram_kib):
    """amdgpu fdinfo as 6.x prints it (drm-usage-stats.rst keys, KiB/MiB units)."""
    return ("pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t1104\ndrm-driver:\tamdgpu\n"
            f"drm-pdev:\t0000:03:00.0\ndrm-client-id:\t{client_id}\npasid:\t{32768 + client_id}\n"
            f"drm-total-vram:\t{vram_kib} KiB\ndrm-resident-vram:\t{vram_kib} KiB\n"
            "drm-total-gtt:\t2 MiB\ndrm-resident-gtt:\t2 MiB\n"
            f"drm-engine-gfx:\t{gfx_ns} ns\ndrm-engine-compute:\t0 ns\n")


def fdinfo_legacy():
    """amdgpu fdinfo as 5.14-5.18 printed it: the kernel's own percentages."""
    return ("pos:\t0\nflags:\t02100002\nmnt_id:\t24\npdev:\t0000:03:00.0\npasid:\t32900\n"
            "vram mem:\t524288 kB\ngtt mem:\t2048 kB\ncpu mem:\t4 kB\ngfx0:\t12.0%\ncompute0:\t0.0%\n")


class DrmAttribution(GpuContainers, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._use_test_dockerd("cmon-drm-it-")
        try:
            suffix = uuid.uuid4().hex[:6]
            cls.a = cls._run(f"cmon-drm-a-{suffix}", ["sh", "-c", "sleep 310 & exec sleep 311"])
            cls.b = cls._run(f"cmon-drm-b-{suffix}", ["sleep", "312"])
            cls.a_init = int(cls.docker.text("inspect", "-f", "{{.State.Pid}}", cls.a))
            cls.b_init = int(cls.docker.text("inspect", "-f", "{{.State.Pid}}", cls.b))
            cls.a_child = wait_for(lambda: cls._other_pid(cls.a, cls.a_init), 30, "the second process in A")
            cls.a_name = cls.docker.text("inspect", "-f", "{{.Name}}", cls.a).lstrip("/")
        except BaseException:
            cls.tearDownClass()
            raise


    # The tree ----------------------------------------------------------------------------------------
    def build_tree(self):
        root = tempfile.mkdtemp(dir=self.tmp)
        proc = os.path.join(root, "proc")
        os.makedirs(proc)
        fake = {self.a_init, self.a_child, self.b_init}
        for name in os.listdir("/proc"):
            if name.isdigit() and int(name) in fake:
                continue
            os.symlink(os.path.join("/proc", name), os.path.join(proc, name))
        for pid in fake:
            base = os.path.join(proc, str(pid))
            os.makedirs(os.path.join(base, "fd"))
            os.makedirs(os.path.join(base, "fdinfo"))
            for name in ("cgroup", "status", "stat", "cmdline"):  # the real process's own files
                with open(f"/proc/{pid}/{name}", "rb") as src, open(os.path.join(base, name), "wb") as dst:
                    dst.write(src.read())
            os.symlink("/dev/null", os.path.join(base, "fd", "0"))
        # A: client 41 on two fds of the init and on the forked child (one drm_file: counted once, credited
        # to the lowest pid); B: the 5.14-5.18 form.
        self.add_fd(proc, self.a_init, 5, fdinfo_ns(41, 10**9, CLIENT_VRAM_KIB))
        self.add_fd(proc, self.a_init, 6, fdinfo_ns(41, 10**9, CLIENT_VRAM_KIB))
        self.add_fd(proc, self.a_child, 5, fdinfo_ns(41, 10**9, CLIENT_VRAM_KIB))
        self.add_fd(proc, self.b_init, 4, fdinfo_legacy())
        shutil.copytree(os.path.join(FIXTURES, "amdgpu", "sys"), os.path.join(root, "sys"), symlinks=True)
        return root

    @staticmethod
    def add_fd(proc, pid, fd, text):
        os.symlink("/dev/dri/renderD128", os.path.join(proc, str(pid), "fd", str(fd)))
        DrmAttribution.write_fdinfo(proc, pid, fd, text)

    @staticmethod
    def write_fdinfo(proc, pid, fd, text):
        path = os.path.join(proc, str(pid), "fdinfo", str(fd))
        with open(path + ".tmp", "w", encoding="ascii") as f:
            f.write(text)
        os.replace(path + ".tmp", path)  # atomic: the monitor never reads half a file

    def start(self, root, *args, prefix=()):
        scenario = os.path.join(root, "scenario.json")
        with open(scenario, "w", encoding="utf-8") as f:
            json.dump({"gpus": [{"name": "Stand-in A100", "uuid": "GPU-0000", "memory_total": NV_TOTAL,
                                 "memory_used": 1_000_000_000, "util": 64, "processes": []}]}, f)
        monitor = Monitor("--nvml-library", FAKE_NVML, "--docker-host", self.host, "--interval", "0.2",
                          "--proc-root", os.path.join(root, "proc"), "--sys-root", os.path.join(root, "sys"),
                          "--cgroup-root", "/sys/fs/cgroup", *args,
                          env={"CMON_FAKE_NVML_SCENARIO": scenario}, prefix=list(prefix))
        self.addCleanup(monitor.stop)
        return monitor

    # The test ----------------------------------------------------------------------------------------
    def test_amd_gpu_next_to_nvidia_in_query_snapshot_and_metrics(self):
        root = self.build_tree()
        proc = os.path.join(root, "proc")
        monitor = self.start(root)
        # A's client runs far more than wall time allows (+1000 s of gfx every 20 ms), so whenever the monitor
        # samples, its gfx engine sits exactly at the 100 % clamp. Each endpoint is polled until it shows that.
        stop = threading.Event()

        def keep_busy():
            busy = 10**9
            while not stop.wait(0.02):
                busy += 10**12
                for pid, fd in ((self.a_init, 5), (self.a_init, 6), (self.a_child, 5)):
                    self.write_fdinfo(proc, pid, fd, fdinfo_ns(41, busy, CLIENT_VRAM_KIB))
        writer = threading.Thread(target=keep_busy, daemon=True)
        writer.start()
        self.addCleanup(writer.join)
        self.addCleanup(stop.set)

        def a_busy():
            status, _, body = monitor.get("/api/v1/snapshot")
            if status != 200:
                return None
            s = json.loads(body)
            mine = [p for p in s["gpu_processes"] if p["pid"] == self.a_init and p["gpu_index"] == 1]
            return s if mine and mine[0].get("engine_busy_percent", {}).get("gfx") == 100.0 else None
        snap = monitor.wait_for(a_busy, timeout=30)

        # /api/v1/snapshot: both vendors, unique indices, vendor fields only where they exist.
        gpus = {g["index"]: g for g in snap["gpus"]}
        self.assertEqual(sorted(gpus), [0, 1])
        self.assertEqual(gpus[0]["vendor"], "nvidia")
        amd = gpus[1]
        self.assertEqual((amd["vendor"], amd["driver"], amd["pci_bus_id"], amd["name"]),
                         ("amd", "amdgpu", "0000:03:00.0", "AMD Instinct MI210"))
        self.assertEqual((amd["utilization_percent"], amd["memory_used_bytes"], amd["memory_total_bytes"]),
                         (37, VRAM_USED, VRAM_TOTAL))
        self.assertEqual((amd["temperature_celsius"], amd["power_draw_milliwatts"], amd["render_node"]),
                         (45, 93000, "renderD128"))
        self.assertNotIn("memory_utilization_percent", amd, "amdgpu has no such figure: absent, not 0")
        self.assertNotIn("mig_enabled", amd)
        procs = {(p["gpu_index"], p["pid"]): p for p in snap["gpu_processes"]}
        a_proc = procs[(1, self.a_init)]
        self.assertEqual(a_proc["container_id"], self.a)
        self.assertEqual(a_proc["memory_used_bytes"], CLIENT_VRAM_KIB * 1024, "client 41 counted once")
        self.assertEqual(a_proc["sm_percent"], 100)
        self.assertNotIn((1, self.a_child), procs, "the child shares its parent's client")
        b_proc = procs[(1, self.b_init)]
        self.assertEqual(b_proc["container_id"], self.b)
        self.assertEqual(b_proc["engine_busy_percent"], {"compute": 0.0, "gfx": 12.0})
        self.assertEqual(b_proc["memory_used_bytes"], 524288 * 1024)
        health = {s["name"]: s for s in snap["sources"]}
        self.assertTrue(health["gpu-drm"]["ok"], health["gpu-drm"])

        # /query: the AMD GPU is a row like any other, processes under their containers, exact shape.
        def query_ready():
            q = monitor.get_json("/query")
            rows = q["container-stats"].get(self.a[:12], {}).get("gpu-proc", [])
            return q if [r["sm-util"] for r in rows] == [100] else None
        q = monitor.wait_for(query_ready, timeout=30)
        rows = q["host-stats"]["gpu"]
        self.assertEqual([r["id"] for r in rows], [0, 1])
        for row in rows:
            self.assertEqual(list(row), ["id", "model", "mem-perc-used", "mem-used/total", "util-perc"])
        self.assertEqual((rows[1]["model"], rows[1]["util-perc"], rows[1]["mem-perc-used"]),
                         ("AMD Instinct MI210", 37, round(100 * VRAM_USED / VRAM_TOTAL, 1)))
        a_rows = q["container-stats"][self.a[:12]]["gpu-proc"]
        self.assertEqual(a_rows, [{"gpu-idx": 1, "mem-perc-used": round(100 * CLIENT_VRAM_KIB * 1024 / VRAM_TOTAL, 1),
                                   "pid": self.a_init, "sm-util": 100}])
        self.assertEqual(q["container-stats"][self.b[:12]]["gpu-proc"],
                         [{"gpu-idx": 1, "mem-perc-used": round(100 * 524288 * 1024 / VRAM_TOTAL, 1),
                           "pid": self.b_init, "sm-util": 12}])

        # /metrics: DCGM names for the NVIDIA GPU only; vendor-neutral series for both.
        process_line = re.compile(rf'(?m)^cmon_gpu_process_utilization_ratio\{{pid="{self.a_init}",gpu="1",'
                                  rf'container="{re.escape(self.a_name)}",container_id="{self.a}"\}} 1$')

        def metrics_ready():
            status, _, body = monitor.get("/metrics")
            return body.decode() if status == 200 and process_line.search(body.decode()) else None
        text = monitor.wait_for(metrics_ready, timeout=30)
        dcgm_gpus = set(re.findall(r'^DCGM_FI_DEV_GPU_UTIL\{gpu="(\d+)"', text, re.M))
        self.assertEqual(dcgm_gpus, {"0"})
        self.assertRegex(text, r'(?m)^cmon_gpu_utilization_ratio\{gpu="0",vendor="nvidia",[^}]*\} 0\.64$')
        self.assertRegex(text, r'(?m)^cmon_gpu_utilization_ratio\{gpu="1",vendor="amd",uuid="a1b2c3d4e5f60718",'
                               r'pci="0000:03:00\.0",model="AMD Instinct MI210"\} 0\.37$')
        self.assertRegex(text, rf'(?m)^cmon_gpu_memory_used_bytes\{{gpu="1",vendor="amd",[^}}]*\}} {VRAM_USED}$')
        self.assertRegex(text, rf'(?m)^cmon_gpu_memory_total_bytes\{{gpu="1",vendor="amd",[^}}]*\}} {VRAM_TOTAL}$')
        self.assertRegex(text, r'(?m)^cmon_gpu_temperature_celsius\{gpu="1",vendor="amd",[^}]*\} 45$')
        self.assertRegex(text, r'(?m)^cmon_gpu_power_watts\{gpu="1",vendor="amd",[^}]*\} 93$')
        self.assertRegex(text, rf'(?m)^cmon_container_gpu_utilization_ratio\{{id="/docker/{self.a}",'
                               rf'name="{re.escape(self.a_name)}",[^}}]*\}} 1$')
        self.assertRegex(text, rf'(?m)^cmon_container_gpu_memory_bytes\{{id="/docker/{self.a}",[^}}]*\}} '
                               rf'{CLIENT_VRAM_KIB * 1024}$')

    def test_refused_fdinfo_is_named_in_health(self):
        setpriv = shutil.which("setpriv")
        self.assertIsNotNone(setpriv, "setpriv (util-linux) is needed to run the monitor unprivileged")
        root = self.build_tree()
        for dirpath, dirnames, filenames in os.walk(root):  # readable by the unprivileged monitor
            os.chmod(dirpath, 0o755)
        os.chmod(self.tmp, 0o755)
        # The real /proc as nobody: other users' fd directories are closed to it, as in a container without
        # CAP_SYS_PTRACE.
        monitor = Monitor("--nvml-library", FAKE_NVML, "--docker-host", self.host, "--interval", "0.2",
                          "--proc-root", "/proc", "--sys-root", os.path.join(root, "sys"),
                          prefix=[setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        self.addCleanup(monitor.stop)

        def note():
            s = monitor.get_json("/api/v1/snapshot") if monitor.get("/api/v1/snapshot")[0] == 200 else None
            drm = [h for h in (s or {}).get("sources", []) if h["name"] == "gpu-drm"]
            return drm[0] if drm and drm[0].get("note") else None
        health = monitor.wait_for(note, timeout=30)
        self.assertTrue(health["ok"])
        self.assertIn("CAP_SYS_PTRACE", health["note"])
        self.assertRegex(health["note"], r"fdinfo of \d+ of \d+ processes refused")


if __name__ == "__main__":
    unittest.main()
