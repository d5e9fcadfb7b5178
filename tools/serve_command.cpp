// `rubric serve GUIDELINE... [--host ADDR] [--port N] [--threads N] [--as-of DATE]
// [--max-body BYTES] [--read-timeout SECONDS] [--max-connections N]`: the guidelines as a
// CDS Hooks 2.0 service (docs/service.md). Runs until SIGINT or SIGTERM, then finishes the
// requests in flight and exits 0.
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <mutex>
#include <ostream>
#include <set>

#include "service/cds_service.hpp"
#include "service/http_server.hpp"
#include "tools/command.hpp"

namespace rubric {

namespace {

struct Options {
  std::vector<std::string> guidelines;
  std::string host = "127.0.0.1";
  int port = 8080;
  unsigned threads = 1;
  std::string as_of;
  std::size_t max_body = std::size_t{8} << 20U;
  double read_timeout = 10;
  std::size_t max_connections = 512;
};

int run_serve(const Options& options, std::ostream& err) {
  int exit_code = kExitSuccess;
  std::vector<service::ServedGuideline> served;
  std::set<std::string> ids;
  for (const std::string& path : options.guidelines) {
    auto sources = std::make_shared<SourceManager>();
    std::shared_ptr<const Guideline> guideline = load_guideline(*sources, path, err, exit_code);
    if (!guideline) {
      return exit_code;
    }
    if (!ids.insert(guideline->id()).second) {
      err << fmt::format(
          "error: {}: guideline `{}` is served already; each service needs its own "
          "guideline id\n",
          path, guideline->id());
      return kExitUsage;
    }
    served.push_back({std::move(guideline), std::move(sources), path});
  }
  std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  if (!service::is_loopback_address(host)) {
    err << fmt::format(
        "error: --host: refusing to listen on `{}`: without authentication the service answers "
        "only on a loopback address (127.0.0.1, ::1)\n",
        options.host);
    return kExitUsage;
  }
  std::optional<DateTime> fixed_date;
  if (!options.as_of.empty()) {
    fixed_date = evaluation_date(options.as_of, err);
    if (!fixed_date) {
      return kExitUsage;
    }
  }
  auto log_mutex = std::make_shared<std::mutex>();
  auto log = [log_mutex, &err](const std::string& line) {
    const std::lock_guard lock(*log_mutex);
    err << "rubric serve: " << line << '\n' << std::flush;
  };
  service::ServiceOptions service_options;
  service_options.evaluation_date = [fixed_date, &err] {
    return fixed_date ? *fixed_date : *evaluation_date("", err);
  };
  service_options.log = log;
  const service::CdsService cds(std::move(served), service_options);

  service::ServerLimits limits;
  limits.threads = options.threads;
  limits.max_body_bytes = options.max_body;
  limits.read_timeout = std::chrono::milliseconds(static_cast<long>(options.read_timeout * 1000));
  limits.max_connections = options.max_connections;
  service::HttpServer server(
      limits, [&cds](const service::HttpRequest& request) { return cds.handle(request); });
  if (const auto problem = server.listen(host, static_cast<std::uint16_t>(options.port))) {
    err << "error: " << *problem << '\n';
    return kExitUsage;
  }
  server.on_signals({SIGINT, SIGTERM}, [&server, log](int signal) {
    log(fmt::format("{}: finishing the requests in flight, then stopping",
                    signal == SIGINT ? "SIGINT" : "SIGTERM"));
    server.stop();
  });
  std::vector<std::string> names;
  for (const service::ServedGuideline& guideline : cds.guidelines()) {
    names.push_back(guideline.guideline->id());
  }
  const std::string url = host.find(':') == std::string::npos
                              ? fmt::format("http://{}:{}", host, server.port())
                              : fmt::format("http://[{}]:{}", host, server.port());
  log("warning: no authentication: any program on this machine can call the service");
  log(fmt::format("listening on {} ({} {}: {}; discovery at {}/cds-services)", url, names.size(),
                  names.size() == 1 ? "service" : "services", fmt::join(names, ", "), url));
  server.run();
  log("stopped");
  return kExitSuccess;
}

}  // namespace

Command add_serve_command(CLI::App& app, std::ostream& /*out*/, std::ostream& err) {
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "serve", "Serve guidelines as a CDS Hooks 2.0 service over HTTP (docs/service.md)");
  command->add_option("guidelines", options->guidelines, "Rule files, one service each")
      ->required()
      ->check(CLI::ExistingFile);
  command
      ->add_option("--host", options->host,
                   "Address to listen on (a loopback address: 127.0.0.1, ::1, localhost)")
      ->capture_default_str();
  command->add_option("--port", options->port, "Port to listen on; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  command->add_option("--threads", options->threads, "Threads serving requests")
      ->check(CLI::Range(1U, 256U))
      ->capture_default_str();
  add_as_of_option(*command, options->as_of);
  command
      ->add_option("--max-body", options->max_body,
                   "Largest request body in bytes; larger ones get 413")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30U))
      ->capture_default_str();
  command
      ->add_option("--read-timeout", options->read_timeout,
                   "Seconds a request may take to arrive; slower ones get 408")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  command
      ->add_option("--max-connections", options->max_connections,
                   "Open connections at most; more get 503")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->capture_default_str();
  return {command, [options, &err] { return run_serve(*options, err); }};
}

}  // namespace rubric
