// ApiSnapshotWriter: the snapshot JSON with each container's text kept between snapshots. Its bytes are
// to_api_json's (held to the golden file by api_exporter_test) for every snapshot of a sequence, and it
// writes a container's text again only when that container's row or GPU use changed.
#include <gtest/gtest.h>
#include <string>

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
