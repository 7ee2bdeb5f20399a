#pragma once
// Server-side TLS for the HTTP server: OpenSSL 3 under libevent's bufferevent_openssl.

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "core/result.hpp"

namespace bl {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// Loads a PEM certificate chain and its private key; TLS 1.2 or newer. A peer that closes
// without close_notify ends its connection quietly (HTTP/1.1 frames its own messages).
Result<SslCtxPtr> make_server_tls_context(const std::string& cert_file,
                                          const std::string& key_file);

}  // namespace bl
