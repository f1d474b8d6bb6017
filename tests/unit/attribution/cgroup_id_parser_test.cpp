// container_id_from_cgroup over every cgroup layout we know, both cgroup versions, and junk.
#include "attribution/cgroup_id_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cmon::attribution {
namespace {

const std::string kId = "3f4e6a1b2c9d8e7f60718293a4b5c6d7e8f90123456789abcdef0123456789ab";
const std::string kOther = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Case {
    const char* what;
    std::string text;
    std::optional<std::string> expected;
};

class ContainerIdFromCgroup : public ::testing::TestWithParam<Case> {};

TEST_P(ContainerIdFromCgroup, Parses) {
    const Case& c = GetParam();
    EXPECT_EQ(container_id_from_cgroup(c.text), c.expected) << c.what << "\n" << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, ContainerIdFromCgroup,
    ::testing::Values(
        Case{"v2 docker cgroupfs", "0::/docker/" + kId + "\n", kId},
        Case{"v2 docker cgroupfs, nested sub-cgroup", "0::/docker/" + kId + "/child\n", kId},
        Case{"v2 docker systemd driver", "0::/system.slice/docker-" + kId + ".scope\n", kId},
        Case{"v2 systemd driver, sub-cgroup", "0::/system.slice/docker-" + kId + ".scope/init\n", kId},
        Case{"v1 docker cgroupfs, every controller",
             "12:pids:/docker/" + kId + "\n11:memory:/docker/" + kId + "\n4:cpu,cpuacct:/docker/" + kId +
                 "\n1:name=systemd:/docker/" + kId + "\n0::/docker/" + kId + "\n",
             kId},
        Case{"v1 docker systemd driver", "7:memory:/system.slice/docker-" + kId + ".scope\n", kId},
        Case{"v1 with an empty root controller first", "13:rdma:/\n12:pids:/docker/" + kId + "\n", kId},
        Case{"podman rootful", "0::/machine.slice/libpod-" + kId + ".scope\n", kId},
        Case{"podman with container sub-cgroup", "0::/machine.slice/libpod-" + kId + ".scope/container\n", kId},
        Case{"podman rootless",
             "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope\n", kId},
        Case{"podman conmon is not the container", "0::/machine.slice/libpod-conmon-" + kId + ".scope\n", std::nullopt},
        Case{"containerd CRI, systemd",
             "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1a2b.slice/cri-containerd-" + kId +
                 ".scope\n",
             kId},
        Case{"CRI-O", "0::/kubepods.slice/kubepods-burstable.slice/crio-" + kId + ".scope\n", kId},
        Case{"kubepods cgroupfs", "0::/kubepods/besteffort/pod1a2b3c/" + kId + "\n", kId},
        Case{"docker-in-docker: the outer container wins", "0::/docker/" + kId + "/docker/" + kOther + "\n", kId},
        Case{"no final newline", "0::/docker/" + kId, kId},
        Case{"host login session", "0::/user.slice/user-1000.slice/session-3.scope\n", std::nullopt},
        Case{"host service", "0::/system.slice/ssh.service\n", std::nullopt},
        Case{"root cgroup", "0::/\n", std::nullopt}, Case{"empty input", "", std::nullopt},
        Case{"uppercase hex is not a docker id", "0::/docker/" + std::string(64, 'A') + "\n", std::nullopt},
        Case{"63 hex digits", "0::/docker/" + kId.substr(1) + "\n", std::nullopt},
        Case{"65 hex digits", "0::/docker/" + kId + "0\n", std::nullopt},
        Case{"short id is not enough", "0::/docker/" + kId.substr(0, 12) + "\n", std::nullopt},
        Case{"line without colons", "garbage " + kId + "\n", std::nullopt},
        Case{"unknown prefix", "0::/system.slice/rkt-" + kId + ".scope\n", std::nullopt},
        Case{"CRLF tolerated", "0::/docker/" + kId + "\r\n", kId}));

}  // namespace
}  // namespace cmon::attribution
