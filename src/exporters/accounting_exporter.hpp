// GPU accounting as `GET /api/v1/accounting` JSON (docs/api.md) and as the table that
// `container-monitor snapshot --format accounting` prints: per container (and its GPUs) and per owner,
// held / busy / idle-held GPU-seconds over the window and since start. Pure: functions of a report.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/accounting.hpp"

namespace cmon::exporters {

// One owner's containers and their summed GPU-seconds.
struct OwnerAccount {
    std::string owner;
    std::vector<std::string> containers;  // names, in report order
    model::GpuSeconds window;
    model::GpuSeconds since_start;
};

// By owner name; containers listed once even when renamed.
std::vector<OwnerAccount> owner_accounts(const model::AccountingReport& report);

nlohmann::json api_accounting_value(const model::AccountingReport& report);
std::string to_api_accounting_json(const model::AccountingReport& report);

// Owners, then containers (with a line per GPU), busiest held window first: GPU-hours held, busy,
// idle-held and busy / held. `window_title` names the window ("last 10 s", "since 05:00").
std::string to_accounting_table(const model::AccountingReport& report, const std::string& window_title);

}  // namespace cmon::exporters
