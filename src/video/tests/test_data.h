// Where the tests find the shared recordings (/work/shared/data in development, ../shared/data
// beside the checkout in CI): $PICKET_SHARED_DIR, else PICKET_SOURCE_DIR/../shared.
#pragma once

#include <cstdlib>
#include <string>

namespace picket::video::testing {

inline std::string shared_data(const std::string& relative) {
  const char* env = std::getenv("PICKET_SHARED_DIR");
  const std::string root =
      env && *env ? std::string(env) : std::string(PICKET_SOURCE_DIR) + "/../shared";
  return root + "/data/" + relative;
}

inline std::string vtest_avi() {
  return shared_data("video/debian_opencv-doc/vtest.avi");
}

}  // namespace picket::video::testing
