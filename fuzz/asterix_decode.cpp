// Fuzz target: any bytes as an ASTERIX block stream. The framing and decoder must count and
// report what they cannot decode, never crash, hang, read out of bounds or leak; and every
// record they do decode must encode and decode back to itself. The first octet chooses the
// edition of each category, so old editions are fuzzed too.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "picket/protocols/asterix/decoder.h"
#include "picket/protocols/asterix/stream.h"

namespace {

class Sink : public picket::asterix::RecordSink {
 public:
  void on_record(const picket::asterix::RecordMeta& meta,
                 const picket::asterix::AnyRecord& record) override {
    picket::asterix::Bytes bytes;
    if (!picket::asterix::encode_record(record, bytes).ok()) __builtin_trap();
    auto back = picket::asterix::decode_record(*meta.edition, bytes);
    if (!back.ok() || !(*back == record)) __builtin_trap();
    if (++count % 4 == 0) {  // printing is slow under ASan; every fourth record is enough
      json.clear();
      picket::asterix::record_to_json(record, json);
    }
  }
  void on_issue(const picket::asterix::Issue& issue) override { message = issue.message(); }
  std::string json, message;
  std::size_t count = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  picket::asterix::EditionMap editions;
  unsigned pick = data[0];
  for (int cat : picket::asterix::kSupportedCategories) {
    const auto eds = picket::asterix::editions_of(cat);
    (void)editions.set(cat, eds[pick % eds.size()]->edition);
    pick /= static_cast<unsigned>(eds.size());
  }
  picket::asterix::Decoder decoder(editions);
  Sink sink;
  picket::asterix::BlockReader reader(std::span<const std::uint8_t>(data + 1, size - 1));
  picket::asterix::decode_stream(reader, decoder, sink);
  return 0;
}
