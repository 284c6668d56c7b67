#include "picket/server/auth.h"

#include <fmt/format.h>
#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>
#include <cassert>
#include <cctype>

namespace picket::server {

std::string_view to_string(Role r) {
  switch (r) {
    case Role::viewer:
      return "viewer";
    case Role::operator_:
      return "operator";
    case Role::admin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view s) {
  if (s == "viewer") return Role::viewer;
  if (s == "operator") return Role::operator_;
  if (s == "admin") return Role::admin;
  return std::nullopt;
}

namespace {
bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}
}  // namespace

Result<std::string> hash_password(const std::string& password) {
  if (!sodium_ready()) return Error{"libsodium", "initialisation failed"};
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(),
                                 crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE) != 0) {
    return Error{"password hashing", "out of memory"};
  }
  return std::string(out);
}

bool verify_password(const std::string& hash, const std::string& password) {
  if (!sodium_ready() || hash.size() >= crypto_pwhash_argon2id_STRBYTES) return false;
  return crypto_pwhash_argon2id_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string random_password(int length) {
  sodium_ready();
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (int i = 0; i < length; ++i)
    out += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  return out;
}

std::string random_token() {
  sodium_ready();
  unsigned char b[32];
  randombytes_buf(b, sizeof b);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, b, sizeof b);
  return hex;
}

// --- UserDb -------------------------------------------------------------------------------

namespace {

struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s, nullptr); }
  ~Stmt() { sqlite3_finalize(s); }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, double v) {
    sqlite3_bind_double(s, i, v);
    return *this;
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(s, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
};

bool valid_name(const std::string& n) {
  return !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

Result<std::unique_ptr<UserDb>> UserDb::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "cannot open";
    sqlite3_close(db);
    return Error{path, msg};
  }
  sqlite3_busy_timeout(db, 5000);
  const char* schema =
      "PRAGMA journal_mode=WAL;"
      "CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL,"
      " hash TEXT NOT NULL, created REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * "
      "86400.0));"
      "CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, t REAL NOT NULL, actor TEXT,"
      " action TEXT NOT NULL, target TEXT, detail TEXT, client TEXT);";
  char* err = nullptr;
  if (sqlite3_exec(db, schema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "schema failed";
    sqlite3_free(err);
    sqlite3_close(db);
    return Error{path, "cannot use as the user database: " + msg};
  }
  return std::unique_ptr<UserDb>(new UserDb(db));
}

UserDb::~UserDb() {
  sqlite3_close(db_);
}

std::vector<User> UserDb::list() {
  std::lock_guard lock(mu_);
  std::vector<User> out;
  Stmt st(db_, "SELECT name, role FROM users ORDER BY name");
  while (sqlite3_step(st.s) == SQLITE_ROW) {
    out.push_back({st.text(0), parse_role(st.text(1)).value_or(Role::viewer)});
  }
  return out;
}

std::optional<User> UserDb::find(const std::string& name) {
  std::lock_guard lock(mu_);
  Stmt st(db_, "SELECT name, role FROM users WHERE name = ?");
  st.bind(1, name);
  if (sqlite3_step(st.s) != SQLITE_ROW) return std::nullopt;
  return User{st.text(0), parse_role(st.text(1)).value_or(Role::viewer)};
}

std::optional<std::string> UserDb::password_hash(const std::string& name) {
  std::lock_guard lock(mu_);
  Stmt st(db_, "SELECT hash FROM users WHERE name = ?");
  st.bind(1, name);
  if (sqlite3_step(st.s) != SQLITE_ROW) return std::nullopt;
  return st.text(0);
}

Status UserDb::create(const std::string& name, Role role, const std::string& password) {
  if (!valid_name(name)) return Error{"name", "1 to 64 letters, digits, '-', '_' or '.'"};
  if (password.size() < 8) return Error{"password", "at least 8 characters"};
  auto hash = hash_password(password);
  if (!hash) return hash.error();
  std::lock_guard lock(mu_);
  Stmt st(db_, "INSERT INTO users(name, role, hash) VALUES (?, ?, ?)");
  st.bind(1, name).bind(2, std::string(to_string(role))).bind(3, *hash);
  const int rc = sqlite3_step(st.s);
  if (rc == SQLITE_CONSTRAINT) return Error{"name", fmt::format("user '{}' exists", name)};
  if (rc != SQLITE_DONE) return Error{"user database", sqlite3_errmsg(db_)};
  return Ok{};
}

Status UserDb::remove(const std::string& name) {
  std::lock_guard lock(mu_);
  Stmt st(db_, "DELETE FROM users WHERE name = ?");
  st.bind(1, name);
  if (sqlite3_step(st.s) != SQLITE_DONE) return Error{"user database", sqlite3_errmsg(db_)};
  if (sqlite3_changes(db_) == 0) return Error{"name", fmt::format("no user '{}'", name)};
  return Ok{};
}

Status UserDb::set_password(const std::string& name, const std::string& password) {
  if (password.size() < 8) return Error{"password", "at least 8 characters"};
  auto hash = hash_password(password);
  if (!hash) return hash.error();
  std::lock_guard lock(mu_);
  Stmt st(db_, "UPDATE users SET hash = ? WHERE name = ?");
  st.bind(1, *hash).bind(2, name);
  if (sqlite3_step(st.s) != SQLITE_DONE) return Error{"user database", sqlite3_errmsg(db_)};
  if (sqlite3_changes(db_) == 0) return Error{"name", fmt::format("no user '{}'", name)};
  return Ok{};
}

int UserDb::count_admins() {
  std::lock_guard lock(mu_);
  Stmt st(db_, "SELECT count(*) FROM users WHERE role = 'admin'");
  return sqlite3_step(st.s) == SQLITE_ROW ? sqlite3_column_int(st.s, 0) : 0;
}

Status UserDb::audit(const AuditEntry& e) {
  std::lock_guard lock(mu_);
  Stmt st(db_, "INSERT INTO audit(t, actor, action, target, detail, client) VALUES (?,?,?,?,?,?)");
  st.bind(1, e.t)
      .bind(2, e.actor)
      .bind(3, e.action)
      .bind(4, e.target)
      .bind(5, e.detail)
      .bind(6, e.client);
  if (sqlite3_step(st.s) != SQLITE_DONE) return Error{"audit", sqlite3_errmsg(db_)};
  return Ok{};
}

std::vector<UserDb::AuditEntry> UserDb::audit_log(int limit) {
  std::lock_guard lock(mu_);
  std::vector<AuditEntry> out;
  Stmt st(db_,
          "SELECT t, actor, action, target, detail, client FROM audit ORDER BY id DESC LIMIT ?");
  sqlite3_bind_int(st.s, 1, limit);
  while (sqlite3_step(st.s) == SQLITE_ROW) {
    out.push_back({sqlite3_column_double(st.s, 0), st.text(1), st.text(2), st.text(3), st.text(4),
                   st.text(5)});
  }
  return out;
}

// --- Sessions -------------------------------------------------------------------------------

SessionStore::SessionStore(double lifetime_s, Clock clock)
    : lifetime_(lifetime_s), clock_(std::move(clock)) {}

Session SessionStore::create(const User& user) {
  Session s{random_token(), random_token(), user, clock_() + lifetime_};
  std::lock_guard lock(mu_);
  // Drop expired sessions now and then so the map cannot grow without bound.
  const double now = clock_();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.expires <= now ? sessions_.erase(it) : std::next(it);
  }
  sessions_[s.token] = s;
  return s;
}

std::optional<Session> SessionStore::find(const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires <= clock_()) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void SessionStore::remove(const std::string& token) {
  std::lock_guard lock(mu_);
  sessions_.erase(token);
}

void SessionStore::remove_user(const std::string& name) {
  std::lock_guard lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.user.name == name ? sessions_.erase(it) : std::next(it);
  }
}

// --- Login limiting -------------------------------------------------------------------------

double LoginLimiter::wait(std::deque<double>& q, double now) {
  while (!q.empty() && q.front() <= now - window_)
    q.pop_front();
  if (static_cast<int>(q.size()) < max_) return 0;
  return q.front() + window_ - now;
}

double LoginLimiter::retry_after(const std::string& client, const std::string& user, double now) {
  double w = wait(by_client_[client], now);
  if (!user.empty()) w = std::max(w, wait(by_user_[user], now));
  return w;
}

void LoginLimiter::failure(const std::string& client, const std::string& user, double now) {
  by_client_[client].push_back(now);
  if (!user.empty()) by_user_[user].push_back(now);
  // Bound memory under a flood of distinct names: forget the oldest keys.
  if (by_user_.size() > 10000) by_user_.erase(by_user_.begin());
  if (by_client_.size() > 10000) by_client_.erase(by_client_.begin());
}

void LoginLimiter::success(const std::string& client, const std::string& user) {
  by_client_.erase(client);
  by_user_.erase(user);
}

}  // namespace picket::server
