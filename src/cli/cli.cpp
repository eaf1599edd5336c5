#include "sentinel/cli/cli.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "sentinel/agent/wal_tool.hpp"
#include "sentinel/alert/commands.hpp"
#include "sentinel/core/version.hpp"
#include "sentinel/gateway/auth.hpp"
#include "sentinel/notify/commands.hpp"
#include "sentinel/store/command.hpp"
#include "sentinel/store/component.hpp"

namespace sentinel::cli {
namespace {

constexpr const char* kDefaultConfig = "/etc/sentineld/sentineld.yml";

// Options shared by the daemon and the subcommands that read the configuration. Each flag has
// an environment twin, SENTINEL_<FLAG>, and overrides the key it stands for.
struct CommonOptions {
  std::string config_file = kDefaultConfig;
  std::string role = "all";
  std::string listen;
  std::string data_dir;
  std::string log_level;
  std::string log_format;
  std::string ready_file;
  CLI::Option* config_option = nullptr;

  void add_to(CLI::App& app, const std::vector<std::string>& role_names) {
    config_option = app.add_option("--config", config_file, "YAML configuration file")
                        ->envname("SENTINEL_CONFIG");
    app.add_option("--role", role, "what this process runs")
        ->envname("SENTINEL_ROLE")
        ->check(CLI::IsMember(role_names));
    app.add_option("--listen", listen, "HTTP listener ADDR:PORT; port 0 picks a free port")
        ->envname("SENTINEL_LISTEN");
    app.add_option("--data-dir", data_dir, "where sentineld keeps its state")
        ->envname("SENTINEL_DATA_DIR");
    app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
        ->envname("SENTINEL_LOG_LEVEL");
    app.add_option("--log-format", log_format, "text or json")->envname("SENTINEL_LOG_FORMAT");
    app.add_option("--ready-file", ready_file,
                   "written with the HTTP address once everything has started")
        ->envname("SENTINEL_READY_FILE");
  }

  core::ConfigInputs inputs(char** envp) const {
    core::ConfigInputs inputs;
    inputs.file = config_file;
    inputs.file_required = config_option->count() > 0 || std::getenv("SENTINEL_CONFIG") != nullptr;
    inputs.environment = core::sentinel_environment(envp);
    auto flag = [&](const std::string& value, const char* key, const char* name) {
      if (value.empty()) return;
      inputs.flags[key] = value;
      inputs.flag_names[key] = name;
    };
    flag(listen, "http.listen", "--listen");
    flag(data_dir, "data_dir", "--data-dir");
    flag(log_level, "log.level", "--log-level");
    flag(log_format, "log.format", "--log-format");
    return inputs;
  }
};

std::filesystem::path default_data_dir() {
  return core::default_data_dir(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"), geteuid() == 0);
}

int config_command(const Program& program, const CommonOptions& options, char** envp, bool print) {
  try {
    auto parsed = core::parse_config(program.catalog, options.inputs(envp), default_data_dir());
    for (const auto& warning : parsed.warnings) {
      std::fprintf(stderr, "warning (refused in prod mode): %s\n", warning.to_string().c_str());
    }
    if (print) {
      std::cout << parsed.effective_yaml;
    } else {
      std::cout << "configuration OK (" << options.config_file << ", role " << options.role
                << ")\n";
    }
    return 0;
  } catch (const core::ConfigErrors& e) {
    return core::report_config_errors(e);
  }
}

}  // namespace

int run(const Program& program, int argc, char** argv, char** envp) {
  std::vector<std::string> role_names;
  for (const auto& [name, components] : program.roles)
    role_names.push_back(name);

  CLI::App app{"sentineld: host monitoring (agent, gateway, worker), one binary"};
  app.set_version_flag("--version", std::string(core::version()));
  CommonOptions options;
  options.add_to(app, role_names);

  auto* version = app.add_subcommand("version", "print the version and exit");
  auto* config = app.add_subcommand("config", "check or print the configuration");
  config->require_subcommand(1);
  // Flags such as --config may follow the subcommand: `sentineld config check --config f.yml`.
  for (auto* sub : {version, config})
    sub->fallthrough();
  auto* check = config->add_subcommand("check", "validate the configuration; exit 2 on errors");
  auto* print =
      config->add_subcommand("print", "print the effective configuration, secrets masked");
  for (auto* sub : {check, print})
    sub->fallthrough();
  auto* migrate = app.add_subcommand("migrate", "bring the database schema up to date");
  bool dry_run = false;
  migrate->add_flag("--dry-run", dry_run, "print the migrations that would run, change nothing");
  migrate->fallthrough();
  auto* export_cmd = app.add_subcommand("export", "write the store's data to an NDJSON archive");
  store::ExportRequest export_request;
  export_cmd->add_option("--since", export_request.since,
                         "samples from this far back (30d) or this UTC time; default: all");
  export_cmd->add_option("--output,-o", export_request.output, "the archive file; -: stdout")
      ->capture_default_str();
  auto* import_cmd = app.add_subcommand("import", "load an archive of `export` into the store");
  std::string import_input;
  import_cmd->add_option("archive", import_input, "the archive file; -: stdin")->required();
  for (auto* sub : {export_cmd, import_cmd})
    sub->fallthrough();
  auto* token = app.add_subcommand("token", "mint API and bootstrap tokens in the database");
  token->require_subcommand(1);
  gateway::TokenRequest token_request;
  auto* token_create = token->add_subcommand("create", "create an API token; prints it once");
  token_create->add_option("--role", token_request.role, "admin, viewer or agent-enroller")
      ->required();
  token_create->add_option("--ttl", token_request.ttl, "lifetime, e.g. 90d; none: no expiry");
  token_create->add_option("--name", token_request.name, "who or what holds it");
  auto* bootstrap = token->add_subcommand("bootstrap", "bootstrap tokens for agent enrolment");
  bootstrap->require_subcommand(1);
  auto* bootstrap_create =
      bootstrap->add_subcommand("create", "create a bootstrap token; prints it once");
  bootstrap_create->add_option("--ttl", token_request.ttl, "lifetime (default 1h)");
  bootstrap_create->add_option("--uses", token_request.uses, "enrolments it allows (default 1)");
  bootstrap_create->add_option("--name", token_request.name, "the enrolled agent's name")
      ->required();
  for (auto* sub : {token, token_create, bootstrap, bootstrap_create})
    sub->fallthrough();
  auto* wal = app.add_subcommand("wal", "read an agent's WAL offline (safe while it runs)");
  wal->require_subcommand(1);
  std::string wal_dir;
  auto* inspect = wal->add_subcommand("inspect", "list segments, records and the acked watermark");
  inspect->add_option("dir", wal_dir, "the WAL directory")->required();
  auto* verify = wal->add_subcommand("verify", "check every record's CRC; exit 1 on corruption");
  verify->add_option("dir", wal_dir, "the WAL directory")->required();
  auto* rules = app.add_subcommand("rules", "alert rules: check a rules file, list the stored");
  rules->require_subcommand(1);
  rules->fallthrough();
  std::string rules_file;
  auto* rules_check = rules->add_subcommand("check", "validate a rules file; exit 1 on errors");
  rules_check->add_option("file", rules_file, "the YAML rules file")->required();
  auto* rules_list = rules->add_subcommand("list", "list the rules in the database");
  rules_list->fallthrough();
  auto* dlq = app.add_subcommand("dlq", "notifications that failed every attempt");
  dlq->require_subcommand(1);
  dlq->fallthrough();
  std::int64_t dlq_id = 0;
  auto* dlq_list = dlq->add_subcommand("list", "list the dead letters");
  auto* dlq_replay = dlq->add_subcommand("replay", "put a dead letter back in the outbox");
  dlq_replay->add_option("id", dlq_id, "the dead letter's id")->required();
  auto* dlq_drop = dlq->add_subcommand("drop", "forget a dead letter");
  dlq_drop->add_option("id", dlq_id, "the dead letter's id")->required();
  for (auto* sub : {dlq_list, dlq_replay, dlq_drop})
    sub->fallthrough();
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (*version) {
    std::cout << "sentineld " << core::version() << " (" << core::git_commit() << ")\n";
    return 0;
  }
  if (*check) return config_command(program, options, envp, false);
  if (*print) return config_command(program, options, envp, true);
  if (*migrate) {
    return store::migrate_command(program.catalog, options.inputs(envp), default_data_dir(),
                                  dry_run);
  }
  if (*export_cmd) {
    return store::export_command(program.catalog, options.inputs(envp), default_data_dir(),
                                 export_request);
  }
  if (*import_cmd) {
    return store::import_command(program.catalog, options.inputs(envp), default_data_dir(),
                                 import_input);
  }
  if (*token_create || *bootstrap_create) {
    token_request.bootstrap = bootstrap_create->parsed();
    return gateway::token_command(program.catalog, options.inputs(envp), default_data_dir(),
                                  token_request);
  }
  if (*rules_check) return alert::rules_check(rules_file, std::cout, std::cerr);
  if (*rules_list) {
    return alert::rules_list(program.catalog, options.inputs(envp), default_data_dir(), std::cout);
  }
  if (*dlq) {
    const auto action = *dlq_replay ? notify::DlqAction::kReplay
                        : *dlq_drop ? notify::DlqAction::kDrop
                                    : notify::DlqAction::kList;
    return notify::dlq_command(program.catalog, options.inputs(envp), default_data_dir(), action,
                               dlq_id, std::cout);
  }
  if (*inspect) return agent::wal_inspect(wal_dir, std::cout);
  if (*verify) return agent::wal_verify(wal_dir, std::cout);

  core::DaemonOptions daemon;
  daemon.role = options.role;
  daemon.components = program.roles.at(options.role);
  daemon.config = options.inputs(envp);
  daemon.default_data_dir = default_data_dir();
  daemon.ready_file = options.ready_file;
  daemon.ready_text = program.ready_text;
  return core::run_daemon(program.catalog, daemon);
}

}  // namespace sentinel::cli
