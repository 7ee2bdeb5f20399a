#include "workers/mock_llm/mock_llm.hpp"

#include <sys/resource.h>

#include <chrono>

#include "core/json.hpp"
#include "core/log.hpp"

namespace bl {
namespace {

constexpr std::size_t kMaxArrivals = 100000;
constexpr std::size_t kMaxRemembered = 1 << 20;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void send(const std::shared_ptr<MockExchange>& ex, const HttpResponse& r) {
  ex->respond(r.status, r.headers, r.body);
}

HttpResponse not_found() {
  return HttpResponse::json(404, R"({"error":{"message":"no such route","type":"not_found"}})");
}

// Sends events[i..] one by one, token_delay_ms apart; a truncated stream stops at `stop_at`
// and drops the connection.
void stream_events(std::shared_ptr<MockExchange> ex, std::shared_ptr<std::vector<std::string>> ev,
                   std::size_t i, std::size_t stop_at, std::int64_t delay_ms) {
  while (ex->open()) {
    if (i >= stop_at) {
      if (stop_at < ev->size()) {
        ex->drop();
      } else {
        ex->end_stream();
      }
      return;
    }
    ex->send_chunk((*ev)[i++]);
    if (delay_ms > 0 && i < stop_at) {
      ex->after(delay_ms,
                [ex, ev, i, stop_at, delay_ms] { stream_events(ex, ev, i, stop_at, delay_ms); });
      return;
    }
  }
}

}  // namespace

MockLlm::MockLlm(MockLlmOptions options) : options_(std::move(options)) {}

MockLlm::~MockLlm() {
  stop();
}

Status MockLlm::start() {
  MockHttpOptions o;
  o.host = options_.host;
  o.port = options_.port;
  o.threads = options_.threads;
  server_ = std::make_unique<MockHttpServer>(
      o, [this](HttpRequest& req, std::shared_ptr<MockExchange> ex) { handle(req, ex); });
  return server_->start();
}

void MockLlm::stop() {
  if (server_) server_->stop();
}

int MockLlm::port() const {
  return server_ ? server_->port() : 0;
}

void MockLlm::handle(HttpRequest& req, std::shared_ptr<MockExchange> ex) {
  const std::string& path = req.path;
  if (req.method == "GET") {
    if (path == "/healthz") return send(ex, HttpResponse::json(200, R"({"status":"ok"})"));
    if (path == "/mock/stats") return send(ex, HttpResponse::json(200, stats_json()));
    return send(ex, not_found());
  }
  if (req.method != "POST") return send(ex, not_found());
  if (path == "/v1/chat/completions") return serve(MockFormat::kOpenAi, "", false, req, ex);
  if (path == "/v1/messages") return serve(MockFormat::kAnthropic, "", false, req, ex);
  constexpr std::string_view kAzure = "/openai/deployments/";
  constexpr std::string_view kAzureTail = "/chat/completions";
  if (path.rfind(kAzure, 0) == 0 && path.size() > kAzure.size() + kAzureTail.size() &&
      path.compare(path.size() - kAzureTail.size(), kAzureTail.size(), kAzureTail) == 0) {
    const std::string deployment =
        path.substr(kAzure.size(), path.size() - kAzure.size() - kAzureTail.size());
    if (req.query.find("api-version=") == std::string::npos) {
      return send(ex, render_error(MockFormat::kAzure, "invalid", 0));
    }
    return serve(MockFormat::kAzure, deployment, false, req, ex);
  }
  constexpr std::string_view kGemini = "/v1beta/models/";
  if (path.rfind(kGemini, 0) == 0) {
    const std::string rest = path.substr(kGemini.size());
    const std::size_t colon = rest.rfind(':');
    if (colon != std::string::npos && colon > 0) {
      const std::string method = rest.substr(colon + 1);
      const std::string model = rest.substr(0, colon);
      if (method == "generateContent") return serve(MockFormat::kGemini, model, false, req, ex);
      if (method == "streamGenerateContent" && req.query.find("alt=sse") != std::string::npos) {
        return serve(MockFormat::kGemini, model, true, req, ex);
      }
    }
  }
  send(ex, not_found());
}

bool MockLlm::authorized(MockFormat format, const HttpRequest& req) const {
  if (options_.require_key.empty()) return true;
  const std::string* got = nullptr;
  std::string expected = options_.require_key;
  switch (format) {
    case MockFormat::kOpenAi:
      got = req.header("authorization");
      expected = "Bearer " + expected;
      break;
    case MockFormat::kAzure:
      got = req.header("api-key");
      break;
    case MockFormat::kAnthropic:
      got = req.header("x-api-key");
      break;
    case MockFormat::kGemini:
      got = req.header("x-goog-api-key");
      break;
  }
  return got != nullptr && *got == expected;
}

std::uint32_t MockLlm::note_request(std::uint64_t hash, const std::string& model) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_;
  ModelStats& s = stats_[model];
  ++s.requests;
  if (s.arrivals_ms.size() < kMaxArrivals) s.arrivals_ms.push_back(now_ms());
  if (seen_.size() > kMaxRemembered) seen_.clear();
  return seen_[hash]++;
}

std::string MockLlm::stats_json() {
  std::lock_guard<std::mutex> lock(mutex_);
  JsonWriter w;
  w.begin_object().field("requests", requests_).key("models").begin_object();
  for (const auto& [model, s] : stats_) {
    w.key(model).begin_object().field("requests", s.requests).key("arrivals_ms").begin_array();
    for (std::int64_t t : s.arrivals_ms)
      w.value(t);
    w.end_array().end_object();
  }
  w.end_object().end_object();
  return w.str();
}

void MockLlm::serve(MockFormat format, std::string_view model_in_path, bool stream_in_path,
                    HttpRequest& req, std::shared_ptr<MockExchange> ex) {
  if (!authorized(format, req)) return send(ex, render_error(format, "unauthorized", 0));
  if (format == MockFormat::kAnthropic && req.header("anthropic-version") == nullptr) {
    return send(ex, render_error(format, "invalid", 0));
  }
  auto parsed = parse_mock_request(format, model_in_path, stream_in_path, req.body);
  if (!parsed.ok()) return send(ex, render_error(format, "invalid", 0));
  const MockRequest request = std::move(*parsed);
  const std::uint64_t hash = mock_request_hash(req.body);
  const std::uint32_t occurrence = note_request(hash, request.model);
  std::string last_user;
  for (const auto& m : request.messages) {
    if (m.role == "user") last_user = m.text;
  }
  const MockPlan plan = mock_plan(options_, hash, occurrence, last_user);
  const std::string& fault = plan.fault;
  if (fault == "timeout") return;      // held until the client gives up
  const MockLlmOptions& o = options_;  // outlives every request: stop() joins the loops
  ex->after(plan.latency_ms, [ex, request, plan, &o] {
    const std::string& f = plan.fault;
    if (f == "drop") return ex->drop();
    if (f == "429") return send(ex, render_error(request.format, "rate_limited", o.retry_after_ms));
    if (f == "quota") return send(ex, render_error(request.format, "quota", 0));
    if (f == "500") return send(ex, render_error(request.format, "server", 0));
    if (f == "529") return send(ex, render_error(request.format, "overloaded", 0));
    if (f == "400") return send(ex, render_error(request.format, "invalid", 0));
    if (f == "401") return send(ex, render_error(request.format, "unauthorized", 0));
    const MockAnswer answer = mock_answer(request, o.seed);
    if (!request.stream) {
      std::string body = render_body(request, answer);
      if (f == "malformed") body = body.substr(0, body.size() / 2);
      if (f == "truncate") {
        ex->begin_stream(200, {{"Content-Type", "application/json"}});
        ex->send_chunk(body.substr(0, body.size() / 2));
        return ex->drop();
      }
      return ex->respond(200, {{"Content-Type", "application/json"}}, body);
    }
    auto events = std::make_shared<std::vector<std::string>>(render_stream(request, answer));
    if (f == "malformed" && !events->empty()) (*events)[events->size() / 2] = "data: {\"broken\n\n";
    const std::size_t stop_at = f == "truncate" ? events->size() / 2 : events->size();
    ex->begin_stream(200, {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}});
    stream_events(ex, events, 0, stop_at, o.token_delay_ms);
  });
}

int run_mock_llm(MockLlmOptions options, StopSignal& stop) {
  // Every held request keeps a socket open: use all the descriptors the process may.
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  MockLlm mock(std::move(options));
  if (auto s = mock.start(); !s.ok()) {
    log::error("mock_llm.start_failed", {{"error", log::code(error_code_name(s.error().code))}});
    return 1;
  }
  log::info("mock_llm.started", {{"port", mock.port()}});
  while (!stop.wait_for(std::chrono::seconds(1))) {
  }
  mock.stop();
  return 0;
}

}  // namespace bl
