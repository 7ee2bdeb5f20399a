#include "workers/delivery.hpp"

#include <charconv>

namespace bl {
namespace {

int to_int(const std::string& s, int fallback) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : fallback;
}

}  // namespace

bool parse_stream_entry(const RedisReply& entry, const std::string& stream,
                        const std::string& model, Delivery* d) {
  d->stream = stream;
  d->model = model;
  if (entry.elements.size() != 2) return false;
  d->entry_id = entry.elements[0].str;
  bool has_job = false;
  const auto& fields = entry.elements[1].elements;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& f = fields[i].str;
    const std::string& v = fields[i + 1].str;
    if (f == "job") {
      if (auto id = Uuid::parse(v)) {
        d->job_id = *id;
        has_job = true;
      }
    } else if (f == "attempt") {
      d->attempt = to_int(v, 0);
    } else if (f == "priority") {
      d->priority = to_int(v, 500);
    }
  }
  return has_job && d->attempt > 0 && !model.empty() && !d->entry_id.empty();
}

void parse_read_reply(const RedisReply& reply, const std::vector<std::string>& stream_keys,
                      const std::vector<std::string>& stream_models, std::vector<Delivery>* out,
                      std::vector<Delivery>* malformed) {
  if (reply.type != RedisReply::Type::kArray) return;  // nil: nothing arrived
  for (const RedisReply& stream : reply.elements) {
    if (stream.elements.size() != 2) continue;
    const std::string& key = stream.elements[0].str;
    std::string model;
    for (std::size_t i = 0; i < stream_keys.size(); ++i) {
      if (stream_keys[i] == key) model = stream_models[i];
    }
    for (const RedisReply& entry : stream.elements[1].elements) {
      Delivery d;
      if (parse_stream_entry(entry, key, model, &d)) {
        out->push_back(std::move(d));
      } else if (!d.entry_id.empty()) {
        malformed->push_back(std::move(d));
      }
    }
  }
}

}  // namespace bl
