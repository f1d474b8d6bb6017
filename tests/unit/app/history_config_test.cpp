// --history: a day by default, and the GPU accountant's ?since= window and removed-container retention
// follow it.
#include <gtest/gtest.h>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/source_factory.hpp"

namespace cmon::app {
namespace {

Config parse(std::vector<std::string> args) {
    args.insert(args.begin(), "container-monitor");
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    return parse_config(static_cast<int>(args.size()), argv.data());
}

TEST(HistoryConfig, ADayByDefaultAndTheAccountantFollows) {
    const Config c = parse({});
    EXPECT_EQ(c.history_seconds, 86400.0);
    EXPECT_EQ(accountant_options(c).retention, std::chrono::hours(24));
}

TEST(HistoryConfig, TheFlagSetsBothAndMoreThanADayIsRefused) {
    const Config c = parse({"--history", "3600"});
    EXPECT_EQ(c.history_seconds, 3600.0);
    EXPECT_EQ(accountant_options(c).retention, std::chrono::seconds(3600));
    EXPECT_THROW(parse({"--history", "86401"}), ConfigError);
    EXPECT_THROW(parse({"--history", "5"}), ConfigError);
}

}  // namespace
}  // namespace cmon::app
