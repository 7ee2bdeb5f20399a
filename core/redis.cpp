#include "core/redis.hpp"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <openssl/sha.h>

#include "core/crypto.hpp"
#include "core/log.hpp"

namespace bl {
namespace {

RedisReply copy_reply(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i)
        out.elements.push_back(copy_reply(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

struct ArgvView {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  explicit ArgvView(const RedisArgs& args) {
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
  }
  int argc() const { return static_cast<int>(argv.size()); }
};

timeval to_timeval(int ms) {
  return timeval{ms / 1000, static_cast<suseconds_t>((ms % 1000) * 1000)};
}

}  // namespace

Result<std::unique_ptr<RedisClient>> RedisClient::connect(const std::string& host, int port,
                                                          int timeout_ms) {
  redisContext* c = redisConnectWithTimeout(host.c_str(), port, to_timeval(timeout_ms));
  if (c == nullptr) return Error::unavailable("redis: out of memory");
  if (c->err != 0) {
    std::string why = c->errstr;
    redisFree(c);
    return Error::unavailable("redis " + host + ":" + std::to_string(port) + ": " + why);
  }
  redisSetTimeout(c, to_timeval(timeout_ms * 5));
  redisEnableKeepAlive(c);
  return std::unique_ptr<RedisClient>(new RedisClient(c));
}

RedisClient::~RedisClient() {
  redisFree(ctx_);
}

Result<RedisReply> RedisClient::command(const RedisArgs& args) {
  if (ctx_->err != 0) return Error::unavailable("redis connection is broken");
  ArgvView v(args);
  void* raw = redisCommandArgv(ctx_, v.argc(), v.argv.data(), v.lens.data());
  if (raw == nullptr) return Error::unavailable(std::string("redis: ") + ctx_->errstr);
  RedisReply r = copy_reply(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return r;
}

Result<std::vector<RedisReply>> RedisClient::pipeline(const std::vector<RedisArgs>& commands) {
  if (ctx_->err != 0) return Error::unavailable("redis connection is broken");
  for (const auto& args : commands) {
    ArgvView v(args);
    if (redisAppendCommandArgv(ctx_, v.argc(), v.argv.data(), v.lens.data()) != REDIS_OK) {
      return Error::unavailable(std::string("redis: ") + ctx_->errstr);
    }
  }
  std::vector<RedisReply> out;
  out.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
      return Error::unavailable(std::string("redis: ") + ctx_->errstr);
    }
    out.push_back(copy_reply(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return out;
}

Result<RedisReply> RedisClient::next_reply() {
  if (ctx_->err != 0) return Error::unavailable("redis connection is broken");
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
    return Error::unavailable(std::string("redis: ") + ctx_->errstr);
  }
  RedisReply r = copy_reply(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return r;
}

RedisAsync::RedisAsync(EventLoop& loop, std::string host, int port)
    : loop_(loop), host_(std::move(host)), port_(port) {
  reconnect_timer_ = std::make_unique<Timer>(loop_, [this] { connect(); });
}

RedisAsync::~RedisAsync() {
  closing_ = true;
  if (ctx_ != nullptr) redisAsyncFree(ctx_);
}

void RedisAsync::connect() {
  if (ctx_ != nullptr || closing_) return;
  redisAsyncContext* c = redisAsyncConnect(host_.c_str(), port_);
  if (c == nullptr || c->err != 0) {
    if (c != nullptr) redisAsyncFree(c);
    schedule_reconnect();
    return;
  }
  c->data = this;
  redisLibeventAttach(c, loop_.base());
  redisAsyncSetConnectCallback(c, &RedisAsync::on_connect);
  redisAsyncSetDisconnectCallback(c, &RedisAsync::on_disconnect);
  ctx_ = c;
}

void RedisAsync::schedule_reconnect() {
  if (!closing_) reconnect_timer_->arm(250);
}

void RedisAsync::on_connect(const redisAsyncContext* c, int status) {
  auto* self = static_cast<RedisAsync*>(c->data);
  if (status != REDIS_OK) {
    // hiredis frees the context after this callback.
    self->ctx_ = nullptr;
    self->connected_ = false;
    log::warn("redis.connect_failed", {{"port", self->port_}});
    self->schedule_reconnect();
    return;
  }
  self->connected_ = true;
}

void RedisAsync::on_disconnect(const redisAsyncContext* c, int status) {
  auto* self = static_cast<RedisAsync*>(c->data);
  self->ctx_ = nullptr;
  self->connected_ = false;
  if (self->closing_) return;
  if (status != REDIS_OK) log::warn("redis.disconnected", {{"port", self->port_}});
  self->schedule_reconnect();
}

void RedisAsync::command(const RedisArgs& args, Callback cb) {
  if (ctx_ == nullptr) {
    connect();
    if (ctx_ == nullptr) {
      cb(Error::unavailable("redis is not connected"));
      return;
    }
  }
  ArgvView v(args);
  auto* holder = new Callback(std::move(cb));
  if (redisAsyncCommandArgv(ctx_, &RedisAsync::on_reply, holder, v.argc(), v.argv.data(),
                            v.lens.data()) != REDIS_OK) {
    std::unique_ptr<Callback> owned(holder);
    (*owned)(Error::unavailable("redis command could not be queued"));
  }
}

void RedisAsync::on_reply(redisAsyncContext* c, void* reply, void* privdata) {
  std::unique_ptr<Callback> cb(static_cast<Callback*>(privdata));
  auto* self = static_cast<RedisAsync*>(c->data);
  if (self != nullptr && self->closing_) return;
  if (reply == nullptr) {
    (*cb)(Error::unavailable("redis connection lost"));
    return;
  }
  (*cb)(copy_reply(static_cast<redisReply*>(reply)));
}

RedisScript::RedisScript(std::string source) : source_(std::move(source)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(source_.data()), source_.size(), digest);
  sha1_ = hex_encode(std::string_view(reinterpret_cast<char*>(digest), sizeof(digest)));
}

RedisArgs RedisScript::evalsha(const RedisArgs& keys, const RedisArgs& args) const {
  RedisArgs out{"EVALSHA", sha1_, std::to_string(keys.size())};
  out.insert(out.end(), keys.begin(), keys.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

RedisArgs RedisScript::eval(const RedisArgs& keys, const RedisArgs& args) const {
  RedisArgs out{"EVAL", source_, std::to_string(keys.size())};
  out.insert(out.end(), keys.begin(), keys.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

bool is_noscript(const RedisReply& r) {
  return r.is_error() && r.str.rfind("NOSCRIPT", 0) == 0;
}

}  // namespace bl
