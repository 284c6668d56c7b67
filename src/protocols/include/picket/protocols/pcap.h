// UDP datagrams out of packet captures: classic pcap (microsecond or nanosecond, either byte
// order) and pcapng (section header, interface description, enhanced and simple packet
// blocks), read record by record in constant memory. Written from the formats' descriptions
// (tcpdump.org "pcap savefile format", IETF draft-ietf-opsawg-pcapng); no libpcap needed.
//
// Link layers: Ethernet (with 802.1Q/802.1ad VLAN tags), raw IP, Linux cooked (SLL, SLL2),
// BSD loopback. Network: IPv4 (options allowed) and IPv6 (extension headers skipped). Packets
// that are not UDP are counted and skipped; IP fragments are counted and skipped (reassembly is
// not implemented), as are truncated captures (snaplen shorter than the packet).
//
// Thread-safety: none; one reader per thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "picket/core/result.h"

namespace picket::protocols {

// Whether the first octets of a file are a pcap or pcapng magic number.
bool looks_like_pcap(std::span<const std::uint8_t> head);

struct Datagram {
  std::span<const std::uint8_t> payload;   // valid until the next call to next()
  std::uint64_t offset = 0;                // of the payload's first octet in the file
  double time = 0;                         // capture time, Unix seconds
  std::uint32_t src_ip4 = 0, dst_ip4 = 0;  // 0 for IPv6
  std::uint16_t src_port = 0, dst_port = 0;
};

struct PcapStats {
  std::uint64_t packets = 0;
  std::uint64_t udp = 0;
  std::uint64_t not_udp = 0;
  std::uint64_t fragments = 0;
  std::uint64_t truncated = 0;
  std::uint64_t unsupported_link = 0;
};

class PcapReader {
 public:
  static Result<PcapReader> open(const std::string& path);
  PcapReader(PcapReader&&) noexcept;
  PcapReader& operator=(PcapReader&&) noexcept;
  ~PcapReader();

  // The next UDP datagram; nothing at the end. A damaged file ends the reading with error().
  std::optional<Datagram> next();
  const std::optional<Error>& error() const { return error_; }
  const PcapStats& stats() const { return stats_; }
  bool is_pcapng() const { return ng_; }
  std::uint64_t position() const { return pos_; }
  std::uint64_t size() const { return size_; }

 private:
  PcapReader() = default;
  bool read(void* dst, std::size_t n);
  bool skip(std::uint64_t n);
  std::uint32_t u32(const std::uint8_t* p) const;
  std::uint16_t u16(const std::uint8_t* p) const;
  std::optional<Datagram> parse_packet(int linktype, double t, std::uint64_t data_offset);
  bool fail(std::string what);

  std::FILE* file_ = nullptr;
  std::string path_;
  bool ng_ = false;
  bool swapped_ = false;  // file byte order differs from little-endian reading
  bool nanos_ = false;
  int linktype_ = 1;
  std::vector<int> if_linktype_;   // pcapng: per interface
  std::vector<double> if_tsunit_;  // pcapng: seconds per timestamp unit
  std::vector<std::uint8_t> pkt_;
  std::uint64_t pos_ = 0;
  std::uint64_t size_ = 0;
  PcapStats stats_;
  std::optional<Error> error_;
};

}  // namespace picket::protocols
