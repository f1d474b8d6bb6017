// Who owns a container, for accounting and the page: the value of the owner label when the container has
// it, else the first capture group of the owner pattern matched against the name, else the name itself.
// Pure: reads only the container it is given.
#pragma once

#include <optional>
#include <regex>
#include <string>

#include "model/snapshot.hpp"

namespace cmon::attribution {

struct OwnerRule {
    std::string label = "owner";  // empty: no label is asked
    std::string pattern;          // ECMAScript regex with one capture group; empty: none
};

class OwnerResolver {
public:
    // Throws std::invalid_argument with a readable reason when the pattern does not compile or does not have
    // exactly one capture group (config parsing checks it first, so users see it at startup).
    explicit OwnerResolver(OwnerRule rule = {});

    // Never empty: a label or capture that is empty falls through to the next rule.
    std::string owner_of(const model::ContainerStats& container) const;
    // Sets ContainerStats::owner on every container of the draft.
    void assign(model::Snapshot& draft) const;

    // Why `pattern` is not usable, or nullopt when it is (an empty pattern is usable: no pattern).
    static std::optional<std::string> pattern_error(const std::string& pattern);

private:
    OwnerRule rule_;
    std::optional<std::regex> pattern_;
};

}  // namespace cmon::attribution
