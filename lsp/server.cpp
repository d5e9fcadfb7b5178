#include "lsp/server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "lsp/message_reader.hpp"
#include "lsp/protocol.hpp"

namespace rubric::lsp {

const Json& member(const Json& object, std::string_view name, std::string_view path) {
  if (!object.is_object()) {
    throw ProtocolError(ErrorCode::invalid_params, fmt::format("`{}` must be an object", path));
  }
  const auto found = object.find(name);
  if (found == object.end()) {
    throw ProtocolError(ErrorCode::invalid_params, fmt::format("`{}.{}` is missing", path, name));
  }
  return *found;
}

const Json* optional_member(const Json& object, std::string_view name, std::string_view path) {
  if (!object.is_object()) {
    throw ProtocolError(ErrorCode::invalid_params, fmt::format("`{}` must be an object", path));
  }
  const auto found = object.find(name);
  return found == object.end() || found->is_null() ? nullptr : &*found;
}

const std::string& string_member(const Json& object, std::string_view name, std::string_view path) {
  const Json& value = member(object, name, path);
  if (!value.is_string()) {
    throw ProtocolError(ErrorCode::invalid_params,
                        fmt::format("`{}.{}` must be a string", path, name));
  }
  return value.get_ref<const std::string&>();
}

std::uint32_t unsigned_member(const Json& object, std::string_view name, std::string_view path) {
  const Json& value = member(object, name, path);
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() <= std::numeric_limits<std::uint32_t>::max()) {
    return value.get<std::uint32_t>();
  }
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0 &&
      value.get<std::int64_t>() <= std::numeric_limits<std::uint32_t>::max()) {
    return static_cast<std::uint32_t>(value.get<std::int64_t>());
  }
  throw ProtocolError(ErrorCode::invalid_params,
                      fmt::format("`{}.{}` must be a non-negative integer", path, name));
}

std::int64_t integer_member(const Json& object, std::string_view name, std::string_view path) {
  const Json& value = member(object, name, path);
  if (value.is_number_integer() &&
      (!value.is_number_unsigned() ||
       value.get<std::uint64_t>() <= std::uint64_t{std::numeric_limits<std::int64_t>::max()})) {
    return value.get<std::int64_t>();
  }
  throw ProtocolError(ErrorCode::invalid_params,
                      fmt::format("`{}.{}` must be an integer", path, name));
}

const std::string& document_uri(const Json& params) {
  return string_member(member(params, "textDocument", "params"), "uri", "params.textDocument");
}

Server::Server(ServerOptions options, Send send, std::ostream& log)
    : options_(std::move(options)), send_(std::move(send)), log_(log) {}

void Server::send_json(const Json& message) {
  send_(message.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void Server::respond(const Json& id, Json result) {
  send_json(Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

void Server::respond_error(const Json& id, ErrorCode code, std::string_view message) {
  send_json(Json{{"jsonrpc", "2.0"},
                 {"id", id},
                 {"error", Json{{"code", static_cast<int>(code)}, {"message", message}}}});
}

void Server::notify(std::string_view method, Json params) {
  send_json(Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

void Server::framing_error(std::string_view problem, bool message_lost) {
  log_ << "rubric lsp: " << problem << "\n";
  if (message_lost && initialized_) {
    notify("window/showMessage",
           Json{{"type", 1},
                {"message", fmt::format("rubric lsp: {}; if it changed a document, the server no "
                                        "longer has its text: close the document and open it again",
                                        problem)}});
  }
}

void Server::handle(std::string_view body, Clock::time_point now) {
  if (const auto problem = json_shape_problem(body)) {
    log_ << "rubric lsp: " << *problem << "\n";
    respond_error(nullptr, ErrorCode::parse_error, *problem);
    return;
  }
  // JavaScript clients escape a lone UTF-16 surrogate (`\ud800`), which is not JSON's UTF-8:
  // it becomes U+FFFD, one UTF-16 unit as it was, so that positions stay right.
  const std::string repaired = without_lone_surrogates(body);
  const Json message = Json::parse(repaired, nullptr, false);
  if (message.is_discarded()) {
    log_ << "rubric lsp: a message is not valid JSON\n";
    respond_error(nullptr, ErrorCode::parse_error, "the message is not valid JSON");
    return;
  }
  dispatch(message, now);
}

void Server::handle_batch(const std::vector<std::string>& bodies, Clock::time_point now) {
  // Cancellations read in the same batch apply to the requests before them too.
  for (const std::string& body : bodies) {
    if (body.find("$/cancelRequest") == std::string::npos || json_shape_problem(body)) {
      continue;
    }
    const Json message = Json::parse(body, nullptr, false);
    if (message.is_object() && message.value("method", "") == "$/cancelRequest" &&
        message.contains("params") && message["params"].is_object() &&
        message["params"].contains("id")) {
      cancelled_.push_back(message["params"]["id"]);
    }
  }
  for (const std::string& body : bodies) {
    if (exited_) {
      break;  // nothing is read after `exit`
    }
    handle(body, now);
  }
  cancelled_.clear();
}

void Server::dispatch(const Json& message, Clock::time_point now) {
  if (!message.is_object()) {
    respond_error(nullptr, ErrorCode::invalid_request,
                  "a message must be a JSON object (batches are not part of the protocol)");
    return;
  }
  const auto id = message.find("id");
  const bool has_id = id != message.end();
  if (has_id && !id->is_string() && !id->is_number_integer()) {
    respond_error(nullptr, ErrorCode::invalid_request, "`id` must be an integer or a string");
    return;
  }
  const auto method = message.find("method");
  if (method == message.end()) {
    if (has_id && (message.contains("result") || message.contains("error"))) {
      return;  // an answer to a request of ours: the server sends none that wait for one
    }
    respond_error(has_id ? *id : Json(nullptr), ErrorCode::invalid_request,
                  "a message has no `method`");
    return;
  }
  if (!method->is_string()) {
    respond_error(has_id ? *id : Json(nullptr), ErrorCode::invalid_request,
                  "`method` must be a string");
    return;
  }
  const auto params_found = message.find("params");
  const Json params = params_found == message.end() ? Json::object() : *params_found;
  const std::string& name = method->get_ref<const std::string&>();
  if (!has_id) {
    try {
      notification(name, params, now);
    } catch (const ProtocolError& error) {
      log_ << "rubric lsp: " << name << ": " << error.what() << "\n";
    } catch (const std::exception& error) {
      log_ << "rubric lsp: " << name << ": internal error: " << error.what() << "\n";
    }
    return;
  }
  if (std::find(cancelled_.begin(), cancelled_.end(), *id) != cancelled_.end()) {
    respond_error(*id, ErrorCode::request_cancelled, "the request was cancelled");
    return;
  }
  try {
    request(*id, name, params);
  } catch (const ProtocolError& error) {
    respond_error(*id, error.code(), error.what());
  } catch (const std::exception& error) {
    log_ << "rubric lsp: " << name << ": internal error: " << error.what() << "\n";
    respond_error(*id, ErrorCode::internal_error, fmt::format("internal error: {}", error.what()));
  }
}

void Server::request(const Json& id, const std::string& method, const Json& params) {
  if (method == "initialize") {
    if (initialized_) {
      throw ProtocolError(ErrorCode::invalid_request, "the server is already initialized");
    }
    respond(id, initialize(params));
    initialized_ = true;
    return;
  }
  if (!initialized_) {
    throw ProtocolError(ErrorCode::server_not_initialized,
                        fmt::format("`{}` before `initialize`", method));
  }
  if (shutdown_) {
    throw ProtocolError(ErrorCode::invalid_request,
                        fmt::format("`{}` after `shutdown`; only `exit` is expected", method));
  }
  if (method == "shutdown") {
    shutdown_ = true;
    respond(id, nullptr);
    return;
  }
  using Handler = Json (Server::*)(const Json&);
  static const std::map<std::string, Handler, std::less<>> handlers = {
      {"textDocument/hover", &Server::hover},
      {"textDocument/definition", &Server::definition},
      {"textDocument/references", &Server::references},
      {"textDocument/documentHighlight", &Server::document_highlight},
      {"textDocument/prepareRename", &Server::prepare_rename},
      {"textDocument/rename", &Server::rename},
      {"textDocument/completion", &Server::completion},
      {"textDocument/formatting", &Server::formatting},
      {"textDocument/documentSymbol", &Server::document_symbol},
      {"textDocument/semanticTokens/full", &Server::semantic_tokens},
      {"textDocument/codeAction", &Server::code_action},
  };
  const auto handler = handlers.find(method);
  if (handler == handlers.end()) {
    throw ProtocolError(ErrorCode::method_not_found, fmt::format("no method `{}`", method));
  }
  if (!params.is_object()) {
    throw ProtocolError(ErrorCode::invalid_params, "`params` must be an object");
  }
  // A document too large to follow has one diagnostic saying so; requests about it get empty
  // answers (an error would be shown to the user on every move of the cursor), but a rename
  // says why it cannot be done.
  if (const OpenDocument& document = document_of(params);
      document.too_large && method != "textDocument/rename") {
    static const std::map<std::string, Json, std::less<>> empty = {
        {"textDocument/semanticTokens/full", Json{{"data", Json::array()}}},
        {"textDocument/completion", Json{{"isIncomplete", false}, {"items", Json::array()}}},
        {"textDocument/hover", nullptr},
        {"textDocument/definition", nullptr},
        {"textDocument/prepareRename", nullptr}};
    const auto found = empty.find(method);
    respond(id, found != empty.end() ? found->second : Json::array());
    return;
  }
  respond(id, (this->*handler->second)(params));
}

void Server::notification(const std::string& method, const Json& params, Clock::time_point now) {
  if (method == "exit") {
    exited_ = true;
    return;
  }
  if (!initialized_ || shutdown_) {
    return;  // the protocol drops notifications before `initialize` and after `shutdown`
  }
  if (method == "textDocument/didOpen") {
    did_open(params, now);
  } else if (method == "textDocument/didChange") {
    did_change(params, now);
  } else if (method == "textDocument/didClose") {
    did_close(params);
  } else if (method == "textDocument/didSave") {
    did_save(params, now);
  } else if (method == "initialized" || method.starts_with("$/") ||
             method.starts_with("workspace/")) {
    // Nothing to do: no settings, no trace, no workspace of its own.
  } else {
    log_ << "rubric lsp: ignored the notification `" << method << "`\n";
  }
}

Server::OpenDocument& Server::document_of(const Json& params) {
  const std::string& uri = document_uri(params);
  const auto found = documents_.find(uri);
  if (found == documents_.end()) {
    throw ProtocolError(
        ErrorCode::invalid_params,
        fmt::format("document `{}` is not open; send `textDocument/didOpen` first", uri));
  }
  return found->second;
}

const DocumentAnalysis& Server::fresh(OpenDocument& document) {
  if (document.too_large) {
    throw ProtocolError(ErrorCode::request_failed,
                        fmt::format("the document is larger than {} bytes; the server does not "
                                    "follow it",
                                    kMaxDocumentBytes));
  }
  if (document.stale || !document.analysis) {
    document.analysis = analyse_document("document", document.text.text());
    document.stale = false;
  }
  return *document.analysis;
}

std::uint32_t Server::offset_in(const OpenDocument& document, const Json& position) const {
  const Position at{unsigned_member(position, "line", "params.position"),
                    unsigned_member(position, "character", "params.position")};
  return document.text.offset_of(at, encoding_);
}

void Server::did_open(const Json& params, Clock::time_point now) {
  const Json& item = member(params, "textDocument", "params");
  const std::string& uri = string_member(item, "uri", "params.textDocument");
  const std::string& text = string_member(item, "text", "params.textDocument");
  const std::int64_t version = integer_member(item, "version", "params.textDocument");
  const auto existing = documents_.find(uri);
  if (existing != documents_.end() && existing->second.job.valid()) {
    existing->second.job.wait();  // a document opened again: its old findings are dropped
  }
  OpenDocument& document = documents_[uri];
  document = OpenDocument{};
  document.too_large = text.size() > kMaxDocumentBytes;
  document.text = TextDocument(document.too_large ? std::string() : text, version);
  document.publish_pending = true;
  document.due = now;  // a document just opened gets its diagnostics at once
}

void Server::did_change(const Json& params, Clock::time_point now) {
  OpenDocument& document = document_of(params);
  const std::int64_t version =
      integer_member(member(params, "textDocument", "params"), "version", "params.textDocument");
  const Json& changes = member(params, "contentChanges", "params");
  if (!changes.is_array()) {
    throw ProtocolError(ErrorCode::invalid_params, "`params.contentChanges` must be an array");
  }
  // Every change is read before any is applied: a malformed one changes nothing.
  struct Change {
    const std::string* text;
    const Json* range;
  };
  std::vector<Change> read;
  read.reserve(changes.size());
  for (const Json& change : changes) {
    const std::string& text = string_member(change, "text", "params.contentChanges[]");
    const Json* range = optional_member(change, "range", "params.contentChanges[]");
    if (range != nullptr) {
      for (const char* end : {"start", "end"}) {
        const std::string path = fmt::format("params.contentChanges[].range.{}", end);
        const Json& position = member(*range, end, "params.contentChanges[].range");
        (void)unsigned_member(position, "line", path);
        (void)unsigned_member(position, "character", path);
      }
    }
    read.push_back({&text, range});
  }
  for (const Change& change : read) {
    const std::string& text = *change.text;
    if (change.range == nullptr) {
      document.too_large = text.size() > kMaxDocumentBytes;
      document.text.set_text(document.too_large ? std::string() : text, version);
      continue;
    }
    if (document.too_large) {
      continue;  // the text it changes is not known
    }
    std::uint32_t begin = offset_in(document, (*change.range)["start"]);
    std::uint32_t finish = offset_in(document, (*change.range)["end"]);
    if (finish < begin) {
      log_ << "rubric lsp: a change's range ends before it starts; applied from its end\n";
      std::swap(begin, finish);
    }
    if (!document.text.replace(begin, finish, text)) {
      document.too_large = true;
      document.text.set_text(std::string(), version);
    }
  }
  document.text.set_version(version);
  document.stale = true;
  document.publish_pending = true;
  document.due = now + options_.debounce;
}

void Server::did_close(const Json& params) {
  const std::string& uri = document_uri(params);
  const auto found = documents_.find(uri);
  if (found == documents_.end()) {
    return;
  }
  if (found->second.job.valid()) {
    found->second.job.wait();  // its findings are of no use now, but the thread must end
  }
  documents_.erase(found);
  notify("textDocument/publishDiagnostics", Json{{"uri", uri}, {"diagnostics", Json::array()}});
}

void Server::did_save(const Json& params, Clock::time_point now) {
  OpenDocument& document = document_of(params);
  if (document.publish_pending) {
    document.due = std::min(document.due, now);
  }
}

std::optional<Clock::time_point> Server::publish_due(Clock::time_point now) {
  // While findings are being computed, the loop comes back this often to collect them.
  constexpr auto kFindingsPoll = std::chrono::milliseconds(1);
  std::optional<Clock::time_point> next;
  const auto again_at = [&](Clock::time_point at) { next = next ? std::min(*next, at) : at; };
  bool busy = false;  // a findings job is running (one at a time)
  for (auto& [uri, document] : documents_) {
    if (!document.job.valid()) {
      continue;
    }
    if (document.job.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      busy = true;
      continue;
    }
    std::vector<AnalysisFinding> findings;
    try {
      findings = document.job.get();
    } catch (const std::exception& error) {
      // Published without findings rather than not at all.
      log_ << "rubric lsp: the analysis failed: " << error.what() << "\n";
    }
    if (document.job_of == document.analysis) {
      document.findings = std::move(findings);
      document.findings_of = document.job_of;
    }
    document.job_of = nullptr;
  }
  for (auto& [uri, document] : documents_) {
    if (!document.publish_pending) {
      continue;
    }
    if (document.due > now) {
      again_at(document.due);
      continue;
    }
    if (document.too_large) {
      publish(uri, document);
      continue;
    }
    const DocumentAnalysis& analysis = fresh(document);
    if (!options_.findings || !analysis.guideline || document.findings_of == document.analysis) {
      publish(uri, document);
      continue;
    }
    if (!document.job.valid() && !busy) {
      document.job_of = document.analysis;
      try {
        document.job = std::async(std::launch::async, [of = document.analysis] {
          return analyse_guideline(*of->guideline, of->sources);
        });
        busy = true;
      } catch (const std::system_error& error) {
        log_ << "rubric lsp: no thread for the analysis (" << error.what()
             << "); published without findings\n";
        document.findings.clear();
        document.findings_of = document.analysis;
        publish(uri, document);
      }
    }
  }
  if (busy) {
    again_at(now + kFindingsPoll);
  }
  return next;
}

void Server::publish(const std::string& uri, OpenDocument& document) {
  document.publish_pending = false;
  Json params{{"uri", uri},
              {"version", document.text.version()},
              {"diagnostics", diagnostics_json(uri, document)}};
  notify("textDocument/publishDiagnostics", std::move(params));
}

Server::~Server() {
  for (auto& [uri, document] : documents_) {
    if (document.job.valid()) {
      document.job.wait();
    }
  }
}

}  // namespace rubric::lsp
