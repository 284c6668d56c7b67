// A radar's live ASTERIX feed, both ways: what a radar (or `picket simulate --asterix`) sends,
// and what a receiver makes of it. Pure code: bytes in and out, no sockets, no clock.
//
// Sending (RadarFeedWriter): plots as CAT048 target reports (or CAT010 polar target reports)
// and the radar's service messages as CAT034: a north marker (I034/000 = 1) each time the
// antenna passes north, with the rotation period (I034/041), and a sector crossing (I034/000 =
// 2, I034/020) each time it enters one of `sectors` equal sectors. Records are packed into data
// blocks of one category of at most `max_block` octets (one block per UDP datagram, as radars
// send them: 1400 keeps a datagram within an Ethernet MTU).
//
// Receiving (RadarFeedReader): one UDP payload at a time, holding whole data blocks. Each block
// is framed and decoded with the editions configured (BlockReader + Decoder: a lying length or a
// broken record is reported with its byte offset and the rest of the payload still decoded).
// Records are routed to a radar by their data source identifier (I010 SAC/SIC): a radar
// configured with a source takes that source's records; one without takes the records no other
// radar claims. Plots become Detections (adapters.h) with the full time reconstructed from the
// time of day against the receiver's clock (within 12 h of it, so a feed crosses midnight).
// CAT034 north markers and sector crossings become heartbeat reports (SensorStatus::heartbeat,
// no position) of the radar: the rules' sensor-health policy then sees the radar alive, and
// raises a silence fault when both plots and service messages stop. While the radar's last
// I034/050 said NOGO (operational use inhibited), those reports are faults instead. At most one
// such report per `health_interval_s` per radar, so sector crossings do not flood the pipeline.
//
// Thread-safety: none; one reader or writer per input.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "picket/core/types.h"
#include "picket/protocols/asterix/adapters.h"
#include "picket/protocols/asterix/decoder.h"
#include "picket/protocols/asterix/gen/cat034.h"

namespace picket::asterix {

struct DataSource {
  std::uint8_t sac = 0, sic = 0;
  bool operator==(const DataSource&) const = default;
};

// --- Sending ----------------------------------------------------------------------------------

// CAT034 1.29 service messages.
cat034::ed1_29::Record cat034_north_marker(DataSource src, double t, double rotation_period_s);
cat034::ed1_29::Record cat034_sector_crossing(DataSource src, double t, double azimuth_deg);

// A polar detection as a CAT010 1.1 target report: I010, I000 = 1, I020 (TYP = PSR), I140,
// I040 (range in metres, so up to 65535 m), I161 for a numeric sensor track below 4096.
std::optional<cat010::ed1_1::Record> detection_to_cat010(const Detection& d, DataSource src);

class RadarFeedWriter {
 public:
  struct Options {
    DataSource source;
    int category = 48;  // of the plots: 48 or 10
    std::size_t max_block = 1400;
    int sectors = 16;  // sector crossings per revolution (0: none)
  };
  explicit RadarFeedWriter(Options options) : o_(options) {}

  // Adds a plot; false (and nothing added) when it cannot be encoded (not polar, out of range).
  bool add_plot(const Detection& d);
  // Service messages for the antenna passing from azimuth a0 to a1 (degrees clockwise from
  // north, unwrapped, a1 >= a0) over the times t0 to t1: a north marker at each multiple of
  // 360, a sector crossing at each sector boundary. `period_s` is the rotation period.
  void add_rotation(double a0, double t0, double a1, double t1, double period_s);
  void add_service(const cat034::ed1_29::Record& r) { service_.push_back(r); }
  // The data blocks of everything added since the last call (service messages first), each at
  // most max_block octets; clears the pending records.
  std::vector<Bytes> take_blocks();
  std::size_t pending() const { return c48_.size() + c10_.size() + service_.size(); }
  const Options& options() const { return o_; }

 private:
  Options o_;
  std::vector<cat048::ed1_32::Record> c48_;
  std::vector<cat010::ed1_1::Record> c10_;
  std::vector<cat034::ed1_29::Record> service_;
};

// --- Receiving --------------------------------------------------------------------------------

struct RadarRoute {
  std::string sensor;
  std::optional<DataSource> source;  // only this SAC/SIC; nothing: any not claimed by another
  int category = 0;                  // plots of this category only (48 or 10); 0: both
};

struct RadarFeedStats {
  std::uint64_t datagrams = 0;
  std::uint64_t octets = 0;
  std::uint64_t blocks = 0;
  std::uint64_t records = 0;
  std::uint64_t plots = 0;    // target reports that became detections
  std::uint64_t service = 0;  // CAT034 records of a radar
  // records == plots + service + unrouted + ignored
  std::uint64_t health_reports = 0;   // heartbeats and faults passed on
  std::uint64_t rejected_blocks = 0;  // blocks (or framing problems) reported as errors
  std::uint64_t unrouted = 0;         // records of a source no radar takes
  std::uint64_t ignored = 0;  // records of other categories (or not the radar's plot category),
                              // or not target reports (no position, no time)
};

class RadarFeedReader {
 public:
  struct Options {
    std::vector<RadarRoute> radars;
    EditionMap editions;
    double health_interval_s = 1.0;
  };
  using DetectionFn = std::function<void(Detection&&)>;
  using IssueFn = std::function<void(const Issue&)>;
  RadarFeedReader(Options options, DetectionFn on_detection, IssueFn on_issue);
  ~RadarFeedReader();
  RadarFeedReader(const RadarFeedReader&) = delete;
  RadarFeedReader& operator=(const RadarFeedReader&) = delete;

  // One UDP payload. Issues carry offsets in this input's byte stream (the payloads received so
  // far, back to back), so that every problem has a unique offset. `now`: the receiver's clock,
  // Unix seconds (the reference of the time of day).
  void feed(std::span<const std::uint8_t> payload, double now);
  const RadarFeedStats& stats() const { return stats_; }
  const DecodeStats& decode_stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  RadarFeedStats stats_;
};

}  // namespace picket::asterix
