// ApiSnapshotWriter: the snapshot JSON with each container's text kept between snapshots. Its bytes are
// to_api_json's (held to the golden file by api_exporter_test) for every snapshot of a sequence, and it
// writes a container's text again only when that container's row or GPU use changed.
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "exporters/api_exporter.hpp"
#include "exporters/query_exporter.hpp"
#include "unit/exporters/golden_snapshot.hpp"

namespace cmon::exporters {
namespace {

using testing::golden_snapshot;

TEST(ApiSnapshotWriter, WritesOnlyTheContainersThatChangedAndTheSameBytes) {
    ApiSnapshotWriter writer;
    const std::string title = "lab";
    model::Snapshot s = golden_snapshot();
    ASSERT_EQ(s.containers.size(), 2U);
    EXPECT_EQ(writer.write(s, &title), to_api_json(s, &title));
    EXPECT_EQ(writer.last_written(), 2U);

    s.sequence += 1;
    s.host.cpu_busy_percent = 12.5;  // outside the containers: always written
    EXPECT_EQ(writer.write(s, &title), to_api_json(s, &title));
    EXPECT_EQ(writer.last_written(), 0U);

    s.containers[1].cpu_percent = 3.25;
    EXPECT_EQ(writer.write(s), to_api_json(s));
    EXPECT_EQ(writer.last_written(), 1U);

    // A container's GPU use is part of its text: a process leaving it changes it.
    s.gpu_processes.pop_back();  // the notebook's idle process
    EXPECT_EQ(writer.write(s), to_api_json(s));
    EXPECT_EQ(writer.last_written(), 1U);

    // Gone, then back (as a new container with the same id): written anew, never a stale text.
    const model::ContainerStats notebook = s.containers[1];
    s.containers.pop_back();
    EXPECT_EQ(writer.write(s), to_api_json(s));
    EXPECT_EQ(writer.last_written(), 0U);
    s.containers.push_back(notebook);
    s.containers.back().name = "renamed";
    EXPECT_EQ(writer.write(s), to_api_json(s));
    EXPECT_EQ(writer.last_written(), 1U);

    model::Snapshot empty;
    EXPECT_EQ(writer.write(empty), to_api_json(empty));
}

// The event stream's delta applied as docs/api.md tells a client to (written here from the text, not
// from the writer): top-level members it carries replace the old ones, those it leaves out stay; the
// containers are the old list with the changed ones replaced or added, in "container_ids" order when it
// is given.
nlohmann::json apply_delta(const nlohmann::json& before, const nlohmann::json& delta) {
    EXPECT_EQ(delta.at("base"), before.at("sequence"));
    nlohmann::json after = before;
    after.erase("containers");
    for (const auto& [key, value] : delta.items()) {
        if (key != "base" && key != "containers_changed" && key != "container_ids") after[key] = value;
    }
    std::map<std::string, nlohmann::json> by_id;
    std::vector<std::string> order;
    for (const auto& c : before.at("containers")) {
        by_id[c.at("id")] = c;
        order.push_back(c.at("id"));
    }
    for (const auto& c : delta.at("containers_changed")) by_id[c.at("id")] = c;
    if (delta.contains("container_ids")) order = delta.at("container_ids").get<std::vector<std::string>>();
    after["containers"] = nlohmann::json::array();
    for (const std::string& id : order) after["containers"].push_back(by_id.at(id));
    return after;
}

TEST(ApiSnapshotWriter, EachDeltaTurnsTheDocumentBeforeIntoThisOne) {
    ApiSnapshotWriter writer;
    const std::string title = "lab";
    model::Snapshot s = golden_snapshot();
    ApiSnapshotWriter::Document doc = writer.write_with_delta(s, &title);
    EXPECT_EQ(doc.full, to_api_json(s, &title));
    EXPECT_FALSE(doc.delta) << "nothing came before the first document";
    nlohmann::json shown = nlohmann::json::parse(doc.full);

    const auto next = [&](const char* what) {
        s.sequence += 1;
        doc = writer.write_with_delta(s, &title);
        EXPECT_EQ(doc.full, to_api_json(s, &title)) << what;
        if (!doc.delta) {
            ADD_FAILURE() << what << ": no delta from the sequence just before";
            return nlohmann::json();
        }
        EXPECT_EQ(doc.delta->find('\n'), std::string::npos) << "one line, one SSE data field";
        const nlohmann::json delta = nlohmann::json::parse(*doc.delta);
        shown = apply_delta(shown, delta);
        EXPECT_EQ(shown, nlohmann::json::parse(doc.full)) << what;
        return delta;
    };

    s.host.cpu_busy_percent = 12.5;
    nlohmann::json delta = next("only the host moved");
    EXPECT_TRUE(delta.at("containers_changed").empty());
    EXPECT_FALSE(delta.contains("container_ids"));
    EXPECT_LT(doc.delta->size(), doc.full.size());
    // What did not change is left out: the client keeps the base's.
    EXPECT_TRUE(delta.contains("host"));
    EXPECT_FALSE(delta.contains("gpus"));
    EXPECT_FALSE(delta.contains("gpu_processes"));
    EXPECT_FALSE(delta.contains("sources"));
    EXPECT_TRUE(delta.contains("time") && delta.contains("sequence") && delta.contains("note"));

    delta = next("nothing moved");
    EXPECT_FALSE(delta.contains("host"));

    s.gpus[0].utilization_percent = 99;
    s.sources[0].error = "now failing";
    delta = next("a GPU and a source moved");
    EXPECT_TRUE(delta.contains("gpus"));
    EXPECT_TRUE(delta.contains("sources"));
    EXPECT_FALSE(delta.contains("gpu_processes"));

    s.gpu_processes[0].sm_percent = 1;
    delta = next("a GPU process moved");
    EXPECT_FALSE(delta.contains("gpus"));
    EXPECT_TRUE(delta.contains("gpu_processes"));

    s.containers[1].cpu_percent = 3.25;
    delta = next("one container moved");
    ASSERT_EQ(delta.at("containers_changed").size(), 1U);
    EXPECT_EQ(delta.at("containers_changed")[0].at("id"), s.containers[1].id);
    EXPECT_FALSE(delta.contains("container_ids"));

    std::swap(s.containers[0], s.containers[1]);
    delta = next("the same containers in another order");
    EXPECT_TRUE(delta.at("containers_changed").empty());
    EXPECT_EQ(delta.at("container_ids").size(), 2U);

    const model::ContainerStats gone = s.containers.back();
    s.containers.pop_back();
    delta = next("a container went");
    EXPECT_EQ(delta.at("container_ids").size(), 1U);

    s.containers.push_back(gone);
    s.containers.back().id = std::string(64, 'e');
    s.gpus.pop_back();
    delta = next("a container came, a GPU fell off");
    ASSERT_EQ(delta.at("containers_changed").size(), 1U);
    EXPECT_EQ(delta.at("containers_changed")[0].at("id"), std::string(64, 'e'));

    // Not from the sequence just before: the client would apply it to the wrong document.
    s.sequence += 2;
    EXPECT_FALSE(writer.write_with_delta(s, &title).delta);
    s.sequence += 1;
    EXPECT_TRUE(writer.write_with_delta(s, &title).delta);
    // One id twice (never from Docker): a delta by id could not say which is which.
    s.containers.push_back(s.containers.front());
    s.sequence += 1;
    EXPECT_FALSE(writer.write_with_delta(s, &title).delta);
}

}  // namespace
}  // namespace cmon::exporters

namespace cmon::exporters {
namespace {

// QueryWriter: the legacy /query JSON with each container's text kept; to_query_json's bytes (held to
// tests/golden/query_*.json by query_exporter_test) for every snapshot of a sequence.
TEST(QueryWriter, WritesOnlyTheContainersThatChangedAndTheSameBytes) {
    QueryWriter writer;
    model::Snapshot s = golden_snapshot();
    EXPECT_EQ(writer.write(s), to_query_json(s));
    const std::size_t running = writer.last_written();
    EXPECT_GE(running, 1U);

    s.host.cpu_busy_percent = 12.5;
    EXPECT_EQ(writer.write(s), to_query_json(s));
    EXPECT_EQ(writer.last_written(), 0U);

    s.containers[0].cpu_percent = 3.25;
    EXPECT_EQ(writer.write(s), to_query_json(s));
    EXPECT_EQ(writer.last_written(), 1U);

    // What a container's text shows of other parts: its GPU processes and the GPUs' total memory.
    s.gpus[0].memory_total_bytes = *s.gpus[0].memory_total_bytes / 2;
    EXPECT_EQ(writer.write(s), to_query_json(s));
    EXPECT_EQ(writer.last_written(), 1U);  // the trainer's process on GPU 0
    s.gpu_processes[0].sm_percent = 1;
    EXPECT_EQ(writer.write(s), to_query_json(s));
    EXPECT_EQ(writer.last_written(), 1U);
    s.host.memory_total_bytes /= 2;  // the limit of an unlimited container
    EXPECT_EQ(writer.write(s), to_query_json(s));

    s.containers.pop_back();
    EXPECT_EQ(writer.write(s), to_query_json(s));
    EXPECT_EQ(writer.write(model::Snapshot{}), to_query_json(model::Snapshot{}));
}

}  // namespace
}  // namespace cmon::exporters
