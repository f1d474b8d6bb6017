// JsonWriter: appends JSON to a string as it goes, with no document tree in between. The snapshot's JSON
// is built once per sample for the page's live stream; a nlohmann::json tree costs a std::map node and a
// key string per field before it is dumped (docs/performance.md, "Whole process").
// Numbers and strings are written exactly as nlohmann::json dumps them (integers as integers, doubles with
// its own round-trip conversion and ".0" kept on whole values, its escapes), so the same values give the same
// bytes through either. It never writes a raw line break (control characters in strings are escaped): an
// SSE frame carries its output as one "data:" line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace cmon::exporters {

class JsonWriter {
public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }
    // The next value is this member's.
    void key(std::string_view name);

    void string(std::string_view text);
    void boolean(bool value);
    void null();
    void number(double value);  // callers leave out non-finite values (JSON has none)
    // A value another JsonWriter wrote (one whole value: an object, an array, a scalar), copied as it is.
    void raw(std::string_view json) {
        separate();
        out_.append(json);
    }
    template <class T>
        requires std::is_integral_v<T> && (!std::is_same_v<T, bool>)
    void number(T value) {
        separate();
        if constexpr (std::is_signed_v<T>)
            append_signed(static_cast<std::int64_t>(value));
        else
            append_unsigned(static_cast<std::uint64_t>(value));
    }

private:
    void open(char bracket);
    void close(char bracket);
    void separate() {
        if (need_comma_) out_.push_back(',');
        need_comma_ = true;
    }
    void append_signed(std::int64_t value);
    void append_unsigned(std::uint64_t value);
    void append_string(std::string_view text);

    std::string& out_;
    bool need_comma_ = false;  // a value was written at this level: the next one needs a comma
};

}  // namespace cmon::exporters
