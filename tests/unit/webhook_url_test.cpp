#include "core/webhook_url.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include "core/address_policy.hpp"

namespace bl {
namespace {

TEST(WebhookUrl, AcceptsPublicHttpsUrls) {
  const WebhookUrlPolicy strict;
  EXPECT_TRUE(check_webhook_url("https://hooks.example.com/in?x=1#f", strict).ok());
  EXPECT_TRUE(check_webhook_url("https://8.8.8.8:8443/", strict).ok());
  EXPECT_TRUE(check_webhook_url("HTTPS://Hooks.Example.com/", strict).ok());
}

TEST(WebhookUrl, RefusesWhatIsNotAPublicHttpsUrl) {
  const WebhookUrlPolicy strict;
  for (const char* url : {"",
                          "http://hooks.example.com/",
                          "ftp://hooks.example.com/",
                          "file:///etc/passwd",
                          "https://",
                          "hooks.example.com",
                          "https://user:pw@hooks.example.com/",
                          "https://localhost/",
                          "https://a.localhost/",
                          "https://127.0.0.1/",
                          "https://10.0.0.1/",
                          "https://172.16.5.4/",
                          "https://192.168.1.1/",
                          "https://169.254.169.254/latest",
                          "https://100.64.0.1/",
                          "https://0.0.0.0/",
                          "https://[::1]/",
                          "https://[fd00::1]/",
                          "https://[fe80::1]/",
                          "https://[::ffff:10.0.0.1]/",
                          "https://a.example.com/ x"}) {
    EXPECT_FALSE(check_webhook_url(url, strict).ok()) << url;
  }
  EXPECT_FALSE(check_webhook_url("https://a.example.com/" + std::string(3000, 'a'), strict).ok());
}

TEST(WebhookUrl, APolicyMayAllowHttpAndPrivateAddresses) {
  const WebhookUrlPolicy dev{true, true};
  EXPECT_TRUE(check_webhook_url("http://127.0.0.1:8080/hook", dev).ok());
  EXPECT_TRUE(check_webhook_url("http://localhost/hook", dev).ok());
  EXPECT_FALSE(check_webhook_url("ftp://127.0.0.1/", dev).ok());
  EXPECT_FALSE(check_webhook_url("http://127.0.0.1/", {false, true}).ok());
  EXPECT_FALSE(check_webhook_url("http://127.0.0.1/", {true, false}).ok());
}

TEST(AddressPolicy, TellsPublicFromInternalAddresses) {
  EXPECT_EQ(is_public_ip_literal("8.8.8.8"), true);
  EXPECT_EQ(is_public_ip_literal("2606:4700::1111"), true);
  EXPECT_EQ(is_public_ip_literal("[2606:4700::1111]"), true);
  EXPECT_EQ(is_public_ip_literal("198.51.100.7"), false);  // documentation
  EXPECT_EQ(is_public_ip_literal("224.0.0.1"), false);
  EXPECT_EQ(is_public_ip_literal("64:ff9b::a00:1"), false);  // NAT64 of 10.0.0.1
  EXPECT_EQ(is_public_ip_literal("::ffff:8.8.8.8"), true);
  EXPECT_EQ(is_public_ip_literal("hooks.example.com"), std::nullopt);

  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
  EXPECT_FALSE(is_public_address(reinterpret_cast<sockaddr*>(&v4)));
  inet_pton(AF_INET, "1.1.1.1", &v4.sin_addr);
  EXPECT_TRUE(is_public_address(reinterpret_cast<sockaddr*>(&v4)));
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "fc00::5", &v6.sin6_addr);
  EXPECT_FALSE(is_public_address(reinterpret_cast<sockaddr*>(&v6)));
  EXPECT_FALSE(is_public_address(nullptr));
}

}  // namespace
}  // namespace bl
