// Shared by the fuzz targets: the libFuzzer entry point's bytes as text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cmon::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Keeps a result alive so the optimizer cannot drop the call that made it.
template <typename T>
void keep(const T& value) {
    asm volatile("" : : "r"(&value) : "memory");
}

}  // namespace cmon::fuzz
