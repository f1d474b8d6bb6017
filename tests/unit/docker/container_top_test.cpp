// parse_container_top_pids on /containers/{id}/top bodies as dockerd answers them (default ps args "-ef").
#include "sources/docker/container_top.hpp"

#include <gtest/gtest.h>

namespace cmon::sources {
namespace {

TEST(ContainerTop, PidColumnIsFoundByTitle) {
    // Engine 20.10, `ps -ef` columns.
    const char* body = R"({"Processes":[["root","31337","31310","0","10:01","?","00:00:00","sleep 60"],)"
                       R"(["root","31400","31337","0","10:01","?","00:00:00","sh -c x"]],)"
                       R"("Titles":["UID","PID","PPID","C","STIME","TTY","TIME","CMD"]})";
    EXPECT_EQ(parse_container_top_pids(body), (std::vector<unsigned>{31337, 31400}));
}

TEST(ContainerTop, OtherColumnOrdersAndBadRows) {
    const char* body = R"({"Titles":["PID","USER"],"Processes":[["12","a"],["x","b"],[],["0","c"],[" 13 ","d"]]})";
    EXPECT_EQ(parse_container_top_pids(body), (std::vector<unsigned>{12, 13}));
}

TEST(ContainerTop, WrongShapesAreNullopt) {
    EXPECT_EQ(parse_container_top_pids("not json"), std::nullopt);
    EXPECT_EQ(parse_container_top_pids(R"({"Titles":["UID"],"Processes":[]})"), std::nullopt);
    EXPECT_EQ(parse_container_top_pids(R"({"message":"No such container: x"})"), std::nullopt);
    EXPECT_EQ(parse_container_top_pids(R"({"Titles":["PID"],"Processes":null})"), std::nullopt);
    EXPECT_EQ(parse_container_top_pids(R"({"Titles":["PID"],"Processes":[]})"), std::vector<unsigned>{});
}

}  // namespace
}  // namespace cmon::sources
