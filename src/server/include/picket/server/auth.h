// Users, passwords, sessions and login rate limiting for the live daemon.
//
// Passwords are hashed with Argon2id (libsodium's crypto_pwhash_argon2id_str, the "interactive"
// limits: 64 MiB, 2 passes), which is deliberately slow: callers run hashing off the event loop.
// Sessions are random 256-bit tokens (libsodium randombytes) held in memory with an expiry and a
// per-session CSRF token; a forged or expired token is simply not found.
//
// Thread-safety: UserDb and SessionStore lock internally; LoginLimiter is used from the event
// loop only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "picket/core/result.h"

struct sqlite3;

namespace picket::server {

enum class Role { viewer, operator_, admin };
std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view s);
inline bool at_least(Role have, Role need) {
  return static_cast<int>(have) >= static_cast<int>(need);
}

struct User {
  std::string name;
  Role role = Role::viewer;
};

// Hashes a password with Argon2id; the result is a self-describing PHC string.
Result<std::string> hash_password(const std::string& password);
bool verify_password(const std::string& hash, const std::string& password);
// A random password of `length` characters from an unambiguous alphabet.
std::string random_password(int length = 20);
// A random token: 32 bytes as 64 hex digits.
std::string random_token();

// Users and the audit trail, in an SQLite database (the daemon's store file).
class UserDb {
 public:
  static Result<std::unique_ptr<UserDb>> open(const std::string& path);
  ~UserDb();

  std::vector<User> list();
  std::optional<User> find(const std::string& name);
  std::optional<std::string> password_hash(const std::string& name);
  // Hashes the password (slow) and stores the user; error if it exists or the name is invalid.
  Status create(const std::string& name, Role role, const std::string& password);
  Status remove(const std::string& name);
  Status set_password(const std::string& name, const std::string& password);
  int count_admins();

  // The audit trail of logins and every action on alarms, users and exercises.
  struct AuditEntry {
    double t = 0;
    std::string actor, action, target, detail, client;
  };
  Status audit(const AuditEntry& e);
  std::vector<AuditEntry> audit_log(int limit);

 private:
  explicit UserDb(sqlite3* db) : db_(db) {}
  std::mutex mu_;
  sqlite3* db_;
};

struct Session {
  std::string token;
  std::string csrf;
  User user;
  double expires = 0;
};

class SessionStore {
 public:
  using Clock = std::function<double()>;  // Unix seconds
  SessionStore(double lifetime_s, Clock clock);
  Session create(const User& user);
  // The live session for a token, or nothing (unknown, forged or expired).
  std::optional<Session> find(const std::string& token);
  void remove(const std::string& token);
  void remove_user(const std::string& name);
  double lifetime() const { return lifetime_; }

 private:
  std::mutex mu_;
  std::map<std::string, Session> sessions_;
  double lifetime_;
  Clock clock_;
};

// Failed-login limiting: at most `max_failures` within `window_s` per client address and per
// user name; beyond that, logins are refused until the window has passed (sliding window).
class LoginLimiter {
 public:
  LoginLimiter(int max_failures, double window_s) : max_(max_failures), window_(window_s) {}
  // Seconds until a login from this client for this user may be tried, 0 if allowed now.
  double retry_after(const std::string& client, const std::string& user, double now);
  void failure(const std::string& client, const std::string& user, double now);
  void success(const std::string& client, const std::string& user);

 private:
  double wait(std::deque<double>& q, double now);
  int max_;
  double window_;
  std::map<std::string, std::deque<double>> by_client_, by_user_;
};

}  // namespace picket::server
