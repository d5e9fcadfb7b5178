// Reading the parameters of requests and notifications: every field the server reads is
// checked, and a missing or mistyped one is a ProtocolError naming it (`params.position.line`
// must be a non-negative integer), answered as InvalidParams.
//
// Contract: ProtocolError is thrown and caught inside the server; it never leaves
// Server::handle.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "lsp/server.hpp"

namespace rubric::lsp {

class ProtocolError : public std::runtime_error {
 public:
  ProtocolError(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  [[nodiscard]] ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// The member `name` of object `object` (at `path`, for messages), which must exist.
const Json& member(const Json& object, std::string_view name, std::string_view path);
// The member, or nullptr when absent or null.
const Json* optional_member(const Json& object, std::string_view name, std::string_view path);
const std::string& string_member(const Json& object, std::string_view name, std::string_view path);
std::uint32_t unsigned_member(const Json& object, std::string_view name, std::string_view path);
std::int64_t integer_member(const Json& object, std::string_view name, std::string_view path);
// `params.textDocument.uri`.
const std::string& document_uri(const Json& params);

}  // namespace rubric::lsp
