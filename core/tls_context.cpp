#include "core/tls_context.hpp"

namespace bl {

Result<SslCtxPtr> make_server_tls_context(const std::string& cert_file,
                                          const std::string& key_file) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return Error::internal("SSL_CTX_new failed");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION |
                                     SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_file.c_str()) != 1) {
    return Error::invalid("cannot load the TLS certificate chain from " + cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Error::invalid("cannot load the TLS private key from " + key_file);
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    return Error::invalid("the TLS private key does not match the certificate");
  }
  return ctx;
}

}  // namespace bl
