// The one place where a --db value picks its backend, and where a
// PostgreSQL URL is made fit to print.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"
#include "util/text.hpp"

namespace ll2::store {

namespace {

std::string sqlite_path(const std::string& db) {
  return db.starts_with("sqlite:") ? db.substr(7) : db;
}

// Where a PostgreSQL URL's parts are (text::url_user_info_end says where the
// user info ends).
struct UrlParts {
  size_t authority = std::string_view::npos;  // after "://"
  size_t at = std::string_view::npos;         // the user info's end
  size_t query = std::string_view::npos;      // the `?`
};

UrlParts url_parts(std::string_view url) {
  UrlParts p;
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return p;
  p.authority = scheme + 3;
  p.at = text::url_user_info_end(url);
  p.query = url.find('?', p.at == std::string_view::npos ? p.authority : p.at);
  return p;
}

// The query's `key=value` pairs, as written.
std::vector<std::string_view> query_pairs(std::string_view query) {
  std::vector<std::string_view> out;
  for (size_t from = 0; from <= query.size();) {
    const size_t end = std::min(query.find('&', from), query.size());
    out.push_back(query.substr(from, end - from));
    from = end + 1;
  }
  return out;
}

// A pair's key, and its value when the pair is a secret (else nothing).
std::optional<std::string_view> secret_value(std::string_view pair) {
  const size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  std::string key(pair.substr(0, eq));
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!key.ends_with("password")) return std::nullopt;  // password, sslpassword
  return pair.substr(eq + 1);
}

std::string percent_decoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Every secret the URL holds (the user info's password, password
// parameters), raw and decoded, and the pieces libpq could take for a host,
// port or database name when it splits a password at `@ / ? : #`.
std::vector<std::string> url_secrets(std::string_view url) {
  const UrlParts p = url_parts(url);
  std::vector<std::string> whole;
  if (p.at != std::string_view::npos) {
    const std::string_view info = url.substr(p.authority, p.at - p.authority);
    if (const size_t colon = info.find(':'); colon != std::string_view::npos)
      whole.emplace_back(info.substr(colon + 1));
  }
  if (p.query != std::string_view::npos)
    for (const std::string_view pair : query_pairs(url.substr(p.query + 1)))
      if (const auto value = secret_value(pair)) whole.emplace_back(*value);
  std::vector<std::string> out;
  for (const std::string& secret : whole) {
    for (const std::string& form : {secret, percent_decoded(secret)}) {
      size_t from = 0;
      while (from <= form.size()) {
        const size_t end = std::min(form.find_first_of("@/?:#", from), form.size());
        if (end > from) out.push_back(form.substr(from, end - from));
        from = end + 1;
      }
      if (!form.empty()) out.push_back(form);
    }
  }
  return out;
}

}  // namespace

std::string display_name(const std::string& db) {
  if (!is_postgres_url(db)) return db;
  const UrlParts p = url_parts(db);
  std::string out = text::mask_url_password(std::string_view(db).substr(0, p.query));
  if (p.query == std::string::npos) return out;
  const char* separator = "?";
  for (const std::string_view pair : query_pairs(std::string_view(db).substr(p.query + 1))) {
    out += separator;
    separator = "&";
    const auto secret = secret_value(pair);
    out += secret ? std::string(pair.substr(0, pair.size() - secret->size())) + "***"
                  : std::string(pair);
  }
  return out;
}

std::string without_secrets(const std::string& url, std::string message) {
  for (const std::string& secret : url_secrets(url))
    if (message.find(secret) != std::string::npos)
      return "libpq's message is withheld, since it shows part of the password";
  return message;
}

OpenResult open_store(const std::string& db, const model::Registry& schema,
                      const OpenOptions& options) {
  if (is_postgres_url(db)) return open_postgres(db, schema, options);
  return open_sqlite(sqlite_path(db), schema, options);
}

CheckReport check_store(const std::string& db, const model::Registry& schema, bool quick) {
  if (is_postgres_url(db)) return check_postgres(db, schema);
  return check_sqlite(sqlite_path(db), schema, quick);
}

}  // namespace ll2::store
