// Authenticating CDS clients (CDS Hooks 2.0, "Trusting CDS Clients"): every call carries
// `Authorization: Bearer <JWT>` signed by a key of the client's JWK Set, which the service is
// given out of band (`rubric serve --jwks FILE`). Signatures are checked with OpenSSL.
//
// Accepted: ES256 (P-256), ES384 (P-384) and RS384 (RSA of at least 2048 bits), the key chosen
// by the header's `kid`; `none`, HMAC and every other algorithm are refused. The claims: `iss`
// (in the allowlist when one is given), `aud` (a string or an array holding the endpoint's URL),
// `exp` and `iat` (60 seconds of clock skew allowed; a token may live at most an hour), `jti`
// (a token is accepted once: replays are refused while it is unexpired).
//
// Contract: a ClientAuthenticator is immutable but for its replay cache, which a mutex guards:
// `check` is thread-safe. Nothing here throws for bad input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace rubric::service {

// One public key of a JWK Set.
struct PublicKey;

class KeySet {
 public:
  // Reads a JWK Set (`{"keys": [...]}`); the error names the key and the problem. Keys of
  // other kinds (`oct`, curves other than P-256 and P-384, RSA under 2048 bits) or without a
  // `kid` are errors, not skipped: a key set the operator wrote must be understood whole.
  static std::variant<KeySet, std::string> read(std::string_view json);

  KeySet(KeySet&&) noexcept;
  KeySet& operator=(KeySet&&) noexcept;
  ~KeySet();

  [[nodiscard]] std::size_t size() const { return keys_.size(); }

 private:
  KeySet();
  friend class ClientAuthenticator;
  std::vector<std::unique_ptr<PublicKey>> keys_;
};

// What `check` decided: the reason is for the log only, never for the caller.
struct AuthResult {
  bool accepted = false;
  std::string reason;  // why not ("the token expired at 1767225600"), empty when accepted
  std::string issuer;  // the `iss` of an accepted token
};

inline constexpr std::int64_t kClockSkewSeconds = 60;
inline constexpr std::int64_t kMaxTokenLifetimeSeconds = 3600;
inline constexpr std::size_t kMaxRememberedTokens = 1000000;

class ClientAuthenticator {
 public:
  // `issuers`: the accepted `iss` values; empty accepts any issuer whose key is in the set.
  ClientAuthenticator(KeySet keys, std::vector<std::string> issuers);

  // Checks the `Authorization` header field's value (nullopt when absent) for a call to the
  // endpoint `audience` (`https://cds.example.org/cds-services/some-service`) at `now`
  // (seconds since the epoch). An accepted token's `jti` is remembered until it expires.
  AuthResult check(const std::optional<std::string>& authorization,
                   const std::vector<std::string>& audiences, std::int64_t now) const;

 private:
  KeySet keys_;
  std::vector<std::string> issuers_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, std::int64_t> seen_;  // jti → exp
  mutable std::size_t purge_at_ = 1024;
};

// Base64url (RFC 4648 §5, no padding) to bytes; nullopt for any other character or a
// length that is not one of base64's.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace rubric::service
