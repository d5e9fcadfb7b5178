// `rubric lsp`: the language server for rule files (Language Server Protocol 3.17).
//
// The Server is the protocol's state machine, without any input or output of its own: it
// takes each message body the reader completed (handle), sends what it has to say through
// the `send` function given to it (each a JSON text, to be framed), and publishes the
// diagnostics of changed documents once they have stopped changing for `debounce`
// (publish_due, called by the loop that owns the clock). run_stdio (lsp/stdio_loop.hpp)
// drives it over standard input and output; tests and benchmarks drive it directly.
//
// Everything the server says about a document comes from the same code as the command line:
// the parser, the checker and the analysis (`rubric check`), the formatter (`rubric fmt`).
// Every edit it suggests (a rename, a quick fix) is applied to a copy of the document and
// checked before it is offered: a rename must leave the diagnostics as they were, a quick fix
// must remove its diagnostic and add no error.
//
// Contract: single-threaded (one server per connection); never throws for bad input; logs
// to `log` (standard error), never to the client's channel.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "authoring/analysis.hpp"
#include "lsp/document_analysis.hpp"
#include "lsp/text_document.hpp"

namespace rubric::lsp {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

struct ServerOptions {
  // How long a document must stay unchanged before its diagnostics are published.
  std::chrono::milliseconds debounce{150};
  // Whether the analysis findings (W05xx) are published with the checker's diagnostics.
  bool findings = true;
  std::string version = "0.0.0";
};

// JSON-RPC and LSP error codes.
enum class ErrorCode : int {
  parse_error = -32700,
  invalid_request = -32600,
  method_not_found = -32601,
  invalid_params = -32602,
  internal_error = -32603,
  server_not_initialized = -32002,
  request_failed = -32803,
  request_cancelled = -32800,
};

class Server {
 public:
  using Send = std::function<void(const std::string& body)>;
  Server(ServerOptions options, Send send, std::ostream& log);
  // Waits for the findings still being computed.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Handles one message body; `now` dates the changes it makes.
  void handle(std::string_view body, Clock::time_point now = Clock::now());
  // Handles several bodies read together: a `$/cancelRequest` among them cancels a request
  // before it (answered with RequestCancelled) as well as after it.
  void handle_batch(const std::vector<std::string>& bodies, Clock::time_point now = Clock::now());
  // Publishes the diagnostics of every document whose debounce has elapsed at `now` and
  // whose findings are ready; returns when to call again, if any document is waiting. The
  // findings (authoring/analysis.hpp: up to about a second for a large file) run on a thread
  // of their own, one document at a time, so that requests are answered meanwhile; findings
  // of a version changed since are dropped.
  std::optional<Clock::time_point> publish_due(Clock::time_point now);
  // Reports a framing error of the message reader: logged; when a whole message was lost, the
  // client is also told (window/showMessage), since a document change may have been lost.
  void framing_error(std::string_view problem, bool message_lost = false);

  [[nodiscard]] bool exited() const { return exited_; }
  // 0 after `shutdown` then `exit`; 1 for `exit` without `shutdown`.
  [[nodiscard]] int exit_code() const { return shutdown_ ? 0 : 1; }
  [[nodiscard]] PositionEncoding encoding() const { return encoding_; }

 private:
  struct OpenDocument {
    TextDocument text;
    std::shared_ptr<const DocumentAnalysis> analysis;  // of `text` when not `stale`
    bool stale = true;
    bool publish_pending = false;
    Clock::time_point due;
    // Opened or grown past kMaxDocumentBytes: changes are ignored until a whole text within
    // the limit comes, and requests are refused.
    bool too_large = false;
    // The analysis findings of `findings_of` (an earlier analysis's are never shown).
    std::vector<AnalysisFinding> findings;
    std::shared_ptr<const DocumentAnalysis> findings_of;
    // The findings being computed on a thread of their own, and the analysis they are of.
    std::future<std::vector<AnalysisFinding>> job;
    std::shared_ptr<const DocumentAnalysis> job_of;
  };

  void dispatch(const Json& message, Clock::time_point now);
  void request(const Json& id, const std::string& method, const Json& params);
  void notification(const std::string& method, const Json& params, Clock::time_point now);

  void respond(const Json& id, Json result);
  void respond_error(const Json& id, ErrorCode code, std::string_view message);
  void notify(std::string_view method, Json params);
  void send_json(const Json& message);

  // Documents.
  void did_open(const Json& params, Clock::time_point now);
  void did_change(const Json& params, Clock::time_point now);
  void did_close(const Json& params);
  void did_save(const Json& params, Clock::time_point now);
  void publish(const std::string& uri, OpenDocument& document);
  OpenDocument& document_of(const Json& params);  // throws a ProtocolError when not open
  // The document's analysis, brought up to date; refuses (RequestFailed) a document that is
  // too large.
  const DocumentAnalysis& fresh(OpenDocument& document);
  std::uint32_t offset_in(const OpenDocument& document, const Json& position) const;

  // The document of a request about a position, its analysis, and the occurrence of a name
  // there (nullptr when there is none).
  struct Located {
    OpenDocument& document;
    const DocumentAnalysis& analysis;
    const Occurrence* occurrence;
  };
  Located locate(const Json& params);

  // Features (lsp/features.cpp).
  Json initialize(const Json& params);
  Json hover(const Json& params);
  Json definition(const Json& params);
  Json references(const Json& params);
  Json document_highlight(const Json& params);
  Json prepare_rename(const Json& params);
  Json rename(const Json& params);
  Json completion(const Json& params);
  Json formatting(const Json& params);
  Json document_symbol(const Json& params);
  Json semantic_tokens(const Json& params);
  Json code_action(const Json& params);

  Json range_json(const TextDocument& text, std::uint32_t offset, std::uint32_t end) const;
  Json diagnostic_json(const std::string& uri, const OpenDocument& document,
                       const Diagnostic& diagnostic, const std::string& extra) const;
  Json diagnostics_json(const std::string& uri, const OpenDocument& document) const;

  ServerOptions options_;
  Send send_;
  std::ostream& log_;
  PositionEncoding encoding_ = PositionEncoding::utf16;
  bool initialized_ = false;  // `initialize` answered
  bool shutdown_ = false;
  bool exited_ = false;
  std::map<std::string, OpenDocument, std::less<>> documents_;
  std::vector<Json> cancelled_;  // ids cancelled before their request came
};

}  // namespace rubric::lsp
