// `rubric serve GUIDELINE... [--host ADDR] [--port N] [--threads N] [--as-of DATE]
// [--max-body BYTES] [--read-timeout SECONDS] [--fetch-timeout SECONDS] [--max-connections N]
// [--jwks FILE --base-url URL [--issuer ISS]...] [--tls-cert FILE --tls-key FILE] [--audit FILE]
// [--cors-origin ORIGIN]...`: the guidelines as a
// CDS Hooks 2.0 service (docs/service.md). Reloads the rule files on SIGHUP or when one changes
// (a version that does not check leaves the old one serving). Runs until SIGINT or SIGTERM,
// then finishes the requests in flight, flushes the audit log and exits 0 (the same signal again
// ends it at once).
#include <fmt/format.h>

#include <sys/resource.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>
#include <variant>

#include "service/cds_service.hpp"
#include "service/http_server.hpp"
#include "tools/command.hpp"
#include "tools/read_file.hpp"

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
  double fetch_timeout = 10;
  std::size_t max_connections = 0;  // 0: not given (kDefaultConnections, or what fits)
  std::string jwks;
  std::string base_url;
  std::vector<std::string> issuers;
  std::string tls_certificate;
  std::string tls_key;
  std::string audit;
  std::vector<std::string> cors_origins;
};

constexpr std::size_t kDefaultConnections = 512;

// How often the rule files are checked for changes.
constexpr std::chrono::milliseconds kWatchInterval{500};

// Compiles every rule file into the guidelines to serve; nullopt after the reasons on `err`
// (with `exit_code` set) when one does not check or two share an id.
std::optional<service::CdsService::Catalog> load_catalog(const std::vector<std::string>& paths,
                                                         std::ostream& err, int& exit_code) {
  service::CdsService::Catalog served;
  std::set<std::string> ids;
  for (const std::string& path : paths) {
    auto sources = std::make_shared<SourceManager>();
    std::shared_ptr<const Guideline> guideline = load_guideline(*sources, path, err, exit_code);
    if (!guideline) {
      return std::nullopt;
    }
    if (!ids.insert(guideline->id()).second) {
      err << fmt::format(
          "error: {}: guideline `{}` is served already; each service needs its own "
          "guideline id\n",
          path, guideline->id());
      exit_code = kExitUsage;
      return std::nullopt;
    }
    // A fresh source manager: the rule file is its first file.
    std::string sha256 = service::content_sha256(sources->text(FileId{0}));
    served.push_back({std::move(guideline), std::move(sources), path, std::move(sha256)});
  }
  return served;
}

// What identifies a file's content cheaply: its inode, size and modification time.
std::string file_signature(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    return "missing";
  }
  return fmt::format("{}:{}:{}.{}", status.st_ino, status.st_size, status.st_mtim.tv_sec,
                     status.st_mtim.tv_nsec);
}

std::string describe(const service::CdsService::Catalog& catalog) {
  std::vector<std::string> names;
  for (const service::ServedGuideline& served : catalog) {
    names.push_back(fmt::format(
        "{} {} (sha256 {})", served.guideline->id(),
        served.guideline->version().empty() ? "unversioned" : served.guideline->version(),
        served.sha256.substr(0, 12)));
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

int run_serve(const Options& options, std::ostream& err) {
  int exit_code = kExitSuccess;
  std::optional<service::CdsService::Catalog> served =
      load_catalog(options.guidelines, err, exit_code);
  if (!served) {
    return exit_code;
  }
  std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  std::shared_ptr<const service::ClientAuthenticator> authenticator;
  std::string base_url = options.base_url;
  while (!base_url.empty() && base_url.back() == '/') {
    base_url.pop_back();
  }
  if (!options.jwks.empty()) {
    if (base_url.empty()) {
      err << "error: --jwks needs --base-url: the URL the clients call "
             "(`https://cds.example.org`), "
             "which every token's `aud` names\n";
      return kExitUsage;
    }
    if (!(base_url.starts_with("https://") || base_url.starts_with("http://")) ||
        base_url.find_first_of(" ?#") != std::string::npos) {
      err << fmt::format("error: --base-url: `{}` is not an http or https URL without a query\n",
                         options.base_url);
      return kExitUsage;
    }
    std::string problem;
    const std::optional<std::string> text = read_whole_file(options.jwks, 1U << 20U, problem);
    if (!text) {
      err << fmt::format("error: --jwks: {}\n", problem);
      return kExitUsage;
    }
    auto keys = service::KeySet::read(*text);
    if (const std::string* failure = std::get_if<std::string>(&keys)) {
      err << fmt::format("error: {}: {}\n", options.jwks, *failure);
      return kExitInputError;
    }
    authenticator = std::make_shared<const service::ClientAuthenticator>(
        std::move(std::get<service::KeySet>(keys)), options.issuers);
  } else if (!options.base_url.empty() || !options.issuers.empty()) {
    err << "error: --base-url and --issuer go with --jwks (they describe the tokens to accept)\n";
    return kExitUsage;
  }
  if (!authenticator && !service::is_loopback_address(host)) {
    err << fmt::format(
        "error: --host: refusing to listen on `{}`: without authentication (--jwks) the service "
        "answers only on a loopback address (127.0.0.1, ::1)\n",
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
  service_options.authenticator = authenticator;
  service_options.cors_origins = options.cors_origins;
  service_options.allow_loopback_fhir_http = service::is_loopback_address(host);
  service_options.fetch_deadline =
      std::chrono::milliseconds(static_cast<long>(options.fetch_timeout * 1000));
  service_options.base_url = base_url;
  service_options.now = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  if (!options.audit.empty()) {
    std::string problem;
    std::optional<service::AuditLog> audit = service::AuditLog::open(options.audit, problem);
    if (!audit) {
      err << "error: --audit: " << problem << '\n';
      return kExitUsage;
    }
    service_options.audit = std::make_shared<service::AuditLog>(std::move(*audit));
  }
  service::CdsService cds(std::move(*served), service_options);
  // Hot reload: every rule file compiled again; all must check, or the old versions stay.
  std::mutex reload_mutex;
  const auto reload = [&](const std::string& why) {
    const std::lock_guard lock(reload_mutex);
    std::ostringstream problems;
    int reload_code = kExitSuccess;
    std::optional<service::CdsService::Catalog> next =
        load_catalog(options.guidelines, problems, reload_code);
    if (!next) {
      cds.count_reload(false);
      log(fmt::format("{}: the new version does not check; still serving {}:\n{}", why,
                      describe(*cds.guidelines()), problems.str()));
      return;
    }
    const std::string was = describe(*cds.guidelines());
    const std::string now = describe(*next);
    cds.replace(std::move(*next));
    cds.count_reload(true);
    log(fmt::format("{}: reloaded; serving {} (was {})", why, now, was));
  };

  service::ServerLimits limits;
  limits.threads = options.threads;
  limits.max_body_bytes = options.max_body;
  limits.read_timeout = std::chrono::milliseconds(static_cast<long>(options.read_timeout * 1000));
  // Each connection is a file descriptor (two with a fetch in flight), beside the listening
  // socket, the rule files, the audit log and the FHIR fetcher's: the soft limit is raised to
  // cover them, within the hard one. Without --max-connections, the default shrinks to fit.
  const bool connections_given = options.max_connections != 0;
  limits.max_connections = connections_given ? options.max_connections : kDefaultConnections;
  constexpr rlim_t kReservedFiles = 64;
  const rlim_t needed = 2 * static_cast<rlim_t>(limits.max_connections) + kReservedFiles;
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY &&
      files.rlim_cur < needed) {
    files.rlim_cur =
        files.rlim_max == RLIM_INFINITY ? needed : std::min<rlim_t>(needed, files.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &files) != 0 && getrlimit(RLIMIT_NOFILE, &files) != 0) {
      files.rlim_cur = 0;
    }
    if (files.rlim_cur < needed) {
      const rlim_t fits =
          files.rlim_cur > kReservedFiles + 2 ? (files.rlim_cur - kReservedFiles) / 2 : 0;
      if (connections_given || fits == 0) {
        err << fmt::format(
            "error: --max-connections {} needs up to {} open files, and this process may open "
            "{} at most; lower --max-connections or raise the limit (`ulimit -n`)\n",
            limits.max_connections, needed, files.rlim_cur);
        return kExitUsage;
      }
      limits.max_connections = static_cast<std::size_t>(fits);
      log(
          fmt::format("warning: {} connections at most, not {}: this process may open {} files "
                      "(`ulimit -n`)",
                      fits, kDefaultConnections, files.rlim_cur));
    }
  }
  service::HttpServer server(limits,
                             [&cds](const service::HttpRequest& request, service::Reply reply) {
                               cds.handle_async(request, std::move(reply));
                             });
  if (options.tls_certificate.empty() != options.tls_key.empty()) {
    err << "error: --tls-cert and --tls-key go together: the certificate chain and its private "
           "key\n";
    return kExitUsage;
  }
  const bool tls = !options.tls_certificate.empty();
  if (tls) {
    if (const auto problem = server.use_tls(options.tls_certificate, options.tls_key)) {
      err << "error: " << *problem << '\n';
      return kExitUsage;
    }
  }
  if (const auto problem = server.listen(host, static_cast<std::uint16_t>(options.port))) {
    err << "error: " << *problem << '\n';
    return kExitUsage;
  }
  std::atomic<bool> stopping{false};
  bool reload_requested = false;  // by SIGHUP; guarded by watch_mutex
  std::mutex watch_mutex;
  std::condition_variable watch_wakeup;
  server.on_signals({SIGINT, SIGTERM, SIGHUP}, [&](int signal) {
    if (signal == SIGHUP) {
      // The watcher thread reloads: compiling never holds up a serving thread.
      {
        const std::lock_guard lock(watch_mutex);
        reload_requested = true;
      }
      watch_wakeup.notify_all();
      return;
    }
    log(
        fmt::format("{}: finishing the requests in flight, then stopping (the same signal "
                    "again stops at once)",
                    signal == SIGINT ? "SIGINT" : "SIGTERM"));
    stopping = true;
    server.stop();
  });
  // A watcher of the rule files: a change (content, size, or a file replaced) reloads, and so
  // does SIGHUP (reload_requested).
  std::thread watcher([&] {
    std::vector<std::string> signatures;
    for (const std::string& path : options.guidelines) {
      signatures.push_back(file_signature(path));
    }
    std::unique_lock lock(watch_mutex);
    while (true) {
      watch_wakeup.wait_for(lock, kWatchInterval,
                            [&] { return stopping.load() || reload_requested; });
      if (stopping) {
        break;
      }
      if (reload_requested) {
        reload_requested = false;
        lock.unlock();
        reload("SIGHUP");
        lock.lock();
        for (std::size_t k = 0; k < options.guidelines.size(); ++k) {
          signatures[k] = file_signature(options.guidelines[k]);  // read by this reload
        }
        continue;
      }
      for (std::size_t k = 0; k < options.guidelines.size(); ++k) {
        std::string signature = file_signature(options.guidelines[k]);
        if (signature != signatures[k]) {
          signatures[k] = std::move(signature);
          lock.unlock();
          reload(fmt::format("{} changed", options.guidelines[k]));
          lock.lock();
          break;
        }
      }
    }
  });
  std::vector<std::string> names;
  for (const service::ServedGuideline& guideline : *cds.guidelines()) {
    names.push_back(guideline.guideline->id());
  }
  const char* scheme = tls ? "https" : "http";
  const std::string url = host.find(':') == std::string::npos
                              ? fmt::format("{}://{}:{}", scheme, host, server.port())
                              : fmt::format("{}://[{}]:{}", scheme, host, server.port());
  if (authenticator) {
    log(fmt::format("every call must carry a token signed by a key of {} for {}/cds-services...",
                    options.jwks, base_url));
  } else {
    log("warning: no authentication: any program on this machine can call the service");
  }
  log(fmt::format("listening on {} ({} {}: {}; discovery at {}/cds-services)", url, names.size(),
                  names.size() == 1 ? "service" : "services", fmt::join(names, ", "), url));
  server.run();
  cds.stop_fetching();  // a fetch still running past the grace period is abandoned
  {
    const std::lock_guard lock(watch_mutex);
    stopping = true;
  }
  watch_wakeup.notify_all();
  watcher.join();
  if (service_options.audit) {
    service_options.audit->flush();
  }
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
      ->add_option("--fetch-timeout", options->fetch_timeout,
                   "Seconds all the GETs of one invocation to its fhirServer may take together; "
                   "then 412")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  command
      ->add_option("--max-connections", options->max_connections,
                   "Open connections at most; more get 503")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->default_str(std::to_string(kDefaultConnections));
  command
      ->add_option("--jwks", options->jwks,
                   "JWK Set of the clients' public keys: every call must carry a JWT signed "
                   "by one (ES256, ES384, RS384)")
      ->check(CLI::ExistingFile);
  command->add_option("--base-url", options->base_url,
                      "The URL clients call (with --jwks): tokens' `aud` is this URL's "
                      "/cds-services endpoints");
  command->add_option("--issuer", options->issuers,
                      "Accept tokens of this `iss` only (repeatable; with --jwks)");
  command
      ->add_option("--tls-cert", options->tls_certificate,
                   "Serve HTTPS with this PEM certificate chain (with --tls-key)")
      ->check(CLI::ExistingFile);
  command->add_option("--cors-origin", options->cors_origins,
                      "Let browser-based clients of this origin call the service (CORS; "
                      "repeatable; * for any)");
  command->add_option("--audit", options->audit,
                      "Append one JSON line per decision and feedback item to this file");
  command->add_option("--tls-key", options->tls_key, "The PEM private key of --tls-cert")
      ->check(CLI::ExistingFile);
  return {command, [options, &err] { return run_serve(*options, err); }};
}

}  // namespace rubric
