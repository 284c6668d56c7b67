// Error values with context, and Result<T>, the one way a Picket boundary reports failure.
//
// An Error says where (a file and line, a field, a byte offset: whatever locates the fault for
// the person who must fix it) and what. Layers never throw across their boundaries; they return
// Result<T> (or Status, a Result<void>). Inner code asserts its invariants instead.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace picket {

struct Error {
  std::string where;  // "site.yaml:12 sensors[2].range", "byte 1042", ... ; may be empty
  std::string what;   // what is wrong, in words a user understands

  // "where: what", or just "what" when the location is unknown.
  std::string message() const { return where.empty() ? what : where + ": " + what; }
};

// Holds either a T or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};

// Success or an Error, with nothing else to return.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Ok) {}  // NOLINT(google-explicit-constructor)
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace picket

// Declares `var` from a Result-returning expression, or returns its Error from the enclosing
// function (which must return a Result or Status).
#define PICKET_TRY(var, expr)                       \
  auto var##_result_ = (expr);                      \
  if (!var##_result_) return var##_result_.error(); \
  auto var = std::move(*var##_result_)
