// write_response_head: the bytes a Beast parser reads back as the same response.
#include "http/response_head.hpp"

#include <gtest/gtest.h>
#include <string>

namespace cmon::http {
namespace {

Response json(std::string body) {
    Response response;
    response.content_type = "application/json";
    response.body = std::move(body);
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

TEST(ResponseHead, KeepAliveHasLengthAndNoConnectionField) {
    std::string head;
    write_response_head(head, json("{}"), 11, Framing::keep_alive);
    EXPECT_EQ(head,
              "HTTP/1.1 200 OK\r\nServer: container-monitor\r\nContent-Type: application/json\r\n"
              "Cache-Control: no-store\r\nContent-Length: 2\r\n\r\n");
}

TEST(ResponseHead, CloseAndHttp10) {
    std::string head;
    Response response = json("abc");
    response.status = 404;
    write_response_head(head, response, 11, Framing::close);
    EXPECT_NE(head.find("HTTP/1.1 404 Not Found\r\n"), std::string::npos);
    EXPECT_NE(head.find("\r\nConnection: close\r\n\r\n"), std::string::npos);
    write_response_head(head, response, 10, Framing::keep_alive);  // the string is replaced, not appended
    EXPECT_EQ(head.rfind("HTTP/1.0 404 Not Found\r\n", 0), 0u);
    EXPECT_NE(head.find("\r\nConnection: keep-alive\r\n\r\n"), std::string::npos);
    write_response_head(head, response, 10, Framing::close);
    EXPECT_EQ(head.find("Connection"), std::string::npos);
}

TEST(ResponseHead, HeadLengthNotModifiedAndStreams) {
    std::string head;
    Response get = json(std::string(67000, 'x'));
    get.headers.emplace_back("content-length", "5");  // not the router's to say: the payload's length wins
    EXPECT_EQ(write_response_head(head, get, 11, Framing::keep_alive).size(), 67000u);
    const std::string get_head = head;
    EXPECT_NE(head.find("\r\nContent-Length: 67000\r\n"), std::string::npos);
    EXPECT_EQ(head.find("content-length"), std::string::npos);
    // HEAD: the same head, nothing after it.
    EXPECT_TRUE(write_response_head(head, get, 11, Framing::keep_alive, true).empty());
    EXPECT_EQ(head, get_head);

    Response not_modified = json("");
    not_modified.status = 304;
    write_response_head(head, not_modified, 11, Framing::keep_alive);
    EXPECT_EQ(head.rfind("HTTP/1.1 304 Not Modified\r\n", 0), 0u);
    EXPECT_EQ(head.find("Content-Length"), std::string::npos);

    Response events;
    events.content_type = "text/event-stream";
    write_response_head(head, events, 11, Framing::until_close);
    EXPECT_EQ(head.find("Content-Length"), std::string::npos);
    EXPECT_NE(head.find("\r\nConnection: close\r\n\r\n"), std::string::npos);
}

TEST(ResponseHead, RepeatedChallengesStaySeparate) {
    std::string head;
    Response response = json("{}");
    response.status = 401;
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"x\"");
    write_response_head(head, response, 11, Framing::close);
    EXPECT_NE(head.find("WWW-Authenticate: Bearer\r\nWWW-Authenticate: Basic realm=\"x\"\r\n"), std::string::npos);
    EXPECT_EQ(head.rfind("HTTP/1.1 401 Unauthorized\r\n", 0), 0u);
}

}  // namespace
}  // namespace cmon::http
