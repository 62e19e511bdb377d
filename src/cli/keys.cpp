// `ll2d keys add|list|revoke`: API keys for throttled serving. A key is 32
// random bytes in hex; only its SHA-256 is stored, so it is printed once.
#include <fmt/format.h>
#include <openssl/rand.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "http/throttle.hpp"
#include "store/store.hpp"

namespace ll2::cli {
namespace {

struct KeysOptions {
  std::string db = kDefaultDb;
  std::string label, rate, prefix;
};

// The current time as ISO 8601 UTC, to the second.
std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int add_key(store::Store& store, const KeysOptions& options) {
  unsigned char bytes[32];
  // A new prefix clashing with an existing one is refused by the table; a
  // fresh key is tried then (a clash is a 1-in-4-billion event).
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
      fmt::print(stderr, "ll2d keys: no random bytes from OpenSSL\n");
      return 1;
    }
    std::string key;
    for (const unsigned char b : bytes) key += fmt::format("{:02x}", b);
    const store::ApiKey row{key.substr(0, 8), http::sha256_hex(key), options.label,
                            utc_now(),        options.rate,          {}};
    const auto error = store.add_api_key(row);
    if (!error) {
      fmt::print("{}\n", key);
      std::fflush(stdout);
      fmt::print(stderr,
                 "ll2d keys: added key {}{}{}; this is the only time it is shown (only its "
                 "hash is stored). Clients send it as `Authorization: Token KEY`; a running "
                 "server accepts it within a second.\n",
                 row.prefix, options.label.empty() ? "" : " (" + options.label + ")",
                 options.rate.empty() ? "" : ", rate " + options.rate);
      return 0;
    }
    if (attempt == 2) {
      fmt::print(stderr, "ll2d keys: cannot add the key: {}\n", *error);
      return 1;
    }
  }
  return 1;  // not reached: the third attempt returns
}

int revoke_key(store::Store& store, const std::string& prefix) {
  const auto result = store.revoke_api_key(prefix, utc_now());
  if (const auto* e = std::get_if<std::string>(&result)) {
    fmt::print(stderr, "ll2d keys: cannot revoke {}: {}\n", prefix, *e);
    return 1;
  }
  if (!std::get<bool>(result)) {
    fmt::print(stderr, "ll2d keys: no active key has the prefix {} (see ll2d keys list)\n", prefix);
    return 1;
  }
  fmt::print("ll2d keys: revoked {}; a running server refuses it within a second\n", prefix);
  return 0;
}

int list_keys(store::Store& store) {
  std::vector<store::ApiKey> keys;
  try {
    keys = store.api_keys();
  } catch (const store::StoreError& e) {
    fmt::print(stderr, "ll2d keys: cannot read the keys: {}\n", e.what());
    return 1;
  }
  fmt::print("{:<10} {:<20} {:<14} {:<30} {}\n", "PREFIX", "CREATED", "RATE", "LABEL", "STATUS");
  for (const auto& k : keys)
    fmt::print("{:<10} {:<20} {:<14} {:<30} {}\n", k.prefix, k.created,
               k.rate.empty() ? "(--key-rate)" : k.rate, k.label,
               k.revoked.empty() ? "active" : "revoked " + k.revoked);
  return 0;
}

int run_keys(const std::string& command, const KeysOptions& options,
             const model::Registry& schema) {
  if (!options.rate.empty()) {
    const auto parsed = http::parse_rate(options.rate);
    if (const auto* e = std::get_if<std::string>(&parsed)) {
      fmt::print(stderr, "ll2d keys: --rate {}\n", *e);
      return 2;
    }
  }
  using Access = store::OpenOptions::Access;
  auto opened = store::open_store(
      options.db, schema,
      {command == "list" ? Access::Auto : Access::ReadWrite, /*must_exist=*/true});
  if (!opened.store) {
    fmt::print(stderr, "ll2d keys: {}\n", opened.error);
    return 2;
  }
  if (command == "add") return add_key(*opened.store, options);
  if (command == "revoke") return revoke_key(*opened.store, options.prefix);
  return list_keys(*opened.store);
}

}  // namespace

Command add_keys(CLI::App& app, const model::Catalog& catalog) {
  auto options = std::make_shared<KeysOptions>();
  auto* keys = app.add_subcommand("keys", "Manage API keys for throttled serving");
  keys->require_subcommand(1);
  auto* add = keys->add_subcommand("add", "Create a key and print it (only this once)");
  add_db_option(add, options->db);
  add->add_option("--label", options->label, "Who or what the key is for");
  add->add_option("--rate", options->rate,
                  "This key's own rate (N/PERIOD); default: serve's --key-rate");
  auto* list = keys->add_subcommand("list", "List keys: prefix, created, rate, label, status");
  add_db_option(list, options->db);
  auto* revoke = keys->add_subcommand("revoke", "Revoke a key by its prefix");
  add_db_option(revoke, options->db);
  revoke->add_option("prefix", options->prefix, "The key's prefix, as keys list shows it")
      ->required();
  return {keys, [options, keys, &catalog] {
            // The one chosen: require_subcommand(1) makes it exactly one.
            return run_keys(keys->get_subcommands().front()->get_name(), *options, catalog.first());
          }};
}

}  // namespace ll2::cli
