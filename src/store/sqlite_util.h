// Private to the store layer: thin RAII wrappers over the SQLite C API.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace picket::store::sql {

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, std::string_view sql, bool persistent = false) {
    rc_ = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                             persistent ? SQLITE_PREPARE_PERSISTENT : 0, &s_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(Stmt&& o) noexcept : s_(o.s_), rc_(o.rc_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept {
    if (this != &o) {
      sqlite3_finalize(s_);
      s_ = o.s_;
      rc_ = o.rc_;
      o.s_ = nullptr;
    }
    return *this;
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return rc_ == SQLITE_OK && s_ != nullptr; }
  int prepare_rc() const { return rc_; }
  sqlite3_stmt* get() const { return s_; }

  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  void bind(int i, double v) { sqlite3_bind_double(s_, i, v); }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void bind(int i, int v) { sqlite3_bind_int64(s_, i, v); }
  void bind(int i, std::uint64_t v) { sqlite3_bind_int64(s_, i, static_cast<std::int64_t>(v)); }
  void bind(int i, bool v) { sqlite3_bind_int(s_, i, v ? 1 : 0); }
  void bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, const char* v) { bind(i, std::string_view(v)); }
  void bind(int i, const std::string& v) { bind(i, std::string_view(v)); }
  void bind_null(int i) { sqlite3_bind_null(s_, i); }
  void bind_or_null(int i, std::string_view v) {
    if (v.empty()) {
      bind_null(i);
    } else {
      bind(i, v);
    }
  }
  int step() { return sqlite3_step(s_); }

  bool is_null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  double real(int c) const { return sqlite3_column_double(s_, c); }
  std::int64_t integer(int c) const { return sqlite3_column_int64(s_, c); }
  std::string text(int c) const {
    const auto* p = sqlite3_column_text(s_, c);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_OK;
};

}  // namespace picket::store::sql
