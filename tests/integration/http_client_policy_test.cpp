// A public-addresses-only HttpClient: a name that resolves to an internal address is refused
// as the connection opens, where a check of the URL alone could not see it; and it never
// rides a connection another client opened.

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "core/event_loop.hpp"
#include "core/http_client.hpp"
#include "core/http_server.hpp"

namespace bl {
namespace {

HttpCallResult call(EventLoop& loop, HttpClient& client, const std::string& url) {
  std::promise<HttpCallResult> done;
  loop.post([&] {
    HttpCall c;
    c.method = "GET";
    c.url = url;
    client.start(std::move(c), [&](HttpCallResult r) { done.set_value(std::move(r)); });
  });
  return done.get_future().get();
}

TEST(HttpClientPolicy, PublicAddressesOnlyRefusesALocalServer) {
  Router router;
  router.add("GET", "/hook",
             [](HttpRequest&, Responder r) { r.send(HttpResponse::json(200, "{}")); });
  HttpServer server(HttpServerOptions{}, std::move(router));
  ASSERT_TRUE(server.start().ok());
  const std::string url = "http://localhost:" + std::to_string(server.port()) + "/hook";

  EventLoop loop;
  HttpClient trusted(loop);
  HttpClient untrusted(loop, true);
  std::thread thread([&] { loop.run(); });
  const HttpCallResult allowed = call(loop, trusted, url);
  const HttpCallResult refused = call(loop, untrusted, url);
  loop.post([&] { loop.stop(); });
  thread.join();
  server.stop();

  EXPECT_EQ(allowed.status, 200);
  EXPECT_FALSE(allowed.address_refused);
  EXPECT_FALSE(refused.transport_ok());
  EXPECT_TRUE(refused.address_refused);
  EXPECT_EQ(refused.status, 0);
}

}  // namespace
}  // namespace bl
