#pragma once
// Paging of list endpoints, as OpenAI does it: ?limit=&after=<id of the last item seen>,
// answered with {"object": "list", "data": [...], "first_id", "last_id", "has_more"}.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/api_error.hpp"
#include "core/http_server.hpp"
#include "core/json.hpp"

namespace bl {

struct PageRequest {
  int limit = 20;
  std::optional<std::string> after;  // an API id, as given
};

// Reads limit (1..max_limit, default default_limit) and after from the query; a bad limit is a
// 400 in the error envelope.
Result<PageRequest> parse_page(const HttpRequest& request, int default_limit, int max_limit);

// Queries ask for limit + 1 rows to learn whether more exist: drops the extra row and says
// whether there was one.
template <class T>
bool trim_page(std::vector<T>& items, int limit) {
  if (items.size() <= static_cast<std::size_t>(limit)) return false;
  items.resize(static_cast<std::size_t>(limit));
  return true;
}

// Writes the list envelope. `ids` are the API ids of the items in order; write_item writes
// item i. has_more is true when the query found more than the page holds.
std::string list_json(const std::vector<std::string>& ids, bool has_more,
                      const std::function<void(JsonWriter&, std::size_t)>& write_item);

}  // namespace bl
