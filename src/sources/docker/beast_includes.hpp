// The Asio/Beast headers the Docker client needs, in the one order that compiles with g++ 12 in C++20 mode:
// <utility> before Asio (Asio 1.74 does not compile here without it). Include only from docker_client.cpp:
// every includer pays Beast's compile time.
#pragma once

// clang-format off
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
// clang-format on
