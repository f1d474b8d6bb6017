// DOCKER_HOST parsing as the Docker CLI reads it.
#include "sources/docker/docker_host.hpp"

#include <gtest/gtest.h>

namespace cmon::sources {
namespace {

TEST(DockerHostParse, UnixSocket) {
    auto host = parse_docker_host("unix:///var/run/docker.sock", {});
    ASSERT_TRUE(host);
    EXPECT_EQ(host->transport, DockerHost::Transport::unix_socket);
    EXPECT_EQ(host->socket_path, "/var/run/docker.sock");
    EXPECT_EQ(host->display, "unix:///var/run/docker.sock");
    EXPECT_FALSE(parse_docker_host("unix://", {}));
    EXPECT_FALSE(parse_docker_host("unix://relative.sock", {}));
}

TEST(DockerHostParse, TcpPlainAndTls) {
    auto plain = parse_docker_host("tcp://10.0.0.5:2375", {});
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->transport, DockerHost::Transport::tcp);
    EXPECT_EQ(plain->host, "10.0.0.5");
    EXPECT_EQ(plain->port, "2375");

    DockerTlsSettings tls{true, true, "/certs"};
    auto secure = parse_docker_host("tcp://docker.example:2376", tls);
    ASSERT_TRUE(secure);
    EXPECT_EQ(secure->transport, DockerHost::Transport::tls);
    EXPECT_TRUE(secure->tls.verify);
    EXPECT_EQ(secure->tls.cert_dir, "/certs");

    EXPECT_EQ(parse_docker_host("tcp://docker.example", tls)->port, "2376");  // CLI defaults
    EXPECT_EQ(parse_docker_host("tcp://docker.example", {})->port, "2375");
    EXPECT_EQ(parse_docker_host("docker.example:1234", {})->port, "1234");
    auto v6 = parse_docker_host("tcp://[::1]:2375", {});
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, "2375");
}

TEST(DockerHostParse, Rejects) {
    for (const char* bad : {"ssh://me@host", "npipe:////./pipe/docker_engine", "fd://", "tcp://:2375",
                            "tcp://host:port", "tcp://[::1", ""}) {
        EXPECT_FALSE(parse_docker_host(bad, {})) << bad;
    }
}

TEST(DockerHostEnvironment, ConfiguredEndpointWinsOverDockerHost) {
    ::setenv("DOCKER_HOST", "tcp://elsewhere:2375", 1);
    EXPECT_EQ(docker_host_from_environment("unix:///tmp/x.sock").socket_path, "/tmp/x.sock");
    EXPECT_EQ(docker_host_from_environment("").host, "elsewhere");
    ::unsetenv("DOCKER_HOST");
    EXPECT_EQ(docker_host_from_environment("").socket_path, "/var/run/docker.sock");
}

}  // namespace
}  // namespace cmon::sources
