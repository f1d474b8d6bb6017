// GET /api/v1/accounting and the GPU-seconds counters in /metrics, from an accountant fed by hand.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_provider.hpp"
#include "fakes/fake_clock.hpp"
#include "http/router.hpp"

namespace cmon::http {
namespace {

using testing::FakeProvider;
using namespace std::chrono_literals;

const std::string kId = std::string(64, 'a');

Response get(const Router& router, std::string target) {
    Request request;
    request.method = "GET";
    const std::size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);
    return router(request);
}

class AccountingRoute : public ::testing::Test {
protected:
    AccountingRoute() {
        for (int i = 1; i <= 11; ++i) {  // ten held seconds at 40 % SM
            clock.advance(1s);
            auto s = std::make_shared<model::Snapshot>();
            s->sequence = static_cast<std::uint64_t>(i);
            s->time = clock.system_now();
            s->monotonic = clock.steady_now();
            model::ContainerStats c;
            c.id = kId;
            c.short_id = kId.substr(0, 12);
            c.name = "ana-train";
            c.image = "img";
            c.owner = "ana";
            s->containers.push_back(c);
            model::GpuDevice g;
            g.index = 0;
            g.uuid = "GPU-abc";
            s->gpus.push_back(g);
            model::GpuProcess p;
            p.pid = 7;
            p.container_id = kId;
            p.memory_used_bytes = 1 << 30;
            p.sm_percent = 40;
            s->gpu_processes.push_back(p);
            accountant.add(*s);
            provider.publish(s);
        }
    }
    cmon::testing::FakeClock clock;
    static sampling::GpuAccountantOptions options() {
        sampling::GpuAccountantOptions result;
        result.bucket = 1s;  // the run is 10 s: minute buckets would round any since back to the start
        return result;
    }
    sampling::GpuAccountant accountant{options(), clock};
    FakeProvider provider;
    Router router{RouterOptions{}, provider, nullptr, &accountant};
};

TEST_F(AccountingRoute, SinceStartPerContainerAndOwner) {
    const Response r = get(router, "/api/v1/accounting");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/json");
    const auto root = nlohmann::json::parse(r.payload());
    EXPECT_EQ(root["api_version"], 1);
    EXPECT_EQ(root["since"], root["started"]);
    ASSERT_EQ(root["containers"].size(), 1u);
    const auto& c = root["containers"][0];
    EXPECT_EQ(c["id"], kId);
    EXPECT_EQ(c["short_id"], kId.substr(0, 12));
    EXPECT_EQ(c["name"], "ana-train");
    EXPECT_EQ(c["owner"], "ana");
    EXPECT_EQ(c["removed"], false);
    EXPECT_DOUBLE_EQ(c["since_start"]["held_seconds"].get<double>(), 10.0);
    EXPECT_DOUBLE_EQ(c["since_start"]["busy_seconds"].get<double>(), 4.0);
    EXPECT_DOUBLE_EQ(c["since_start"]["idle_held_seconds"].get<double>(), 0.0);
    EXPECT_EQ(c["window"], c["since_start"]);
    ASSERT_EQ(c["gpus"].size(), 1u);
    EXPECT_EQ(c["gpus"][0]["gpu"], "0");
    EXPECT_EQ(c["gpus"][0]["uuid"], "GPU-abc");
    EXPECT_FALSE(c["gpus"][0].contains("gpu_instance_id"));
    ASSERT_EQ(root["owners"].size(), 1u);
    EXPECT_EQ(root["owners"][0]["owner"], "ana");
    EXPECT_EQ(root["owners"][0]["containers"], nlohmann::json::array({"ana-train"}));
    EXPECT_DOUBLE_EQ(root["owners"][0]["window"]["held_seconds"].get<double>(), 10.0);
}

TEST_F(AccountingRoute, SinceNarrowsTheWindow) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock.system_now().time_since_epoch());
    const Response r = get(router, "/api/v1/accounting?since=" + std::to_string(now.count()));
    ASSERT_EQ(r.status, 200);
    const auto root = nlohmann::json::parse(r.payload());
    const auto& c = root["containers"][0];
    EXPECT_LT(c["window"]["held_seconds"].get<double>(), 10.0);
    EXPECT_DOUBLE_EQ(c["since_start"]["held_seconds"].get<double>(), 10.0);
    EXPECT_NE(root["since"], root["started"]);
}

TEST_F(AccountingRoute, BadSinceIs400WithAClearJsonError) {
    for (const char* target : {"/api/v1/accounting?since=", "/api/v1/accounting?since=yesterday",
                               "/api/v1/accounting?since=-5", "/api/v1/accounting?since=12abc",
                               "/api/v1/accounting?since=1e400", "/api/v1/accounting?since=nan"}) {
        const Response r = get(router, target);
        EXPECT_EQ(r.status, 400) << target;
        EXPECT_EQ(r.content_type, "application/json") << target;
        const auto body = nlohmann::json::parse(r.payload());
        EXPECT_NE(body["error"].get<std::string>().find("unix seconds"), std::string::npos) << target;
    }
    EXPECT_EQ(get(router, "/api/v1/accounting?since=1700000000.5").status, 200);
}

TEST_F(AccountingRoute, MetricsCarryTheCountersAndTheOwner) {
    const Response r = get(router, "/metrics");
    ASSERT_EQ(r.status, 200);
    const std::string text(r.payload());
    EXPECT_NE(text.find("# TYPE cmon_container_gpu_held_seconds_total counter\n"), std::string::npos) << text;
    EXPECT_NE(text.find("cmon_container_gpu_held_seconds_total{name=\"ana-train\",id=\"/docker/" + kId +
                        "\",owner=\"ana\",gpu=\"0\",uuid=\"GPU-abc\"} 10\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("cmon_container_gpu_busy_seconds_total{name=\"ana-train\""), std::string::npos);
    EXPECT_NE(text.find("cmon_container_gpu_idle_held_seconds_total{name=\"ana-train\""), std::string::npos);
    EXPECT_NE(text.find("cmon_container_info{id=\"/docker/" + kId + "\",name=\"ana-train\",image=\"img\",owner=\"ana\"} 1"),
              std::string::npos)
        << text;
}

TEST(AccountingRouteMissing, WithoutAnAccountantIs404AndMetricsHaveNoCounters) {
    FakeProvider provider{testing::make_snapshot(1)};
    const Router router{RouterOptions{}, provider};
    EXPECT_EQ(get(router, "/api/v1/accounting").status, 404);
    EXPECT_EQ(std::string(get(router, "/metrics").payload()).find("cmon_container_gpu_held_seconds_total"),
              std::string::npos);
}

// /api/v1/history?step=: ten snapshots 1 s apart, from a multiple of 10 s.
TEST(HistoryStepRoute, StepGroupsPointsAndBadStepsAre400) {
    FakeProvider provider;
    sampling::MetricHistory history{std::chrono::seconds(60)};
    for (int i = 0; i < 10; ++i) {
        auto s = std::make_shared<model::Snapshot>();
        s->sequence = static_cast<std::uint64_t>(i + 1);
        s->time = model::TimePoint(std::chrono::seconds(1'700'000'000 + i));
        s->monotonic = std::chrono::steady_clock::time_point(std::chrono::hours(1) + std::chrono::seconds(i));
        s->host.cpu_busy_percent = i * 10.0;
        history.add(s);
        provider.publish(s);
    }
    const Router router{RouterOptions{}, provider, &history};
    const Response raw = get(router, "/api/v1/history");
    ASSERT_EQ(raw.status, 200);
    EXPECT_EQ(nlohmann::json::parse(raw.payload())["times"].size(), 10u);
    const Response stepped = get(router, "/api/v1/history?seconds=60&step=5");
    ASSERT_EQ(stepped.status, 200);
    const auto body = nlohmann::json::parse(stepped.payload());
    EXPECT_EQ(body["step_ms"], 5000);
    EXPECT_EQ(body["times"], nlohmann::json::array({1'700'000'000'000LL, 1'700'000'005'000LL}));
    EXPECT_EQ(body["host"]["cpu_busy_percent"], nlohmann::json::parse("[20.0, 70.0]"));
    EXPECT_EQ(body["host"]["cpu_busy_percent_max"], nlohmann::json::parse("[40.0, 90.0]"));
    for (const char* target : {"/api/v1/history?step=abc", "/api/v1/history?step=-1", "/api/v1/history?step=1.5"}) {
        const Response r = get(router, target);
        EXPECT_EQ(r.status, 400) << target;
        EXPECT_NE(r.payload().find("step must be"), std::string_view::npos) << target;
    }
}

}  // namespace
}  // namespace cmon::http
