#include "picket/protocols/pcap.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <utility>

namespace picket::protocols {

namespace {
constexpr std::uint32_t kPcapMicro = 0xA1B2C3D4;
constexpr std::uint32_t kPcapNano = 0xA1B23C4D;
constexpr std::uint32_t kPcapngShb = 0x0A0D0D0A;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint32_t kMaxPacket = 1 << 18;  // larger records are damage, not packets

std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
         (std::uint32_t{p[3]} << 24);
}
std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}
std::uint32_t bswap32(std::uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}
}  // namespace

bool looks_like_pcap(std::span<const std::uint8_t> head) {
  if (head.size() < 4) return false;
  const std::uint32_t m = le32(head.data());
  return m == kPcapMicro || m == kPcapNano || bswap32(m) == kPcapMicro || bswap32(m) == kPcapNano ||
         m == kPcapngShb;
}

Result<PcapReader> PcapReader::open(const std::string& path) {
  PcapReader r;
  r.path_ = path;
  r.file_ = std::fopen(path.c_str(), "rb");
  if (r.file_ == nullptr) return Error{path, std::strerror(errno)};
  if (std::fseek(r.file_, 0, SEEK_END) == 0) {
    const long n = std::ftell(r.file_);
    if (n > 0) r.size_ = static_cast<std::uint64_t>(n);
    std::fseek(r.file_, 0, SEEK_SET);
  }
  std::uint8_t h[24];
  if (!r.read(h, 4)) return Error{path, "too short for a capture file"};
  const std::uint32_t m = le32(h);
  if (m == kPcapngShb) {
    r.ng_ = true;
    // The section header block is parsed by next() like any other block: rewind.
    std::fseek(r.file_, 0, SEEK_SET);
    r.pos_ = 0;
    return r;
  }
  if (m == kPcapMicro || m == kPcapNano) {
    r.swapped_ = false;
  } else if (bswap32(m) == kPcapMicro || bswap32(m) == kPcapNano) {
    r.swapped_ = true;
  } else {
    return Error{path, fmt::format("not a pcap or pcapng file (magic {:08X})", m)};
  }
  r.nanos_ = (r.swapped_ ? bswap32(m) : m) == kPcapNano;
  if (!r.read(h + 4, 20)) return Error{path, "pcap file header cut short"};
  r.linktype_ = static_cast<int>(r.u32(h + 20) & 0x0FFFFFFF);
  return r;
}

PcapReader::PcapReader(PcapReader&& o) noexcept {
  *this = std::move(o);
}

PcapReader& PcapReader::operator=(PcapReader&& o) noexcept {
  if (this != &o) {
    if (file_) std::fclose(file_);
    file_ = std::exchange(o.file_, nullptr);
    path_ = std::move(o.path_);
    ng_ = o.ng_;
    swapped_ = o.swapped_;
    nanos_ = o.nanos_;
    linktype_ = o.linktype_;
    if_linktype_ = std::move(o.if_linktype_);
    if_tsunit_ = std::move(o.if_tsunit_);
    pkt_ = std::move(o.pkt_);
    pos_ = o.pos_;
    size_ = o.size_;
    stats_ = o.stats_;
    error_ = std::move(o.error_);
  }
  return *this;
}

PcapReader::~PcapReader() {
  if (file_) std::fclose(file_);
}

bool PcapReader::read(void* dst, std::size_t n) {
  const std::size_t got = std::fread(dst, 1, n, file_);
  pos_ += got;
  return got == n;
}

bool PcapReader::skip(std::uint64_t n) {
  if (n == 0) return true;
  if (std::fseek(file_, static_cast<long>(n), SEEK_CUR) != 0) return false;
  pos_ += n;
  return size_ == 0 || pos_ <= size_;
}

std::uint32_t PcapReader::u32(const std::uint8_t* p) const {
  const std::uint32_t v = le32(p);
  return swapped_ ? bswap32(v) : v;
}

std::uint16_t PcapReader::u16(const std::uint8_t* p) const {
  const auto v = static_cast<std::uint16_t>(p[0] | (p[1] << 8));
  return swapped_ ? static_cast<std::uint16_t>((v >> 8) | (v << 8)) : v;
}

bool PcapReader::fail(std::string what) {
  error_ = Error{fmt::format("{}: byte {}", path_, pos_), std::move(what)};
  return false;
}

std::optional<Datagram> PcapReader::next() {
  if (file_ == nullptr || error_) return std::nullopt;
  for (;;) {
    if (!ng_) {
      std::uint8_t h[16];
      const std::uint64_t at = pos_;
      const std::size_t got = std::fread(h, 1, 16, file_);
      pos_ += got;
      if (got == 0) return std::nullopt;
      if (got < 16) {
        fail(fmt::format("packet record header at byte {} cut short", at));
        return std::nullopt;
      }
      const std::uint32_t sec = u32(h), frac = u32(h + 4), incl = u32(h + 8), orig = u32(h + 12);
      if (incl > kMaxPacket) {
        fail(fmt::format("packet record at byte {} claims {} octets", at, incl));
        return std::nullopt;
      }
      pkt_.resize(incl);
      const std::uint64_t data_at = pos_;
      if (!read(pkt_.data(), incl)) {
        fail(fmt::format("packet at byte {} cut short by the end of the file", at));
        return std::nullopt;
      }
      ++stats_.packets;
      if (orig > incl) {
        ++stats_.truncated;
        continue;
      }
      const double t = sec + frac * (nanos_ ? 1e-9 : 1e-6);
      if (auto d = parse_packet(linktype_, t, data_at)) return d;
      continue;
    }
    // pcapng: block type, total length, body, total length again.
    std::uint8_t h[8];
    const std::uint64_t at = pos_;
    const std::size_t got = std::fread(h, 1, 8, file_);
    pos_ += got;
    if (got == 0) return std::nullopt;
    if (got < 8) {
      fail(fmt::format("block header at byte {} cut short", at));
      return std::nullopt;
    }
    std::uint32_t type = le32(h);
    if (type == kPcapngShb) {
      std::uint8_t bom[4];
      if (!read(bom, 4)) {
        fail("section header cut short");
        return std::nullopt;
      }
      if (le32(bom) == kByteOrderMagic) {
        swapped_ = false;
      } else if (bswap32(le32(bom)) == kByteOrderMagic) {
        swapped_ = true;
      } else {
        fail("section header with an unknown byte-order magic");
        return std::nullopt;
      }
      const std::uint32_t len = u32(h + 4);
      if (len < 28 || len % 4 || len > kMaxPacket) {
        fail(fmt::format("section header at byte {} has length {}", at, len));
        return std::nullopt;
      }
      if_linktype_.clear();
      if_tsunit_.clear();
      if (!skip(len - 12)) {
        fail("section header cut short");
        return std::nullopt;
      }
      continue;
    }
    const std::uint32_t len = u32(h + 4);
    if (len < 12 || len % 4 || len > kMaxPacket) {
      fail(fmt::format("pcapng block at byte {} has length {}", at, len));
      return std::nullopt;
    }
    type = swapped_ ? bswap32(type) : type;
    pkt_.resize(len - 8);
    const std::uint64_t body_at = pos_;
    if (!read(pkt_.data(), len - 8)) {
      fail(fmt::format("pcapng block at byte {} cut short by the end of the file", at));
      return std::nullopt;
    }
    const std::uint8_t* b = pkt_.data();
    const std::size_t body = len - 12;
    if (type == 1) {  // interface description
      if (body < 8) {
        fail(fmt::format("interface description at byte {} too short", at));
        return std::nullopt;
      }
      if_linktype_.push_back(u16(b));
      double unit = 1e-6;
      // Options: code, length, value (padded to 4). if_tsresol is code 9.
      std::size_t o = 8;
      while (o + 4 <= body) {
        const std::uint16_t code = u16(b + o), olen = u16(b + o + 2);
        if (code == 0) break;
        if (o + 4 + olen > body) break;
        if (code == 9 && olen >= 1) {
          const std::uint8_t r = b[o + 4];
          unit = (r & 0x80) ? std::ldexp(1.0, -(r & 0x7F)) : std::pow(10.0, -(r & 0x7F));
        }
        o += 4 + ((olen + 3u) & ~3u);
      }
      if_tsunit_.push_back(unit);
      continue;
    }
    if (type == 6 || type == 3) {  // enhanced / simple packet
      std::uint32_t iface = 0, incl = 0, orig = 0;
      std::size_t data_off = 0;
      double t = 0;
      if (type == 6) {
        if (body < 20) {
          fail(fmt::format("enhanced packet block at byte {} too short", at));
          return std::nullopt;
        }
        iface = u32(b);
        const std::uint64_t ts = (std::uint64_t{u32(b + 4)} << 32) | u32(b + 8);
        incl = u32(b + 12);
        orig = u32(b + 16);
        data_off = 20;
        const double unit = iface < if_tsunit_.size() ? if_tsunit_[iface] : 1e-6;
        t = static_cast<double>(ts) * unit;
      } else {
        if (body < 4) {
          fail(fmt::format("simple packet block at byte {} too short", at));
          return std::nullopt;
        }
        orig = u32(b);
        incl = static_cast<std::uint32_t>(std::min<std::size_t>(orig, body - 4));
        data_off = 4;
      }
      if (data_off + incl > body) {
        fail(fmt::format("packet block at byte {} claims {} octets of data", at, incl));
        return std::nullopt;
      }
      ++stats_.packets;
      if (iface >= if_linktype_.size()) {
        fail(fmt::format("packet block at byte {} names interface {} that was not described", at,
                         iface));
        return std::nullopt;
      }
      if (orig > incl) {
        ++stats_.truncated;
        continue;
      }
      // Move the packet data to the front so parse_packet sees it at pkt_[0].
      std::memmove(pkt_.data(), pkt_.data() + data_off, incl);
      pkt_.resize(incl);
      if (auto d = parse_packet(if_linktype_[iface], t, body_at + data_off)) return d;
      continue;
    }
    // Any other block (statistics, name resolution, custom): skipped.
  }
}

std::optional<Datagram> PcapReader::parse_packet(int linktype, double t,
                                                 std::uint64_t data_offset) {
  const std::uint8_t* p = pkt_.data();
  std::size_t n = pkt_.size();
  std::size_t o = 0;
  std::uint16_t ethertype = 0;
  switch (linktype) {
    case 1: {  // Ethernet
      if (n < 14) return std::nullopt;
      ethertype = be16(p + 12);
      o = 14;
      while ((ethertype == 0x8100 || ethertype == 0x88A8) && o + 4 <= n) {
        ethertype = be16(p + o + 2);
        o += 4;
      }
      break;
    }
    case 101:  // raw IP
    case 12:
      if (n < 1) return std::nullopt;
      ethertype = (p[0] >> 4) == 6 ? 0x86DD : 0x0800;
      break;
    case 113:  // Linux cooked v1
      if (n < 16) return std::nullopt;
      ethertype = be16(p + 14);
      o = 16;
      break;
    case 276:  // Linux cooked v2
      if (n < 20) return std::nullopt;
      ethertype = be16(p);
      o = 20;
      break;
    case 0: {  // BSD loopback: 4-octet address family in host order
      if (n < 4) return std::nullopt;
      const std::uint32_t af = le32(p) == 2 || be32(p) == 2 ? 2 : 0;
      ethertype = af == 2 ? 0x0800 : 0x86DD;
      o = 4;
      break;
    }
    default:
      ++stats_.unsupported_link;
      return std::nullopt;
  }
  Datagram d;
  d.time = t;
  std::size_t udp = 0, end = n;
  if (ethertype == 0x0800) {
    if (o + 20 > n || (p[o] >> 4) != 4) {
      ++stats_.not_udp;
      return std::nullopt;
    }
    const std::size_t ihl = (p[o] & 0x0F) * 4u;
    const std::size_t total = be16(p + o + 2);
    const std::uint16_t frag = be16(p + o + 6);
    if (ihl < 20 || o + ihl > n) {
      ++stats_.not_udp;
      return std::nullopt;
    }
    if (p[o + 9] != 17) {
      ++stats_.not_udp;
      return std::nullopt;
    }
    if ((frag & 0x3FFF) != 0) {  // more fragments, or a non-zero offset
      ++stats_.fragments;
      return std::nullopt;
    }
    if (total >= ihl && o + total <= n) end = o + total;  // drop Ethernet padding
    d.src_ip4 = be32(p + o + 12);
    d.dst_ip4 = be32(p + o + 16);
    udp = o + ihl;
  } else if (ethertype == 0x86DD) {
    if (o + 40 > n) {
      ++stats_.not_udp;
      return std::nullopt;
    }
    std::uint8_t nh = p[o + 6];
    const std::size_t plen = be16(p + o + 4);
    if (o + 40 + plen <= n) end = o + 40 + plen;
    std::size_t q = o + 40;
    // Hop-by-hop, routing, destination options: skip; fragment header: count and drop.
    while (nh == 0 || nh == 43 || nh == 60 || nh == 44) {
      if (q + 8 > end) {
        ++stats_.not_udp;
        return std::nullopt;
      }
      if (nh == 44) {
        ++stats_.fragments;
        return std::nullopt;
      }
      const std::size_t len = (p[q + 1] + 1u) * 8u;
      nh = p[q];
      q += len;
    }
    if (nh != 17) {
      ++stats_.not_udp;
      return std::nullopt;
    }
    udp = q;
  } else {
    ++stats_.not_udp;
    return std::nullopt;
  }
  if (udp + 8 > end) {
    ++stats_.not_udp;
    return std::nullopt;
  }
  d.src_port = be16(p + udp);
  d.dst_port = be16(p + udp + 2);
  const std::size_t ulen = be16(p + udp + 4);
  std::size_t pend = end;
  if (ulen >= 8 && udp + ulen <= end) pend = udp + ulen;
  ++stats_.udp;
  d.payload = std::span<const std::uint8_t>(p + udp + 8, pend - udp - 8);
  d.offset = data_offset + udp + 8;
  return d;
}

}  // namespace picket::protocols
