// nadajnik: the command line. Every command takes --config, --data-dir and --database.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "app/cli.hpp"
#include "app/config.hpp"
#include "app/runtime.hpp"
#include "core/clock.hpp"
#include "jobs/job_runner.hpp"
#include "services/auth_service.hpp"
#include "services/shipping.hpp"

namespace {

using namespace nadajnik;

using app::AddGlobalFlags;
using app::GlobalFlags;
using app::Open;

// Reads one line from stdin without echo when stdin is a terminal.
std::string ReadPassword(const std::string& prompt) {
  const bool tty = isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int Report(const Result<int>& r) {
  if (r) return *r;
  std::cerr << "nadajnik: " << r.error().message;
  if (!r.error().details.empty()) std::cerr << " (" << r.error().details << ")";
  std::cerr << "\n";
  return r.error().code == ErrorCode::kInvalidArgument ? 2 : 1;
}

services::AuthService MakeAuth(app::Runtime& rt) {
  const auto& a = rt.config.auth;
  return services::AuthService(*rt.store, rt.clock,
                               {std::chrono::minutes(a.session_ttl_minutes), a.login_max_failures,
                                std::chrono::seconds(a.login_window_seconds)});
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "Nadajnik: order fulfilment for Allegro sellers.\n"
      "Start with `nadajnik demo` (SQLite under ./var) or `nadajnik serve --config FILE`."};
  cli.require_subcommand(1);
  GlobalFlags g;
  std::function<Result<int>()> action;

  // serve / demo
  std::string listen;
  for (const bool demo : {false, true}) {
    auto* cmd =
        cli.add_subcommand(demo ? "demo" : "serve",
                           demo ? "Run with embedded defaults and print a one-time admin password"
                                : "Serve the panel, the JSON API and the job workers");
    AddGlobalFlags(*cmd, g);
    cmd->add_option("--listen", listen, "Address to listen on, host:port (default 127.0.0.1:8080)");
    cmd->callback([&, demo] {
      action = [&, demo]() -> Result<int> {
        if (!listen.empty()) g.overrides["server.listen"] = listen;
        NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
        return app::Serve(*rt, {demo});
      };
    });
  }

  // migrate
  auto* migrate = cli.add_subcommand("migrate", "Apply pending database migrations and exit");
  AddGlobalFlags(*migrate, g);
  migrate->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      std::cout << "database is up to date\n";
      return 0;
    };
  });

  // users
  auto* users = cli.add_subcommand("users", "Manage panel users");
  users->require_subcommand(1);
  std::string username;
  std::string role = "packer";
  auto* users_add = users->add_subcommand(
      "add", "Add a user; the password is read from stdin (never from an argument)");
  AddGlobalFlags(*users_add, g);
  users_add->add_option("USERNAME", username, "Login name")->required();
  users_add->add_option("--role", role, "admin or packer")
      ->check(CLI::IsMember({"admin", "packer"}))
      ->default_val("packer");
  users_add->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      Secret<> password(ReadPassword("Password for " + username + ": "));
      auto auth = MakeAuth(*rt);
      NADAJNIK_ASSIGN_OR_RETURN(
          UserId id, auth.CreateUser(username, password, *domain::ParseRole(role), false));
      std::cout << fmt::format("user {} added (id {}, role {})\n", username, id.value, role);
      return 0;
    };
  });
  auto* users_list = users->add_subcommand("list", "List users");
  AddGlobalFlags(*users_list, g);
  users_list->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      NADAJNIK_ASSIGN_OR_RETURN(
          auto list, rt->store->Read([](store::UnitOfWork& uow) { return uow.users().List(); }));
      for (const auto& u : list) {
        std::cout << fmt::format("{:<24} {:<8} {:<8} {}\n", u.username, domain::RoleName(u.role),
                                 domain::LabelFormatName(u.label_format),
                                 u.disabled               ? "(disabled)"
                                 : u.must_change_password ? "(must change password)"
                                                          : "");
      }
      return 0;
    };
  });

  std::string label_format_text;
  auto* users_label = users->add_subcommand(
      "set-label-format",
      "Set a user's label printer: the format of their labels when none is asked for");
  AddGlobalFlags(*users_label, g);
  users_label->add_option("USERNAME", username, "Login name")->required();
  users_label->add_option("FORMAT", label_format_text, "pdf-a6, pdf-a4, zpl (203 dpi) or zpl-300")
      ->required();
  users_label->callback([&] {
    action = [&]() -> Result<int> {
      const auto format = services::ParseLabelFormatParam(label_format_text);
      if (!format) {
        return Fail(ErrorCode::kInvalidArgument,
                    "unknown label format '" + label_format_text +
                        "': use pdf-a6, pdf-a4, zpl (203 dpi) or zpl-300");
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      NADAJNIK_TRY(rt->store->InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
        NADAJNIK_ASSIGN_OR_RETURN(auto user, uow.users().FindByUsername(username));
        if (!user) {
          return Fail(ErrorCode::kNotFound,
                      "no user named '" + username + "': see `nadajnik users list`");
        }
        return uow.users().SetLabelFormat(user->id, *format, rt->clock.Now());
      }));
      std::cout << fmt::format("user {} prints labels as {}\n", username,
                               domain::LabelFormatName(*format));
      return 0;
    };
  });

  // An operator's changes to a user, through AuthService as in the panel (the last enabled admin
  // keeps the role); the CLI has no user of its own, so "not yourself" does not apply.
  const auto find_user = [](store::Store& store, const std::string& name) -> Result<UserId> {
    NADAJNIK_ASSIGN_OR_RETURN(auto user, store.Read([&](store::UnitOfWork& uow) {
      return uow.users().FindByUsername(name);
    }));
    if (!user) {
      return Fail(ErrorCode::kNotFound, "no user named '" + name + "': see `nadajnik users list`");
    }
    return user->id;
  };
  const services::Principal operator_principal{{}, {}, "cli", domain::Role::kAdmin, false, {}};
  std::string new_role;
  auto* users_role = users->add_subcommand("set-role", "Change a user's role (admin or packer)");
  AddGlobalFlags(*users_role, g);
  users_role->add_option("USERNAME", username, "Login name")->required();
  users_role->add_option("ROLE", new_role, "admin or packer")
      ->required()
      ->check(CLI::IsMember({"admin", "packer"}));
  users_role->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      NADAJNIK_ASSIGN_OR_RETURN(UserId id, find_user(*rt->store, username));
      auto auth = MakeAuth(*rt);
      NADAJNIK_TRY(auth.SetRole(operator_principal, id, *domain::ParseRole(new_role)));
      std::cout << fmt::format("user {} is now {}\n", username, new_role);
      return 0;
    };
  });
  for (const bool disable : {true, false}) {
    auto* sub = users->add_subcommand(
        disable ? "disable" : "enable",
        disable ? "Disable a user: no login, their sessions end" : "Enable a disabled user");
    AddGlobalFlags(*sub, g);
    sub->add_option("USERNAME", username, "Login name")->required();
    sub->callback([&, disable] {
      action = [&, disable]() -> Result<int> {
        NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
        NADAJNIK_ASSIGN_OR_RETURN(UserId id, find_user(*rt->store, username));
        auto auth = MakeAuth(*rt);
        NADAJNIK_TRY(auth.SetDisabled(operator_principal, id, disable));
        std::cout << fmt::format("user {} {}\n", username, disable ? "disabled" : "enabled");
        return 0;
      };
    });
  }
  bool confirm_delete = false;
  auto* users_delete = users->add_subcommand("delete", "Delete a user and their sessions");
  AddGlobalFlags(*users_delete, g);
  users_delete->add_option("USERNAME", username, "Login name")->required();
  users_delete->add_flag("--yes", confirm_delete, "Confirm the deletion (it can't be undone)");
  users_delete->callback([&] {
    action = [&]() -> Result<int> {
      if (!confirm_delete) {
        return Fail(ErrorCode::kInvalidArgument,
                    "deleting a user can't be undone: repeat with --yes (or use `users disable`)");
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      NADAJNIK_ASSIGN_OR_RETURN(UserId id, find_user(*rt->store, username));
      auto auth = MakeAuth(*rt);
      NADAJNIK_TRY(auth.DeleteUser(operator_principal, id));
      std::cout << fmt::format("user {} deleted\n", username);
      return 0;
    };
  });

  // api-tokens
  auto* tokens = cli.add_subcommand("api-tokens", "Manage API tokens for machine clients (ERP)");
  tokens->require_subcommand(1);
  std::string token_name;
  std::string token_role = "admin";
  auto* tokens_create = tokens->add_subcommand("create", "Create a token and print it once");
  AddGlobalFlags(*tokens_create, g);
  tokens_create->add_option("--name", token_name, "A name to tell the token apart")->required();
  tokens_create->add_option("--role", token_role, "admin or packer")
      ->check(CLI::IsMember({"admin", "packer"}))
      ->default_val("admin");
  tokens_create->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      auto auth = MakeAuth(*rt);
      NADAJNIK_ASSIGN_OR_RETURN(auto created,
                                auth.CreateApiToken(token_name, *domain::ParseRole(token_role)));
      std::cout << created.token.Reveal() << "\n";
      std::cerr << "Store this token now: it is shown once and kept only as a hash.\n";
      return 0;
    };
  });

  // jobs
  auto* jobs_cmd = cli.add_subcommand("jobs", "Inspect the durable job queue");
  jobs_cmd->require_subcommand(1);
  std::string job_state;
  std::string job_kind;
  int job_limit = 50;
  auto* jobs_list = jobs_cmd->add_subcommand("list", "List jobs, newest first");
  AddGlobalFlags(*jobs_list, g);
  jobs_list->add_option("--state", job_state, "queued, running, done or dead")
      ->check(CLI::IsMember({"queued", "running", "done", "dead"}));
  jobs_list->add_option("--kind", job_kind, "Only jobs of this kind");
  jobs_list->add_option("--limit", job_limit, "How many (default 50)")->check(CLI::Range(1, 10000));
  jobs_list->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      store::JobFilter filter;
      if (!job_state.empty()) filter.state = store::ParseJobState(job_state);
      if (!job_kind.empty()) filter.kind = job_kind;
      filter.limit = job_limit;
      NADAJNIK_ASSIGN_OR_RETURN(auto list, rt->store->Read([&](store::UnitOfWork& uow) {
        return uow.jobs().List(filter);
      }));
      std::cout << fmt::format("{:>8}  {:<24} {:<8} {:>8}  {:<20} {}\n", "ID", "KIND", "STATE",
                               "ATTEMPTS", "RUN AT", "LAST ERROR");
      for (const auto& j : list) {
        std::cout << fmt::format("{:>8}  {:<24} {:<8} {:>4}/{:<3}  {:<20} {}\n", j.id.value, j.kind,
                                 store::JobStateName(j.state), j.attempts, j.max_attempts,
                                 FormatIso8601(j.run_at), j.last_error);
      }
      return 0;
    };
  });
  int probe_count = 1;
  int probe_sleep_ms = 0;
  bool probe_fail = false;
  int probe_attempts = 0;  // 0: jobs.max_attempts from the configuration
  auto* jobs_probe = jobs_cmd->add_subcommand(
      "probe", "Enqueue diagnostic jobs that the running workers execute (checks a deployment)");
  AddGlobalFlags(*jobs_probe, g);
  jobs_probe->add_option("--count", probe_count, "How many probe jobs")
      ->check(CLI::Range(1, 1000000));
  jobs_probe->add_option("--sleep-ms", probe_sleep_ms, "How long each probe works")
      ->check(CLI::Range(0, 600000));
  jobs_probe
      ->add_option("--max-attempts", probe_attempts,
                   "Attempts before a probe is dead (default: jobs.max_attempts)")
      ->check(CLI::Range(1, 1000));
  jobs_probe->add_flag("--fail", probe_fail,
                       "Make every attempt fail (to see retries and dead jobs)");
  jobs_probe->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      const Timestamp now = rt->clock.Now();
      std::int64_t first = 0;
      NADAJNIK_TRY(rt->store->InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
        for (int i = 0; i < probe_count; ++i) {
          store::NewJob job;
          job.kind = "system.probe";
          job.payload = fmt::format(R"({{"sleepMs":{},"fail":{}}})", probe_sleep_ms,
                                    probe_fail ? "true" : "false");
          job.run_at = now;
          job.max_attempts = probe_attempts > 0 ? probe_attempts : rt->config.jobs.max_attempts;
          NADAJNIK_ASSIGN_OR_RETURN(auto id, uow.jobs().Enqueue(job, now));
          if (i == 0 && id) first = id->value;
        }
        return Ok();
      }));
      std::cout << fmt::format("enqueued {} probe job(s), first id {}\n", probe_count, first);
      return 0;
    };
  });

  app::AddMarketplaceCommands(cli, g, action);
  app::AddCarrierCommands(cli, g, action);
  app::AddShippingCommands(cli, g, action);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  try {
    return Report(action());
  } catch (const std::exception& e) {
    std::cerr << "nadajnik: internal error: " << e.what() << "\n";
    return 70;
  }
}
