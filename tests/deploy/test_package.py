"""The Debian package (CPack DEB, `make package`): built from the build tree, installed into the real
system with dpkg, checked, and removed again whatever happens. Needs root (CI runs as root on a
throwaway machine); refuses to touch a container-monitor package that was installed before it ran."""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

PACKAGE = "container-monitor"
BUILD_DIR = os.path.abspath(os.environ.get("CMON_BUILD_DIR", "build"))
UNIT = "/usr/lib/systemd/system/container-monitor.service"


def run(*args, timeout=300, check=True):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {r.returncode}: {r.stdout}{r.stderr}")
    return r


def installed_version():
    r = run("dpkg-query", "-W", "-f=${db:Status-Status} ${Version}", PACKAGE, check=False)
    status, _, version = r.stdout.partition(" ")
    return version if r.returncode == 0 and status not in ("", "not-installed", "config-files") else None


def ensure_systemd_analyze():
    """systemd-analyze verifies the unit: installed here (Debian package `systemd`) when missing, else the
    set-up fails and says so. Never a skip."""
    if shutil.which("systemd-analyze"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "systemd"]):
        try:
            r = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
        except FileNotFoundError:
            raise AssertionError("systemd-analyze is missing and there is no apt-get to install it: install "
                                 "Debian's `systemd` package (scripts/install-deps.sh test)") from None
        if r.returncode != 0:
            raise AssertionError(f"systemd-analyze is missing and {' '.join(command)} failed: {r.stdout}{r.stderr}"
                                 "\ninstall Debian's `systemd` package (scripts/install-deps.sh test)")
    if not shutil.which("systemd-analyze"):
        raise AssertionError("systemd-analyze is still missing after installing `systemd`")


class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise AssertionError("installing a .deb needs root (CI runs the suite as root)")
        ensure_systemd_analyze()
        if installed_version():
            raise AssertionError(f"{PACKAGE} {installed_version()} is already installed here; this test "
                                 "installs and removes its own build and will not replace it")
        cls.out_dir = tempfile.mkdtemp(prefix="cmon-deb-")
        cls.addClassCleanup(shutil.rmtree, cls.out_dir, True)
        # A private output folder: a concurrent `make package` in the build tree is not disturbed.
        run("cpack", "-G", "DEB", "-B", cls.out_dir, "--config", os.path.join(BUILD_DIR, "CPackConfig.cmake"),
            timeout=600)
        debs = glob.glob(os.path.join(cls.out_dir, "container-monitor_*_amd64.deb"))
        if len(debs) != 1:
            raise AssertionError(f"expected one container-monitor_<version>_amd64.deb in {cls.out_dir}: "
                                 f"{os.listdir(cls.out_dir)}")
        cls.deb = debs[0]
        cls.version = re.match(r"container-monitor_([^_]+)_amd64\.deb", os.path.basename(cls.deb)).group(1)

        cls.addClassCleanup(cls.remove_package)
        run("dpkg", "-i", cls.deb)

    @classmethod
    def remove_package(cls):
        if installed_version() is not None:
            run("dpkg", "-r", PACKAGE, check=False)
        # -r keeps the conffile (/etc/default/container-monitor); purge so nothing is left behind.
        run("dpkg", "--purge", PACKAGE, check=False)

    def test_control_fields(self):
        fields = run("dpkg-deb", "-f", self.deb, "Package", "Version", "Architecture", "Section", "Maintainer",
                     "Depends", "Description").stdout
        self.assertIn(f"Version: {self.version}", fields)
        self.assertIn("Architecture: amd64", fields)
        self.assertIn("Section: admin", fields)
        self.assertRegex(fields, r"Maintainer: .+<.+@.+>")
        # Depends come from dpkg-shlibdeps: every shared library the binary links.
        depends = re.search(r"^Depends: (.*)$", fields, re.M).group(1)
        # (spdlog's shlibs name the virtual package libspdlog1.10-fmt9, which libspdlog1.10 provides.)
        for package in ("libc6", "libstdc++6", "libssl3", "libfmt9", "libspdlog1.10"):
            self.assertRegex(depends, rf"(^|, ){re.escape(package)}[-\w.+]*( |,|$)", depends)
        self.assertIn("container", re.search(r"^Description: (.*)$", fields, re.M).group(1).lower())

    def test_installed_binary_runs(self):
        r = run("/usr/bin/container-monitor", "--version")
        self.assertEqual(r.stdout.strip(), f"container-monitor {self.version}")

    def test_layout(self):
        files = run("dpkg", "-L", PACKAGE).stdout.splitlines()
        for path in ("/usr/bin/container-monitor", UNIT, "/etc/default/container-monitor",
                     "/usr/share/doc/container-monitor/README.md",
                     "/usr/share/doc/container-monitor/deployment.md"):
            self.assertIn(path, files)
            self.assertTrue(os.path.exists(path), path)
        conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", PACKAGE).stdout
        self.assertIn("/etc/default/container-monitor", conffiles)
        with open(UNIT, encoding="utf-8") as f:
            unit = f.read()
        self.assertIn("ExecStart=/usr/bin/container-monitor\n", unit)
        self.assertIn("EnvironmentFile=-/etc/default/container-monitor\n", unit)
        # CPACK_STRIP_FILES: the RelWithDebInfo build's debug sections stay out of the package.
        sections = run("readelf", "-S", "-W", "/usr/bin/container-monitor").stdout
        self.assertNotIn(".debug_info", sections)

    def test_unit_verifies(self):
        r = run("systemd-analyze", "verify", UNIT, check=False)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
