#include "bench/harness/http_load.hpp"

#include <curl/curl.h>

#include <chrono>
#include <memory>

namespace bl::bench {
namespace {

using Clock = std::chrono::steady_clock;

size_t discard_body(char*, size_t size, size_t n, void*) {
  return size * n;
}

// One client slot: its easy handle is reused so the connection stays alive between calls.
struct Slot {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpCall call;
  Clock::time_point started;
};

void start_call(CURLM* multi, Slot& slot, HttpCall call) {
  slot.call = std::move(call);
  curl_slist_free_all(slot.headers);
  slot.headers = nullptr;
  for (const auto& h : slot.call.headers)
    slot.headers = curl_slist_append(slot.headers, h.c_str());
  slot.headers = curl_slist_append(slot.headers, "Expect:");
  CURL* e = slot.easy;
  curl_easy_setopt(e, CURLOPT_URL, slot.call.url.c_str());
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, slot.call.method.c_str());
  if (slot.call.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, slot.call.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(slot.call.body.size()));
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, slot.headers);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 120000L);
  curl_easy_setopt(e, CURLOPT_PRIVATE, &slot);
  slot.started = Clock::now();
  curl_multi_add_handle(multi, e);
}

}  // namespace

HttpLoadResult run_http_load(std::size_t count, int concurrency,
                             const std::function<HttpCall(std::size_t)>& make) {
  HttpLoadResult result;
  result.latencies_ms.reserve(count);
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(curl_multi_init(),
                                                              &curl_multi_cleanup);
  curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(concurrency));
  std::vector<Slot> slots(static_cast<std::size_t>(std::max(1, concurrency)));
  for (auto& s : slots)
    s.easy = curl_easy_init();

  const auto started = Clock::now();
  std::size_t next = 0;
  int running = 0;
  for (auto& s : slots) {
    if (next >= count) break;
    start_call(multi.get(), s, make(next++));
  }
  std::size_t done = 0;
  while (done < count) {
    curl_multi_perform(multi.get(), &running);
    int queued = 0;
    while (CURLMsg* m = curl_multi_info_read(multi.get(), &queued)) {
      if (m->msg != CURLMSG_DONE) continue;
      Slot* slot = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &slot);
      long status = 0;
      curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      const bool ok = m->data.result == CURLE_OK && status >= 200 && status < 300;
      result.latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - slot->started).count());
      if (ok) {
        ++result.ok;
      } else {
        if (result.failed++ == 0) result.first_failure_status = status;
      }
      ++done;
      curl_multi_remove_handle(multi.get(), m->easy_handle);
      if (next < count) start_call(multi.get(), *slot, make(next++));
    }
    if (done < count) curl_multi_poll(multi.get(), nullptr, 0, 100, nullptr);
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  for (auto& s : slots) {
    curl_slist_free_all(s.headers);
    curl_easy_cleanup(s.easy);
  }
  return result;
}

}  // namespace bl::bench
