#include "picket/formats/jsonl.h"

#include <sys/stat.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

namespace picket::formats {

Result<LineReader> LineReader::open(const std::string& path) {
  LineReader r;
  r.path_ = path;
  if (path == "-") {
    r.file_ = stdin;
    return r;
  }
  r.file_ = std::fopen(path.c_str(), "rb");
  if (!r.file_) return Error{path, std::string("cannot open: ") + std::strerror(errno)};
  r.owns_ = true;
  struct stat st {};
  if (::fstat(fileno(r.file_), &st) == 0 && S_ISREG(st.st_mode)) {
    r.size_ = static_cast<std::uint64_t>(st.st_size);
  } else if (S_ISDIR(st.st_mode)) {
    return Error{path, "is a directory, not a file"};
  }
  return r;
}

LineReader::LineReader(LineReader&& o) noexcept {
  *this = std::move(o);
}

LineReader& LineReader::operator=(LineReader&& o) noexcept {
  if (this != &o) {
    if (owns_ && file_) std::fclose(file_);
    file_ = std::exchange(o.file_, nullptr);
    owns_ = std::exchange(o.owns_, false);
    path_ = std::move(o.path_);
    text_ = std::move(o.text_);
    buf_ = std::move(o.buf_);
    pos_ = o.pos_;
    end_ = o.end_;
    eof_ = o.eof_;
    truncated_ = o.truncated_;
    max_line_ = o.max_line_;
    line_no_ = o.line_no_;
    bytes_ = o.bytes_;
    size_ = o.size_;
    io_error_ = std::move(o.io_error_);
  }
  return *this;
}

LineReader::~LineReader() {
  if (owns_ && file_) std::fclose(file_);
}

bool LineReader::fill() {
  if (eof_) return false;
  if (buf_.empty()) buf_.resize(1 << 16);
  if (pos_ > 0) {  // keep the unread tail at the front
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  const std::size_t n = std::fread(buf_.data() + end_, 1, buf_.size() - end_, file_);
  if (n == 0) {
    eof_ = true;
    if (std::ferror(file_)) {
      io_error_ = Error{path_, std::string("read error: ") + std::strerror(errno)};
    }
    return false;
  }
  end_ += n;
  bytes_ += n;
  return true;
}

std::optional<std::string_view> LineReader::next() {
  if (!file_) return std::nullopt;
  text_.clear();
  truncated_ = false;
  bool any = false;
  for (;;) {
    if (pos_ == end_ && !fill()) break;
    any = true;
    const char* start = buf_.data() + pos_;
    const std::size_t avail = end_ - pos_;
    const void* nl = std::memchr(start, '\n', avail);
    const std::size_t take =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : avail;
    const std::size_t room = max_line_ > text_.size() ? max_line_ - text_.size() : 0;
    if (take > room) truncated_ = true;
    text_.append(start, std::min(take, room));
    pos_ += take;
    if (nl) {
      ++pos_;  // the newline
      break;
    }
  }
  if (!any) return std::nullopt;
  ++line_no_;
  std::string_view v(text_);
  while (!v.empty() && v.back() == '\r')
    v.remove_suffix(1);
  return v;
}

Result<JsonlWriter> JsonlWriter::create(const std::string& path) {
  JsonlWriter w;
  w.path_ = path;
  if (path == "-") {
    w.file_ = stdout;
  } else {
    w.file_ = std::fopen(path.c_str(), "wb");
    if (!w.file_) return Error{path, std::string("cannot create: ") + std::strerror(errno)};
    w.owns_ = true;
  }
  w.buf_.reserve(kFlushAt + 4096);
  return w;
}

JsonlWriter::JsonlWriter(JsonlWriter&& o) noexcept {
  *this = std::move(o);
}

JsonlWriter& JsonlWriter::operator=(JsonlWriter&& o) noexcept {
  if (this != &o) {
    if (owns_ && file_) std::fclose(file_);
    file_ = std::exchange(o.file_, nullptr);
    owns_ = std::exchange(o.owns_, false);
    path_ = std::move(o.path_);
    buf_ = std::move(o.buf_);
    written_ = o.written_;
    error_ = std::move(o.error_);
  }
  return *this;
}

JsonlWriter::~JsonlWriter() {
  (void)close();
}

void JsonlWriter::flush_buffer() {
  if (!file_ || buf_.empty()) return;
  if (!error_) {
    const std::size_t n = std::fwrite(buf_.data(), 1, buf_.size(), file_);
    if (n != buf_.size()) {
      error_ = Error{path_, std::string("write failed: ") + std::strerror(errno)};
    }
    written_ += n;
  }
  buf_.clear();
}

Status JsonlWriter::close() {
  if (!file_) return error_ ? Status(*error_) : Status();
  flush_buffer();
  if (std::fflush(file_) != 0 && !error_) {
    error_ = Error{path_, std::string("write failed: ") + std::strerror(errno)};
  }
  if (owns_ && std::fclose(file_) != 0 && !error_) {
    error_ = Error{path_, std::string("close failed: ") + std::strerror(errno)};
  }
  file_ = nullptr;
  owns_ = false;
  if (error_) return *error_;
  return Ok{};
}

}  // namespace picket::formats
