#pragma once
// Files compiled into the binary by ingest/ui/embed.cmake: the OpenAPI document ("openapi.json")
// and the dashboard ("ui/index.html", "ui/app.js", ...). A deployed ingest never reads them from
// disk.

#include <string_view>
#include <vector>

namespace bl {

struct StaticFile {
  std::string_view name;  // "openapi.json", "ui/app.js"
  std::string_view content;
};

const std::vector<StaticFile>& embedded_static_files();

// The embedded file of that name, or nullptr.
const StaticFile* find_static_file(std::string_view name);

}  // namespace bl
