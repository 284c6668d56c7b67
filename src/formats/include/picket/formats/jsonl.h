// JSON Lines files: one JSON object per line (docs/formats.md).
//
// LineReader streams a file line by line in constant memory and knows each line's number, so
// every parse error can say "file:line: what". JsonlReader<T> turns lines into records with a
// parse function and either stops at the first bad line or, with skip_bad, counts it and goes on.
// JsonlWriter buffers output and reports write failures (a full disk) as errors, never silently.
//
// Thread-safety: none; each reader or writer belongs to one thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/result.h"

namespace picket::formats {

class LineReader {
 public:
  // Opens a file; "-" reads standard input.
  static Result<LineReader> open(const std::string& path);
  LineReader(LineReader&&) noexcept;
  LineReader& operator=(LineReader&&) noexcept;
  ~LineReader();

  // The next line without its end-of-line characters; nothing at end of file. The view stays
  // valid until the next call. A line longer than `max_line` bytes is returned cut to that
  // length with `truncated()` true (the rest is skipped), so one giant line cannot exhaust
  // memory.
  std::optional<std::string_view> next();
  bool truncated() const { return truncated_; }
  void set_max_line(std::size_t n) { max_line_ = n; }
  // An I/O error seen while reading (as opposed to end of file).
  const std::optional<Error>& io_error() const { return io_error_; }
  std::size_t line_number() const { return line_no_; }
  const std::string& path() const { return path_; }
  std::uint64_t bytes_read() const { return bytes_; }
  std::uint64_t size() const { return size_; }  // 0 when unknown (a pipe)

 private:
  LineReader() = default;
  std::FILE* file_ = nullptr;
  bool owns_ = false;
  std::string path_;
  bool fill();
  std::string text_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  bool truncated_ = false;
  std::size_t max_line_ = 1 << 20;
  std::size_t line_no_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t size_ = 0;
  std::optional<Error> io_error_;
};

struct ReadOptions {
  bool skip_bad = false;           // count and skip bad lines instead of stopping
  std::size_t max_line = 1 << 20;  // longer lines are bad
};

struct ReadStats {
  std::size_t lines = 0;
  std::size_t records = 0;
  std::size_t blank = 0;
  std::size_t bad = 0;
  std::vector<Error> first_errors;  // the first few bad lines, for the summary
};

// Parses one line's text into a record, or says what is wrong with it (without the location,
// which the reader adds).
template <class T>
using LineParser = std::function<Result<T>(std::string_view)>;

template <class T>
class JsonlReader {
 public:
  static Result<JsonlReader> open(const std::string& path, LineParser<T> parse,
                                  ReadOptions options = {}) {
    auto lines = LineReader::open(path);
    if (!lines) return lines.error();
    lines->set_max_line(options.max_line);
    return JsonlReader(std::move(*lines), std::move(parse), options);
  }

  // The next record; nothing at the end; an Error for a bad line (unless skipping) or an I/O
  // failure. After an Error the reader may be called again to continue past the bad line.
  Result<std::optional<T>> next() {
    while (auto line = lines_.next()) {
      ++stats_.lines;
      if (line->find_first_not_of(" \t\r") == std::string_view::npos) {
        ++stats_.blank;
        continue;
      }
      Result<T> rec = lines_.truncated()
                          ? Result<T>(Error{"", "line longer than " +
                                                    std::to_string(options_.max_line) + " bytes"})
                          : parse_(*line);
      if (rec) {
        ++stats_.records;
        return std::optional<T>(std::move(*rec));
      }
      Error e{lines_.path() + ":" + std::to_string(lines_.line_number()), rec.error().what};
      if (!rec.error().where.empty()) e.where += " " + rec.error().where;
      ++stats_.bad;
      if (stats_.first_errors.size() < 10) stats_.first_errors.push_back(e);
      if (!options_.skip_bad) return e;
    }
    if (lines_.io_error()) return *lines_.io_error();
    return std::optional<T>();
  }

  const ReadStats& stats() const { return stats_; }
  // Fraction of the file read, 0..1 (0 when the size is unknown).
  double progress() const {
    return lines_.size() ? static_cast<double>(lines_.bytes_read()) / lines_.size() : 0.0;
  }
  const LineReader& lines() const { return lines_; }

 private:
  JsonlReader(LineReader lines, LineParser<T> parse, ReadOptions options)
      : lines_(std::move(lines)), parse_(std::move(parse)), options_(options) {}
  LineReader lines_;
  LineParser<T> parse_;
  ReadOptions options_;
  ReadStats stats_;
};

// Buffered line writer. Call `line()` to get the buffer, append one line's text (ending in
// '\n'), then `commit()`; flushes in large blocks.
class JsonlWriter {
 public:
  // Creates or truncates a file; "-" writes standard output.
  static Result<JsonlWriter> create(const std::string& path);
  JsonlWriter(JsonlWriter&&) noexcept;
  JsonlWriter& operator=(JsonlWriter&&) noexcept;
  ~JsonlWriter();

  std::string& buffer() { return buf_; }
  // Flushes when the buffer is large; the first write failure is kept and returned by close().
  void commit() {
    if (buf_.size() >= kFlushAt) flush_buffer();
  }
  void write(std::string_view line) {
    buf_.append(line);
    commit();
  }
  // Flushes and closes; returns the first write error, if any.
  Status close();
  const std::string& path() const { return path_; }
  std::uint64_t bytes_written() const { return written_ + buf_.size(); }

 private:
  static constexpr std::size_t kFlushAt = 1 << 16;
  JsonlWriter() = default;
  void flush_buffer();
  std::FILE* file_ = nullptr;
  bool owns_ = false;
  std::string path_;
  std::string buf_;
  std::uint64_t written_ = 0;
  std::optional<Error> error_;
};

}  // namespace picket::formats
