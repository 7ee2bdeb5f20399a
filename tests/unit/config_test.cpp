#include "config/config.hpp"

#include <gtest/gtest.h>

namespace bl {
namespace {

using Env = std::vector<std::pair<std::string, std::string>>;

TEST(Config, EnvironmentOverridesTheFile) {
  auto c = load_config_from(R"({"relay_batch_size": 10, "redis_url": "redis://h:1"})",
                            {{"BL_RELAY_BATCH_SIZE", "20"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->relay_batch_size, 20);
  EXPECT_EQ(c->redis_host, "h");
  EXPECT_EQ(c->redis_port, 1);
}

TEST(Config, BadValuesNameTheSetting) {
  auto c = load_config_from("", {{"BL_RELAY_BATCH_SIZE", "lots"}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("BL_RELAY_BATCH_SIZE"), std::string::npos);
  auto f = load_config_from(R"({"relay_batch_size": 0})", {});
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("relay_batch_size"), std::string::npos);
  auto u = load_config_from(R"({"no_such_setting": 1})", {});
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.error().message.find("no_such_setting"), std::string::npos);
}

TEST(Config, ModelsExpandEnvironmentAndDefaultTheirKeyVariable) {
  auto c = load_config_from(
      R"({"models": [{"id": "gpt-4o", "base_url": "http://${HOST:-x}:1", "input_usd_per_mtok": 2.5}]})",
      Env{{"HOST", "example"}, {"GPT_4O_KEY", "sk-1"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  const ModelConfig* m = c->find_model("gpt-4o");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->base_url, "http://example:1");
  EXPECT_EQ(m->api_key_env, "GPT_4O_KEY");
  EXPECT_EQ(m->api_key, "sk-1");
  EXPECT_EQ(m->upstream_model, "gpt-4o");
  EXPECT_EQ(m->input_nano_usd_per_mtok, 2500000000);
}

TEST(Config, RejectsModelIdsThatWouldBreakRedisKeys) {
  auto c = load_config_from(R"({"models": [{"id": "a}b", "base_url": "http://x"}]})", {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("models[0].id"), std::string::npos);
}

TEST(Config, DataKeysMustBe32Bytes) {
  EXPECT_FALSE(load_config_from("", {{"BL_DATA_KEYS", "k1:c2hvcnQ="}}).ok());
  auto c = load_config_from("", {{"BL_DATA_KEYS",
                                  "a:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,"
                                  "b:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->keyring.active_key_id(), "b");
}

}  // namespace
}  // namespace bl
