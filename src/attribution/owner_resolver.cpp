// OwnerResolver: label, then name pattern, then name.
#include "attribution/owner_resolver.hpp"

#include <stdexcept>

namespace cmon::attribution {

OwnerResolver::OwnerResolver(OwnerRule rule) : rule_(std::move(rule)) {
    if (rule_.pattern.empty()) return;
    if (auto error = pattern_error(rule_.pattern)) throw std::invalid_argument(*error);
    pattern_.emplace(rule_.pattern, std::regex::ECMAScript);
}

std::optional<std::string> OwnerResolver::pattern_error(const std::string& pattern) {
    if (pattern.empty()) return std::nullopt;
    try {
        std::regex compiled(pattern, std::regex::ECMAScript);
        if (compiled.mark_count() != 1) {
            return "'" + pattern + "' has " + std::to_string(compiled.mark_count()) +
                   " capture groups; it needs exactly one, e.g. ^([a-z]+)[-_]";
        }
    } catch (const std::regex_error& e) {
        return "'" + pattern + "' is not a regular expression: " + e.what();
    }
    return std::nullopt;
}

std::string OwnerResolver::owner_of(const model::ContainerStats& container) const {
    if (!rule_.label.empty()) {
        const auto found = container.labels.find(rule_.label);
        if (found != container.labels.end() && !found->second.empty()) return found->second;
    }
    if (pattern_) {
        std::smatch match;
        // search, not match: a pattern anchors itself with ^ when it means the start.
        if (std::regex_search(container.name, match, *pattern_) && match.size() > 1 && match[1].length() > 0)
            return match[1].str();
    }
    if (!container.name.empty()) return container.name;
    return container.short_id.empty() ? container.id : container.short_id;
}

void OwnerResolver::assign(model::Snapshot& draft) const {
    for (auto& container : draft.containers) container.owner = owner_of(container);
}

}  // namespace cmon::attribution
