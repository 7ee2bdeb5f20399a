#include "tests/support/queue_probe.hpp"

#include <sstream>

#include "core/queue_keys.hpp"

namespace bl::test {
namespace {

const RedisReply* field_of(const RedisReply& flat, const std::string& name) {
  for (std::size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
    if (flat.elements[i].str == name) return &flat.elements[i + 1];
  }
  return nullptr;
}

}  // namespace

std::int64_t StreamEntry::ms() const {
  return std::stoll(id.substr(0, id.find('-')));
}

QueueProbe::QueueProbe(const TestRedis& redis, std::string model)
    : redis_(redis), model_(std::move(model)) {}

std::vector<StreamEntry> QueueProbe::entries() const {
  std::vector<StreamEntry> out;
  auto c = redis_.connect();
  const QueueKeys keys(redis_.prefix());
  for (int band = 0; band < kPriorityBands; ++band) {
    auto r = c->command({"XRANGE", keys.stream(model_, band), "-", "+"});
    if (!r.ok()) continue;
    for (const auto& entry : r->elements) {
      StreamEntry e;
      e.id = entry.elements[0].str;
      e.band = band;
      const RedisReply& fields = entry.elements[1];
      if (const auto* v = field_of(fields, "job")) e.job = v->str;
      if (const auto* v = field_of(fields, "attempt")) e.attempt = std::stoi(v->str);
      if (const auto* v = field_of(fields, "priority")) e.priority = std::stoi(v->str);
      out.push_back(std::move(e));
    }
  }
  return out;
}

long long QueueProbe::sum_over_bands(
    const std::function<long long(RedisClient&, const std::string&)>& of_stream) const {
  long long n = 0;
  auto c = redis_.connect();
  const QueueKeys keys(redis_.prefix());
  for (int band = 0; band < kPriorityBands; ++band)
    n += of_stream(*c, keys.stream(model_, band));
  return n;
}

long long QueueProbe::length() const {
  return sum_over_bands([](RedisClient& c, const std::string& key) {
    auto r = c.command({"XLEN", key});
    return r.ok() ? r->integer : 0;
  });
}

long long QueueProbe::entries_added() const {
  return sum_over_bands([](RedisClient& c, const std::string& key) -> long long {
    auto r = c.command({"XINFO", "STREAM", key});
    if (!r.ok() || r->is_error()) return 0;
    const auto* v = field_of(*r, "entries-added");
    return v != nullptr ? v->integer : 0;
  });
}

RoleEnv AdminPort::env() const {
  RoleEnv e;
  e.set("BL_ADMIN_LISTEN", "127.0.0.1:" + std::to_string(port));
  return e;
}

std::string AdminPort::metrics() const {
  auto r = http("GET", "http://127.0.0.1:" + std::to_string(port) + "/metrics");
  return r.status == 200 ? r.body : std::string();
}

bool AdminPort::healthy() const {
  return http("GET", "http://127.0.0.1:" + std::to_string(port) + "/healthz").status == 200;
}

double metric_value(const std::string& text, const std::string& name, const std::string& labels) {
  double sum = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    const std::string series = line.substr(0, space);
    const std::string metric = series.substr(0, series.find('{'));
    if (metric != name) continue;
    if (!labels.empty() && series.find(labels) == std::string::npos) continue;
    sum += std::stod(line.substr(space + 1));
  }
  return sum;
}

long long count_events(const TestDatabase& db, const std::string& type) {
  auto c = db.connect();
  pqxx::read_transaction tx(*c);
  return tx.exec_params1("SELECT count(*) FROM events WHERE event_type = $1", type)[0]
      .as<long long>();
}

}  // namespace bl::test
