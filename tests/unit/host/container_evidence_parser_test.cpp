// Does the monitor run in a container: /proc/self/cgroup and /proc/self/mountinfo of both cgroup versions.
#include "sources/host/container_evidence_parser.hpp"

#include <gtest/gtest.h>
#include <string>

namespace cmon::sources {
namespace {

constexpr const char* kId = "3f1c2a9b7d10e4c5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9";

TEST(CgroupNamesContainer, RuntimeLayouts) {
    std::string id = kId;
    // cgroup v1, cgroupfs driver (Docker 20.10 on Debian 10), no final newline.
    EXPECT_TRUE(cgroup_names_container("12:pids:/docker/" + id + "\n11:cpu,cpuacct:/docker/" + id));
    // systemd driver, v2 with the host cgroup namespace.
    EXPECT_TRUE(cgroup_names_container("0::/system.slice/docker-" + id + ".scope\n"));
    EXPECT_TRUE(cgroup_names_container("0::/system.slice/containerd.service/containerd/default/" + id + "\n"));
    EXPECT_TRUE(cgroup_names_container("0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-" + id + "\n"));
    EXPECT_TRUE(cgroup_names_container("0::/machine.slice/libpod-" + id + ".scope/container\n"));
}

TEST(CgroupNamesContainer, HostsAndUnknowns) {
    EXPECT_FALSE(cgroup_names_container(""));
    // v2 in a private cgroup namespace (Docker's default on v2): says nothing.
    EXPECT_FALSE(cgroup_names_container("0::/\n"));
    // The monitor as a systemd service, and anything in the daemon's own unit, are on the host.
    EXPECT_FALSE(cgroup_names_container("0::/system.slice/container-monitor.service\n"));
    EXPECT_FALSE(cgroup_names_container("0::/system.slice/docker.service\n"));
    EXPECT_FALSE(cgroup_names_container("0::/user.slice/user-1000.slice/session-3.scope\n"));
    // Markers outside the path field do not count; junk lines are skipped.
    EXPECT_FALSE(cgroup_names_container("/docker/\nno colons here /docker/x\n"));
}

TEST(MountinfoHasManagedHostname, DockerBindMount) {
    std::string docker = "852 845 254:1 /var/lib/docker/containers/" + std::string(kId) +
                         "/hostname /etc/hostname rw,relatime - ext4 /dev/vda rw";  // no final newline
    EXPECT_TRUE(mountinfo_has_managed_hostname("845 760 0:94 / / rw - overlay overlay rw\n" + docker));
}

TEST(MountinfoHasManagedHostname, HostMountTable) {
    EXPECT_FALSE(mountinfo_has_managed_hostname(""));
    EXPECT_FALSE(mountinfo_has_managed_hostname(
        "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        "23 22 0:21 / /proc rw,nosuid - proc proc rw\n"
        "99 22 254:0 /etc/hostname.d /srv/etc/hostname rw - ext4 /dev/vda rw\n"  // a similar path elsewhere
        "short line\n"));
}

TEST(RunsInContainer, AnyEvidenceIsEnough) {
    EXPECT_FALSE(runs_in_container({}));
    EXPECT_FALSE(runs_in_container({false, std::string("0::/\n"), std::string("22 1 254:0 / / rw - ext4 x rw\n")}));
    EXPECT_TRUE(runs_in_container({true, std::nullopt, std::nullopt}));
    EXPECT_TRUE(runs_in_container({false, "0::/system.slice/docker-" + std::string(kId) + ".scope", std::nullopt}));
    EXPECT_TRUE(runs_in_container(
        {false, std::string("0::/\n"), std::string("1 2 3:4 /x/hostname /etc/hostname rw - ext4 /dev/vda rw\n")}));
}

}  // namespace
}  // namespace cmon::sources
