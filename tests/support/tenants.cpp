#include "tests/support/tenants.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "ingest/key_store.hpp"
#include "ingest/tenant_store.hpp"

namespace bl::test {
namespace {

// Reads both pipes until the child closes them.
void drain(int out_fd, int err_fd, std::string* out, std::string* err) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      (i == 0 ? out : err)->append(buf, static_cast<std::size_t>(n));
    }
  }
}

}  // namespace

CommandResult run_batchline(const RoleEnv& env, const std::vector<std::string>& args) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]);
    close(err_pipe[0]);
    for (const auto& [k, v] : env.vars)
      setenv(k.c_str(), v.c_str(), 1);
    std::vector<std::string> owned = args;
    std::string bin = binary_path();
    std::vector<char*> argv{bin.data()};
    for (auto& a : owned)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  CommandResult r;
  drain(out_pipe[0], err_pipe[0], &r.out, &r.err);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TestTenant make_tenant(const RoleEnv& env, const std::string& name,
                       std::optional<int> client_rate_limit_rpm) {
  const Config config = config_from(env);
  auto conn = pg_connect(config.database_url);
  if (!conn.ok()) throw std::runtime_error("make_tenant: cannot connect");
  pqxx::work tx(**conn);
  EventMetadata actor;
  actor.request_id = "test";
  auto org = create_organization(tx, config.keyring, name, actor);
  if (!org.ok()) throw std::runtime_error("make_tenant: " + org.error().message);
  auto ws = create_workspace(tx, config.keyring, org->id, name + " workspace", actor);
  if (!ws.ok()) throw std::runtime_error("make_tenant: " + ws.error().message);
  NewApiKey client;
  client.scope = Scope::kClient;
  client.workspace_id = ws->id;
  client.name = name + " client";
  client.rate_limit_rpm = client_rate_limit_rpm;
  auto client_key = create_api_key(tx, config.keyring, config.key_pepper, client, "", actor);
  NewApiKey admin;
  admin.scope = Scope::kAdmin;
  admin.org_id = org->id;
  auto admin_key = create_api_key(tx, config.keyring, config.key_pepper, admin, "", actor);
  if (!client_key.ok() || !admin_key.ok()) throw std::runtime_error("make_tenant: keys");
  tx.commit();
  return TestTenant{org->id,
                    ws->id,
                    client_key->secret,
                    client_key->record.id,
                    admin_key->secret,
                    admin_key->record.id};
}

std::string bearer(const std::string& key) {
  return "Authorization: Bearer " + key;
}

std::string ApiClient::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

HttpResult ApiClient::get(const std::string& path) const {
  return http("GET", url(path), "", {bearer(key)});
}

TenantPipeline::TenantPipeline(PipelineOptions options) : p(std::move(options)) {
  if (p.processes.empty()) p.start_role("ingest");
  tenant = make_tenant(p.env, "acme");
  client = ApiClient{p.ingest_port, tenant.client_key};
}

bool TenantPipeline::ready() {
  return p.ready() && wait_until([&] { return client.get("/v1/jobs").status == 200; });
}

int TenantPipeline::count_events(const std::string& where) {
  auto c = p.db.connect();
  pqxx::work tx(*c);
  return tx.exec1("SELECT count(*) FROM events WHERE " + where)[0].as<int>();
}

HttpResult ApiClient::post(const std::string& path, const std::string& body,
                           std::vector<std::string> headers) const {
  headers.push_back(bearer(key));
  headers.push_back("Content-Type: application/json");
  return http("POST", url(path), body, headers);
}

}  // namespace bl::test
