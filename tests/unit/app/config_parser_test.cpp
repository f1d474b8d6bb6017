// parse_config: flags, CMON_<NAME> environment variables (the flag wins), the snapshot subcommand, and one
// readable line for every bad input.
#include "app/config.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// The ConfigError text parse() throws; fails the test when it does not throw.
std::string error_of(std::vector<std::string> args) {
    try {
        parse(std::move(args));
    } catch (const ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no ConfigError";
    return {};
}

// Sets an environment variable for one scope and puts back what was there.
class ScopedEnv {
public:
    ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
        if (const char* old = std::getenv(name_.c_str())) old_ = old;
        ::setenv(name_.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_) {
            ::setenv(name_.c_str(), old_->c_str(), 1);
        } else {
            ::unsetenv(name_.c_str());
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

TEST(ConfigParser, NoArgumentsServeWithTheDefaults) {
    const Config defaults;
    const Config c = parse({});
    EXPECT_EQ(c.command, Command::serve);
    EXPECT_EQ(c.bind, defaults.bind);
    EXPECT_EQ(c.port, defaults.port);
    EXPECT_EQ(c.interval_seconds, defaults.interval_seconds);
    EXPECT_EQ(c.idle_pause_seconds, defaults.idle_pause_seconds);
    EXPECT_EQ(c.hostname, defaults.hostname);
    EXPECT_EQ(c.labels, defaults.labels);
    EXPECT_EQ(c.show_cmdline, defaults.show_cmdline);
    EXPECT_EQ(c.snapshot_format, defaults.snapshot_format);
    EXPECT_FALSE(c.strict);
    EXPECT_EQ(parse({"serve"}).command, Command::serve);
}

TEST(ConfigParser, FlagsSetTheirFields) {
    const Config c = parse({"--bind", "127.0.0.1", "--port", "8727", "--interval", "0.5", "--idle-pause", "0",
                            "--labels", "com.docker.compose.project,team", "--show-cmdline", "--hostname", "kernel",
                            "--title", "Lab <3>", "--note", "hello", "--docker-host", "tcp://10.0.0.2:2375",
                            "--max-connections", "64", "--log-level", "debug"});
    EXPECT_EQ(c.bind, "127.0.0.1");
    EXPECT_EQ(c.port, 8727);
    EXPECT_EQ(c.interval_seconds, 0.5);
    EXPECT_EQ(c.idle_pause_seconds, 0.0);
    EXPECT_EQ(c.labels, (std::vector<std::string>{"com.docker.compose.project", "team"}));
    EXPECT_TRUE(c.show_cmdline);
    EXPECT_EQ(c.hostname, "kernel");
    EXPECT_EQ(c.title, "Lab <3>");
    EXPECT_EQ(c.note, "hello");
    EXPECT_EQ(c.docker_host, "tcp://10.0.0.2:2375");
    EXPECT_EQ(c.max_connections, 64u);
    EXPECT_EQ(c.log_level, "debug");
}

TEST(ConfigParser, EnvironmentVariablesSetFieldsAndFlagsWin) {
    const ScopedEnv port("CMON_PORT", "9100");
    const ScopedEnv labels("CMON_LABELS", "a,b");
    const ScopedEnv cmdline("CMON_SHOW_CMDLINE", "true");
    const Config from_env = parse({});
    EXPECT_EQ(from_env.port, 9100);
    EXPECT_EQ(from_env.labels, (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(from_env.show_cmdline);
    EXPECT_EQ(parse({"--port", "8000"}).port, 8000);
    const ScopedEnv bad("CMON_INTERVAL", "soon");
    EXPECT_NE(error_of({}).find("--interval"), std::string::npos) << "a bad variable names its flag";
}

TEST(ConfigParser, SnapshotSubcommandWithItsOptionsAndTheGlobalOnes) {
    const Config c = parse({"snapshot", "--format", "json", "--strict", "--interval", "0.2"});
    EXPECT_EQ(c.command, Command::snapshot);
    EXPECT_EQ(c.snapshot_format, "json");
    EXPECT_TRUE(c.strict);
    EXPECT_EQ(c.interval_seconds, 0.2);
    EXPECT_EQ(parse({"--hostname", "docker", "snapshot"}).hostname, "docker");
}

TEST(ConfigParser, EveryBadInputIsOneLineNamingTheProblem) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--port", "70000"}, "--port"},
        {{"--port", "web"}, "--port"},
        {{"--interval", "0"}, "--interval"},
        {{"--interval", "nan"}, "--interval: not a number"},
        {{"--max-connections", "0"}, "--max-connections"},
        {{"--hostname", "gpu box"}, "'gpu box' is not auto, kernel, docker or a host name"},
        {{"--log-level", "loud"}, "--log-level"},
        {{"--tls-cert", "cert.pem"}, "--tls-cert and --tls-key go together"},
        {{"--auth-token", "x", "--auth-token-file", "f"}, "--auth-token"},
        {{"--no-such-flag"}, "--no-such-flag"},
        {{"snapshot", "--format", "xml"}, "--format"},
        {{"serve", "snapshot"}, ""},
    };
    for (const auto& [args, expected] : cases) {
        std::string joined;
        for (const auto& arg : args) joined += arg + ' ';
        const std::string text = error_of(args);
        EXPECT_NE(text.find(expected), std::string::npos) << joined << "-> " << text;
        EXPECT_EQ(text.find('\n'), std::string::npos) << joined << "-> " << text;
        EXPECT_TRUE(text.ends_with("(see --help)")) << joined << "-> " << text;
    }
}

TEST(ConfigParser, HelpAndVersionPrintAndExitOk) {
    ::testing::internal::CaptureStdout();
    EXPECT_EQ(parse({"--help"}).command, Command::exit_ok);
    const std::string help = ::testing::internal::GetCapturedStdout();
    for (const char* flag : {"--bind", "--port", "--interval", "--hostname", "--labels", "snapshot"}) {
        EXPECT_NE(help.find(flag), std::string::npos) << flag;
    }
    ::testing::internal::CaptureStdout();
    EXPECT_EQ(parse({"--version"}).command, Command::exit_ok);
    const std::string version = ::testing::internal::GetCapturedStdout();
    EXPECT_EQ(version.rfind("container-monitor ", 0), 0u) << version;
    EXPECT_EQ(version.back(), '\n');
}

// --history: a day by default, and the GPU accountant's ?since= window and removed-container retention
// follow it.
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
