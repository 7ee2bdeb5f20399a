#include "core/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include "core/json.hpp"

namespace bl::log {
namespace {

std::mutex g_mutex;
std::shared_ptr<spdlog::logger> g_logger;
std::string g_role = "batchline";
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};

spdlog::level::level_enum to_spdlog(Level l) {
  switch (l) {
    case Level::kTrace:
      return spdlog::level::trace;
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* level_name(Level l) {
  switch (l) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::shared_ptr<spdlog::logger> logger() {
  std::lock_guard lock(g_mutex);
  if (!g_logger) {
    g_logger = std::make_shared<spdlog::logger>("batchline",
                                                std::make_shared<spdlog::sinks::stderr_sink_mt>());
    g_logger->set_pattern("%v");
    g_logger->set_level(spdlog::level::trace);
    g_logger->flush_on(spdlog::level::info);
  }
  return g_logger;
}

}  // namespace

void init(std::string_view role, Level level, const std::string& path) {
  std::shared_ptr<spdlog::logger> l;
  if (path.empty()) {
    l = std::make_shared<spdlog::logger>("batchline",
                                         std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else {
    l = std::make_shared<spdlog::logger>(
        "batchline", std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false));
  }
  l->set_pattern("%v");
  l->set_level(spdlog::level::trace);
  l->flush_on(spdlog::level::info);
  std::lock_guard lock(g_mutex);
  g_logger = std::move(l);
  g_role = std::string(role);
  g_level = static_cast<int>(level);
}

bool parse_level(std::string_view text, Level* out) {
  static constexpr std::pair<std::string_view, Level> kNames[] = {
      {"trace", Level::kTrace}, {"debug", Level::kDebug}, {"info", Level::kInfo},
      {"warn", Level::kWarn},   {"error", Level::kError},
  };
  for (const auto& [name, level] : kNames) {
    if (text == name) {
      *out = level;
      return true;
    }
  }
  return false;
}

bool enabled(Level level) {
  return static_cast<int>(level) >= g_level.load();
}

void write(Level level, std::string_view event, Fields fields) {
  if (!enabled(level)) return;
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  JsonWriter w;
  w.begin_object();
  w.field("ts_ms", static_cast<std::int64_t>(ms));
  w.field("level", level_name(level));
  {
    std::lock_guard lock(g_mutex);
    w.field("role", g_role);
  }
  w.field("event", event);
  for (const Field& f : fields) {
    w.key(f.key);
    switch (f.value.kind()) {
      case Value::Kind::kInt:
        w.value(f.value.as_int());
        break;
      case Value::Kind::kUint:
        w.value(f.value.as_uint());
        break;
      case Value::Kind::kDouble:
        w.value(f.value.as_double());
        break;
      case Value::Kind::kBool:
        w.value(f.value.as_bool());
        break;
      case Value::Kind::kString:
        w.value(f.value.as_string());
        break;
    }
  }
  w.end_object();
  logger()->log(to_spdlog(level), "{}", w.view());
}

void flush() {
  logger()->flush();
}

}  // namespace bl::log
