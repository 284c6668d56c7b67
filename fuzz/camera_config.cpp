// Fuzz target: the `cameras:` section of a site file. Whatever follows `cameras:` (keys, numbers,
// survey points for the pose solver, masks, PTZ ranges), parsing must end in a CameraConfig or
// an Error naming the place, never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "picket/core/site.h"
#include "picket/video/camera_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string head =
      "origin: [51.4414, -0.9418, 60]\n"
      "sensors:\n"
      "  - id: cam-a\n"
      "    type: camera\n"
      "    position: {east: 0, north: -20, up: 6}\n"
      "    orientation: {yaw: 20, pitch: -24}\n"
      "    fov: {horizontal: 60}\n"
      "    image: {width: 768, height: 576}\n"
      "    range: {max: 120}\n"
      "cameras:\n";
  const std::string yaml = head + std::string(reinterpret_cast<const char*>(data), size);
  auto site = picket::load_site_from_string(yaml, "fuzz.yaml");
  if (!site) return 0;
  auto cameras = picket::video::parse_cameras(*site);
  if (cameras) {
    for (const auto& c : *cameras) {
      // A parsed camera must give a usable model.
      if (!(c.intrinsics.fx > 0) || c.intrinsics.width <= 0) __builtin_trap();
    }
  } else if (cameras.error().what.empty()) {
    __builtin_trap();  // an error must say what is wrong
  }
  return 0;
}
