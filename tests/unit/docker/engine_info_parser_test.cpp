// GET /info -> the engine's host name.
#include "sources/docker/engine_info_parser.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace cmon::sources {
namespace {

TEST(ParseEngineName, TakesName) {
    // Abridged from Engine 20.10 GET /v1.41/info.
    const std::string body = R"j({"ID":"7TRN:IPZB:QYBB","Containers":3,"Driver":"vfs",)j"
                             R"j("OperatingSystem":"Debian GNU/Linux 12 (bookworm)","Name":"gpu-box-7",)j"
                             R"j("Labels":[],"ServerVersion":"20.10.24+dfsg1"})j";
    EXPECT_EQ(parse_engine_name(body), "gpu-box-7");
}

TEST(ParseEngineName, NothingUsable) {
    const std::vector<std::string> bodies = {"",
                                             "not json",
                                             "[]",
                                             "\"gpu-box-7\"",
                                             "{}",
                                             "{\"Name\":null}",
                                             "{\"Name\":7}",
                                             "{\"Name\":\"\"}",
                                             "{\"name\":\"lowercase key\"}",
                                             "{\"Name\":\"cut"};
    for (const std::string& body : bodies) {
        EXPECT_FALSE(parse_engine_name(body)) << body;
    }
}

}  // namespace
}  // namespace cmon::sources
