#include "app/client_commands.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "app/api_client.hpp"
#include "app/batch_input_file.hpp"
#include "app/flags.hpp"
#include "app/progress_display.hpp"
#include "core/json.hpp"

namespace bl {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(500);
constexpr const char* kDefaultUrl = "http://127.0.0.1:8080";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "batchline: %s\n", message.c_str());
  return kExitUsage;
}

int api_error(const ApiReply& reply) {
  std::fprintf(stderr, "batchline: %s\n", reply.describe().c_str());
  return reply.status >= 400 && reply.status < 500 ? kExitRefused : kExitUnavailable;
}

std::string setting(const Flags& flags, const char* flag, const char* env, const char* fallback) {
  if (flags.has(flag)) return flags.get(flag);
  const char* v = std::getenv(env);
  return v != nullptr && *v != '\0' ? v : fallback;
}

ApiClient client_from(const Flags& flags) {
  return ApiClient(setting(flags, "url", "BL_URL", kDefaultUrl),
                   setting(flags, "api-key", "BL_API_KEY", ""));
}

bool read_whole_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

bool is_terminal_status(std::string_view s) {
  return s == "completed" || s == "failed" || s == "expired" || s == "cancelled";
}

BatchProgress progress_of(const JsonValue& batch) {
  BatchProgress p;
  p.status = std::string(json_string(batch, "status").value_or("unknown"));
  if (const JsonValue* g = json_member(batch, "progress"); g != nullptr && g->IsObject()) {
    p.total = json_int(*g, "total").value_or(0);
    p.pending = json_int(*g, "pending").value_or(0);
    p.succeeded = json_int(*g, "succeeded").value_or(0);
    p.failed = json_int(*g, "failed").value_or(0) + json_int(*g, "cancelled").value_or(0) +
               json_int(*g, "expired").value_or(0);
  }
  return p;
}

// Polls the batch until it ends, drawing progress from `created` (the create's answer) on;
// returns the exit code.
int wait_for_batch(const ApiClient& api, const std::string& id, const BatchProgress& created) {
  ProgressDisplay display(stdout, isatty(STDOUT_FILENO) == 1);
  if (!is_terminal_status(created.status)) display.update(created, ProgressDisplay::Clock::now());
  for (;;) {
    const ApiReply reply = api.get("/v1/batches/" + id);
    if (!reply.ok()) return api_error(reply);
    auto doc = parse_json(reply.body);
    if (!doc.ok() || !doc->IsObject()) return usage_error("the server sent an unreadable batch");
    const BatchProgress p = progress_of(*doc);
    const auto now = ProgressDisplay::Clock::now();
    if (is_terminal_status(p.status)) {
      display.summary(id, p, now);
      return p.status == "completed" && p.failed == 0 ? kExitOk : kExitRequestsFailed;
    }
    display.update(p, now);
    std::this_thread::sleep_for(kPollInterval);
  }
}

// Writes the batch's output (or error) lines to `path` ("-" or empty: stdout).
int download_results(const ApiClient& api, const std::string& id, const std::string& path,
                     bool errors) {
  const ApiReply reply = api.get("/v1/batches/" + id + (errors ? "/errors" : "/output"));
  if (!reply.ok()) return api_error(reply);
  if (path.empty() || path == "-") {
    std::fwrite(reply.body.data(), 1, reply.body.size(), stdout);
    return kExitOk;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << reply.body;
  if (!out.flush()) return usage_error("cannot write " + path);
  long long lines = 0;
  for (char c : reply.body)
    lines += c == '\n';
  std::fprintf(stderr, "wrote %lld lines to %s\n", lines, path.c_str());
  return kExitOk;
}

int submit(int argc, char** argv) {
  const Flags flags = parse_flags(argc, argv, 2, {"wait"});
  if (flags.positional.size() != 1) {
    return usage_error("usage: batchline submit FILE.jsonl --model M [--wait] [--output OUT]");
  }
  std::string content;
  if (!read_whole_file(flags.positional[0], &content)) {
    return usage_error("cannot read " + flags.positional[0]);
  }
  auto input = to_batch_input(content, flags.get("model"));
  if (!input.ok()) return usage_error(flags.positional[0] + ": " + input.error().message);
  const ApiClient api = client_from(flags);
  const ApiReply file =
      api.post_file("/v1/files", {{"purpose", "batch"}}, "input.jsonl", input->jsonl);
  if (!file.ok()) return api_error(file);
  auto file_doc = parse_json(file.body);
  const auto file_id = file_doc.ok() ? json_string(*file_doc, "id") : std::nullopt;
  if (!file_id) return usage_error("the server sent an unreadable file object");
  JsonWriter w;
  w.begin_object();
  w.field("input_file_id", *file_id);
  w.field("endpoint", "/v1/chat/completions");
  w.field("completion_window", "24h");
  w.end_object();
  const ApiReply batch = api.post_json("/v1/batches", w.str());
  if (!batch.ok()) return api_error(batch);
  auto batch_doc = parse_json(batch.body);
  const auto batch_id = batch_doc.ok() ? json_string(*batch_doc, "id") : std::nullopt;
  if (!batch_id) return usage_error("the server sent an unreadable batch object");
  const std::string id(*batch_id);
  std::printf("%s submitted: %d requests\n", id.c_str(), input->requests);
  std::fflush(stdout);
  if (!flags.has("wait")) return kExitOk;
  const int code = wait_for_batch(api, id, progress_of(*batch_doc));
  if (code > kExitRequestsFailed || !flags.has("output")) return code;
  const int written = download_results(api, id, flags.get("output"), false);
  return written != kExitOk ? written : code;
}

int results(int argc, char** argv) {
  const Flags flags = parse_flags(argc, argv, 2, {"errors"});
  if (flags.positional.size() != 1) {
    return usage_error("usage: batchline results BATCH [--output OUT] [--errors]");
  }
  const ApiClient api = client_from(flags);
  const std::string& id = flags.positional[0];
  const ApiReply batch = api.get("/v1/batches/" + id);
  if (!batch.ok()) return api_error(batch);
  auto doc = parse_json(batch.body);
  const auto status = doc.ok() ? json_string(*doc, "status") : std::nullopt;
  if (!status || !is_terminal_status(*status)) {
    std::fprintf(stderr, "batchline: %s is %s: results so far only\n", id.c_str(),
                 status ? std::string(*status).c_str() : "unknown");
  }
  return download_results(api, id, flags.get("output"), flags.has("errors"));
}

// Prints the body of a successful reply.
int print_reply(const ApiReply& reply) {
  if (!reply.ok()) return api_error(reply);
  std::fwrite(reply.body.data(), 1, reply.body.size(), stdout);
  if (reply.body.empty() || reply.body.back() != '\n') std::fputc('\n', stdout);
  return kExitOk;
}

// Appends "?a=b&c=d" for the flags that are set (values are ids, states and numbers).
std::string query_of(const Flags& flags,
                     std::initializer_list<std::pair<const char*, const char*>> flag_to_param) {
  std::string q;
  for (const auto& [flag, param] : flag_to_param) {
    if (!flags.has(flag)) continue;
    q += (q.empty() ? "?" : "&") + std::string(param) + "=" + flags.get(flag);
  }
  return q;
}

int jobs(int argc, char** argv) {
  const Flags flags = parse_flags(argc, argv, 2);
  const std::string usage =
      "usage: batchline jobs get JOB [--wait SECONDS] | jobs list [--status S] [--batch B] "
      "[--limit N] [--after JOB] | jobs cancel JOB";
  if (flags.positional.empty()) return usage_error(usage);
  const std::string& verb = flags.positional[0];
  const ApiClient api = client_from(flags);
  if (verb == "list" && flags.positional.size() == 1) {
    return print_reply(api.get("/v1/jobs" + query_of(flags, {{"status", "status"},
                                                             {"batch", "batch_id"},
                                                             {"limit", "limit"},
                                                             {"after", "after"}})));
  }
  if (flags.positional.size() != 2) return usage_error(usage);
  const std::string path = "/v1/jobs/" + flags.positional[1];
  if (verb == "get") return print_reply(api.get(path + query_of(flags, {{"wait", "wait"}})));
  if (verb == "cancel") return print_reply(api.post_json(path + "/cancel", "{}"));
  return usage_error(usage);
}

}  // namespace

bool is_client_command(const std::string& command) {
  return command == "submit" || command == "results" || command == "jobs";
}

int run_client_command(const std::string& command, int argc, char** argv) {
  if (command == "submit") return submit(argc, argv);
  if (command == "results") return results(argc, argv);
  return jobs(argc, argv);
}

}  // namespace bl
