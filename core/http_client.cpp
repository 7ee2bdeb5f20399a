#include "core/http_client.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include <cctype>
#include <cstdlib>
#include <mutex>

#include "core/address_policy.hpp"

namespace bl {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) std::abort();
  });
}

CURLM* as_multi(void* m) {
  return static_cast<CURLM*>(m);
}

}  // namespace

struct HttpClient::Call {
  CallId id = 0;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  HttpCall spec;
  HttpCallResult result;
  Done done;
  bool aborted_by_reader = false;

  ~Call() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (header_list != nullptr) curl_slist_free_all(header_list);
  }

  static size_t on_body(char* data, size_t size, size_t n, void* arg) {
    auto* c = static_cast<Call*>(arg);
    const size_t len = size * n;
    if (c->spec.on_chunk) {
      if (!c->spec.on_chunk(std::string_view(data, len))) {
        c->aborted_by_reader = true;
        return 0;  // makes libcurl fail the transfer with CURLE_WRITE_ERROR
      }
    } else {
      c->result.body.append(data, len);
    }
    return len;
  }

  static size_t on_header(char* data, size_t size, size_t n, void* arg) {
    auto* c = static_cast<Call*>(arg);
    const size_t len = size * n;
    std::string_view line(data, len);
    if (line.rfind("HTTP/", 0) == 0) {
      c->result.headers.clear();  // a new response (after 100 Continue or a redirect)
      return len;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return len;
    std::string name(line.substr(0, colon));
    for (char& ch : name)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    c->result.headers.emplace_back(std::move(name), std::string(value));
    return len;
  }

  // CURLOPT_OPENSOCKETFUNCTION of a public-addresses-only client: refuses what is not public.
  static curl_socket_t open_public_socket(void* arg, curlsocktype purpose, curl_sockaddr* a) {
    if (purpose != CURLSOCKTYPE_IPCXN || !is_public_address(&a->addr)) {
      static_cast<Call*>(arg)->result.address_refused = true;
      return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
  }
};

struct HttpClient::Socket {
  HttpClient* client = nullptr;
  EventPtr event;
};

bool HttpCallResult::timed_out() const {
  return curl_code == CURLE_OPERATION_TIMEDOUT;
}

const std::string* HttpCallResult::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

HttpClient::HttpClient(EventLoop& loop, bool public_addresses_only)
    : loop_(loop), public_addresses_only_(public_addresses_only) {
  global_init();
  multi_ = curl_multi_init();
  if (multi_ == nullptr) std::abort();
  timer_.reset(evtimer_new(loop_.base(), &HttpClient::on_timeout, this));
  CURLM* m = as_multi(multi_);
  curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, &HttpClient::on_socket);
  curl_multi_setopt(m, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, &HttpClient::on_timer);
  curl_multi_setopt(m, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(m, CURLMOPT_MAX_CONCURRENT_STREAMS, 1000L);
}

HttpClient::~HttpClient() {
  for (auto& [id, call] : calls_)
    curl_multi_remove_handle(as_multi(multi_), call->easy);
  calls_.clear();
  curl_multi_cleanup(as_multi(multi_));
}

HttpClient::CallId HttpClient::start(HttpCall spec, Done done) {
  auto call = std::make_unique<Call>();
  call->id = next_id_++;
  call->spec = std::move(spec);
  call->done = std::move(done);
  CURL* e = curl_easy_init();
  call->easy = e;
  const HttpCall& s = call->spec;
  curl_easy_setopt(e, CURLOPT_URL, s.url.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  // Waiting for a connection to multiplex on only pays over TLS (HTTP/2); for cleartext
  // HTTP/1.1 it would hold new calls back until the first response.
  if (s.url.rfind("https://", 0) == 0) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, s.connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, s.timeout_ms);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, s.low_speed_bytes);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, s.low_speed_seconds);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Call::on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, call.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Call::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, call.get());
  curl_easy_setopt(e, CURLOPT_PRIVATE, call.get());
  if (s.method == "POST") {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, s.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(s.body.size()));
  } else if (s.method != "GET") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, s.method.c_str());
    if (!s.body.empty()) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, s.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(s.body.size()));
    }
  }
  if (public_addresses_only_) {
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Call::open_public_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, call.get());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  }
  for (const auto& h : s.headers)
    call->header_list = curl_slist_append(call->header_list, h.c_str());
  call->header_list = curl_slist_append(call->header_list, "Expect:");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, call->header_list);
  const CallId id = call->id;
  calls_.emplace(id, std::move(call));
  curl_multi_add_handle(as_multi(multi_), e);
  return id;
}

bool HttpClient::cancel(CallId id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return false;
  curl_multi_remove_handle(as_multi(multi_), it->second->easy);
  calls_.erase(it);
  return true;
}

int HttpClient::on_socket(void*, int fd, int what, void* clientp, void* socketp) {
  auto* client = static_cast<HttpClient*>(clientp);
  auto* sock = static_cast<Socket*>(socketp);
  if (what == CURL_POLL_REMOVE) {
    delete sock;
    curl_multi_assign(as_multi(client->multi_), fd, nullptr);
    return 0;
  }
  if (sock == nullptr) {
    sock = new Socket;
    sock->client = client;
    curl_multi_assign(as_multi(client->multi_), fd, sock);
  }
  const short kind = static_cast<short>(((what & CURL_POLL_IN) ? EV_READ : 0) |
                                        ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST);
  if (sock->event) event_del(sock->event.get());
  sock->event.reset(event_new(client->loop_.base(), fd, kind, &HttpClient::on_event, client));
  event_add(sock->event.get(), nullptr);
  return 0;
}

int HttpClient::on_timer(void*, long timeout_ms, void* clientp) {
  auto* client = static_cast<HttpClient*>(clientp);
  if (timeout_ms < 0) {
    evtimer_del(client->timer_.get());
    return 0;
  }
  // 0 means "as soon as possible": fire on the next loop iteration, never inside libcurl.
  timeval tv{timeout_ms / 1000, static_cast<suseconds_t>((timeout_ms % 1000) * 1000)};
  evtimer_add(client->timer_.get(), &tv);
  return 0;
}

void HttpClient::on_event(evutil_socket_t fd, short events, void* arg) {
  const int mask =
      ((events & EV_READ) ? CURL_CSELECT_IN : 0) | ((events & EV_WRITE) ? CURL_CSELECT_OUT : 0);
  static_cast<HttpClient*>(arg)->socket_action(fd, mask);
}

void HttpClient::on_timeout(evutil_socket_t, short, void* arg) {
  static_cast<HttpClient*>(arg)->socket_action(CURL_SOCKET_TIMEOUT, 0);
}

void HttpClient::socket_action(int fd, int mask) {
  int running = 0;
  curl_multi_socket_action(as_multi(multi_), fd, mask, &running);
  finish_completed();
}

void HttpClient::finish_completed() {
  int pending = 0;
  while (CURLMsg* msg = curl_multi_info_read(as_multi(multi_), &pending)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Call* raw = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &raw);
    const CURLcode code = msg->data.result;
    auto it = calls_.find(raw->id);
    if (it == calls_.end()) continue;
    std::unique_ptr<Call> call = std::move(it->second);
    calls_.erase(it);
    curl_multi_remove_handle(as_multi(multi_), call->easy);
    HttpCallResult& r = call->result;
    r.curl_code = static_cast<int>(code);
    if (code != CURLE_OK) r.curl_error = curl_easy_strerror(code);
    curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &r.status);
    curl_off_t total = 0, first = 0;
    curl_easy_getinfo(call->easy, CURLINFO_TOTAL_TIME_T, &total);
    curl_easy_getinfo(call->easy, CURLINFO_STARTTRANSFER_TIME_T, &first);
    r.total_us = total;
    r.first_byte_us = first;
    Done done = std::move(call->done);
    HttpCallResult result = std::move(call->result);
    call.reset();  // frees the easy handle before the callback may start new calls
    done(std::move(result));
  }
}

}  // namespace bl
