// Packet captures: the real pcap, the same packets rewritten as pcapng (nanosecond timestamps)
// and as a big-endian pcap, and link/network variants (VLAN, IPv6, Linux cooked, fragments).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "asterix_support.h"
#include "picket/protocols/pcap.h"
#include "test_data.h"

namespace picket::protocols {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct Packet {
  std::uint32_t sec, usec;
  Bytes data;  // link layer frame
};

std::vector<Packet> read_classic(const Bytes& f) {
  std::vector<Packet> out;
  std::size_t o = 24;
  auto le32 = [&](std::size_t i) {
    return std::uint32_t{f[i]} | (std::uint32_t{f[i + 1]} << 8) | (std::uint32_t{f[i + 2]} << 16) |
           (std::uint32_t{f[i + 3]} << 24);
  };
  while (o + 16 <= f.size()) {
    const std::uint32_t incl = le32(o + 8);
    out.push_back({le32(o), le32(o + 4),
                   Bytes(f.begin() + static_cast<long>(o + 16),
                         f.begin() + static_cast<long>(o + 16 + incl))});
    o += 16 + incl;
  }
  return out;
}

void put32(Bytes& b, std::uint32_t v, bool big = false) {
  for (int i = 0; i < 4; ++i)
    b.push_back(static_cast<std::uint8_t>(big ? v >> (24 - 8 * i) : v >> (8 * i)));
}
void put16(Bytes& b, std::uint16_t v, bool big = false) {
  b.push_back(static_cast<std::uint8_t>(big ? v >> 8 : v));
  b.push_back(static_cast<std::uint8_t>(big ? v : v >> 8));
}

Bytes classic(const std::vector<Packet>& pkts, int linktype, bool big) {
  Bytes b;
  put32(b, 0xA1B2C3D4, big);
  put16(b, 2, big);
  put16(b, 4, big);
  put32(b, 0, big);
  put32(b, 0, big);
  put32(b, 65535, big);
  put32(b, static_cast<std::uint32_t>(linktype), big);
  for (const auto& p : pkts) {
    put32(b, p.sec, big);
    put32(b, p.usec, big);
    put32(b, static_cast<std::uint32_t>(p.data.size()), big);
    put32(b, static_cast<std::uint32_t>(p.data.size()), big);
    b.insert(b.end(), p.data.begin(), p.data.end());
  }
  return b;
}

Bytes pcapng(const std::vector<Packet>& pkts) {
  Bytes b;
  // Section header block.
  put32(b, 0x0A0D0D0A);
  put32(b, 28);
  put32(b, 0x1A2B3C4D);
  put16(b, 1);
  put16(b, 0);
  put32(b, 0xFFFFFFFF);
  put32(b, 0xFFFFFFFF);
  put32(b, 28);
  // Interface description: Ethernet, if_tsresol = 9 (nanoseconds).
  put32(b, 1);
  put32(b, 32);
  put16(b, 1);
  put16(b, 0);
  put32(b, 65535);
  put16(b, 9);
  put16(b, 1);
  b.push_back(9);
  b.insert(b.end(), 3, 0);
  put16(b, 0);
  put16(b, 0);
  put32(b, 32);
  // A name resolution block to skip.
  put32(b, 4);
  put32(b, 16);
  put32(b, 0);
  put32(b, 16);
  for (const auto& p : pkts) {
    const std::uint64_t ns = std::uint64_t{p.sec} * 1000000000ull + std::uint64_t{p.usec} * 1000;
    const std::size_t pad = (4 - p.data.size() % 4) % 4;
    const auto len = static_cast<std::uint32_t>(32 + p.data.size() + pad);
    put32(b, 6);
    put32(b, len);
    put32(b, 0);
    put32(b, static_cast<std::uint32_t>(ns >> 32));
    put32(b, static_cast<std::uint32_t>(ns));
    put32(b, static_cast<std::uint32_t>(p.data.size()));
    put32(b, static_cast<std::uint32_t>(p.data.size()));
    b.insert(b.end(), p.data.begin(), p.data.end());
    b.insert(b.end(), pad, 0);
    put32(b, len);
  }
  return b;
}

std::string write_temp(const std::string& name, const Bytes& b) {
  const auto path = testing::TempDir() + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr);
  std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
  return path;
}

const std::string kPcap = picket::test::data_dir("asterix") + "/croatiacontrol/cat_034_048.pcap";

TEST(Pcap, PcapngAndBigEndianGiveTheSameRecords) {
  const auto pkts = read_classic(picket::test::read_bytes(kPcap));
  ASSERT_EQ(pkts.size(), 100u);
  const auto ref = asterix::test::decode_path(kPcap, asterix::InputFormat::pcap);
  ASSERT_EQ(ref.records.size(), 162u);
  for (const auto& [name, bytes] :
       {std::pair<std::string, Bytes>{"ng.pcapng", pcapng(pkts)},
        std::pair<std::string, Bytes>{"be.pcap", classic(pkts, 1, true)}}) {
    SCOPED_TRACE(name);
    const auto path = write_temp(name, bytes);
    auto c = asterix::test::decode_path(path, asterix::InputFormat::automatic);
    EXPECT_TRUE(c.issues.empty());
    ASSERT_EQ(c.records.size(), ref.records.size());
    for (std::size_t i = 0; i < c.records.size(); ++i) {
      EXPECT_TRUE(c.records[i].record == ref.records[i].record);
      EXPECT_NEAR(c.records[i].meta.capture_time, ref.records[i].meta.capture_time, 1e-6);
    }
    std::remove(path.c_str());
  }
}

// Wraps the UDP payload of an Ethernet/IPv4 frame in other link and network layers.
Bytes udp_payload(const Bytes& eth) {
  const std::size_t ihl = (eth[14] & 15) * 4u;
  return Bytes(eth.begin() + static_cast<long>(14 + ihl + 8), eth.end());
}

Bytes ipv6_udp(const Bytes& payload, bool with_hop_by_hop) {
  Bytes ip;
  ip.push_back(0x60);
  ip.insert(ip.end(), 3, 0);
  const std::size_t ext = with_hop_by_hop ? 8 : 0;
  put16(ip, static_cast<std::uint16_t>(8 + payload.size() + ext), true);
  ip.push_back(with_hop_by_hop ? 0 : 17);
  ip.push_back(64);
  ip.insert(ip.end(), 32, 0x11);  // addresses
  if (with_hop_by_hop) {
    ip.push_back(17);
    ip.push_back(0);
    ip.insert(ip.end(), 6, 0);
  }
  put16(ip, 1234, true);
  put16(ip, 8600, true);
  put16(ip, static_cast<std::uint16_t>(8 + payload.size()), true);
  put16(ip, 0, true);
  ip.insert(ip.end(), payload.begin(), payload.end());
  return ip;
}

TEST(Pcap, LinkAndNetworkVariants) {
  const auto pkts = read_classic(picket::test::read_bytes(kPcap));
  std::vector<Packet> vlan, v6, sll, frag;
  for (const auto& p : pkts) {
    // 802.1Q tag between the MAC addresses and the ethertype.
    Bytes v(p.data.begin(), p.data.begin() + 12);
    const Bytes tag = {0x81, 0x00, 0x00, 0x64};
    v.insert(v.end(), tag.begin(), tag.end());
    v.insert(v.end(), p.data.begin() + 12, p.data.end());
    vlan.push_back({p.sec, p.usec, v});
    // Ethernet + IPv6 with a hop-by-hop header.
    Bytes e(p.data.begin(), p.data.begin() + 12);
    put16(e, 0x86DD, true);
    const auto ip6 = ipv6_udp(udp_payload(p.data), true);
    e.insert(e.end(), ip6.begin(), ip6.end());
    v6.push_back({p.sec, p.usec, e});
    // Linux cooked (SLL): 16-octet header, protocol at 14.
    Bytes s(14, 0);
    put16(s, 0x0800, true);
    s.insert(s.end(), p.data.begin() + 14, p.data.end());
    sll.push_back({p.sec, p.usec, s});
    // The same packet marked as a first fragment (more fragments).
    Bytes f = p.data;
    f[14 + 6] |= 0x20;
    frag.push_back({p.sec, p.usec, f});
  }
  for (const auto& [name, bytes, records] :
       {std::tuple<std::string, Bytes, std::size_t>{"vlan.pcap", classic(vlan, 1, false), 162},
        {"v6.pcap", classic(v6, 1, false), 162},
        {"sll.pcap", classic(sll, 113, false), 162},
        {"frag.pcap", classic(frag, 1, false), 0}}) {
    SCOPED_TRACE(name);
    const auto path = write_temp(name, bytes);
    auto r = PcapReader::open(path);
    ASSERT_TRUE(r.ok());
    std::size_t n = 0;
    while (r->next())
      ++n;
    EXPECT_FALSE(r->error().has_value());
    EXPECT_EQ(r->stats().packets, 100u);
    EXPECT_EQ(n, records ? 100u : 0u);
    EXPECT_EQ(r->stats().fragments, records ? 0u : 100u);
    auto c = asterix::test::decode_path(path, asterix::InputFormat::pcap);
    EXPECT_EQ(c.records.size(), records);
    std::remove(path.c_str());
  }
}

TEST(Pcap, DamagedCapturesAreReportedWithTheOffset) {
  auto bytes = picket::test::read_bytes(kPcap);
  // Cut in the middle of the 10th packet.
  const auto pkts = read_classic(bytes);
  std::size_t at = 24;
  for (int i = 0; i < 9; ++i)
    at += 16 + pkts[static_cast<std::size_t>(i)].data.size();
  bytes.resize(at + 20);
  const auto path = write_temp("cut.pcap", bytes);
  auto r = PcapReader::open(path);
  ASSERT_TRUE(r.ok());
  int n = 0;
  while (r->next())
    ++n;
  EXPECT_EQ(n, 9);
  ASSERT_TRUE(r->error().has_value());
  EXPECT_NE(r->error()->message().find("cut short by the end of the file"), std::string::npos);
  EXPECT_NE(r->error()->message().find("at byte " + std::to_string(at)), std::string::npos);
  // Not a capture at all.
  EXPECT_FALSE(
      PcapReader::open(picket::test::data_dir("asterix") + "/croatiacontrol/cat048.raw").ok());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace picket::protocols
