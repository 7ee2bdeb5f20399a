#include "ingest/list_page.hpp"

#include <charconv>

namespace bl {

Result<PageRequest> parse_page(const HttpRequest& request, int default_limit, int max_limit) {
  PageRequest page;
  page.limit = default_limit;
  if (auto limit = request.query_param("limit")) {
    int v = 0;
    auto [p, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), v);
    if (ec != std::errc() || p != limit->data() + limit->size() || v < 1 || v > max_limit) {
      return Error::invalid("limit must be an integer from 1 to " + std::to_string(max_limit));
    }
    page.limit = v;
  }
  if (auto after = request.query_param("after")) page.after = *after;
  return page;
}

std::string list_json(const std::vector<std::string>& ids, bool has_more,
                      const std::function<void(JsonWriter&, std::size_t)>& write_item) {
  JsonWriter w;
  w.begin_object();
  w.field("object", "list");
  w.key("data").begin_array();
  for (std::size_t i = 0; i < ids.size(); ++i)
    write_item(w, i);
  w.end_array();
  if (ids.empty()) {
    w.null_field("first_id").null_field("last_id");
  } else {
    w.field("first_id", ids.front()).field("last_id", ids.back());
  }
  w.field("has_more", has_more);
  w.end_object();
  return w.str();
}

}  // namespace bl
