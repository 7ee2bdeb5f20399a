// batchline: one binary, one subcommand per role (DESIGN.md §2).

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "app/client_commands.hpp"
#include "app/flags.hpp"
#include "app/mock_command.hpp"
#include "app/project_commands.hpp"
#include "app/status_command.hpp"
#include "app/tenant_commands.hpp"
#include "config/config.hpp"
#include "core/admin_server.hpp"
#include "core/log.hpp"
#include "core/migrations.hpp"
#include "core/stop_signal.hpp"
#include "ingest/ingest_server.hpp"
#include "outbox/relay_role.hpp"
#include "projections/batch_manager/batch_manager.hpp"
#include "projections/projector.hpp"
#include "workers/optimizer/optimization_manager.hpp"
#include "workers/worker.hpp"

namespace bl {
namespace {

constexpr const char* kUsage = R"(usage: batchline <command> [flags]

roles (configuration from the environment and BL_CONFIG; see docs/operations.md):
  ingest        HTTP API: submit jobs, read results
  relay         move due outbox rows to Redis streams and webhook endpoints; sweep
  work          consume deliveries and call LLM providers
  project       fold the event log into read models; end batches (batch manager); advance
                optimization runs (optimization manager)
                [--rebuild NAME | --status [--json]]  rebuild a read model; show lag
  run           all four roles in one process (laptop, demo)
  migrate       apply schema migrations and exit

tenancy (against the database; see docs/operations.md, "Tenants and API keys"):
  orgs create --name NAME | orgs list
  workspaces create --org ORG --name NAME | workspaces list --org ORG
  keys create --workspace WS | --org ORG --admin | --operator
              [--name NAME] [--expires-in 90d] [--rate-limit-rpm N]
  keys list [--org ORG] [--workspace WS] [--all]
  keys revoke KEY_ID
  (--json prints JSON; a new key is printed once)

client (against a running ingest; --url/BL_URL, --api-key/BL_API_KEY; see docs/cli.md):
  submit FILE.jsonl --model M [--wait] [--output OUT]   upload and run a batch, with progress
  results BATCH [--output OUT] [--errors]               download a batch's result lines
  jobs get JOB [--wait S] | jobs list [--status S] [--batch B] [--limit N] | jobs cancel JOB

tools:
  mock-llm [--port N] [--latency-ms N] [--help ...]   a fake LLM provider (four formats)
  status [--json]   queues and live workers (fleet registry in Redis)
  config        list every setting with its environment variable
  version       print the version
)";

int fail(const std::string& message) {
  std::fprintf(stderr, "batchline: %s\n", message.c_str());
  return 2;
}

// Loads configuration and logging for a role; migrates the database when asked.
bool prepare(const char* role, Config* out, bool migrate_schema, int* exit_code) {
  auto config = load_config();
  if (!config.ok()) {
    *exit_code = fail(config.error().message);
    return false;
  }
  *out = std::move(*config);
  log::init(role, out->log_level, out->log_file);
  if (out->keyring.empty() && std::strcmp(role, "migrate") != 0) {
    *exit_code = fail("BL_DATA_KEYS is required: content is encrypted at rest (see README)");
    return false;
  }
  if (migrate_schema) {
    auto applied = migrate(out->database_url);
    if (!applied.ok()) {
      log::error("migration.failed", {{"error", log::code(error_code_name(applied.error().code))}});
      *exit_code = fail("migration failed: " + applied.error().message);
      return false;
    }
  }
  return true;
}

int run_role(const std::string& command) {
  Config config;
  int code = 0;
  if (!prepare(command.c_str(), &config, true, &code)) return code;
  StopSignal stop;
  StopSignal::install_handlers(stop);
  if (command == "ingest") return IngestServer::run(config, stop);
  const auto admin = start_admin_server(command, config.admin_host, config.admin_port);
  if (command == "relay") return run_relay_role(config, stop);
  if (command == "work") return Worker(config, stop).run();
  if (command == "project") {
    // The batch manager reacts to what the projections fold; it runs beside them.
    int manager_code = 0;
    std::thread manager([&] { manager_code = BatchManager(config, stop).run(); });
    int optimizer_code = 0;
    std::thread optimizer([&] { optimizer_code = OptimizationManager(config, stop).run(); });
    const int projector_code = Projector(config, stop, all_projections(config)).run();
    stop.request_stop();
    manager.join();
    optimizer.join();
    return projector_code | manager_code | optimizer_code;
  }
  // run: every role in this process, sharing the stop signal.
  int relay_code = 0, worker_code = 0, projector_code = 0;
  std::thread relay([&] { relay_code = run_relay_role(config, stop); });
  std::thread worker([&] { worker_code = Worker(config, stop).run(); });
  std::thread projector(
      [&] { projector_code = Projector(config, stop, all_projections(config)).run(); });
  int manager_code = 0;
  std::thread manager([&] { manager_code = BatchManager(config, stop).run(); });
  int optimizer_code = 0;
  std::thread optimizer([&] { optimizer_code = OptimizationManager(config, stop).run(); });
  const int ingest_code = IngestServer::run(config, stop);
  stop.request_stop();
  relay.join();
  worker.join();
  projector.join();
  manager.join();
  optimizer.join();
  return ingest_code | relay_code | worker_code | projector_code | manager_code | optimizer_code;
}

int list_settings() {
  for (const auto& s : describe_settings()) {
    std::printf("%-28s %-30s %s\n", s.key, s.env, s.help);
  }
  return 0;
}

}  // namespace
}  // namespace bl

int main(int argc, char** argv) {
  using namespace bl;
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "project" && argc > 2) {
    Config config;
    int code = 0;
    if (!prepare("project", &config, true, &code)) return code;
    return run_project_command(config, argc, argv);
  }
  if (command == "ingest" || command == "relay" || command == "work" || command == "project" ||
      command == "run") {
    return run_role(command);
  }
  if (command == "migrate") {
    Config config;
    int code = 0;
    if (!prepare("migrate", &config, true, &code)) return code;
    return 0;
  }
  if (command == "orgs" || command == "workspaces" || command == "keys") {
    Config config;
    int code = 0;
    if (!prepare(command.c_str(), &config, true, &code)) return code;
    return run_tenant_command(command, config, argc, argv);
  }
  if (is_client_command(command)) return run_client_command(command, argc, argv);
  if (command == "mock-llm") return run_mock_command(argc, argv);
  if (command == "status") {
    Config config;
    int code = 0;
    if (!prepare("status", &config, false, &code)) return code;
    return run_status_command(config, argc, argv);
  }
  if (command == "config") return list_settings();
  if (command == "version" || command == "--version") {
    std::puts("batchline 0.1.0");
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  return fail("unknown command \"" + command + "\"; run `batchline help`");
}
