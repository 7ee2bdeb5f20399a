#include "core/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <memory>

namespace bl {
namespace {

constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    std::abort();  // keys and ids would be predictable: never continue
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), u8(bytes),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return Error::invalid("base64 length is not a multiple of 4");
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), u8(text),
                                static_cast<int>(text.size()));
  if (n < 0) return Error::invalid("invalid base64");
  std::size_t len = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts padding as zero bytes.
  if (!text.empty() && text.back() == '=') --len;
  if (text.size() > 1 && text[text.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string s = base64_encode(bytes);
  while (!s.empty() && s.back() == '=')
    s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), u8(data), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Status DataKeyring::add_key(std::string key_id, std::string key) {
  if (key.size() != kKeyBytes) {
    return Error::invalid("data key " + key_id + " must be 32 bytes (base64 of 32 random bytes)");
  }
  if (key_id.empty() || key_id.size() > 32) return Error::invalid("data key id must be 1-32 chars");
  keys_[std::move(key_id)] = std::move(key);
  return {};
}

Status DataKeyring::set_active(const std::string& key_id) {
  if (keys_.count(key_id) == 0) return Error::invalid("active data key " + key_id + " is unknown");
  active_ = key_id;
  return {};
}

Result<SealedBox> DataKeyring::seal(std::string_view plaintext, std::string_view aad) const {
  auto it = keys_.find(active_);
  if (it == keys_.end()) return Error::internal("no active data key");
  SealedBox box{active_, random_bytes(kNonceBytes),
                std::string(plaintext.size() + kTagBytes, '\0')};
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  auto* out = reinterpret_cast<unsigned char*>(box.ciphertext.data());
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u8(it->second),
                                      u8(box.nonce)) == 1;
  ok =
      ok && EVP_EncryptUpdate(ctx.get(), nullptr, &len, u8(aad), static_cast<int>(aad.size())) == 1;
  ok = ok && EVP_EncryptUpdate(ctx.get(), out, &len, u8(plaintext),
                               static_cast<int>(plaintext.size())) == 1;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), out + len, &len) == 1;
  ok = ok &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out + plaintext.size()) == 1;
  if (!ok) return Error::internal("AES-GCM seal failed");
  return box;
}

Result<std::string> DataKeyring::open(const SealedBox& box, std::string_view aad) const {
  auto it = keys_.find(box.key_id);
  if (it == keys_.end()) return Error::internal("data key " + box.key_id + " is not configured");
  if (box.nonce.size() != kNonceBytes || box.ciphertext.size() < kTagBytes) {
    return Error::internal("sealed box is malformed");
  }
  const std::size_t n = box.ciphertext.size() - kTagBytes;
  std::string plain(n, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  std::string tag = box.ciphertext.substr(n);
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u8(it->second),
                                      u8(box.nonce)) == 1;
  ok =
      ok && EVP_DecryptUpdate(ctx.get(), nullptr, &len, u8(aad), static_cast<int>(aad.size())) == 1;
  ok = ok && EVP_DecryptUpdate(ctx.get(), out, &len, u8(box.ciphertext), static_cast<int>(n)) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1;
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), out + len, &len) == 1;
  if (!ok) return Error::internal("AES-GCM open failed (wrong key or tampered data)");
  return plain;
}

}  // namespace bl
