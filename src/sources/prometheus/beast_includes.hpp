// The Asio/Beast headers of the Prometheus client, in the order that compiles with g++ 12 in C++20 mode
// (<utility> first, stack-notes.md). Include only from prometheus_client.cpp.
#pragma once

// clang-format off
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
// clang-format on
