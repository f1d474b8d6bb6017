// The legacy `GET /query` JSON (docs/api.md, "GET /query (legacy)"), byte-compatible in key names, nesting
// and value types. Pure: a function of one snapshot.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "model/snapshot.hpp"

namespace cmon::exporters {

std::string to_query_json(const model::Snapshot& snapshot);

// The same bytes, from a writer that keeps each container's text between snapshots and writes it again
// only when what it is made of changed (as ApiSnapshotWriter does for the API JSON). Thread-safe.
class QueryWriter {
public:
    QueryWriter();
    ~QueryWriter();
    QueryWriter(const QueryWriter&) = delete;
    QueryWriter& operator=(const QueryWriter&) = delete;

    std::string write(const model::Snapshot& snapshot);
    // How many container texts the last write() wrote anew (the rest were copied), for tests.
    std::size_t last_written() const;

    struct Texts;  // the kept texts (query_exporter.cpp)

private:
    std::unique_ptr<Texts> texts_;
};

}  // namespace cmon::exporters
