// The site's civil time, for rule schedules ("armed 18:00 to 07:00 on weekdays").
//
// A TimeZone turns Unix time (UTC) into the offset of local civil time. Three forms:
//   - "UTC" (or "Z"): offset 0;
//   - a fixed offset: "+01:00", "-05:30", "+0530", "+1", "UTC+01:00";
//   - an IANA name ("Europe/London"), read from the system's compiled time-zone database
//     (TZif files, RFC 8536: the transition table, then the POSIX TZ rule of its footer for
//     times after the last transition). The directory is $TZDIR, else /usr/share/zoneinfo.
//     Only the C++ standard library is used (libstdc++ 12 has no std::chrono::tzdb).
// A replay that uses an IANA name gives the same alarms on machines with the same tzdata.
//
// Thread-safety: immutable after creation; offset_at is const and safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/result.h"

namespace picket::rules {

// A POSIX TZ rule ("GMT0BST,M3.5.0/1,M10.5.0"): standard and daylight offsets and the two
// yearly changes. Offsets here are seconds east of UTC (the POSIX text counts west).
struct PosixTz {
  struct When {
    enum Form : std::uint8_t { julian1, julian0, month_week_day } form = month_week_day;
    int day = 0;        // Jn: 1..365; n: 0..365; M: day of week 0 (Sunday)..6
    int month = 0;      // M form: 1..12
    int week = 0;       // M form: 1..5 (5: the last)
    int time_s = 7200;  // local time of the change, seconds (may be negative or > 24 h)
  };
  int std_offset_s = 0;
  bool has_dst = false;
  int dst_offset_s = 0;
  When start;  // change to daylight time (in standard local time)
  When end;    // change back (in daylight local time)

  static Result<PosixTz> parse(std::string_view text);
  int offset_at(std::int64_t unix_s) const;
};

class TimeZone {
 public:
  TimeZone() = default;  // UTC
  // Parses a zone as described above. Errors name what was wrong ("unknown time zone ...").
  static Result<TimeZone> parse(std::string_view spec);
  // An IANA zone from a given directory (tests use their own copy of tzdata).
  static Result<TimeZone> load_iana(std::string_view name, const std::string& dir);
  // A TZif file's bytes (RFC 8536, version 1 to 4).
  static Result<TimeZone> from_tzif(std::string_view bytes, std::string name);

  // Seconds east of UTC of local civil time at Unix time `t`.
  int offset_at(double t) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_ = "UTC";
  int fixed_offset_s_ = 0;
  // IANA zones: transition times (Unix s) and the offset that starts at each.
  std::vector<std::int64_t> transitions_;
  std::vector<int> offsets_;
  int initial_offset_s_ = 0;  // before the first transition
  bool has_footer_ = false;
  PosixTz footer_;
  bool iana_ = false;
};

// Civil calendar helpers (proleptic Gregorian; H. Hinnant's days_from_civil algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d);
// 0 = Sunday .. 6 = Saturday.
int weekday_from_days(std::int64_t z);

}  // namespace picket::rules
