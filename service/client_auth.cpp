#include "service/client_auth.hpp"

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

namespace rubric::service {

namespace {

using Json = nlohmann::json;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

enum class Algorithm : std::uint8_t { es256, es384, rs384 };

std::optional<Algorithm> algorithm_named(std::string_view name) {
  if (name == "ES256") {
    return Algorithm::es256;
  }
  if (name == "ES384") {
    return Algorithm::es384;
  }
  if (name == "RS384") {
    return Algorithm::rs384;
  }
  return std::nullopt;
}

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '-') {
    return 62;
  }
  if (c == '_') {
    return 63;
  }
  return -1;
}

// An EC public key on `group` ("prime256v1", "secp384r1") from its coordinates.
Pkey ec_key(const char* group, const std::string& x, const std::string& y) {
  std::string point(1, '\x04');
  point += x;
  point += y;
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* context = nullptr;
  EVP_PKEY* key = nullptr;
  if (builder != nullptr &&
      OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) == 1 &&
      (params = OSSL_PARAM_BLD_to_param(builder)) != nullptr &&
      (context = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr)) != nullptr &&
      EVP_PKEY_fromdata_init(context) == 1) {
    if (EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
      key = nullptr;
    }
  }
  Pkey result(key);
  if (result) {
    // The point must lie on the curve.
    EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, result.get(), nullptr);
    if (check == nullptr || EVP_PKEY_public_check(check) != 1) {
      result.reset();
    }
    EVP_PKEY_CTX_free(check);
  }
  EVP_PKEY_CTX_free(context);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(builder);
  return result;
}

Pkey rsa_key(const std::string& modulus, const std::string& exponent) {
  BIGNUM* n = BN_bin2bn(reinterpret_cast<const unsigned char*>(modulus.data()),
                        static_cast<int>(modulus.size()), nullptr);
  BIGNUM* e = BN_bin2bn(reinterpret_cast<const unsigned char*>(exponent.data()),
                        static_cast<int>(exponent.size()), nullptr);
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* context = nullptr;
  EVP_PKEY* key = nullptr;
  if (n != nullptr && e != nullptr && builder != nullptr &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, e) == 1 &&
      (params = OSSL_PARAM_BLD_to_param(builder)) != nullptr &&
      (context = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) != nullptr &&
      EVP_PKEY_fromdata_init(context) == 1) {
    if (EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
      key = nullptr;
    }
  }
  EVP_PKEY_CTX_free(context);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(builder);
  BN_free(n);
  BN_free(e);
  return Pkey(key);
}

// A JWS ECDSA signature (R || S, each `half` bytes) as the DER that OpenSSL verifies.
std::optional<std::string> ecdsa_der(std::string_view signature) {
  const std::size_t half = signature.size() / 2;
  ECDSA_SIG* parts = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data()),
                        static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data() + half),
                        static_cast<int>(half), nullptr);
  std::optional<std::string> der;
  if (parts != nullptr && r != nullptr && s != nullptr && ECDSA_SIG_set0(parts, r, s) == 1) {
    r = nullptr;  // owned by `parts` now
    s = nullptr;
    const int size = i2d_ECDSA_SIG(parts, nullptr);
    if (size > 0) {
      std::string out(static_cast<std::size_t>(size), '\0');
      auto* cursor = reinterpret_cast<unsigned char*>(out.data());
      if (i2d_ECDSA_SIG(parts, &cursor) == size) {
        der = std::move(out);
      }
    }
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(parts);
  return der;
}

bool verify_signature(EVP_PKEY* key, const EVP_MD* digest, std::string_view signature,
                      std::string_view signed_text) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const bool ok =
      context != nullptr && EVP_DigestVerifyInit(context, nullptr, digest, nullptr, key) == 1 &&
      EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(signed_text.data()),
                       signed_text.size()) == 1;
  EVP_MD_CTX_free(context);
  return ok;
}

// A JSON object decoded from a base64url part; nullopt when it is not one.
std::optional<Json> json_part(std::string_view part) {
  const std::optional<std::string> text = base64url_decode(part);
  if (!text) {
    return std::nullopt;
  }
  Json value = Json::parse(*text, nullptr, false);
  if (value.is_discarded() || !value.is_object()) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> seconds(const Json& object, const char* name) {
  const auto found = object.find(name);
  if (found == object.end() || !found->is_number()) {
    return std::nullopt;
  }
  const double value = found->get<double>();
  if (!(value > -1e15 && value < 1e15)) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(value);
}

}  // namespace

struct PublicKey {
  std::string kid;
  Algorithm algorithm = Algorithm::es384;
  Pkey key;
};

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = base64url_value(c);
    if (value < 0) {
      return std::nullopt;
    }
    buffer = (buffer << 6U) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  // Leftover bits must be zero (a canonical encoding).
  if ((buffer & ((1U << static_cast<unsigned>(bits)) - 1U)) != 0) {
    return std::nullopt;
  }
  return out;
}

KeySet::KeySet() = default;
KeySet::KeySet(KeySet&&) noexcept = default;
KeySet& KeySet::operator=(KeySet&&) noexcept = default;
KeySet::~KeySet() = default;

std::variant<KeySet, std::string> KeySet::read(std::string_view json) {
  const Json set = Json::parse(json, nullptr, false);
  if (set.is_discarded()) {
    return std::string("the JWK Set is not valid JSON");
  }
  if (!set.is_object() || !set.contains("keys") || !set["keys"].is_array()) {
    return std::string("the JWK Set has no `keys` array");
  }
  KeySet keys;
  std::size_t index = 0;
  for (const Json& jwk : set["keys"]) {
    const auto text = [&](const char* name) -> std::string {
      const auto found = jwk.find(name);
      return found != jwk.end() && found->is_string() ? found->get<std::string>() : std::string();
    };
    const auto bytes = [&](const char* name) { return base64url_decode(text(name)); };
    const std::string where = fmt::format("key {}", index);
    if (!jwk.is_object()) {
      return where + " is not a JSON object";
    }
    auto key = std::make_unique<PublicKey>();
    key->kid = text("kid");
    if (key->kid.empty()) {
      return where + " has no `kid`";
    }
    const std::string named = fmt::format("key `{}`", key->kid);
    for (const auto& other : keys.keys_) {
      if (other->kid == key->kid) {
        return named + " appears twice; each `kid` must be unique";
      }
    }
    if (jwk.contains("d") || jwk.contains("p")) {
      return named + " holds a private key; give the service public keys only";
    }
    const std::string type = text("kty");
    const std::string declared = text("alg");
    if (type == "EC") {
      const std::string curve = text("crv");
      const std::optional<std::string> x = bytes("x");
      const std::optional<std::string> y = bytes("y");
      std::size_t size = 0;
      const char* group = nullptr;
      if (curve == "P-256") {
        key->algorithm = Algorithm::es256;
        size = 32;
        group = "prime256v1";
      } else if (curve == "P-384") {
        key->algorithm = Algorithm::es384;
        size = 48;
        group = "secp384r1";
      } else {
        return fmt::format("{}: curve `{}` is not P-256 or P-384", named, curve);
      }
      if (!x || !y || x->size() != size || y->size() != size) {
        return fmt::format("{}: `x` and `y` must be {} bytes each, base64url", named, size);
      }
      key->key = ec_key(group, *x, *y);
      if (!key->key) {
        return named + ": the point is not on the curve";
      }
    } else if (type == "RSA") {
      key->algorithm = Algorithm::rs384;
      const std::optional<std::string> n = bytes("n");
      const std::optional<std::string> e = bytes("e");
      if (!n || !e || n->empty() || e->empty()) {
        return named + ": `n` and `e` must be base64url";
      }
      // A public exponent is odd and at least 3 (RFC 8017; OpenSSL accepts e = 1, which makes
      // every signature forgeable).
      const std::size_t first = e->find_first_not_of('\0');
      if (first == std::string::npos || (static_cast<unsigned char>(e->back()) & 1U) == 0 ||
          (e->size() - first == 1 && static_cast<unsigned char>(e->back()) < 3)) {
        return named + ": the RSA exponent `e` must be odd and at least 3";
      }
      key->key = rsa_key(*n, *e);
      if (!key->key) {
        return named + ": not a valid RSA public key";
      }
      if (EVP_PKEY_get_bits(key->key.get()) < 2048) {
        return fmt::format("{}: an RSA key of {} bits is too weak; at least 2048", named,
                           EVP_PKEY_get_bits(key->key.get()));
      }
    } else {
      return fmt::format("{}: key type `{}` is not EC or RSA (symmetric keys are refused)", named,
                         type);
    }
    const char* expected = key->algorithm == Algorithm::es256   ? "ES256"
                           : key->algorithm == Algorithm::es384 ? "ES384"
                                                                : "RS384";
    if (!declared.empty() && declared != expected) {
      return fmt::format("{}: `alg` `{}` does not fit the key; this key signs `{}`", named,
                         declared, expected);
    }
    const std::string use = text("use");
    if (!use.empty() && use != "sig") {
      return fmt::format("{}: `use` is `{}`, not `sig`", named, use);
    }
    keys.keys_.push_back(std::move(key));
    ++index;
  }
  if (keys.keys_.empty()) {
    return std::string("the JWK Set has no keys");
  }
  return keys;
}

ClientAuthenticator::ClientAuthenticator(KeySet keys, std::vector<std::string> issuers)
    : keys_(std::move(keys)), issuers_(std::move(issuers)) {}

AuthResult ClientAuthenticator::check(const std::optional<std::string>& authorization,
                                      const std::vector<std::string>& audiences,
                                      std::int64_t now) const {
  const auto refuse = [](std::string reason) { return AuthResult{false, std::move(reason), {}}; };
  if (!authorization) {
    return refuse("no Authorization header");
  }
  std::string_view value = *authorization;
  if (value.size() < 7 || !(value.substr(0, 7) == "Bearer " || value.substr(0, 7) == "bearer ")) {
    return refuse("the Authorization header is not `Bearer <JWT>`");
  }
  value.remove_prefix(7);
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  const std::size_t first = value.find('.');
  const std::size_t second = first == std::string_view::npos ? first : value.find('.', first + 1);
  if (second == std::string_view::npos || value.find('.', second + 1) != std::string_view::npos) {
    return refuse("the token is not a JWS in compact form (three parts)");
  }
  const std::optional<Json> header = json_part(value.substr(0, first));
  if (!header) {
    return refuse("the token's header is not base64url JSON");
  }
  const std::optional<Json> claims = json_part(value.substr(first + 1, second - first - 1));
  if (!claims) {
    return refuse("the token's payload is not base64url JSON");
  }
  const std::optional<std::string> signature = base64url_decode(value.substr(second + 1));
  if (!signature) {
    return refuse("the token's signature is not base64url");
  }
  const auto text = [](const Json& object, const char* name) -> std::optional<std::string> {
    const auto found = object.find(name);
    if (found == object.end() || !found->is_string()) {
      return std::nullopt;
    }
    return found->get<std::string>();
  };
  const std::optional<std::string> alg = text(*header, "alg");
  if (!alg) {
    return refuse("the token's header has no `alg`");
  }
  const std::optional<Algorithm> algorithm = algorithm_named(*alg);
  if (!algorithm) {
    return refuse(fmt::format("algorithm `{}` is refused (ES256, ES384, RS384 only)", *alg));
  }
  const std::optional<std::string> type = text(*header, "typ");
  if (!type || !(*type == "JWT" || *type == "jwt")) {
    return refuse("the token's header `typ` is not `JWT`");
  }
  const std::optional<std::string> kid = text(*header, "kid");
  if (!kid) {
    return refuse("the token's header has no `kid`");
  }
  const auto key = std::find_if(keys_.keys_.begin(), keys_.keys_.end(),
                                [&](const auto& candidate) { return candidate->kid == *kid; });
  if (key == keys_.keys_.end()) {
    return refuse(fmt::format("no key `{}` in the JWK Set", *kid));
  }
  if ((*key)->algorithm != *algorithm) {
    return refuse(fmt::format("key `{}` does not sign `{}`", *kid, *alg));
  }
  const std::string_view signed_text = value.substr(0, second);
  bool verified = false;
  if (*algorithm == Algorithm::rs384) {
    verified = verify_signature((*key)->key.get(), EVP_sha384(), *signature, signed_text);
  } else {
    const std::size_t size = *algorithm == Algorithm::es256 ? 64 : 96;
    if (signature->size() == size) {
      const std::optional<std::string> der = ecdsa_der(*signature);
      verified =
          der && verify_signature((*key)->key.get(),
                                  *algorithm == Algorithm::es256 ? EVP_sha256() : EVP_sha384(),
                                  *der, signed_text);
    }
  }
  if (!verified) {
    return refuse(fmt::format("the signature does not verify with key `{}`", *kid));
  }
  const std::optional<std::string> issuer = text(*claims, "iss");
  if (!issuer || issuer->empty()) {
    return refuse("the token has no `iss`");
  }
  if (!issuers_.empty() && std::find(issuers_.begin(), issuers_.end(), *issuer) == issuers_.end()) {
    return refuse(fmt::format("issuer `{}` is not allowed", *issuer));
  }
  bool audience_matches = false;
  if (const auto aud = claims->find("aud"); aud != claims->end()) {
    const auto matches = [&](const Json& item) {
      return item.is_string() && std::find(audiences.begin(), audiences.end(),
                                           item.get<std::string>()) != audiences.end();
    };
    audience_matches =
        aud->is_array() ? std::any_of(aud->begin(), aud->end(), matches) : matches(*aud);
  }
  if (!audience_matches) {
    return refuse(fmt::format("`aud` is not `{}`", audiences.empty() ? "" : audiences.front()));
  }
  const std::optional<std::int64_t> expires = seconds(*claims, "exp");
  const std::optional<std::int64_t> issued = seconds(*claims, "iat");
  if (!expires || !issued) {
    return refuse("the token lacks a numeric `exp` or `iat`");
  }
  if (*expires + kClockSkewSeconds <= now) {
    return refuse(fmt::format("the token expired at {} (now {})", *expires, now));
  }
  if (*issued - kClockSkewSeconds > now) {
    return refuse(fmt::format("the token is issued in the future ({}; now {})", *issued, now));
  }
  if (claims->contains("nbf")) {
    const std::optional<std::int64_t> not_before = seconds(*claims, "nbf");
    if (!not_before) {
      return refuse("the token's `nbf` is not a number");
    }
    if (*not_before - kClockSkewSeconds > now) {
      return refuse(fmt::format("the token is not valid before {} (now {})", *not_before, now));
    }
  }
  if (*expires - now > kMaxTokenLifetimeSeconds || *expires - *issued > kMaxTokenLifetimeSeconds) {
    return refuse("the token lives longer than an hour");
  }
  const std::optional<std::string> jti = text(*claims, "jti");
  if (!jti || jti->empty()) {
    return refuse("the token has no `jti`");
  }
  {
    const std::lock_guard lock(mutex_);
    if (seen_.size() >= purge_at_) {
      std::erase_if(seen_,
                    [&](const auto& entry) { return entry.second + kClockSkewSeconds <= now; });
      // Never above the cap: a full cache must be purged again before it refuses anything.
      purge_at_ = std::min(kMaxRememberedTokens, std::max<std::size_t>(1024, seen_.size() * 2));
    }
    const std::string remembered = *issuer + '\n' + *jti;
    if (const auto found = seen_.find(remembered);
        found != seen_.end() && found->second + kClockSkewSeconds > now) {
      return refuse(fmt::format("token `{}` of `{}` was used before (a replay)", *jti, *issuer));
    }
    if (seen_.size() >= kMaxRememberedTokens) {
      return refuse("too many unexpired tokens remembered; try again shortly");
    }
    seen_[remembered] = *expires;
  }
  return AuthResult{true, {}, *issuer};
}

}  // namespace rubric::service
