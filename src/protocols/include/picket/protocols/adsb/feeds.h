// The feeds ADS-B receivers (dump1090, readsb, Radarcape, ...) serve, parsed incrementally so
// that the same code reads a file or a TCP stream in constant memory:
//
//  * Beast binary (port 30005): 0x1A, a type octet ('1' Mode A/C, 2 data octets; '2' Mode S
//    short, 7; '3' Mode S long, 14; '4' receiver status, 14), a 48-bit timestamp (12 MHz
//    counter), a signal-level octet, the data. Every 0x1A octet inside a frame is sent twice.
//  * SBS-1 BaseStation text (port 30003): comma-separated lines "MSG,type,session,aircraft,
//    hex_ident,flight,date_gen,time_gen,date_log,time_log,callsign,altitude,ground_speed,track,
//    lat,lon,vertical_rate,squawk,alert,emergency,spi,is_on_ground" (Kinetic Avionics'
//    BaseStation socket format as documented at woodair.net "Barebones42 Socket Data"), plus
//    the SEL, ID, AIR, STA and CLK message kinds.
//  * Hex frames, one per line: "*8D4840D6202CC371C32CE0576098;" (AVR), "@0123456789AB8D...;"
//    (AVR with a 48-bit timestamp), a bare hex string, or "TIME,HEX[,...]" (a Unix time first,
//    as in pyModeS's sample files). Blank lines and lines starting with '#' are skipped.
//
// Problems (a frame cut short, an unknown Beast type, a line that is not a frame) are reported
// with their byte offset or line number and the parser goes on with the next frame or line.
//
// Thread-safety: none; one parser per input.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/result.h"
#include "picket/protocols/adsb/modes.h"

namespace picket::adsb {

struct FeedIssue {
  std::uint64_t offset = 0;  // byte offset (Beast) or line number (text)
  std::string what;
  bool is_line = false;  // offset is a line number
  std::string message() const {
    return (is_line ? "line " : "byte ") + std::to_string(offset) + ": " + what;
  }
};

// --- Beast binary --------------------------------------------------------------------------

struct BeastFrame {
  char type = 0;                // '1', '2', '3' or '4'
  std::uint64_t timestamp = 0;  // 48-bit counter (12 MHz on most receivers)
  std::uint8_t signal = 0;
  std::array<std::uint8_t, 14> data{};
  std::uint8_t length = 0;   // data octets
  std::uint64_t offset = 0;  // of the frame's 0x1A
  double seconds() const { return static_cast<double>(timestamp) / 12e6; }
  bool is_mode_s() const { return type == '2' || type == '3'; }
  Frame frame() const { return Frame::from_bytes({data.data(), length}); }
};

struct BeastStats {
  std::uint64_t frames = 0;  // complete frames of any type
  std::uint64_t mode_ac = 0, mode_s = 0, status = 0;
  std::uint64_t bad = 0;             // cut short or of an unknown type
  std::uint64_t skipped_octets = 0;  // outside any frame
};

class BeastParser {
 public:
  using FrameFn = std::function<void(const BeastFrame&)>;
  using IssueFn = std::function<void(const FeedIssue&)>;
  BeastParser(FrameFn on_frame, IssueFn on_issue);
  // Feeds the next octets of the stream; frames are delivered as soon as they are complete.
  void feed(std::span<const std::uint8_t> data);
  // End of the stream: a frame still incomplete is reported.
  void finish();
  const BeastStats& stats() const { return stats_; }

 private:
  void start_frame(std::uint64_t at);
  void fail(std::string what);
  FrameFn on_frame_;
  IssueFn on_issue_;
  BeastStats stats_;
  std::uint64_t offset_ = 0;  // of the next octet fed
  enum class State : std::uint8_t { idle, type, body, body_escape } state_ = State::idle;
  std::uint64_t frame_at_ = 0;
  std::uint64_t garbage_at_ = 0;
  std::uint64_t garbage_ = 0;
  char type_ = 0;
  std::size_t need_ = 0;
  std::array<std::uint8_t, 21> body_{};
  std::size_t have_ = 0;
};

// --- SBS-1 BaseStation ---------------------------------------------------------------------

struct SbsMessage {
  std::string kind;            // "MSG", "SEL", "ID", "AIR", "STA", "CLK"
  int transmission_type = 0;   // MSG: 1..8
  std::uint32_t icao = 0;      // hex_ident
  std::optional<double> time;  // date_gen + time_gen as Unix seconds (taken as UTC)
  std::optional<std::string> callsign;
  std::optional<int> altitude_ft;
  std::optional<double> groundspeed_kt;
  std::optional<double> track_deg;
  std::optional<double> lat, lon;
  std::optional<int> vertical_rate_fpm;
  std::optional<std::string> squawk;
  std::optional<bool> alert, emergency, spi, on_ground;
};

// Parses one line (without its end of line). The error says which field is wrong.
Result<SbsMessage> parse_sbs(std::string_view line);

// --- Hex frames ----------------------------------------------------------------------------

struct HexFrame {
  Frame frame;
  std::optional<double> time;              // "TIME,HEX" lines
  std::optional<std::uint64_t> timestamp;  // "@" lines: 48-bit counter
};

// One line: a frame, nothing for a blank or comment line, or an error.
Result<std::optional<HexFrame>> parse_hex_line(std::string_view line);

// --- Line splitting ------------------------------------------------------------------------

// Splits a byte stream into lines (LF or CRLF) in constant memory; a line longer than
// `max_line` octets is delivered cut, with `cut` set.
class LineSplitter {
 public:
  using LineFn = std::function<void(std::string_view line, std::uint64_t number, bool cut)>;
  explicit LineSplitter(LineFn on_line, std::size_t max_line = 4096);
  void feed(std::span<const std::uint8_t> data);
  void finish();

 private:
  LineFn on_line_;
  std::size_t max_;
  std::string line_;
  bool cut_ = false;
  std::uint64_t number_ = 0;
};

}  // namespace picket::adsb

namespace picket::adsb {

// --- Reading a whole feed file -------------------------------------------------------------

enum class FeedFormat : std::uint8_t { automatic, beast, sbs, hex };
Result<FeedFormat> parse_feed_format(std::string_view name);
std::string_view to_string(FeedFormat f);
// Beast when the data starts with 0x1A, SBS when it starts with an SBS message kind and a
// comma, hex frames otherwise.
FeedFormat detect_feed_format(std::span<const std::uint8_t> head);

// One unit of a feed: a Beast frame, a hex line's frame, or an SBS line.
struct FeedItem {
  std::uint64_t at = 0;  // byte offset (Beast) or line number (text)
  bool is_line = false;
  std::optional<double> time;            // Unix seconds (SBS, "TIME,HEX" lines)
  std::optional<std::uint64_t> ticks;    // 12 MHz receiver counter (Beast, "@" lines)
  std::optional<std::uint8_t> signal;    // Beast
  std::optional<Frame> frame;            // Mode S
  std::optional<std::uint16_t> mode_ac;  // Beast type '1' (the raw 16 bits)
  std::optional<SbsMessage> sbs;
};

struct FeedStats {
  std::uint64_t items = 0;           // frames or lines delivered
  std::uint64_t bad = 0;             // frames or lines rejected
  std::uint64_t skipped_octets = 0;  // Beast octets outside any frame
  std::uint64_t status_frames = 0;   // Beast type '4'
};

// Reads a file ("-": standard input) in 64 KiB pieces. Fails only when it cannot be opened or
// read; bad frames and lines go to on_issue and are counted.
Result<FeedFormat> read_feed(const std::string& path, FeedFormat format,
                             const std::function<void(const FeedItem&)>& on_item,
                             const std::function<void(const FeedIssue&)>& on_issue,
                             FeedStats& stats);

}  // namespace picket::adsb
