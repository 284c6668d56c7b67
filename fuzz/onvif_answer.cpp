// Fuzz target: a PTZ device's answer to an ONVIF AbsoluteMove (the body the camera sends back,
// scanned by hand for AbsoluteMoveResponse and a SOAP fault's reason and subcode). The device is
// a network peer: whatever it sends must end in Ok or an Error naming the device, never crash,
// hang or leak. The first byte picks the HTTP status (200 or an error status).
#include <cstddef>
#include <cstdint>
#include <string>

#include "picket/video/onvif.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned status = data[0] % 2 == 0 ? 200 : 400 + data[0] % 100;
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto r = picket::video::absolute_move_answer("http://cam/onvif/ptz", status, "Reason", body);
  if (r) {
    // Success needs a 200 and the response element.
    if (status != 200 || body.find("AbsoluteMoveResponse") == std::string::npos) __builtin_trap();
  } else if (r.error().where != "http://cam/onvif/ptz" || r.error().what.empty()) {
    __builtin_trap();  // an error must say where and what
  }
  return 0;
}
